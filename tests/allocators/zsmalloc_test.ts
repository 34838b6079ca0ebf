import assert from "node:assert/strict";
import type { Zpool } from "../../registry/types.ts";
import {
  resolveZsmallocOptions,
  zsmallocAllocator,
  type ZsmallocClassStats,
} from "../../allocators/mod.ts";
import { badPattern, fillPattern, makePool, PageNamer, placement } from "./_helpers.ts";

function write(pool: Zpool, h: number, tag: number, cpu = 0): void {
  const v = pool.map(h, "wo", cpu);
  fillPattern(v, tag);
  pool.unmap(h, cpu);
}

function intact(pool: Zpool, h: number, tag: number, cpu = 0): boolean {
  const v = pool.map(h, "ro", cpu);
  const ok = badPattern(v, tag) === -1;
  pool.unmap(h, cpu);
  return ok;
}

Deno.test("resolveZsmallocOptions() applies defaults and refuses bad options", async (t) => {
  await t.step("defaults", () => {
    assert.deepEqual(resolveZsmallocOptions(undefined), { rule: "new", chain: 8 });
    assert.deepEqual(resolveZsmallocOptions({ rule: "old" }), { rule: "old", chain: 4 });
    assert.deepEqual(resolveZsmallocOptions({ rule: "new", chain: 16 }), {
      rule: "new",
      chain: 16,
    });
  });
  await t.step("bad values", () => {
    assert.throws(() => resolveZsmallocOptions({ chain: 3 }));
    assert.throws(() => resolveZsmallocOptions({ chain: 17 }));
    assert.throws(() => resolveZsmallocOptions({ chain: 8.5 }));
    assert.throws(() => resolveZsmallocOptions({ rule: "newer" }));
    assert.throws(() => resolveZsmallocOptions({ chian: 8 }), {
      name: "UsageError",
      message: /^Invalid options for allocator "zsmalloc": unknown key "chian"$/,
    });
  });
  await t.step("create() parses them", () => {
    assert.throws(() => makePool(zsmallocAllocator, 4096, { chain: 2 }));
    assert.equal(zsmallocAllocator.sleepMapped, false);
  });
});

Deno.test("zsmalloc.malloc() fills 13 objects of 1560 bytes into 6 or 5 pages", async (t) => {
  // kernel-zswap.md §4: 13 objects of class-size 1568 (len 1560): chain4 -> 6 pages, chain8 -> 5.
  for (const [options, pages] of [[{ rule: "old" }, 6], [{ rule: "new", chain: 8 }, 5]] as const) {
    await t.step(JSON.stringify(options), () => {
      const { pool, arena } = makePool(zsmallocAllocator, 4096, options);
      for (let i = 0; i < 13; i++) pool.malloc(1560);
      assert.equal(pool.totalPages(), pages);
      assert.equal(arena.pagesInUse(), pages);
    });
  }
});

Deno.test("zsmalloc.malloc() lays a fresh zspage's objects out back to back", () => {
  // mm/zsmalloc.c init_zspage: free list 0, 1, 2, ...; class 1632 (old rule) is 2 pages, 5 objects.
  const { pool } = makePool(zsmallocAllocator, 4096, { rule: "old" });
  const names = new PageNamer();
  const got: string[] = [];
  for (let i = 0; i < 5; i++) {
    const segs = pool.readSegments!(pool.malloc(1600));
    got.push(
      segs.map((s) => `${names.name(s, 4096)}@${placement(s, 4096).offset}+${s.length}`).join(","),
    );
  }
  // Object i starts at i * 1632 in the zspage; its data 8 bytes later (the in-object handle).
  assert.deepEqual(got, [
    "page0@8+1600",
    "page0@1640+1600",
    "page0@3272+824,page1@0+776",
    "page1@808+1600",
    "page1@2440+1600",
  ]);
  assert.equal(pool.totalPages(), 2);
});

