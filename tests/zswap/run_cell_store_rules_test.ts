import assert from "node:assert/strict";
import {
  type AllocatorPlugin,
  CompressError,
  type CompressorPlugin,
  type Op,
} from "../../registry/types.ts";
import type { CellCounters } from "../../zswap/cell_types.ts";
import { type FakePoolOptions, scriptWorkload } from "./_fakes.ts";

import { BIG, cell, counters, FULL, ops, pageFor, SAME, sleepable, ZERO } from "./_cell_helpers.ts";

const einvalCompressor: CompressorPlugin = {
  kind: "compressor",
  name: "einval",
  description: "always fails",
  async: false,
  create: () => ({
    compress(): number {
      throw new CompressError("EINVAL", "Injected compressor failure");
    },
    decompress(): number {
      throw new CompressError("EINVAL", "Injected compressor failure");
    },
  }),
};

Deno.test("runCell() counts store rejections as each version did (kernel-zswap.md §2)", async (t) => {
  type Row = {
    what: string;
    preset: string;
    page?: number;
    alloc?: Partial<FakePoolOptions>;
    codec?: CompressorPlugin;
    expect: Partial<CellCounters>;
  };
  const none = { reject_compress_poor: 0, reject_compress_fail: 0, reject_alloc_fail: 0 };
  const rows: Row[] = [
    // Compressor ENOSPC (output does not fit PAGE_SIZE).
    { what: "codec ENOSPC", preset: "5.10", page: FULL, expect: { ...none, stored_pages: 0 } },
    { what: "codec ENOSPC", preset: "6.1", page: FULL, expect: { ...none, stored_pages: 0 } },
    {
      what: "codec ENOSPC",
      preset: "6.8",
      page: FULL,
      expect: { ...none, reject_compress_fail: 1 },
    },
    {
      what: "codec ENOSPC",
      preset: "6.12",
      page: FULL,
      // crypto/lz4.c etc. (D6.12) return -EINVAL when the output does not fit: compress_fail.
      expect: { ...none, reject_compress_fail: 1 },
    },
    {
      what: "codec ENOSPC",
      preset: "6.18",
      page: FULL,
      expect: { ...none, stored_pages: 1, stored_incompressible_pages: 1, compressed_bytes: 4096 },
    },
    // Compressor EINVAL.
    { what: "codec EINVAL", preset: "6.1", codec: einvalCompressor, expect: { ...none } },
    {
      what: "codec EINVAL",
      preset: "6.8",
      codec: einvalCompressor,
      expect: { ...none, reject_compress_fail: 1 },
    },
    {
      what: "codec EINVAL",
      preset: "6.12",
      codec: einvalCompressor,
      expect: { ...none, reject_compress_fail: 1 },
    },
    {
      what: "codec EINVAL",
      preset: "latest",
      codec: einvalCompressor,
      expect: { ...none, stored_incompressible_pages: 1 },
    },
    // Allocator ENOSPC: too big for zbud-like pools everywhere; zsmalloc 5.10/6.1 -> alloc_fail.
    {
      what: "zbud too big",
      preset: "6.1",
      alloc: { name: "zbud", maxSize: 50 },
      expect: { ...none, reject_compress_poor: 1 },
    },
    {
      what: "zbud too big",
      preset: "6.12",
      alloc: { name: "zbud", maxSize: 50 },
      expect: { ...none, reject_compress_poor: 1 },
    },
    {
      what: "zsmalloc too big",
      preset: "5.10",
      alloc: { name: "zsmalloc", maxSize: 50 },
      expect: { ...none, reject_alloc_fail: 1 },
    },
    {
      what: "zsmalloc too big",
      preset: "6.1",
      alloc: { name: "zsmalloc", maxSize: 50 },
      expect: { ...none, reject_alloc_fail: 1 },
    },
    {
      what: "zsmalloc too big",
      preset: "6.8",
      alloc: { name: "zsmalloc", maxSize: 50 },
      expect: { ...none, reject_compress_poor: 1 },
    },
    {
      what: "zsmalloc too big",
      preset: "latest",
      alloc: { name: "zsmalloc", maxSize: 50 },
      expect: { ...none, reject_compress_poor: 1 },
    },
    // Allocator out of memory.
    {
      what: "ENOMEM",
      preset: "6.1",
      alloc: { failWith: "ENOMEM" },
      expect: { ...none, reject_alloc_fail: 1 },
    },
    {
      what: "ENOMEM",
      preset: "latest",
      alloc: { failWith: "ENOMEM" },
      expect: { ...none, reject_alloc_fail: 1 },
    },
  ];
  for (const row of rows) {
    await t.step(`${row.preset}: ${row.what}`, async () => {
      const run = await cell({
        preset: row.preset,
        allocator: sleepable(row.alloc),
        compressor: row.codec,
        workload: scriptWorkload(ops(["store", 0, row.page ?? 5], ["load", 0]), pageFor),
      });
      assert.deepEqual(
        counters(run, Object.keys(row.expect) as (keyof CellCounters)[]),
        row.expect,
      );
      // Stored or written to the swap device, the page always comes back intact.
      assert.equal(run.counters.integrity_failures, 0);
      assert.equal(run.counters.load_hits, run.counters.stored_pages);
      assert.equal(run.counters.decompress_fail, 0);
    });
  }
});

