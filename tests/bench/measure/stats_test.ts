import assert from "node:assert/strict";
import { cv, mbps, median } from "../../../bench/measure/stats.ts";

Deno.test("median() and cv()", () => {
  assert.equal(median([5]), 5);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
  assert.equal(cv([2, 4]), Math.round((Math.SQRT2 / 3) * 1e6) / 1e6);
  assert.equal(cv([0, 0]), null);
});

Deno.test("mbps() is MB/s and null without time", () => {
  assert.equal(mbps(2e6, 1e9), 2);
  assert.equal(mbps(1, 0), null);
});
