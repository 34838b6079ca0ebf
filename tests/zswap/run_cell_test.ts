import assert from "node:assert/strict";
import { zsmallocAllocator } from "../../allocators/mod.ts";
import type { AllocatorPlugin, Op, Zpool } from "../../registry/types.ts";
import { builtinStrategies } from "../../zswap/mod.ts";
import { fakeAllocator, scriptWorkload, storeThenLoad } from "./_fakes.ts";

import {
  BIG,
  cell,
  counters,
  FULL,
  lenOf,
  ops,
  pageFor,
  SAME,
  sleepable,
  ZERO,
} from "./_cell_helpers.ts";

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
  // 5.10 and 6.1: a swapped-out page written again takes a new swap slot; the old slot waits in
  // the slots cache (mm/swap_slots.c) with its entry still stored.
  const cases: [string, number, number, number][] = [
    ["5.10", 0, 2, lenOf(1) + 2 + lenOf(2) + 2],
    ["6.1", 0, 2, lenOf(1) + 2 + lenOf(2) + 2],
    ["6.8", 1, 1, lenOf(2) + 2],
    ["6.12", 0, 0, lenOf(2) + 2], // exclusive load: the entry is gone after the load
  ];
  for (const [preset, dup, end, bytes] of cases) {
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
      assert.equal(run.counters.compressed_bytes, bytes);
    });
  }
  await t.step(
    "6.1: a page read back, then written, keeps its slot: replaced at once",
    async () => {
      const run = await cell({
        preset: "6.1",
        allocator: sleepable(),
        workload: scriptWorkload(ops(["store", 0, 1], ["load", 0], ["store", 0, 2]), pageFor),
      });
      assert.equal(run.counters.stored_pages_end, 1);
    },
  );
  await t.step("a refused duplicate drops the old entry", async () => {
    // 6.1: the old entry's slot was freed into the slots cache; the entry stays until it returns.
    for (const [preset, end] of [["6.1", 1], ["6.8", 0], ["6.12", 0]] as const) {
      const run = await cell({
        preset,
        allocator: sleepable(),
        workload: scriptWorkload(
          ops(["store", 0, 1], ["store", 0, FULL], ["load", 0]),
          pageFor,
        ),
      });
      assert.equal(run.counters.stored_pages_end, end, preset);
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

Deno.test("runCell() follows what the allocator declares a preset may set, not its name", async () => {
  const seen: unknown[] = [];
  const declared: AllocatorPlugin = {
    ...fakeAllocator({ name: "mypool", sleepMapped: false }),
    presetSettable: { classOptions: true },
    create(env) {
      seen.push(env.options);
      return fakeAllocator({ name: "mypool", sleepMapped: false }).create(env);
    },
  };
  await cell({ preset: "6.8", allocator: declared });
  assert.deepEqual(seen, [{ rule: "new", chain: 8 }]);
});
