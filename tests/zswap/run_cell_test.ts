import assert from "node:assert/strict";
import { zsmallocAllocator } from "../../allocators/mod.ts";
import { noneCompressor } from "../../compressors/none.ts";
import {
  type AllocatorPlugin,
  CompressError,
  type CompressorPlugin,
  type Op,
  type Zpool,
} from "../../registry/types.ts";
import type { CellCounters, CellPlan, CellRun } from "../../zswap/cell_types.ts";
import { builtinStrategies, runCell } from "../../zswap/mod.ts";
import {
  asyncPrefixCompressor,
  collectRecorder,
  fakeAllocator,
  type FakePoolOptions,
  prefixPage,
  scriptWorkload,
  storeThenLoad,
  testPlan,
} from "./_fakes.ts";

/** Page ids with special contents. */
const ZERO = 2000;
const SAME = 1000; // SAME + k: one 8-byte word repeated
const FULL = 3000; // FULL + k: every byte non-zero: the prefix codec needs 4098 bytes (ENOSPC)
const BIG = 4000; // BIG + k: 3990 non-zero bytes: a 3992-byte object, one per page
/** Length of an ordinary page's non-zero prefix (the prefix codec adds 2 bytes). */
const lenOf = (id: number): number => 100 + ((id * 37) % 900);

function pageFor(id: number, into: Uint8Array): void {
  if (id === ZERO) {
    into.fill(0);
  } else if (id >= SAME && id < SAME + 100) {
    const w = new Uint32Array(into.buffer, into.byteOffset, into.length >>> 2);
    for (let i = 0; i < w.length; i += 2) {
      w[i] = 0x5a5a0000 + id;
      w[i + 1] = id;
    }
  } else if (id >= FULL && id < FULL + 100) {
    prefixPage(id, into.length, into);
  } else if (id >= BIG && id < BIG + 100) {
    prefixPage(id, 3990, into);
  } else {
    prefixPage(id, lenOf(id), into);
  }
}

function ops(...list: [Op["op"], number, number?][]): () => Iterable<Op> {
  return () => list.map(([op, offset, pageId]) => ({ op, offset, pageId: pageId ?? 0 }));
}

async function cell(
  over: Partial<Omit<CellPlan, "params">> & { params?: Partial<CellPlan["params"]> },
): Promise<CellRun & { rec: ReturnType<typeof collectRecorder> }> {
  const rec = collectRecorder();
  const run = await runCell(testPlan(over), rec);
  return { ...run, rec };
}

function counters(run: CellRun, keys: (keyof CellCounters)[]): Partial<CellCounters> {
  return Object.fromEntries(keys.map((k) => [k, run.counters[k]]));
}

const sleepable = (o: Partial<FakePoolOptions> = {}) => fakeAllocator({ sleepMapped: true, ...o });

Deno.test("runCell() checks every load and times each store and load", async () => {
  const n = 8;
  const alloc = sleepable();
  const run = await cell({
    allocator: alloc,
    workload: scriptWorkload(() => storeThenLoad(n), pageFor),
  });
  const c = run.counters;
  assert.equal(run.strategy, "percpu-buffer"); // the 6.8 preset's own
  assert.equal(c.stores, n);
  assert.equal(c.loads, n);
  assert.equal(c.load_hits, n);
  assert.equal(c.integrity_failures, 0);
  assert.equal(c.stored_pages, n);
  assert.equal(c.stored_pages_end, n);
  assert.equal(c.original_bytes, n * 4096);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += lenOf(i) + 2;
  assert.equal(c.compressed_bytes, sum);
  assert.equal(c.pool_pages, alloc.pools[0].totalPages());
  assert.equal(c.pool_total_size, c.pool_pages * 4096);
  assert.ok(c.keepalive > 0);
  assert.equal(run.rec.stores.length, n);
  assert.equal(run.rec.loads.length, n);
  assert.ok(run.rec.stores.every((ns) => ns >= 0) && run.rec.loads.every((ns) => ns >= 0));
  assert.deepEqual(run.allocatorStats, alloc.pools[0].stats());
});

