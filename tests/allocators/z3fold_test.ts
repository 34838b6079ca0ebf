import assert from "node:assert/strict";
import type { Zpool } from "../../registry/types.ts";
import { createArena } from "../../allocators/arena.ts";
import { z3foldAllocator, z3foldGeometry } from "../../allocators/mod.ts";
import { badPattern, fillPattern, makePool, PageNamer, placement } from "./_helpers.ts";

Deno.test("z3foldGeometry() derives the kernel constants for each page size", async (t) => {
  // mm/z3fold.c (6.1), x86_64 88-byte header: 2 chunks at 4K, 1 chunk from 16K.
  const table = [
    {
      pageSize: 4096,
      chunkSize: 64,
      headerBytes: 128,
      headerChunks: 2,
      chunks: 62,
      headlessAbove: 3904,
      maxObjectBytes: 4096,
    },
    {
      pageSize: 16384,
      chunkSize: 256,
      headerBytes: 256,
      headerChunks: 1,
      chunks: 63,
      headlessAbove: 15872,
      maxObjectBytes: 16384,
    },
    {
      pageSize: 65536,
      chunkSize: 1024,
      headerBytes: 1024,
      headerChunks: 1,
      chunks: 63,
      headlessAbove: 63488,
      maxObjectBytes: 65536,
    },
  ];
  for (const row of table) {
    await t.step(`${row.pageSize} B pages`, () => {
      assert.deepEqual(z3foldGeometry(row.pageSize), row);
    });
  }
});

/** Allocate and record the object's page name and byte range. */
function alloc(
  pool: Zpool,
  names: PageNamer,
  size: number,
): { h: number; page: string; at: number } {
  const h = pool.malloc(size);
  const view = pool.map(h, "wo");
  fillPattern(view, size);
  pool.unmap(h);
  return { h, page: names.name(view, 4096), at: placement(view, 4096).offset };
}

function where(pool: Zpool, names: PageNamer, h: number): { page: string; at: number } {
  const view = pool.map(h, "ro");
  pool.unmap(h);
  return { page: names.name(view, 4096), at: placement(view, 4096).offset };
}

function lists(pool: Zpool): Record<number, number> {
  const out: Record<number, number> = {};
  (pool.stats().unbuddied as number[]).forEach((n, i) => {
    if (n > 0) out[i] = n;
  });
  return out;
}

Deno.test("z3fold.malloc()/free() follow kernel-zswap.md §4's worked example", () => {
  // kernel-zswap.md §4, z3fold worked example (mm/z3fold.c, 6.1, x86_64).
  const { pool } = makePool(z3foldAllocator);
  const names = new PageNamer();
  const A = alloc(pool, names, 1000);
  assert.deepEqual([A.page, A.at], ["page0", 128]); // FIRST, 16 chunks [128,1152)
  const B = alloc(pool, names, 2000);
  assert.deepEqual([B.page, B.at], ["page0", 2048]); // LAST, 32 chunks [2048,4096)
  const C = alloc(pool, names, 700);
  assert.deepEqual([C.page, C.at], ["page0", 1152]); // MIDDLE, 11 chunks [1152,1856)
  const D = alloc(pool, names, 300);
  assert.deepEqual([D.page, D.at], ["page1", 128]); // FIRST, 5 chunks [128,448)
  const E = alloc(pool, names, 3950);
  assert.deepEqual([E.page, E.at], ["page2", 0]); // HEADLESS, whole page
  const F = alloc(pool, names, 100);
  assert.deepEqual([F.page, F.at], ["page1", 3968]); // LAST, 2 chunks [3968,4096)
  assert.equal(pool.totalPages(), 3);
  assert.equal(pool.stats().headlessPages, 1);

  // free A: the middle slides up against LAST, to chunk 21; page0 in unbuddied[19].
  pool.free(A.h);
  assert.deepEqual(where(pool, names, C.h), { page: "page0", at: 21 * 64 });
  assert.deepEqual(lists(pool), { 19: 1, 55: 1 });
  const G = alloc(pool, names, 1100);
  assert.deepEqual([G.page, G.at], ["page0", 128]); // FIRST, 18 chunks [128,1280)

  // free D: page1 keeps only F (LAST), no other page has room: unbuddied[60].
  pool.free(D.h);
  assert.deepEqual(lists(pool), { 60: 1 });
  const H = alloc(pool, names, 200);
  assert.deepEqual([H.page, H.at], ["page1", 128]); // FIRST, 4 chunks [128,384)
  const I = alloc(pool, names, 2600);
  assert.deepEqual([I.page, I.at], ["page1", 384]); // MIDDLE, 41 chunks [384,3008)

  // free H: the middle slides up to chunk 21; page1 in unbuddied[19].
  pool.free(H.h);
  assert.deepEqual(where(pool, names, I.h), { page: "page1", at: 21 * 64 });
  assert.deepEqual(lists(pool), { 19: 1 });
  assert.equal(pool.totalPages(), 3);

  // The moved objects kept their bytes.
  for (const [h, size] of [[C.h, 700], [I.h, 2600], [B.h, 2000], [F.h, 100], [G.h, 1100]]) {
    const v = pool.map(h, "ro");
    assert.equal(badPattern(v, size), -1);
    pool.unmap(h);
  }
});

