import assert from "node:assert/strict";
import { createCellArena, createDefaultRegistry, runCell } from "../../builtins/mod.ts";
import { lz4Compressor } from "../../compressors/lz4.ts";
import { defineCompressor } from "../../registry/define.ts";
import type { Compressor } from "../../registry/types.ts";

Deno.test("createDefaultRegistry() holds every built-in kind, offload included", () => {
  const registry = createDefaultRegistry();
  for (const kind of ["allocator", "compressor", "workload", "strategy"] as const) {
    assert.ok(registry.list(kind).length > 0, kind);
  }
  assert.equal(registry.get("compressor", "offload").async, true);
});

Deno.test("each registry's offload finds that registry's codecs, and no other's", async () => {
  const mine = createDefaultRegistry();
  const other = createDefaultRegistry();
  mine.register(defineCompressor({
    kind: "compressor",
    name: "mine",
    description: "lz4 under another name",
    async: false,
    create: () => lz4Compressor.create({}) as Compressor,
  }));
  const codec = await mine.get("compressor", "offload").create({ codec: "mine" });
  const dst = new Uint8Array(4096);
  assert.ok((await codec.compress(new Uint8Array(4096), dst)) > 0);
  await codec.close?.();
  // The other registry was made later; before issue 15 its resolver replaced the first one's.
  await assert.rejects(async () =>
    await other.get("compressor", "offload").create({ codec: "mine" })
  );
  const again = await mine.get("compressor", "offload").create({ codec: "mine" });
  await again.close?.();
});

Deno.test("createCellArena() gives the cell's page size and RAM as the page limit", () => {
  const arena = createCellArena({ pageSize: 16384, totalRamPages: 5 });
  assert.equal(arena.pageSize, 16384);
  assert.equal(arena.limitPages, 5);
  assert.equal(createCellArena({ pageSize: 4096, totalRamPages: 0 }).limitPages, 1);
});

Deno.test("runCell() runs a built-in cell on a fresh arena", async () => {
  const registry = createDefaultRegistry();
  const run = await runCell({
    allocator: registry.get("allocator", "zsmalloc"),
    allocatorOptions: undefined,
    compressor: registry.get("compressor", "lz4"),
    compressorOptions: undefined,
    workload: registry.get("workload", "mixed"),
    workloadOptions: undefined,
    strategy: undefined,
    strategyOptions: undefined,
    preset: "6.8",
    params: {
      pages: 64,
      seed: 1,
      cpus: 1,
      tasks: 1,
      pageSize: 4096,
      totalRamPages: 262144,
      maxPoolPercent: 20,
      acceptThresholdPercent: 90,
      bounceFailRate: 0,
      strict: false,
    },
  }, { store() {}, load() {}, writeback() {} });
  assert.equal(run.strategy, "percpu-buffer");
  assert.equal(run.counters.integrity_failures, 0);
  assert.ok(run.counters.stored_pages > 0);
});