Deno.test("runCell() writes the zswap header before the data where the preset has one", async (t) => {
  // mm/zswap.c (D6.1): zbud/z3fold objects are length + 8 with the swap entry in front;
  // zsmalloc has no header in 6.1; 6.5 removed it for all.
  const cases: [string, string, number][] = [
    ["6.1", "zbud", 8],
    ["6.1", "z3fold", 8],
    ["6.1", "zsmalloc", 0],
    ["5.10", "zbud", 8],
    ["6.8", "zbud", 0],
    ["latest", "zsmalloc", 0],
  ];
  for (const [preset, name, hb] of cases) {
    await t.step(`${preset} ${name}: ${hb} bytes`, async () => {
      const alloc = fakeAllocator({ name, sleepMapped: true });
      const n = 5;
      const run = await cell({
        preset,
        allocator: alloc,
        workload: scriptWorkload(
          ops(
            ...[...Array(n).keys()].map((i) => ["store", 40 + i, i] as [Op["op"], number, number]),
          ),
          pageFor,
        ),
      });
      assert.equal(run.counters.stored_pages, n);
      const pool = alloc.pools[0];
      const objs = pool.objects();
      assert.deepEqual(objs.map((o) => o.size), [...Array(n).keys()].map((i) => lenOf(i) + 2 + hb));
      if (hb > 0) {
        for (let i = 0; i < n; i++) {
          const bytes = pool.map(objs[i].handle, "ro");
          assert.deepEqual([...bytes.subarray(0, 8)], [40 + i, 0, 0, 0, 0, 0, 0, 0]);
        }
      }
    });
  }
});

Deno.test("runCell() maps a new object read-write up to 5.12, write-only after", async (t) => {
  // mm/zswap.c (D5.10, and 5.11/5.12 until "avoid unnecessary copy-in at map time", May 2021):
  // zpool_map_handle(..., ZPOOL_MM_RW); D6.1 on: ZPOOL_MM_WO (kernel-zswap.md §1 "map(RW)").
  const cases: [string, string][] = [
    ["5.10", "rw"],
    ["5.11", "rw"],
    ["5.12", "rw"],
    ["6.1", "wo"],
    ["6.8", "wo"],
    ["latest", "wo"],
  ];
  for (const [preset, mode] of cases) {
    await t.step(`${preset}: ${mode}`, async () => {
      const alloc = sleepable();
      const run = await cell({
        preset,
        allocator: alloc,
        workload: scriptWorkload(ops(["store", 0, 1], ["store", 1, 2], ["store", 2, 3]), pageFor),
      });
      assert.equal(run.counters.stored_pages, 3);
      assert.deepEqual(alloc.pools[0].mapModes, [mode, mode, mode]);
    });
  }
});

Deno.test("runCell() stores same-filled pages as values up to 6.11", async () => {
  const workload = scriptWorkload(
    ops(
      ["store", 0, SAME],
      ["store", 1, SAME + 1],
      ["store", 2, ZERO],
      ["store", 3, 7],
      ["load", 0],
      ["load", 1],
      ["load", 2],
      ["load", 3],
    ),
    pageFor,
  );
  const run = await cell({ preset: "6.1", allocator: sleepable(), workload });
  assert.deepEqual(
    counters(run, [
      "stored_pages",
      "same_filled_pages",
      "zero_pages",
      "compressed_bytes",
      "load_hits",
      "integrity_failures",
    ]),
    {
      stored_pages: 4,
      same_filled_pages: 3, // mm/zswap.c (D6.1): a zero page is same-filled too
      zero_pages: 0,
      compressed_bytes: lenOf(7) + 2,
      load_hits: 4,
      integrity_failures: 0,
    },
  );
  assert.equal(run.counters.pool_pages, 1); // only page 7 takes pool memory
  assert.equal(run.rec.loads.length, 4); // same-filled loads are zswap loads, timed
});

Deno.test("runCell() lets zero pages bypass zswap from 6.12 and compresses other same-filled pages", async () => {
  const workload = scriptWorkload(
    ops(
      ["store", 0, SAME],
      ["store", 2, ZERO],
      ["store", 3, 7],
      ["load", 0],
      ["load", 2],
      ["load", 3],
      ["store", 2, 8], // a zero page replaced by data: the zeromap bit goes
      ["load", 2],
    ),
    pageFor,
  );
  const run = await cell({ preset: "6.12", allocator: sleepable(), workload });
  assert.deepEqual(
    counters(run, [
      "stored_pages",
      "same_filled_pages",
      "zero_pages",
      "loads",
      "load_hits",
      "integrity_failures",
    ]),
    {
      stored_pages: 2, // the same-filled page was compressed like any other
      same_filled_pages: 0,
      zero_pages: 1,
      loads: 4,
      load_hits: 3, // the zero page is read from the zeromap, not from zswap
      integrity_failures: 0,
    },
  );
  assert.equal(run.rec.loads.length, 3);
});