Deno.test("runCell() applies the pool limit with each era's comparison", async (t) => {
  // totalram 100, max_pool_percent 10: max 10 pages; threshold 9 (old: accept below 9, new: at
  // or below 9). One 3992-byte object per page.
  const n = 20;
  const workload = scriptWorkload(() => {
    const list: Op[] = [];
    for (let i = 0; i < n; i++) list.push({ op: "store", offset: i, pageId: BIG + i });
    for (let i = 0; i < n; i++) list.push({ op: "load", offset: i, pageId: 0 });
    return list;
  }, pageFor);
  const params = { totalRamPages: 100, maxPoolPercent: 10, acceptThresholdPercent: 90 };
  const base = { workload, params, allocator: undefined as unknown as AllocatorPlugin };

  await t.step("6.1: full only above the limit; one page freed per shrink", async () => {
    const run = await cell({
      ...base,
      preset: "6.1",
      allocator: sleepable({ name: "zbud", spanning: false }),
    });
    assert.deepEqual(
      counters(run, ["pool_pages", "pool_limit_hit", "written_back_pages", "stored_pages_end"]),
      // 11 stores fit (10 < 10 is false); store 12 hits the limit, the shrink writes back the
      // oldest entry; later stores stay refused (9 > 10 is false) without a counter or a shrink.
      { pool_pages: 11, pool_limit_hit: 1, written_back_pages: 1, stored_pages_end: 10 },
    );
    assert.equal(run.counters.integrity_failures, 0);
    assert.equal(run.counters.load_hits, 10);
    assert.equal(run.rec.writebacks.length, 1);
  });

  await t.step("6.1 zsmalloc: the shrink always fails", async () => {
    const run = await cell({
      ...base,
      preset: "6.1",
      allocator: sleepable({ name: "zsmalloc", spanning: false }),
    });
    // The pool stays at 11 pages, so every later store finds it full again.
    assert.equal(run.counters.pool_limit_hit, 9);
    assert.equal(run.counters.written_back_pages, 0);
    assert.equal(run.counters.reject_reclaim_fail, 9);
    assert.equal(run.counters.stored_pages_end, 11);
  });

  await t.step("6.12: full at the limit; shrink to the threshold", async () => {
    const run = await cell({
      ...base,
      preset: "6.12",
      allocator: sleepable({ name: "zsmalloc", spanning: false }),
    });
    // 10 stores fit (10 >= 10 refuses the 11th); each shrink writes back to 9 pages, and the
    // next store is accepted (9 <= 9), so every other store is refused.
    assert.deepEqual(
      counters(run, ["pool_pages", "pool_limit_hit", "written_back_pages", "stored_pages_end"]),
      // Loads are exclusive: every hit erases its entry.
      { pool_pages: 10, pool_limit_hit: 5, written_back_pages: 5, stored_pages_end: 0 },
    );
    assert.equal(run.counters.integrity_failures, 0);
    assert.equal(run.counters.load_hits, 10);
    assert.equal(run.rec.writebacks.length, 5);
  });

  await t.step("6.8: old comparison, shrink until it can accept", async () => {
    const run = await cell({
      ...base,
      preset: "6.8",
      allocator: sleepable({ name: "zsmalloc", spanning: false }),
    });
    assert.equal(run.counters.pool_pages, 11);
    assert.ok(run.counters.pool_limit_hit >= 1);
    assert.ok(run.counters.written_back_pages >= 3); // 11 -> 8 pages (9 > 8) in the first shrink
    assert.equal(run.counters.integrity_failures, 0);
  });
});

