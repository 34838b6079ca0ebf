import assert from "node:assert/strict";
import { flagForPath, flagsToConfig, parsePluginRef } from "../../../bench/cli/run.ts";
import { splitList } from "../../../bench/cli/args.ts";
import { reportError, userDirectory } from "../../../bench/cli.ts";
import { UsageError } from "../../../registry/errors.ts";
import { RegistryError } from "../../../registry/registry.ts";

const CLI = new URL("../../../bench/cli.ts", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;

/** Run the CLI in a subprocess; the environment's RUST_BACKTRACE stays set, as for a user. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
    cwd: ROOT,
    env: { NO_COLOR: "1", RUST_BACKTRACE: "1", INIT_CWD: ROOT },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("flagsToConfig() maps flags to config keys, sweeping comma lists", () => {
  assert.deepEqual(
    flagsToConfig({
      allocators: "zbud,zsmalloc",
      compressors: 'zstd:{"level":3,"x":[1,2]},lz4',
      pages: "256,1024",
      seed: "7",
      "page-size": "16384",
      strict: true,
      repetitions: "3",
      filter: "zbud/",
      plugin: ["./a.ts", "./b.ts"],
    }),
    {
      allocators: ["zbud", "zsmalloc"],
      compressors: [{ name: "zstd", options: { level: 3, x: [1, 2] } }, "lz4"],
      params: { pages: [256, 1024], seed: 7, pageSize: 16384, strict: true },
      repetitions: 3,
      filter: "zbud/",
      plugins: ["./a.ts", "./b.ts"],
    },
  );
  assert.deepEqual(flagsToConfig({}), {});
});

Deno.test("flagsToConfig() maps --think-us and --cost-model to params", () => {
  assert.deepEqual(flagsToConfig({ "think-us": "0,5", "cost-model": "calibrated" }), {
    params: { thinkUs: [0, 5], costModel: "calibrated" },
  });
  assert.throws(() => flagsToConfig({ "cost-model": "exact" }), {
    name: "UsageError",
    message: '--cost-model: "exact" is not measured or calibrated',
  });
});

Deno.test("flagsToConfig() refuses what is not a number", () => {
  assert.throws(() => flagsToConfig({ pages: "12x" }), {
    name: "UsageError",
    message: '--pages: "12x" is not a number',
  });
  assert.throws(() => flagsToConfig({ repetitions: "2,3" }), {
    message: "--repetitions takes one number",
  });
});

Deno.test("parsePluginRef() reads name:{json} and reports bad JSON with its column", () => {
  assert.equal(parsePluginRef("lz4", "--compressors"), "lz4");
  assert.deepEqual(parsePluginRef('zstd:{"level":1}', "--compressors"), {
    name: "zstd",
    options: { level: 1 },
  });
  assert.throws(() => parsePluginRef("zstd:{level:1}", "--compressors"), {
    name: "UsageError",
    message: /--compressors options of "zstd": invalid JSON at line 1, column 2/,
  });
});

Deno.test("splitList() keeps commas inside braces and strings", () => {
  assert.deepEqual(splitList('a, b:{"x":"1,2","y":[3,4]} ,,c'), [
    "a",
    'b:{"x":"1,2","y":[3,4]}',
    "c",
  ]);
});

Deno.test("flagForPath() names the flag of a config path", () => {
  assert.equal(flagForPath("params.pages"), "--pages");
  assert.equal(flagForPath("params.bounceFailRate"), "--bounce-fail-rate");
  assert.equal(flagForPath("allocators[0]"), "--allocators");
  assert.equal(flagForPath("plugins[1]"), "--plugin");
});

Deno.test("reportError() gives 2 for user mistakes and 3 for bugs", () => {
  const errors: string[] = [];
  const original = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  try {
    assert.equal(reportError(new UsageError("Bad flag"), false), 2);
    assert.equal(reportError(new RegistryError("UNKNOWN_PLUGIN", "Unknown x"), false), 2);
    assert.equal(reportError(new TypeError("x is undefined"), false), 3);
  } finally {
    console.error = original;
  }
  assert.deepEqual(errors.slice(0, 2), ["zswapbench: Bad flag", "zswapbench: Unknown x"]);
  assert.match(errors[2], /^zswapbench: internal error: x is undefined$/);
  assert.match(errors[3], /please report/);
});

Deno.test("cli: user mistakes print one line and exit 2, without a stack", async (t) => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = `${dir}/bad.json`;
    await Deno.writeTextFile(bad, '{\n  "params": { "pages": 0 }\n}\n');
    const broken = `${dir}/broken.json`;
    await Deno.writeTextFile(broken, '{\n  "params": {\n    "pages": 1,,\n  }\n}\n');
    const cases: [string[], RegExp][] = [
      [["nonsense"], /^zswapbench: Unknown subcommand "nonsense" \(known: run, list, .*\)$/],
      [["rnu"], /did you mean "run"\?/],
      [
        ["run", "--pgaes", "4"],
        /^zswapbench: Unknown flag "--pgaes" for "run" \(did you mean --pages\?\); see "run --help"$/,
      ],
      [["run", "--pages"], /^zswapbench: Flag --pages needs a value/],
      [
        ["run", "--pages", "0"],
        /^zswapbench: Command line: --pages: must be at least 1 \(got 0\)$/,
      ],
      [
        ["run", "--page-size", "1000"],
        /^zswapbench: Command line: --page-size: must be 4096, 16384 or 65536 \(got 1000\)$/,
      ],
      [["run", "--shard", "3/2"], /^zswapbench: Shard "3\/2" must be i\/n/],
      [
        ["run", "--config", bad],
        /^zswapbench: Config file .*bad\.json: params\.pages: must be at least 1 \(got 0\)$/,
      ],
      [
        ["run", "--config", broken],
        /^zswapbench: Config file .*broken\.json: invalid JSON at line 3, column 16: expected a property name in double quotes, found ","$/,
      ],
      [["run", "--config", `${dir}/none.json`], /cannot read it: no such file$/],
      [
        ["run", "--resume", dir, "--pages", "3"],
        /^zswapbench: --resume takes the config from .*; drop --pages$/,
      ],
      [["run", "--resume", dir], /results\.jsonl: cannot read it: no such file$/],
      [["merge", "--out", dir], /merge needs the results directories/],
      [["run", "stray"], /Unexpected argument "stray" for "run"/],
    ];
    for (const [args, message] of cases) {
      await t.step(args.join(" "), async () => {
        const r = await cli(...args);
        assert.equal(r.code, 2, r.stderr);
        const lines = r.stderr.trim().split("\n");
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0], message);
        assert.doesNotMatch(r.stderr, /^\s+at |backtrace/im);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: --help for the CLI and each subcommand of this module", async () => {
  const top = await cli("--help");
  assert.equal(top.code, 0);
  assert.match(top.stdout, /Subcommands:/);
  for (const sub of ["run", "merge", "schema"]) {
    const r = await cli(sub, "--help");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: /);
  }
});

Deno.test("cli: --debug adds the stack to a user error", async () => {
  const r = await cli("run", "--pages", "0", "--debug");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^zswapbench: Command line: --pages/);
  assert.match(r.stderr, /ConfigError/);
});

Deno.test("cli: a quick run writes the results and exits 0; list shows plugins", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const out = `${dir}/run`;
    const r = await cli(
      "run",
      "--quick",
      "--allocators",
      "zbud-alias,zsmalloc",
      "--compressors",
      "lz4",
      "--presets",
      "latest",
      "--plugin",
      "./tests/fixtures/registry_plugin_alias.ts",
      "--out",
      out,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /zbud-alias\/lz4\/mixed\/sg-read\/latest\/p256-s1-c1-t1 +ok/);
    assert.match(r.stdout, /2 of 2 cells; results in /);
    assert.equal(r.stderr, "", "no progress line when stderr is not a terminal");
    for (const f of ["results.json", "results.csv", "results.jsonl", "report.md", "report.html"]) {
      await Deno.stat(`${out}/${f}`);
    }
    const results = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
    assert.equal(results.cells.length, 2);
    assert.deepEqual(results.config.plugins, ["./tests/fixtures/registry_plugin_alias.ts"]);
    assert.ok(
      results.cells.every((c: { integrity_failures: number }) => c.integrity_failures === 0),
    );

    const again = await cli("run", "--quick", "--out", out);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds a run/);

    const list = await cli("list", "--json");
    assert.equal(list.code, 0, list.stderr);
    const listing = JSON.parse(list.stdout);
    assert.ok(listing.allocators.some((p: { name: string }) => p.name === "zsmalloc"));
    assert.ok(!listing.compressors.some((p: { name: string }) => p.name === "lengths"));
    assert.ok(listing.presets.some((p: { name: string }) => p.name === "latest"));
    const all = JSON.parse((await cli("list", "--json", "--all")).stdout);
    assert.ok(
      all.compressors.some((p: { name: string; internal?: boolean }) =>
        p.name === "lengths" && p.internal
      ),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: unknown plugin and preset names are one-line user errors with a suggestion", async () => {
  const r = await cli("run", "--quick", "--compressors", "lz5", "--out", "/nonexistent/x");
  assert.equal(r.code, 2);
  assert.match(
    r.stderr.trim(),
    /^zswapbench: Unknown compressor "lz5" \(known: .*lz4.*; did you mean "lz4"\?\)$/,
  );
  const p = await cli("run", "--quick", "--presets", "6.9", "--out", "/nonexistent/x");
  assert.equal(p.code, 2);
  assert.match(
    p.stderr.trim(),
    /^zswapbench: Unknown preset "6\.9" \(known: 5\.10, .*latest; did you mean "6\.1"\?\)$/,
  );
  const m = await cli("run", "--quick", "--plugin", "./tests/fixtures/registry_plugin_bad.ts");
  assert.equal(m.code, 2);
  assert.match(
    m.stderr.trim(),
    /^zswapbench: Plugin module \.\/tests\/fixtures\/registry_plugin_bad\.ts: allocator "foo": field "sleepMapped" must be a boolean \(got undefined\)$/,
  );
});

Deno.test("cli: relative paths are the user's (INIT_CWD), and the path written is printed absolute", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zswapbench-init-cwd-" });
  try {
    // As `deno task bench` from `dir`: the process starts at the root with INIT_CWD = dir.
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        CLI,
        "run",
        "--quick",
        "--allocators",
        "zbud",
        "--compressors",
        "lz4",
        "--presets",
        "6.1",
        "--out",
        "./here",
      ],
      stdout: "piped",
      stderr: "piped",
      cwd: ROOT,
      env: { NO_COLOR: "1", INIT_CWD: dir },
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const written = await Deno.realPath(`${dir}/here`);
    assert.ok((await Deno.stat(`${written}/results.json`)).isFile);
    assert.match(stdout, new RegExp(`results in ${written.replaceAll("/", "\\/")}/ `));
    await assert.rejects(Deno.stat(`${ROOT}here`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("userDirectory() honours INIT_CWD only at the project root", async (t) => {
  const root = await Deno.realPath(ROOT);
  const tmp = await Deno.realPath(await Deno.makeTempDir());
  try {
    const cases: [string, string | undefined, string, string | undefined][] = [
      ["unset", undefined, root, undefined],
      ["the root itself", root, root, undefined],
      ["a user directory from the root", tmp, root, tmp],
      ["a child started elsewhere", tmp, "/", undefined],
      ["a directory that no longer exists", `${tmp}/gone`, root, undefined],
    ];
    for (const [name, initCwd, cwd, want] of cases) {
      await t.step(name, () => assert.equal(userDirectory(initCwd, cwd), want));
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
