/**
 * The swap slots cache of 5.10 and 6.1 (mm/swap_slots.c): freed slots wait, 64 at most, and
 * their zswap entries stay stored until the batch goes back; 6.8 on, an entry goes with its slot.
 * And what a rewrite does: a swapped-out page written again frees its slot (both); a page read
 * back into the swap cache then written keeps its slot and entry on 6.1 (the entry is replaced at
 * once) but is copied on 5.10, the old page keeping slot and entry in the swap cache.
 */
import assert from "node:assert/strict";
import type { Op } from "../../registry/types.ts";
import { runCell } from "../../builtins/run_cell.ts";
import { collectRecorder, prefixPage, scriptWorkload, testPlan } from "./_fakes.ts";

const page = (id: number, into: Uint8Array) => prefixPage(id, 200 + (id % 50), into);

/** Stored entries after every op. */
async function storedByOp(preset: string, list: [Op["op"], number, number?][]): Promise<number[]> {
  const stored: number[] = [];
  await runCell(
    testPlan({
      preset,
      params: { pages: 256 },
      workload: scriptWorkload(
        () => list.map(([op, offset, pageId]) => ({ op, offset, pageId: pageId ?? 0 })),
        page,
      ),
    }),
    collectRecorder(),
    { afterOp: (_pool, s) => stored.push(s) },
  );
  return stored;
}

const storeAll = (n: number): [Op["op"], number, number][] =>
  Array.from({ length: n }, (_, i) => ["store", i, i]);
const invalidate = (from: number, n: number): [Op["op"], number][] =>
  Array.from({ length: n }, (_, i) => ["invalidate", from + i]);

for (const preset of ["5.10", "6.1"]) {
  Deno.test(`${preset}: invalidated entries stay stored until the 65th freed slot returns 64`, async () => {
    const s = await storedByOp(preset, [...storeAll(100), ...invalidate(0, 65)]);
    assert.equal(s[99], 100);
    assert.equal(s[99 + 64], 100); // 64 slots parked, their entries still stored
    assert.equal(s[99 + 65], 100 - 64); // the 65th free gives the first 64 back
  });

  Deno.test(`${preset}: rewriting a swapped-out page takes a new slot; the old entry waits`, async () => {
    const s = await storedByOp(preset, [...storeAll(10), ["store", 3, 500]]);
    assert.equal(s.at(-1), 11);
  });
}

Deno.test("a page read back, then written: 5.10 orphans the old entry, 6.1 replaces it", async () => {
  const list: [Op["op"], number, number?][] = [
    ...storeAll(100),
    ["load", 3],
    ["store", 3, 500],
    ...invalidate(10, 65),
  ];
  const old = await storedByOp("5.10", list);
  assert.equal(old[101], 101); // the copy was stored to a new slot, the old entry kept
  assert.equal(old[101 + 64], 101); // the old slot is not in the slots cache: 64 frees so far
  assert.equal(old[101 + 65], 101 - 64); // the 65th returns 64; the orphan stays
  const s61 = await storedByOp("6.1", list);
  assert.equal(s61[101], 100); // same slot: replaced at once
  assert.equal(s61[101 + 65], 100 - 64);
});

Deno.test("6.8 on: an invalidated entry goes at once", async () => {
  for (const preset of ["6.8", "6.12", "latest"]) {
    const s = await storedByOp(preset, [...storeAll(10), ...invalidate(0, 3)]);
    assert.equal(s.at(-1), 7, preset);
  }
});