Deno.test("runCell() checks the pool limit after the zero-page bypass, before same-filled", async (t) => {
  // kernel-zswap.md §1/§2: ≤ 6.11 the limit checks come first, then the same-filled test
  // (mm/zswap.c D5.10, D6.1); from 6.12 zero pages never reach zswap (mm/page_io.c D6.12).
  // totalram 100, max 10 %: 10 pages. One 3992-byte object per page; zsmalloc cannot shrink in
  // 6.1, and a shrink in 6.12 runs after the store that hit the limit.
  const params = { totalRamPages: 100, maxPoolPercent: 10, acceptThresholdPercent: 90 };
  const fill = (n: number): [Op["op"], number, number][] =>
    [...Array(n).keys()].map((i) => ["store", i, BIG + i]);
  await t.step("6.1: a same-filled page is refused when the pool is full", async () => {
    const run = await cell({
      preset: "6.1",
      allocator: sleepable({ name: "zsmalloc", spanning: false }),
      workload: scriptWorkload(ops(...fill(11), ["store", 50, SAME], ["load", 50]), pageFor),
      params,
    });
    assert.deepEqual(counters(run, ["pool_limit_hit", "same_filled_pages", "integrity_failures"]), {
      pool_limit_hit: 1,
      same_filled_pages: 0,
      integrity_failures: 0,
    });
    assert.equal(run.counters.load_hits, 0); // read from the swap device
  });
  await t.step("6.12: a zero page bypasses a full pool without a limit hit", async () => {
    const run = await cell({
      preset: "6.12",
      allocator: sleepable({ name: "zsmalloc", spanning: false }),
      workload: scriptWorkload(ops(...fill(10), ["store", 50, ZERO], ["load", 50]), pageFor),
      params,
    });
    assert.deepEqual(counters(run, ["pool_limit_hit", "zero_pages", "integrity_failures"]), {
      pool_limit_hit: 0,
      zero_pages: 1,
      integrity_failures: 0,
    });
  });
});

Deno.test("runCell() gives referenced entries a second chance from 6.12", async () => {
  // max 20 pages, threshold 18. The 21st store hits the limit; the shrink meets 20 referenced
  // entries, rotates 16 (each a failure of shrink_memcg) and gives up without writing back.
  const run = async (stores: number) =>
    await cell({
      preset: "6.12",
      allocator: sleepable({ name: "zsmalloc", spanning: false }),
      workload: scriptWorkload(() => {
        const list: Op[] = [];
        for (let i = 0; i < stores; i++) list.push({ op: "store", offset: i, pageId: BIG + i });
        return list;
      }, pageFor),
      params: { totalRamPages: 200, maxPoolPercent: 10, acceptThresholdPercent: 90 },
    });
  const first = await run(21);
  assert.equal(first.counters.pool_limit_hit, 1);
  assert.equal(first.counters.written_back_pages, 0);
  // The 22nd store hits again: 4 more rotations, then entries 0 and 1 (bits now clear) go.
  const second = await run(22);
  assert.equal(second.counters.pool_limit_hit, 2);
  assert.equal(second.counters.written_back_pages, 2);
  assert.equal(second.counters.pool_pages_end, 18);
});
