import assert from "node:assert/strict";
import { TIMELINE_MAX_POINTS, TimelineSampler } from "../../zswap/_timeline.ts";

Deno.test("TimelineSampler keeps at most TIMELINE_MAX_POINTS evenly spaced points", () => {
  const t = new TimelineSampler();
  const total = 100_000;
  for (let op = 1; op <= total; op++) t.tick(op, op % 1000, op, op * 2);
  const tl = t.finish(total, 7, 8, 9, { pages: 999, op: 42 });
  assert.ok(tl.ops.length <= TIMELINE_MAX_POINTS + 1, `${tl.ops.length} points`);
  assert.ok(tl.ops.length >= TIMELINE_MAX_POINTS / 2, `${tl.ops.length} points`);
  const gaps = new Set(tl.ops.slice(1, -1).map((v, i) => v - tl.ops[i]));
  assert.equal(gaps.size, 1, "evenly spaced but for the last point");
  assert.equal(tl.ops.at(-1), total);
  assert.equal(tl.pool_pages.at(-1), 7, "the end state is the last point");
  assert.deepEqual([tl.hw_pool_pages, tl.hw_op], [999, 42]);
  for (const col of [tl.pool_pages, tl.stored_pages, tl.compressed_bytes]) {
    assert.equal(col.length, tl.ops.length);
  }
});

Deno.test("TimelineSampler keeps every point of a short run", () => {
  const t = new TimelineSampler();
  for (let op = 1; op <= 10; op++) t.tick(op, op, op, op);
  const tl = t.finish(10, 10, 10, 10, { pages: 10, op: 10 });
  assert.deepEqual(tl.ops, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
});