Deno.test("runCell() handles duplicate stores per version", async (t) => {
  // mm/frontswap.c (≤ 6.5) invalidates a dup before zswap sees it (no count); mm/zswap.c 6.6-6.8
  // invalidates it first and counts duplicate_entry; 6.10 on (xarray) replaces it, no counter.
  const cases: [string, number, number][] = [
    ["5.10", 0, 1],
    ["6.1", 0, 1],
    ["6.8", 1, 1],
    ["6.12", 0, 0], // exclusive load: the entry is gone after the load
  ];
  for (const [preset, dup, end] of cases) {
    await t.step(preset, async () => {
      const run = await cell({
        preset,
        allocator: sleepable(),
        workload: scriptWorkload(ops(["store", 0, 1], ["store", 0, 2], ["load", 0]), pageFor),
      });
      assert.equal(run.counters.duplicate_entry, dup);
      assert.equal(run.counters.load_hits, 1);
      assert.equal(run.counters.integrity_failures, 0); // the load returned page 2
      assert.equal(run.counters.stored_pages_end, end);
      assert.equal(run.counters.compressed_bytes, lenOf(2) + 2);
    });
  }
  await t.step("a refused duplicate drops the old entry", async () => {
    for (const preset of ["6.1", "6.8", "6.12"]) {
      const run = await cell({
        preset,
        allocator: sleepable(),
        workload: scriptWorkload(
          ops(["store", 0, 1], ["store", 0, FULL], ["load", 0]),
          pageFor,
        ),
      });
      assert.equal(run.counters.stored_pages_end, 0, preset);
      assert.equal(run.counters.load_hits, 0, preset); // served from the swap device
      assert.equal(run.counters.integrity_failures, 0, preset);
    }
  });
});

Deno.test("runCell() invalidates entries", async () => {
  const run = await cell({
    allocator: sleepable(),
    workload: scriptWorkload(
      ops(["store", 0, 1], ["store", 1, 2], ["invalidate", 0], ["load", 0], ["load", 1]),
      pageFor,
    ),
  });
  assert.deepEqual(counters(run, ["invalidates", "loads", "load_hits", "stored_pages_end"]), {
    invalidates: 1,
    loads: 2,
    load_hits: 1,
    stored_pages_end: 1,
  });
  assert.equal(run.counters.stored_pages, 2);
});

Deno.test("runCell() erases entries on load from 6.12 (exclusive loads)", async () => {
  const workload = scriptWorkload(ops(["store", 0, 1], ["load", 0], ["load", 0]), pageFor);
  const old = await cell({ preset: "6.8", allocator: sleepable(), workload });
  assert.equal(old.counters.load_hits, 2);
  assert.equal(old.counters.stored_pages_end, 1);
  const neu = await cell({ preset: "6.12", allocator: sleepable(), workload });
  assert.equal(neu.counters.load_hits, 1); // the second load misses
  assert.equal(neu.counters.stored_pages_end, 0);
});

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

