import assert from "node:assert/strict";
import { createDefaultEngine } from "../../bench/run/default_engine.ts";
import { expandMatrix } from "../../bench/run/matrix.ts";
import {
  exampleConfig,
  exampleRegistry,
  runExampleMatrix,
  runOneCell,
} from "../../examples/library_api.ts";

Deno.test("exampleRegistry() holds the built-ins and every example plugin", () => {
  const registry = exampleRegistry();
  for (
    const [kind, name] of [
      ["allocator", "zsmalloc"],
      ["allocator", "bucket"],
      ["compressor", "noisy"],
      ["compressor", "noisy-async"],
      ["workload", "stripe"],
      ["strategy", "copy-always"],
    ] as const
  ) {
    assert.ok(registry.has(kind, name), `${kind} ${name}`);
  }
  assert.match(registry.entry("allocator", "bucket").source, /examples\/bucket_alloc\.ts/);
});

Deno.test("exampleConfig() expands to 24 cells, each preset with its own strategy", () => {
  const cells = expandMatrix(exampleConfig(64), {
    registry: exampleRegistry(),
    engine: createDefaultEngine(),
  });
  assert.equal(cells.length, 24);
  assert.deepEqual(new Set(cells.map((c) => c.strategyName)), new Set(["bounce-alloc", "sg-read"]));
  assert.ok(
    cells.some((c) => c.cell === "bucket/noisy/stripe[width=32]/sg-read/latest/p64-s1-c1-t1"),
  );
});

Deno.test("runExampleMatrix() runs every cell ok with no integrity failure", async () => {
  const cells = await runExampleMatrix(exampleRegistry(), 32);
  assert.equal(cells.length, 24);
  for (const c of cells) {
    assert.equal(c.status, "ok", `${c.cell}: ${c.error}`);
    assert.equal(c.integrity_failures, 0, c.cell);
    assert.ok(c.pool_ratio !== null && c.pool_ratio >= 0, c.cell);
  }
});

Deno.test("runOneCell() runs copy-always on zsmalloc under 6.8", async () => {
  const one = await runOneCell(exampleRegistry(), 128);
  assert.equal(one.strategy, "copy-always");
  assert.equal(one.integrityFailures, 0);
  assert.ok(one.loadHits > 0);
  assert.ok(one.bytesBounced > 0);
  assert.ok(one.poolRatio > 1, `pool ratio ${one.poolRatio}`);
});
