import assert from "node:assert/strict";
import { createArena, prefaultArena, releaseArena } from "../../allocators/arena.ts";
import { PAGES_PER_CHUNK, SimArena } from "../../allocators/_sim_arena.ts";

Deno.test("SimArena.bytes() is the same view as page().subarray()", () => {
  const arena = new SimArena(4096, Infinity);
  const pfns = Array.from({ length: PAGES_PER_CHUNK + 3 }, () => arena.allocPage());
  for (const pfn of pfns) arena.page(pfn).fill(pfn & 255);
  for (const pfn of [0, 1, PAGES_PER_CHUNK - 1, PAGES_PER_CHUNK, PAGES_PER_CHUNK + 2]) {
    const v = arena.bytes(pfn, 100, 300);
    const w = arena.page(pfn).subarray(100, 300);
    assert.equal(v.buffer, w.buffer);
    assert.equal(v.byteOffset, w.byteOffset);
    assert.equal(v.length, 200);
    assert.equal(v[0], pfn & 255);
  }
  assert.throws(() => arena.bytes(PAGES_PER_CHUNK + 3, 0, 1), RangeError);
});

Deno.test("SimArena.copy() copies within a chunk, across chunks and overlapping", async (t) => {
  const arena = new SimArena(4096, Infinity);
  const pfns = Array.from({ length: PAGES_PER_CHUNK + 1 }, () => arena.allocPage());
  const fill = (pfn: number) => arena.page(pfn).forEach((_, i, a) => a[i] = (i * 7 + pfn) & 255);
  const cases: [string, number, number][] = [
    ["same chunk", 3, 5],
    ["across chunks", pfns[PAGES_PER_CHUNK], 1],
    ["same page", 9, 9],
  ];
  for (const [name, to, from] of cases) {
    await t.step(name, () => {
      fill(to);
      fill(from);
      const expect = arena.page(to).slice();
      expect.set(arena.page(from).slice(64, 64 + 1000), 10);
      arena.copy(to, 10, from, 64, 1000);
      assert.deepEqual(arena.page(to), expect);
    });
  }
});

Deno.test("prefaultArena() keeps page contents and hands out pages as before", () => {
  const arena = createArena(4096, { limitPages: 600 });
  const a = arena.allocPage();
  arena.page(a).fill(0xab);
  prefaultArena(arena, 64);
  prefaultArena(arena, 10_000); // capped at the limit
  assert.deepEqual([...new Set(arena.page(a))], [0xab]);
  assert.equal(arena.allocPage(), 1);
  assert.equal(arena.pagesInUse(), 2);
});

Deno.test("releaseArena() empties the arena", () => {
  const arena = createArena(4096);
  const a = arena.allocPage();
  releaseArena(arena);
  assert.equal(arena.pagesInUse(), 0);
  assert.throws(() => arena.page(a), RangeError);
  assert.equal(arena.allocPage(), 0);
});