Deno.test("zsmalloc.map() copies a spanning object to the CPU's area and back", () => {
  const { pool, arena } = makePool(zsmallocAllocator, 4096, { rule: "old" }, 2);
  const hs = Array.from({ length: 5 }, () => pool.malloc(1600));
  const spanning = hs[2];
  // A write mapping: the view is the CPU's area, copied into both pages on unmap.
  const w = pool.map(spanning, "wo", 1);
  assert.equal(w.length, 1600);
  const [seg0] = pool.readSegments!(spanning);
  assert.notEqual(w.buffer, seg0.buffer, "a spanning object is mapped through a copy");
  fillPattern(w, 77);
  assert.notEqual(seg0[0], w[0], "nothing reaches the pages before unmap");
  pool.unmap(spanning, 1);
  assert.ok(intact(pool, spanning, 77, 0));
  // A read-only mapping is not copied back.
  const r = pool.map(spanning, "ro", 0);
  r.fill(0);
  pool.unmap(spanning, 0);
  assert.ok(intact(pool, spanning, 77, 1));
  // Objects in one page are mapped in place.
  const v = pool.map(hs[0], "rw");
  assert.equal(v.buffer, pool.readSegments!(hs[0])[0].buffer);
  assert.equal(v.byteOffset, pool.readSegments!(hs[0])[0].byteOffset);
  pool.unmap(hs[0]);
  assert.throws(() => pool.map(hs[0], "ro", 2), { name: "RangeError", message: /CPU 2/ });
  assert.equal(arena.pagesInUse(), 2);
});

Deno.test("zsmalloc.readBegin() copies only objects that span pages", () => {
  const { pool } = makePool(zsmallocAllocator, 4096, { rule: "old" });
  const hs = Array.from({ length: 5 }, (_, i) => {
    const h = pool.malloc(1600);
    write(pool, h, i);
    return h;
  });
  const local = new Uint8Array(4096);
  for (let i = 0; i < 5; i++) {
    const v = pool.readBegin!(hs[i], local);
    assert.equal(v.length, 1600);
    assert.equal(badPattern(v, i), -1);
    assert.equal(v.buffer === local.buffer, i === 2, `object ${i}`);
    pool.readEnd!(hs[i]);
    assert.equal(pool.readSegments!(hs[i]).length, i === 2 ? 2 : 1);
  }
  assert.throws(() => pool.readBegin!(hs[2], new Uint8Array(100)), RangeError);
});

Deno.test("zsmalloc.malloc() reuses the last freed object first (LIFO)", () => {
  const { pool } = makePool(zsmallocAllocator);
  const hs = Array.from({ length: 10 }, () => pool.malloc(100));
  const where = (h: number) => pool.readSegments!(h)[0].byteOffset;
  const a = where(hs[3]);
  const b = where(hs[7]);
  pool.free(hs[3]);
  pool.free(hs[7]);
  assert.equal(where(pool.malloc(100)), b);
  assert.equal(where(pool.malloc(100)), a);
});

Deno.test("zsmalloc.free() frees a zspage as soon as it is empty", () => {
  const { pool, arena } = makePool(zsmallocAllocator, 4096, { rule: "new", chain: 8 });
  const hs = Array.from({ length: 13 }, () => pool.malloc(1560)); // 5 pages, 13 objects
  assert.equal(pool.totalPages(), 5);
  for (const h of hs.slice(0, 12)) pool.free(h);
  assert.equal(pool.totalPages(), 5);
  pool.free(hs[12]);
  assert.equal(pool.totalPages(), 0);
  assert.equal(arena.pagesInUse(), 0);
});

Deno.test("zsmalloc.malloc() allocates from the fullest group, by era", async (t) => {
  // Two full 128-object zspages of the 32-byte class. B drops to 120 objects, then A to 100.
  // Old (6.1): both are "almost full" (> 96); A, inserted last with 127 >= 120, heads the list.
  // New (>= 6.4): B is in the 90% group, A in the 70% group: B is fuller.
  for (const [rule, expect] of [["old", "A"], ["new", "B"]] as const) {
    await t.step(rule, () => {
      const { pool } = makePool(zsmallocAllocator, 4096, { rule });
      const names = new PageNamer();
      const a = Array.from({ length: 128 }, () => pool.malloc(20));
      const b = Array.from({ length: 128 }, () => pool.malloc(20));
      const pageA = names.name(pool.readSegments!(a[0])[0], 4096);
      const pageB = names.name(pool.readSegments!(b[0])[0], 4096);
      for (const h of b.slice(0, 8)) pool.free(h);
      for (const h of a.slice(0, 28)) pool.free(h);
      const got = names.name(pool.readSegments!(pool.malloc(20))[0], 4096);
      assert.equal(got, expect === "A" ? pageA : pageB);
    });
  }
});

