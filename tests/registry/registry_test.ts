import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import {
  closestName,
  editDistance,
  Registry,
  RegistryError,
  resolveSpecifier,
  unknownNameMessage,
} from "../../registry/registry.ts";
import { fakeRegistry } from "../bench/_fakes.ts";

const FIXTURES = dirname(
  fromFileUrl(new URL("../fixtures/registry_plugin_ok.ts", import.meta.url)),
);

Deno.test("Registry.get() names the known plugins and the closest one for an unknown name", () => {
  const r = fakeRegistry();
  assert.throws(() => r.get("compressor", "hlaf"), (err: unknown) => {
    assert.ok(err instanceof RegistryError);
    assert.equal(err.code, "UNKNOWN_PLUGIN");
    assert.equal(
      err.message,
      'Unknown compressor "hlaf" (known: copy, half, lengths; did you mean "half"?)',
    );
    return true;
  });
});

Deno.test("Registry.get() gives no suggestion when nothing is close", () => {
  const r = fakeRegistry();
  assert.throws(
    () => r.get("allocator", "zzzzzzzzz"),
    { name: "RegistryError", message: 'Unknown allocator "zzzzzzzzz" (known: boom, bump, slab)' },
  );
});

Deno.test("unknownNameMessage() matches the documented form", () => {
  assert.equal(
    unknownNameMessage("compressor", "lz5", ["deflate", "lz4", "zstd"]),
    'Unknown compressor "lz5" (known: deflate, lz4, zstd; did you mean "lz4"?)',
  );
  assert.equal(
    unknownNameMessage("preset", "6.9", []),
    'Unknown preset "6.9" (no presets are known)',
  );
});

Deno.test("editDistance() and closestName()", async (t) => {
  for (
    const [a, b, d] of [["lz5", "lz4", 1], ["", "abc", 3], ["zsmaloc", "zsmalloc", 1], [
      "kitten",
      "sitting",
      3,
    ]] as const
  ) {
    await t.step(`${a} -> ${b} = ${d}`, () => assert.equal(editDistance(a, b), d));
  }
  assert.equal(closestName("z3fld", ["zbud", "z3fold", "zsmalloc"]), "z3fold");
  assert.equal(closestName("xyzzy", ["zbud"]), undefined);
});

Deno.test("Registry.register() refuses a second plugin with a taken name, naming both sources", () => {
  const r = fakeRegistry();
  assert.throws(
    () =>
      r.register(
        { kind: "strategy", name: "direct", description: "x", create: () => () => 0 },
        "file:///tmp/mine.ts",
      ),
    (err: unknown) => {
      assert.ok(err instanceof RegistryError);
      assert.equal(err.code, "DUPLICATE_PLUGIN");
      assert.match(err.message, /built-in/);
      assert.match(err.message, /\/tmp\/mine\.ts/);
      return true;
    },
  );
});

Deno.test("Registry.register() refuses a plugin of the wrong shape", () => {
  const r = new Registry();
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => r.register({ kind: "allocator", name: "x", description: "d", create() {} } as any),
    {
      name: "RegistryError",
      code: "INVALID_PLUGIN",
      message: /field "sleepMapped" must be a boolean \(got undefined\)/,
    },
  );
});

Deno.test("Registry.list() sorts by name and hides internal compressors", () => {
  const r = fakeRegistry();
  assert.deepEqual(r.list("compressor").map((p) => p.name), ["copy", "half"]);
  assert.deepEqual(
    r.list("compressor", { includeInternal: true }).map((p) => p.name),
    ["copy", "half", "lengths"],
  );
  assert.equal(r.isInternal("compressor", "lengths"), true);
  assert.equal(r.isInternal("compressor", "copy"), false);
});

Deno.test("Registry.load() registers a default-exported array from a relative path", async () => {
  const r = new Registry();
  const loaded = await r.load("./registry_plugin_ok.ts", { cwd: FIXTURES });
  assert.deepEqual(loaded.map((p) => p.name), ["fixture-alloc", "fixture-strategy"]);
  assert.equal(r.get("allocator", "fixture-alloc").sleepMapped, true);
  assert.match(r.entry("allocator", "fixture-alloc").source, /^file:\/\/.*registry_plugin_ok\.ts$/);
});

Deno.test("Registry.load() takes a file: URL and a named plugins array", async () => {
  const r = new Registry();
  const url = new URL("../fixtures/registry_plugin_named.ts", import.meta.url).href;
  await r.load(url);
  assert.equal(r.get("compressor", "fixture-codec").async, false);
});

Deno.test("Registry.load() takes an absolute path", async () => {
  const r = new Registry();
  await r.load(`${FIXTURES}/registry_plugin_ok.ts`);
  assert.ok(r.has("strategy", "fixture-strategy"));
});

Deno.test("Registry.load() error paths", async (t) => {
  const cases: [string, string, RegExp][] = [
    [
      "./registry_plugin_bad.ts",
      "INVALID_PLUGIN",
      /^Plugin module \.\/registry_plugin_bad\.ts: allocator "foo": field "sleepMapped" must be a boolean \(got undefined\)$/,
    ],
    [
      "./registry_plugin_bad_name.ts",
      "INVALID_PLUGIN",
      /workload "MyWorkload": field "name" must be lower-case letters.*\(got "MyWorkload"\)/,
    ],
    ["./registry_plugin_none.ts", "NO_PLUGINS", /exports no plugins/],
    [
      "./registry_plugin_throws.ts",
      "IMPORT_FAILED",
      /registry_plugin_throws\.ts: import failed: .*fixture exploded on import/,
    ],
    ["./does_not_exist.ts", "IMPORT_FAILED", /does_not_exist\.ts: import failed/],
    [
      "./registry_plugin_dup.ts",
      "DUPLICATE_PLUGIN",
      /^Two strategies are named "direct": one from built-in, one from plugin module \.\/registry_plugin_dup\.ts \(rename one of them\)$/,
    ],
  ];
  for (const [spec, code, message] of cases) {
    await t.step(`${spec} -> ${code}`, async () => {
      const r = fakeRegistry();
      await assert.rejects(() => r.load(spec, { cwd: FIXTURES }), (err: unknown) => {
        assert.ok(err instanceof RegistryError, String(err));
        assert.equal(err.code, code);
        assert.match(err.message, message);
        return true;
      });
    });
  }
});

Deno.test("Registry.load() leaves the registry unchanged when a module is refused", async () => {
  const r = fakeRegistry();
  const before = r.list("strategy").length;
  await assert.rejects(() => r.load("./registry_plugin_dup.ts", { cwd: FIXTURES }));
  assert.equal(r.list("strategy").length, before);
});

Deno.test("resolveSpecifier() keeps URLs and resolves paths", () => {
  assert.equal(resolveSpecifier("npm:foo@1.0.0"), "npm:foo@1.0.0");
  assert.equal(resolveSpecifier("https://x.test/p.ts"), "https://x.test/p.ts");
  assert.equal(resolveSpecifier("./p.ts", "/a/b"), "file:///a/b/p.ts");
  assert.equal(resolveSpecifier("/abs/p.ts", "/a/b"), "file:///abs/p.ts");
});

Deno.test("closestName() suggests the one known name a shortened or over-long name belongs to", () => {
  const strategies = ["async-only-copy", "bounce-alloc", "percpu-buffer", "read-begin", "sg-read"];
  assert.equal(closestName("percpu", strategies), "percpu-buffer");
  assert.equal(closestName("6.1.0", ["5.10", "6.1", "6.12", "latest"]), "6.1");
  assert.equal(closestName("zzz", strategies), undefined);
});
