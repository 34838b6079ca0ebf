import assert from "node:assert/strict";
import { checkConfig, ConfigError, resolveConfig } from "../../../bench/run/config.ts";
import { configJsonSchema, readConfigFile } from "../../../bench/run/config_file.ts";

Deno.test("resolveConfig() fills the defaults of a normal run", () => {
  const c = resolveConfig({});
  assert.deepEqual(c.allocators.map((a) => a.name), ["zbud", "z3fold", "zsmalloc"]);
  assert.deepEqual(c.compressors.map((a) => a.name), ["lz4", "zstd"]);
  assert.deepEqual(c.workloads.map((a) => a.name), ["mixed"]);
  assert.deepEqual(c.presets.map((a) => a.name), ["6.1", "6.8", "latest"]);
  assert.deepEqual(c.strategies, []);
  assert.deepEqual(c.params.pages, [4096]);
  assert.deepEqual(c.params.pageSize, [4096]);
  assert.equal(c.repetitions, 3);
  assert.equal(c.warmup, 1);
  assert.equal(c.filter, null);
  assert.equal(c.shard, null);
});

Deno.test("resolveConfig() with quick shrinks pages unless given", () => {
  assert.deepEqual(resolveConfig({}, { quick: true }).params.pages, [256]);
  assert.deepEqual(resolveConfig({ params: { pages: 512 } }, { quick: true }).params.pages, [512]);
});

Deno.test("resolveConfig() takes names or { name, options } and sweeps", () => {
  const c = resolveConfig({
    allocators: ["zbud", { name: "zsmalloc", options: { chainSize: 4 } }],
    presets: [{ name: "6.8" }],
    params: { pages: [256, 1024], cpus: 2 },
  });
  assert.deepEqual(c.allocators, [
    { name: "zbud", options: {} },
    { name: "zsmalloc", options: { chainSize: 4 } },
  ]);
  assert.deepEqual(c.presets, [{ name: "6.8", options: {} }]);
  assert.deepEqual(c.params.pages, [256, 1024]);
  assert.deepEqual(c.params.cpus, [2]);
});

Deno.test("resolveConfig() lets overrides win, param by param", () => {
  const c = resolveConfig(
    { allocators: ["zbud"], params: { pages: 100, seed: 7 } },
    { overrides: { params: { pages: 200 } } },
  );
  assert.deepEqual(c.allocators.map((a) => a.name), ["zbud"]);
  assert.deepEqual(c.params.pages, [200]);
  assert.deepEqual(c.params.seed, [7]);
});

Deno.test("checkConfig() refuses bad input with the path and the value", async (t) => {
  const cases: [string, unknown, string][] = [
    [
      "unknown top-level key",
      { allocator: ["zbud"] },
      'Config: unknown key "allocator" (did you mean "allocator" -> "allocators"?)',
    ],
    [
      "unknown params key",
      { params: { pagez: 1 } },
      'Config: params: unknown key "pagez" (did you mean "pagez" -> "pages"?)',
    ],
    [
      "params key in another spelling",
      { params: { total_ram_mib: 512 } },
      'Config: params: unknown key "total_ram_mib" (did you mean "total_ram_mib" -> "totalRamMiB"?)',
    ],
    [
      "wrong type",
      { params: { pages: "many" } },
      'Config: params.pages: must be a number or an array (got "many")',
    ],
    ["negative", { params: { pages: -1 } }, "Config: params.pages: must be at least 1 (got -1)"],
    [
      "not an integer",
      { params: { cpus: 1.5 } },
      "Config: params.cpus: must be an integer (got 1.5)",
    ],
    ["too many cpus", { params: { cpus: 65 } }, "Config: params.cpus: must be at most 64 (got 65)"],
    [
      "too many tasks",
      { params: { tasks: [1, 257] } },
      "Config: params.tasks[1]: must be at most 256 (got 257)",
    ],
    [
      "too many pages",
      { params: { pages: 16 * 1024 * 1024 + 1 } },
      "Config: params.pages: must be at most 16777216 (got 16777217)",
    ],
    [
      "page size",
      { params: { pageSize: 8192 } },
      "Config: params.pageSize: must be 4096, 16384 or 65536 (got 8192)",
    ],
    [
      "percent",
      { params: { maxPoolPercent: 0 } },
      "Config: params.maxPoolPercent: must be at least 1 (got 0)",
    ],
    [
      "rate",
      { params: { bounceFailRate: 1.5 } },
      "Config: params.bounceFailRate: must be at most 1 (got 1.5)",
    ],
    [
      "plugin name",
      { compressors: ["LZ4"] },
      'Config: compressors[0]: must be lower-case letters, digits, ".", "_" or "-", starting with a letter or digit (got "LZ4")',
    ],
    [
      "options key",
      { compressors: [{ name: "lz4", opts: {} }] },
      'Config: compressors[0]: unknown key "opts"',
    ],
    ["empty allocators", { allocators: [] }, "Config: allocators: must have at least 1 entries"],
    ["repetitions", { repetitions: 0 }, "Config: repetitions: must be at least 1 (got 0)"],
  ];
  for (const [what, input, message] of cases) {
    await t.step(what, () => {
      assert.throws(() => checkConfig(input, "Config"), (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.message, message);
        return true;
      });
    });
  }
});

