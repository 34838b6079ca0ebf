import assert from "node:assert/strict";
import { EntryTable, KIND_DEVICE, KIND_EMPTY, KIND_POOL, KIND_SAME } from "../../zswap/_entries.ts";

Deno.test("EntryTable gives offsets below its size their own slot, others a mapped one", () => {
  const t = new EntryTable(8);
  assert.equal(t.find(3), 3);
  assert.equal(t.slot(3), 3);
  assert.equal(t.find(1e12), -1);
  const s = t.slot(1e12);
  assert.ok(s >= 8);
  assert.equal(t.offsetOf(s), 1e12);
  assert.equal(t.find(1e12), s);
  assert.equal(t.slot(2.5) !== t.slot(1e12), true);
  assert.equal(t.find(-1), -1);
  t.set(s, KIND_POOL, 7);
  t.clear(s);
  assert.equal(t.find(1e12), -1);
  assert.equal(t.slot(99), s, "a cleared overflow slot is reused");
});

Deno.test("EntryTable keeps page ids of any safe integer", () => {
  const t = new EntryTable(4);
  t.set(0, KIND_DEVICE, 2 ** 40);
  t.set(1, KIND_POOL, 5);
  assert.equal(t.pageId(0), 2 ** 40);
  assert.equal(t.pageId(1), 5);
  t.set(0, KIND_SAME, 6);
  assert.equal(t.pageId(0), 6);
  assert.equal(t.kind(0), KIND_SAME);
  t.clear(0);
  assert.equal(t.kind(0), KIND_EMPTY);
});

Deno.test("EntryTable LRU: push at the head, remove, rotate", () => {
  const t = new EntryTable(4);
  const order = (): number[] => {
    const out: number[] = [];
    for (let s = t.head; s >= 0; s = t.next[s]) out.push(s);
    return out;
  };
  for (const s of [0, 1, 2]) {
    t.set(s, KIND_POOL, s);
    t.pushHead(s);
  }
  assert.deepEqual(order(), [2, 1, 0]);
  assert.equal(t.tail, 0);
  t.moveToHead(0);
  assert.deepEqual(order(), [0, 2, 1]);
  t.remove(2);
  t.remove(2); // not on the list: a no-op
  assert.deepEqual(order(), [0, 1]);
  assert.equal(t.lruSize, 2);
  assert.equal(t.onLru(2), false);
  t.setReferenced(1, true);
  assert.equal(t.referenced(1), true);
  assert.equal(t.onLru(1), true);
  t.setReferenced(1, false);
  assert.equal(t.referenced(1), false);
});

Deno.test("EntryTable keeps a whole 64 KiB page's length", () => {
  // A compressed length runs up to PAGE_SIZE: 65536 at 64 KiB pages needs more than 16 bits.
  const t = new EntryTable(2);
  const direct = t.slot(1);
  const overflow = t.slot(1e9); // grows the columns
  for (const s of [direct, overflow]) {
    t.set(s, KIND_POOL, 3);
    t.lengths[s] = 65536;
    assert.equal(t.lengths[s], 65536);
  }
});
