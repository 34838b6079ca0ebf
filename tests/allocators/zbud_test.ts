import assert from "node:assert/strict";
import { zbudAllocator, zbudGeometry } from "../../allocators/mod.ts";
import { makePool, PageNamer, placement } from "./_helpers.ts";

Deno.test("zbudGeometry() derives the kernel constants for each page size", async (t) => {
  // mm/zbud.c (6.1): CHUNK_SIZE = PAGE_SIZE >> 6, one header chunk, NCHUNKS 63,
  // max object PAGE_SIZE - 2 chunks.
  const table = [
    { pageSize: 4096, chunkSize: 64, headerBytes: 64, chunks: 63, maxObjectBytes: 3968 },
    { pageSize: 16384, chunkSize: 256, headerBytes: 256, chunks: 63, maxObjectBytes: 15872 },
    { pageSize: 65536, chunkSize: 1024, headerBytes: 1024, chunks: 63, maxObjectBytes: 63488 },
  ];
  for (const row of table) {
    await t.step(`${row.pageSize} B pages`, () => {
      assert.deepEqual(zbudGeometry(row.pageSize), row);
    });
  }
  assert.throws(() => zbudGeometry(8192), RangeError);
});

Deno.test("zbud.malloc() places buddies as kernel-zswap.md §4's worked example", () => {
  // kernel-zswap.md §4, zbud worked example (mm/zbud.c, 5.10-6.12).
  const vectors: [number, string, string, number, number, number][] = [
    [1000, "page0", "FIRST", 16, 64, 1088],
    [2000, "page0", "LAST", 32, 2048, 4096],
    [3000, "page1", "FIRST", 47, 64, 3072],
    [500, "page1", "LAST", 8, 3584, 4096],
    [1500, "page2", "FIRST", 24, 64, 1600],
    [64, "page2", "LAST", 1, 4032, 4096],
    [3968, "page3", "FIRST", 62, 64, 4032],
  ];
  const { pool } = makePool(zbudAllocator);
  const names = new PageNamer();
  for (const [size, page, _bud, chunks, from, to] of vectors) {
    const h = pool.malloc(size);
    const view = pool.map(h, "wo");
    pool.unmap(h);
    assert.equal(view.length, size);
    assert.equal(names.name(view, 4096), page, `object of ${size}`);
    const start = placement(view, 4096).offset;
    // The slot [from, to) is `chunks` chunks: after the header for FIRST, right-justified for LAST.
    assert.equal(to - from, chunks * 64);
    assert.equal(start, from, `start of ${size}`);
    assert.ok(start + size <= to);
  }
  assert.throws(() => pool.malloc(3969), { name: "AllocError", code: "ENOSPC" });
  assert.equal(pool.totalPages(), 4);
  assert.equal(pool.stats().objects, 7);
});

Deno.test("zbud.malloc() takes the smallest fitting unbuddied list, newest page first", () => {
  const { pool, arena } = makePool(zbudAllocator);
  const names = new PageNamer();
  const a = pool.malloc(1000); // page0 FIRST, 16 chunks: unbuddied[47]
  const b = pool.malloc(3000); // 47 chunks: unbuddied[47] -> page0 LAST, page0 buddied
  assert.equal(names.name(pool.map(a, "ro"), 4096), "page0");
  assert.equal(names.name(pool.map(b, "ro"), 4096), "page0", "47 chunks fit unbuddied[47]");
  const c = pool.malloc(100); // new page1 FIRST: unbuddied[61]
  const d = pool.malloc(200); // unbuddied[61] -> page1 LAST
  assert.equal(names.name(pool.map(c, "ro"), 4096), "page1");
  assert.equal(names.name(pool.map(d, "ro"), 4096), "page1");
  const e = pool.malloc(2000); // new page2 FIRST, 32 chunks: unbuddied[31]
  const f = pool.malloc(2000); // 32 chunks do not fit unbuddied[31]: new page3, unbuddied[31]
  assert.equal(names.name(pool.map(e, "ro"), 4096), "page2");
  assert.equal(names.name(pool.map(f, "ro"), 4096), "page3");
  // Two pages in unbuddied[31]: the most recently added (page3) is taken first.
  const g = pool.malloc(100);
  assert.equal(names.name(pool.map(g, "ro"), 4096), "page3");
  assert.equal(pool.totalPages(), arena.pagesInUse());
});

