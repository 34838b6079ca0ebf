import assert from "node:assert/strict";
import { createArena } from "../../allocators/mod.ts";

Deno.test("createArena() hands out pages one at a time and reuses the last freed", () => {
  const arena = createArena(4096);
  const a = arena.allocPage();
  const b = arena.allocPage();
  const c = arena.allocPage();
  assert.deepEqual([a, b, c], [0, 1, 2]);
  arena.freePage(b);
  arena.freePage(a);
  assert.equal(arena.allocPage(), a);
  assert.equal(arena.allocPage(), b);
  assert.equal(arena.allocPage(), 3);
  assert.equal(arena.pagesInUse(), 4);
  assert.equal(arena.peakPages(), 4);
  arena.freePage(3);
  assert.equal(arena.pagesInUse(), 3);
  assert.equal(arena.peakPages(), 4);
});

Deno.test("createArena() gives each page its own bytes", async (t) => {
  for (const pageSize of [4096, 16384, 65536]) {
    await t.step(`${pageSize} B pages`, () => {
      const arena = createArena(pageSize);
      // Cross a chunk boundary (256 pages per ArrayBuffer).
      const pfns = Array.from({ length: 300 }, () => arena.allocPage());
      pfns.forEach((pfn) => arena.page(pfn).fill(pfn & 255));
      for (const pfn of pfns) {
        const p = arena.page(pfn);
        assert.equal(p.length, pageSize);
        assert.equal(p[0], pfn & 255);
        assert.equal(p[pageSize - 1], pfn & 255);
      }
      assert.equal(arena.pageSize, pageSize);
    });
  }
});

Deno.test("createArena() enforces the page limit with ENOMEM", () => {
  const arena = createArena(4096, { limitPages: 2 });
  assert.equal(arena.limitPages, 2);
  const a = arena.allocPage();
  arena.allocPage();
  assert.throws(() => arena.allocPage(), { name: "AllocError", code: "ENOMEM" });
  arena.freePage(a);
  assert.equal(arena.allocPage(), a);
  assert.equal(createArena(4096).limitPages, Infinity);
});

Deno.test("createArena() refuses bad page sizes, limits and pfns", async (t) => {
  await t.step("page size", () => {
    for (const bad of [0, 1000, 8192, 4096.5, 131072]) {
      assert.throws(() => createArena(bad), {
        name: "RangeError",
        message: /4096, 16384 or 65536/,
      });
    }
  });
  await t.step("limit", () => {
    for (const bad of [0, -1, 1.5, NaN]) {
      assert.throws(() => createArena(4096, { limitPages: bad }), RangeError);
    }
  });
  await t.step("pfn", () => {
    const arena = createArena(4096);
    const p = arena.allocPage();
    assert.throws(() => arena.freePage(p + 1), RangeError);
    assert.throws(() => arena.page(-1), RangeError);
    arena.freePage(p);
    assert.throws(() => arena.freePage(p), { name: "RangeError", message: /not in use/ });
    assert.throws(() => arena.page(p), RangeError);
  });
});

Deno.test("createArena() holds 300,000 pages", () => {
  const arena = createArena(4096);
  for (let i = 0; i < 300_000; i++) arena.allocPage();
  assert.equal(arena.pagesInUse(), 300_000);
  arena.page(299_999)[4095] = 1;
  for (let i = 0; i < 300_000; i += 2) arena.freePage(i);
  assert.equal(arena.pagesInUse(), 150_000);
  assert.equal(arena.allocPage(), 299_998);
});