Deno.test("z3fold.free() moves a lone object into another existing page", () => {
  // kernel-zswap.md §4, z3fold second run (compact_single_buddy, mm/z3fold.c 6.1).
  const { pool, arena } = makePool(z3foldAllocator);
  const names = new PageNamer();
  const X = alloc(pool, names, 1000);
  assert.deepEqual([X.page, X.at], ["page0", 128]);
  const Y = alloc(pool, names, 3000);
  assert.deepEqual([Y.page, Y.at], ["page1", 128]);
  const Z = alloc(pool, names, 500);
  assert.deepEqual([Z.page, Z.at], ["page1", 3584]);
  pool.free(Y.h);
  assert.deepEqual(where(pool, names, Z.h), { page: "page0", at: 3584 });
  assert.equal(pool.totalPages(), 1);
  assert.equal(arena.pagesInUse(), 1);
  assert.equal(pool.stats().foreignObjects, 1);
  const v = pool.map(Z.h, "ro");
  assert.equal(badPattern(v, 500), -1);
  pool.unmap(Z.h);
});

Deno.test("z3fold.free() leaves a lone object whose page has a mapping", () => {
  const { pool } = makePool(z3foldAllocator);
  const names = new PageNamer();
  alloc(pool, names, 1000);
  const Y = alloc(pool, names, 3000);
  const Z = alloc(pool, names, 500);
  pool.map(Z.h, "ro"); // mapped_count > 0: compact_single_buddy is skipped
  pool.free(Y.h);
  assert.deepEqual(where(pool, names, Z.h), { page: "page1", at: 3584 });
  pool.unmap(Z.h);
  assert.equal(pool.totalPages(), 2);
});

Deno.test("z3fold.free() turns a lone middle object into FIRST when no page takes it", () => {
  const { pool } = makePool(z3foldAllocator);
  const names = new PageNamer();
  const A = alloc(pool, names, 1000); // FIRST 16
  const B = alloc(pool, names, 2000); // LAST 32
  const C = alloc(pool, names, 700); // MIDDLE 11 at chunk 18
  assert.equal(C.at, 1152);
  pool.free(A.h); // middle slides up to 21
  pool.free(B.h); // only the middle is left: no other page -> becomes FIRST at 128
  assert.deepEqual(where(pool, names, C.h), { page: "page0", at: 128 });
  assert.deepEqual(lists(pool), { [62 - 11]: 1 });
  const v = pool.map(C.h, "ro");
  assert.equal(badPattern(v, 700), -1);
  pool.unmap(C.h);
});

Deno.test("z3fold.free() does not move a mapped middle object", () => {
  const { pool } = makePool(z3foldAllocator);
  const names = new PageNamer();
  const A = alloc(pool, names, 1000);
  alloc(pool, names, 2000);
  const C = alloc(pool, names, 700);
  pool.map(C.h, "ro"); // MIDDLE_CHUNK_MAPPED
  pool.free(A.h);
  assert.deepEqual(where(pool, names, C.h), { page: "page0", at: 1152 });
  pool.unmap(C.h);
});

Deno.test("z3fold.malloc() refuses bad sizes", () => {
  const { pool } = makePool(z3foldAllocator);
  assert.throws(() => pool.malloc(0), { name: "AllocError", code: "EINVAL" });
  assert.throws(() => pool.malloc(4097), { name: "AllocError", code: "ENOSPC" });
  const h = pool.malloc(4096);
  assert.equal(pool.map(h, "ro").length, 4096);
  pool.free(h);
  assert.throws(() => pool.free(h), RangeError);
  assert.equal(pool.totalPages(), 0);
  assert.equal(z3foldAllocator.sleepMapped, true);
});

Deno.test("z3fold compaction `queued` waits for drain(), as the kernel's compaction workqueue", () => {
  for (const compaction of ["at-free", "queued"] as const) {
    const arena = createArena(4096);
    const pool = z3foldAllocator.create({
      arena,
      pageSize: 4096,
      cpus: 1,
      options: { compaction },
    });
    const a1 = pool.malloc(2000);
    pool.malloc(1200); // page A: 32 + 19 chunks
    pool.malloc(2500); // page B: 40 chunks, 22 free
    assert.equal(pool.totalPages(), 2);
    pool.free(a1); // A's lone object fits B: compaction moves it and releases A
    assert.equal(pool.totalPages(), compaction === "at-free" ? 1 : 2, compaction);
    pool.drain?.();
    assert.equal(pool.totalPages(), 1, compaction);
  }
});