Deno.test("runCell() counts a corrupted stored object as an integrity failure", async (t) => {
  await t.step("fake pool, through liveObjects()", async () => {
    const alloc = sleepable();
    const run = await cell({
      allocator: alloc,
      workload: scriptWorkload(function* () {
        for (let i = 0; i < 6; i++) yield { op: "store", offset: i, pageId: i };
        const [, bytes] = [...alloc.pools[0].liveObjects()][3];
        bytes[20] ^= 0xff; // a data byte: the prefix codec still decodes, to the wrong page
        for (let i = 0; i < 6; i++) yield { op: "load", offset: i, pageId: 0 };
      }, pageFor),
    });
    assert.equal(run.counters.integrity_failures, 1);
    assert.equal(run.counters.load_hits, 6);
  });
  await t.step("an object corrupted before writeback fails when read from the device", async () => {
    const alloc = sleepable({ name: "zbud", spanning: false });
    const run = await cell({
      preset: "6.1",
      allocator: alloc,
      // max 10 pages: the 12th store hits the limit and offset 0 is written back.
      params: { totalRamPages: 100, maxPoolPercent: 10 },
      workload: scriptWorkload(function* () {
        for (let i = 0; i < 11; i++) yield { op: "store", offset: i, pageId: BIG + i };
        const [, bytes] = [...alloc.pools[0].liveObjects()][0];
        bytes[100] ^= 0x10; // after the 8-byte header and the 2-byte length
        yield { op: "store", offset: 11, pageId: BIG + 11 };
        yield { op: "load", offset: 0, pageId: 0 };
        yield { op: "load", offset: 1, pageId: 0 };
      }, pageFor),
    });
    assert.equal(run.counters.written_back_pages, 1);
    assert.equal(run.counters.load_hits, 1);
    assert.equal(run.counters.integrity_failures, 1);
  });
  await t.step("zsmalloc, through map()", async () => {
    let pool: Zpool | undefined;
    const captured: AllocatorPlugin = {
      ...zsmallocAllocator,
      create(env) {
        pool = zsmallocAllocator.create(env);
        return pool;
      },
    };
    const run = await cell({
      preset: "latest",
      allocator: captured,
      strategy: builtinStrategies.find((s) => s.name === "sg-read"),
      workload: scriptWorkload(function* () {
        for (let i = 0; i < 6; i++) yield { op: "store", offset: i, pageId: i };
        const [handle] = [...pool!.liveObjects!()][2];
        const view = pool!.map(handle, "rw");
        view[30] ^= 0x01;
        pool!.unmap(handle);
        for (let i = 0; i < 6; i++) yield { op: "load", offset: i, pageId: 0 };
      }, pageFor),
    });
    assert.equal(run.counters.integrity_failures, 1);
  });
});

Deno.test("runCell() fails the cell at the first violation in strict mode", async () => {
  const plan = {
    allocator: fakeAllocator({ sleepMapped: false }),
    strategy: builtinStrategies.find((s) => s.name === "sleep-mapped"),
    workload: scriptWorkload(() => storeThenLoad(8), pageFor),
  };
  const lax = await cell(plan);
  assert.equal(lax.counters.violations, 8);
  assert.deepEqual(lax.violationSites, [
    "load/sleep-mapped: mutex_lock while fakepool handle mapped",
  ]);
  await assert.rejects(
    () => cell({ ...plan, params: { strict: true } }),
    {
      name: "SleepInAtomicError",
      message:
        "Sleeping function called from invalid context (strict mode): load/sleep-mapped: mutex_lock while fakepool handle mapped",
    },
  );
  // Several tasks and an asynchronous codec: the cell still fails cleanly.
  await assert.rejects(
    () =>
      cell({
        ...plan,
        compressor: asyncPrefixCompressor,
        params: { strict: true, tasks: 4, cpus: 2 },
      }),
    { name: "SleepInAtomicError" },
  );
});

Deno.test("runCell() counts the 5.10 path's sleeps with preemption off", async () => {
  // 5.10 (crypto_comp) never sleeps with a synchronous codec, on any pool.
  const sync = await cell({
    preset: "5.10",
    allocator: fakeAllocator({ sleepMapped: false }),
    workload: scriptWorkload(() => storeThenLoad(4), pageFor),
  });
  assert.equal(sync.strategy, "crypto-comp");
  assert.equal(sync.counters.violations, 0);
  const asy = await cell({
    preset: "5.10",
    allocator: sleepable(),
    compressor: asyncPrefixCompressor,
    workload: scriptWorkload(() => storeThenLoad(4), pageFor),
  });
  assert.equal(asy.counters.violations, 8);
  assert.deepEqual(asy.violationSites, [
    "store: async compress while preemption disabled",
    "load/crypto-comp: async decompress while preemption disabled",
  ]);
});

Deno.test("runCell() keeps ops on one offset in order across tasks", async () => {
  // Store then load the same offset, over and over: with 4 tasks and a slow codec the load is
  // pulled while its store is still in flight and must wait for it.
  const list: [Op["op"], number, number?][] = [];
  for (let i = 0; i < 60; i++) {
    list.push(["store", i % 5, i]);
    list.push(["load", i % 5]);
  }
  for (const timer of [false, true]) {
    const run = await cell({
      preset: "6.12",
      allocator: fakeAllocator({ sleepMapped: false, readBegin: true }),
      compressor: asyncPrefixCompressor,
      compressorOptions: { timer },
      workload: scriptWorkload(ops(...list), pageFor),
      params: { tasks: 4, cpus: 2 },
    });
    assert.equal(run.counters.load_hits, 60);
    assert.equal(run.counters.integrity_failures, 0);
    assert.equal(run.counters.violations, 0);
    assert.equal(run.rec.stores.length, 60);
  }
});