Deno.test("resolveConfig() names command-line values by their flag", () => {
  assert.throws(
    () =>
      resolveConfig({}, {
        overrides: { params: { pageSize: 1000 } },
        overridesSource: "Command line",
        overridesPathLabel: (p) => (p.startsWith("params.pageSize") ? "--page-size" : p),
      }),
    {
      name: "ConfigError",
      message: "Command line: --page-size: must be 4096, 16384 or 65536 (got 1000)",
    },
  );
});

Deno.test("resolveConfig() refuses a filter that is not a regular expression", () => {
  assert.throws(() => resolveConfig({ filter: "(" }), {
    name: "ConfigError",
    message: /Filter "\(" is not a valid regular expression/,
  });
});

Deno.test("readConfigFile() reports malformed JSON with line and column", async () => {
  const path = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(path, '{\n  "allocators": ["zbud"],\n  "params": { "pages": }\n}\n');
    await assert.rejects(() => readConfigFile(path), {
      name: "UsageError",
      message: `Config file ${path}: invalid JSON at line 3, column 24: unexpected "}"`,
    });
    await Deno.writeTextFile(path, '{ "allocators": ["zbud"], }');
    await assert.rejects(() => readConfigFile(path), {
      message: /line 1, column 27: trailing comma/,
    });
    await Deno.writeTextFile(path, '{ "params": { "seed": -3 } }');
    await assert.rejects(() => readConfigFile(path), {
      name: "ConfigError",
      message: `Config file ${path}: params.seed: must be at least 0 (got -3)`,
    });
    await Deno.writeTextFile(
      path,
      '{ "$schema": "./zswapbench.schema.json", "params": { "seed": 3 } }',
    );
    assert.deepEqual(resolveConfig(await readConfigFile(path)).params.seed, [3]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("readConfigFile() names a missing file", async () => {
  await assert.rejects(() => readConfigFile("/nonexistent/x.json"), {
    message: "Config file /nonexistent/x.json: cannot read it: no such file",
  });
});

Deno.test("configJsonSchema() describes the config and matches the committed file", async () => {
  const schema = configJsonSchema();
  assert.equal(schema.type, "object");
  assert.equal(schema.additionalProperties, false);
  const props = schema.properties as Record<string, unknown>;
  assert.ok("allocators" in props && "params" in props && "plugins" in props);
  const committed = new URL("../../../zswapbench.schema.json", import.meta.url);
  const text = await Deno.readTextFile(committed);
  assert.deepEqual(
    JSON.parse(text),
    schema,
    "regenerate: deno task cli schema > zswapbench.schema.json",
  );
});
