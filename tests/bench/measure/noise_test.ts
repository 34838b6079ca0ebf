import assert from "node:assert/strict";
import {
  ratioInterval,
  referenceLoopNs,
  studentTQuantile,
  unreliableTimings,
} from "../../../bench/measure/noise.ts";

Deno.test("studentTQuantile() matches the t table", async (t) => {
  // Two-sided critical values from any t table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2).
  const table: [number, number, number][] = [
    [0.975, 1, 12.706],
    [0.975, 10, 2.228],
    [0.995, 2, 9.925],
    [0.995, 4, 4.604],
    [0.95, 30, 1.697],
    [0.995, Infinity, 2.576],
  ];
  for (const [p, df, want] of table) {
    await t.step(`p ${p}, df ${df}`, () => {
      assert.ok(Math.abs(studentTQuantile(p, df) - want) < 2e-3, String(studentTQuantile(p, df)));
    });
  }
});

Deno.test("ratioInterval() covers the ratio and widens with the noise", () => {
  const tight = ratioInterval([100, 101, 99], [200, 202, 198], 0.99)!;
  assert.ok(Math.abs(tight.ratio - 2) < 1e-3);
  assert.ok(tight.low < 2 && tight.high > 2 && tight.high / tight.low < 1.1);
  const noisy = ratioInterval([80, 100, 120], [160, 200, 240], 0.99)!;
  assert.ok(noisy.high / noisy.low > tight.high / tight.low);
  assert.ok(noisy.spread.base > 0.15 && noisy.spread.base < 0.25);
  assert.equal(ratioInterval([100], [200, 210], 0.99), null, "one repetition: no interval");
  assert.equal(ratioInterval([0, 1], [1, 2], 0.99), null, "a zero: no interval");
});

Deno.test("unreliableTimings() names the noise columns over the limit", () => {
  assert.deepEqual(unreliableTimings({ load_p50_ns_cv: 0.02, store_p99_ns_cv: 0.6 }), [
    "store p99 cv 0.60",
  ]);
  assert.deepEqual(unreliableTimings({ load_p50_ns_cv: 0.3, store_p99_ns_cv: 0.4 }), [
    "load p50 cv 0.30",
  ]);
  assert.deepEqual(unreliableTimings({ load_p50_ns_cv: null }), []);
});

Deno.test("referenceLoopNs() times a positive duration", () => {
  assert.ok(referenceLoopNs(3) > 0);
});