Deno.test("runCell() aborts on the signal", async () => {
  const ac = new AbortController();
  ac.abort(new Error("stop now"));
  await assert.rejects(
    () => runCell(testPlan(), collectRecorder(), { signal: ac.signal }),
    /stop now/,
  );
  const mid = new AbortController();
  let pulled = 0;
  const endless = scriptWorkload(function* () {
    for (let i = 0;; i++) {
      if (++pulled === 100) mid.abort(new Error("timeout"));
      yield { op: "store", offset: i % 50, pageId: i };
    }
  }, pageFor);
  await assert.rejects(
    () => runCell(testPlan({ workload: endless }), collectRecorder(), { signal: mid.signal }),
    /timeout/,
  );
  assert.ok(pulled < 1000);
});

Deno.test("runCell() loads whole-page objects at 64 KiB pages", async (t) => {
  // An incompressible 64 KiB page "compresses" to 65536 bytes, which zsmalloc stores in its huge
  // class before 6.18 (mm/zsmalloc.c: ZS_MAX_ALLOC_SIZE = PAGE_SIZE): its length must survive.
  for (const preset of ["6.1", "6.8", "6.12"]) {
    await t.step(preset, async () => {
      const n = 4;
      const run = await cell({
        preset,
        allocator: zsmallocAllocator,
        compressor: noneCompressor,
        workload: scriptWorkload(
          () => storeThenLoad(n),
          (id, into) => prefixPage(id, into.length, into),
        ),
        params: { pageSize: 65536 },
      });
      assert.deepEqual(
        counters(run, [
          "stored_pages",
          "compressed_bytes",
          "load_hits",
          "load_failed",
          "decompress_fail",
          "integrity_failures",
        ]),
        {
          stored_pages: n,
          compressed_bytes: n * 65536,
          load_hits: n,
          load_failed: 0,
          decompress_fail: 0,
          integrity_failures: 0,
        },
      );
    });
  }
});

Deno.test("runCell() takes pool figures at the high-water mark", async () => {
  const list: [Op["op"], number, number?][] = [];
  for (let i = 0; i < 10; i++) list.push(["store", i, BIG + i]);
  for (let i = 0; i < 10; i++) list.push(["invalidate", i]);
  for (let i = 0; i < 2; i++) list.push(["store", i, BIG + i]);
  const alloc = sleepable({ spanning: false });
  const run = await cell({ allocator: alloc, workload: scriptWorkload(ops(...list), pageFor) });
  assert.deepEqual(
    counters(run, ["pool_pages", "stored_pages", "stored_pages_end"]),
    { pool_pages: 10, stored_pages: 10, stored_pages_end: 2 },
  );
  assert.equal(run.counters.pool_pages_end, alloc.pools[0].totalPages());
  assert.ok(run.counters.pool_pages_end < 10);
  assert.equal(run.counters.compressed_bytes, 10 * 3992);
});

Deno.test("runCell() passes the preset's zsmalloc options, the user's winning", async () => {
  const seen: unknown[] = [];
  const spy = (name: string): AllocatorPlugin => ({
    ...fakeAllocator({ name, sleepMapped: false }),
    create(env) {
      seen.push(env.options);
      return fakeAllocator({ name, sleepMapped: false }).create(env);
    },
  });
  await cell({ preset: "6.1", allocator: spy("zsmalloc") });
  await cell({ preset: "6.8", allocator: spy("zsmalloc") });
  await cell({ preset: "6.8", allocator: spy("zsmalloc"), allocatorOptions: { chain: 4 } });
  await cell({ preset: "6.1", allocator: spy("zbud"), allocatorOptions: undefined });
  assert.deepEqual(seen, [
    { rule: "old" },
    { rule: "new", chain: 8 },
    { rule: "new", chain: 4 },
    undefined,
  ]);
});

Deno.test("runCell() rejects an unknown preset and bad parameters", async () => {
  await assert.rejects(
    () => cell({ preset: "4.19" }),
    /Unknown kernel preset "4.19" \(known: 5.10/,
  );
  await assert.rejects(() => cell({ params: { tasks: 0 } }), RangeError);
  await assert.rejects(() => cell({ params: { bounceFailRate: 2 } }), RangeError);
});
