import assert from "node:assert/strict";
import { importViolations, layerOf } from "../../scripts/check_imports.ts";

Deno.test("check_imports: the repository follows the dependency rule", async () => {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "scripts/check_imports.ts"],
    cwd: new URL("../../", import.meta.url).pathname,
  });
  const r = await cmd.output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
});

Deno.test("check_imports: an import that points up or sideways is reported", () => {
  const files = new Map([
    ["workloads/a.ts", 'import { UsageError } from "../bench/cli/args.ts";'],
    ["allocators/b.ts", 'import type {\n  Compressor,\n} from "../compressors/mod.ts";'],
    ["registry/c.ts", 'const m = await import("../builtins/mod.ts");'],
    ["zswap/d.ts", 'import { createArena } from "../allocators/arena.ts";'],
    ["bench/results/e.ts", 'export { x } from "../run/runner.ts";'],
  ]);
  const bad = importViolations(files);
  assert.equal(bad.length, 5, bad.join("\n"));
  assert.match(bad[0], /^workloads\/a\.ts:1: imports bench\/cli\/args\.ts/);
  assert.match(bad[1], /same layer/);
  assert.match(bad[3], /zswap\/ may import only registry\//);
});

Deno.test("check_imports: downward imports, own-folder imports and comments pass", () => {
  const files = new Map([
    [
      "zswap/a.ts",
      'import type { Zpool } from "../registry/types.ts";\nimport { b } from "./b.ts";',
    ],
    ["bench/cli/run.ts", 'import { runMatrix } from "../run/runner.ts";'],
    ["registry/c.ts", ' * import { createDefaultRegistry } from "../builtins/mod.ts";'],
    ["tests/x_test.ts", 'import { anything } from "../bench/cli.ts";'],
  ]);
  assert.deepEqual(importViolations(files), []);
  assert.equal(layerOf("bench/run/runner.ts")?.folder, "bench/run");
  assert.equal(layerOf("mod.ts"), undefined);
});