Deno.test("zbud.free() gives a page back once both buddies are free", () => {
  const { pool, arena } = makePool(zbudAllocator);
  const a = pool.malloc(1000);
  const b = pool.malloc(2000);
  assert.equal(pool.totalPages(), 1);
  pool.free(a);
  assert.equal(pool.totalPages(), 1);
  // The page, now with one LAST buddy, takes a new FIRST again.
  const c = pool.malloc(1900);
  assert.equal(placement(pool.map(c, "ro"), 4096).offset, 64);
  pool.free(b);
  pool.free(c);
  assert.equal(pool.totalPages(), 0);
  assert.equal(arena.pagesInUse(), 0);
});

Deno.test("zbud.malloc() and free() refuse bad input", async (t) => {
  const { pool } = makePool(zbudAllocator);
  await t.step("malloc(0) is EINVAL", () => {
    assert.throws(() => pool.malloc(0), { name: "AllocError", code: "EINVAL" });
  });
  await t.step("malloc(1.5) is EINVAL", () => {
    assert.throws(() => pool.malloc(1.5), { name: "AllocError", code: "EINVAL" });
  });
  await t.step("malloc(3969) is ENOSPC", () => {
    assert.throws(() => pool.malloc(3969), {
      name: "AllocError",
      code: "ENOSPC",
      message: /3969 bytes exceeds the zbud limit of 3968/,
    });
  });
  await t.step("free() of a freed handle is a RangeError", () => {
    const h = pool.malloc(10);
    pool.free(h);
    assert.throws(() => pool.free(h), { name: "RangeError", message: /not a live handle/ });
  });
  await t.step("free() of a made-up handle is a RangeError", () => {
    assert.throws(() => pool.free(12345), RangeError);
  });
  await t.step("map() of a freed handle is a RangeError", () => {
    const h = pool.malloc(10);
    pool.free(h);
    assert.throws(() => pool.map(h, "ro"), RangeError);
  });
});

Deno.test("zbudAllocator.create() validates page size and options", () => {
  assert.equal(zbudAllocator.sleepMapped, true);
  assert.throws(() => makePool(zbudAllocator, 4096, { chain: 8 }), {
    name: "UsageError",
    message: 'Invalid options for allocator "zbud": unknown key "chain"',
  });
  assert.doesNotThrow(() => makePool(zbudAllocator, 4096, undefined));
});

Deno.test("zbud.malloc() at 64 KiB pages uses 1 KiB chunks", () => {
  const { pool } = makePool(zbudAllocator, 65536);
  const a = pool.malloc(1000);
  const b = pool.malloc(2000);
  assert.equal(placement(pool.map(a, "ro"), 65536).offset, 1024);
  assert.equal(placement(pool.map(b, "ro"), 65536).offset, 65536 - 2048);
  assert.throws(() => pool.malloc(63489), { code: "ENOSPC" });
  assert.equal(pool.totalPages(), 1);
});

Deno.test("zbud.malloc() reports ENOMEM when the arena limit is reached", () => {
  const { pool, arena } = makePool(zbudAllocator, 4096, {}, 1, 2);
  pool.malloc(3000);
  pool.malloc(3000);
  assert.throws(() => pool.malloc(3000), { name: "AllocError", code: "ENOMEM" });
  assert.equal(pool.totalPages(), 2);
  assert.equal(arena.pagesInUse(), 2);
  assert.equal(pool.stats().objects, 2);
});