Deno.test("zsmalloc.compact() frees zspages and keeps every object's bytes", async (t) => {
  for (const rule of ["old", "new"] as const) {
    await t.step(rule, () => {
      const { pool, arena } = makePool(zsmallocAllocator, 4096, { rule });
      // 4 zspages of the 1568-byte class (chain 8: 5 pages, 13 objects) or 1632 (old: 2 pages, 5).
      const hs = Array.from({ length: 52 }, (_, i) => {
        const h = pool.malloc(1560);
        write(pool, h, i);
        return h;
      });
      const keep = new Map<number, number>();
      hs.forEach((h, i) => {
        if (i % 4 === 0) keep.set(h, i);
        else pool.free(h);
      });
      const before = pool.totalPages();
      const row = (pool.stats().classes as ZsmallocClassStats[]).find((c) => c.objUsed > 0)!;
      const freed = pool.compact!();
      assert.ok(freed > 0);
      assert.equal(freed, row.freeable, "compaction frees what stats() called freeable");
      assert.equal(pool.totalPages(), before - freed);
      assert.equal(arena.pagesInUse(), pool.totalPages());
      for (const [h, tag] of keep) assert.ok(intact(pool, h, tag), `object ${tag}`);
      assert.equal(pool.compact!(), 0);
      assert.equal(pool.stats().pagesCompacted, freed);
    });
  }
});

Deno.test("zsmalloc.stats() reports the per-class table and totals", () => {
  const { pool } = makePool(zsmallocAllocator, 4096, { rule: "new", chain: 8 });
  for (let i = 0; i < 14; i++) pool.malloc(1560);
  pool.malloc(4000);
  const s = pool.stats();
  const classes = s.classes as ZsmallocClassStats[];
  assert.equal(classes.length, 119);
  const c = classes.find((r) => r.size === 1568)!;
  assert.deepEqual(
    [c.index, c.pagesPerZspage, c.objsPerZspage, c.objAllocated, c.objUsed, c.zspages, c.pagesUsed],
    [96, 5, 13, 26, 14, 2, 10],
  );
  assert.equal(c.freeable, 0);
  assert.equal(c.fullness.reduce((x, y) => x + y), 2);
  assert.equal(c.fullness[11], 1, "one full zspage");
  assert.equal(c.fullness[1], 1, "one zspage with 1 of 13 objects (<10%)");
  const huge = classes.at(-1)!;
  assert.deepEqual([huge.size, huge.objUsed, huge.pagesUsed], [4096, 1, 1]);
  assert.equal(s.pages, 11);
  assert.equal(s.objects, 15);
  assert.equal(s.objAllocated, 27);
  assert.equal(s.objUsed, 15);
  assert.equal(s.hugeClassSize, 3625);
});

Deno.test("zsmalloc.malloc() refuses bad sizes and free() bad handles", () => {
  const { pool } = makePool(zsmallocAllocator);
  assert.throws(() => pool.malloc(0), { name: "AllocError", code: "EINVAL" });
  assert.throws(() => pool.malloc(-5), { name: "AllocError", code: "EINVAL" });
  assert.throws(() => pool.malloc(4097), { name: "AllocError", code: "ENOSPC" });
  const h = pool.malloc(4096);
  // A huge object fills its page from byte 0 (the handle is kept outside it).
  const [seg] = pool.readSegments!(h);
  assert.deepEqual([placement(seg, 4096).offset, seg.length], [0, 4096]);
  pool.free(h);
  assert.throws(() => pool.free(h), RangeError);
  assert.throws(() => pool.free(7), RangeError);
  assert.equal(pool.totalPages(), 0);
});

Deno.test("zsmalloc.malloc() gives pages back when a zspage cannot be completed", () => {
  const { pool, arena } = makePool(zsmallocAllocator, 4096, { rule: "new" }, 1, 3);
  assert.throws(() => pool.malloc(1560), { name: "AllocError", code: "ENOMEM" }); // needs 5
  assert.equal(arena.pagesInUse(), 0);
  assert.equal(pool.totalPages(), 0);
  assert.equal(pool.stats().objects, 0);
  assert.throws(() => pool.malloc(100), { code: "ENOMEM" }); // 112-byte class: 7 pages
  pool.malloc(1000); // 1024-byte class: 1 page
  assert.equal(arena.pagesInUse(), 1);
});
