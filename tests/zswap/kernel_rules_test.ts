/**
 * What each preset does with the pages a kernel did not simply compress, replayed through the
 * `lengths` workload: same-filled (`S`), zero (`Z`), incompressible (`R`, `W`) and too large for
 * zbud (4000 bytes): which counter each kernel bumped (mm/zswap.c of each version; crypto/lzo.c
 * of 5.10 has no output bound, so lzo's incompressible page reaches the allocator).
 */
import assert from "node:assert/strict";
import { z3foldAllocator, zbudAllocator, zsmallocAllocator } from "../../allocators/mod.ts";
import { lengthsCompressor } from "../../compressors/lengths.ts";
import type { AllocatorPlugin } from "../../registry/types.ts";
import { lengthsWorkload } from "../../workloads/lengths.ts";
import type { CellCounters } from "../../zswap/cell_types.ts";
import { runCell } from "../../builtins/run_cell.ts";
import { testParams } from "./_fakes.ts";

const ALLOCATORS: Record<string, AllocatorPlugin> = {
  zbud: zbudAllocator,
  z3fold: z3foldAllocator,
  zsmalloc: zsmallocAllocator,
};

const CSV = "idx,lzo,lz4\n0,1000,1000\n1,S,S\n2,Z,Z\n3,R,R\n4,4000,4000\n5,W,W\n";

type Want = Partial<Record<keyof CellCounters, number>>;

const CASES: [string, string, string, Want][] = [
  // 5.10 lzo: R and W become 4419-byte objects; zbud refuses them and 4000 + 8 (-ENOSPC, poor).
  ["5.10", "zbud", "lzo", { stored_pages: 3, same_filled_pages: 2, reject_compress_poor: 3 }],
  ["5.10", "z3fold", "lzo", { stored_pages: 4, reject_compress_poor: 2, reject_alloc_fail: 0 }],
  // zsmalloc 5.10: zs_malloc returns 0 above PAGE_SIZE, zs_zpool_malloc -1: alloc_fail.
  ["5.10", "zsmalloc", "lzo", { stored_pages: 4, reject_alloc_fail: 2, reject_compress_poor: 0 }],
  // lz4 stops at the output limit: a compressor error, no counter in 5.10 and 6.1.
  ["5.10", "zbud", "lz4", { stored_pages: 3, reject_compress_poor: 1, reject_alloc_fail: 0 }],
  ["6.1", "zbud", "lzo", { stored_pages: 3, reject_compress_poor: 1, reject_alloc_fail: 0 }],
  ["6.1", "zsmalloc", "lzo", { stored_pages: 4, same_filled_pages: 2, reject_alloc_fail: 0 }],
  // 6.12: zero pages bypass zswap; every codec's -EINVAL is reject_compress_fail.
  [
    "6.12",
    "zbud",
    "lz4",
    { stored_pages: 2, zero_pages: 1, reject_compress_fail: 2, reject_compress_poor: 1 },
  ],
  [
    "6.12",
    "zsmalloc",
    "lzo",
    { stored_pages: 3, zero_pages: 1, reject_compress_fail: 2, reject_compress_poor: 0 },
  ],
  // 6.18 on: incompressible pages are stored raw.
  [
    "6.18",
    "zsmalloc",
    "lz4",
    { stored_pages: 5, zero_pages: 1, stored_incompressible_pages: 2, reject_compress_fail: 0 },
  ],
  [
    "latest",
    "zsmalloc",
    "lzo",
    { stored_pages: 5, zero_pages: 1, stored_incompressible_pages: 2, reject_compress_poor: 0 },
  ],
];

Deno.test("each preset counts S, Z, R, W and too-large pages as its kernel did", async (t) => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/lengths.csv`;
  await Deno.writeTextFile(path, CSV);
  try {
    for (const [preset, zpool, codec, want] of CASES) {
      await t.step(`${preset} ${zpool} ${codec}`, async () => {
        const run = await runCell(
          {
            allocator: ALLOCATORS[zpool],
            allocatorOptions: undefined,
            compressor: lengthsCompressor,
            compressorOptions: undefined,
            workload: lengthsWorkload,
            workloadOptions: { path, column: codec },
            strategy: undefined,
            strategyOptions: undefined,
            preset,
            params: testParams({ pages: 6, totalRamPages: 1 << 17, maxPoolPercent: 90 }),
          },
          { store() {}, load() {}, writeback() {} },
        );
        const c = run.counters;
        for (const [k, v] of Object.entries(want)) {
          assert.equal(c[k as keyof CellCounters], v, `${k}: ${c[k as keyof CellCounters]}`);
        }
        assert.equal(c.integrity_failures, 0);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the lengths workload's codec option overrides the column name", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/lengths.csv`;
  await Deno.writeTextFile(path, "idx,kernel\n0,R\n");
  try {
    const run = async (codec: string | undefined) =>
      (await runCell(
        {
          allocator: zbudAllocator,
          allocatorOptions: undefined,
          compressor: lengthsCompressor,
          compressorOptions: undefined,
          workload: lengthsWorkload,
          workloadOptions: { path, column: "kernel", ...(codec ? { codec } : {}) },
          strategy: undefined,
          strategyOptions: undefined,
          preset: "5.10",
          params: testParams({ pages: 1 }),
        },
        { store() {}, load() {}, writeback() {} },
      )).counters.reject_compress_poor;
    assert.equal(await run(undefined), 0);
    assert.equal(await run("lzo"), 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
