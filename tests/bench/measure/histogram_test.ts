import assert from "node:assert/strict";
import { Histogram, HISTOGRAM_SUB_BUCKET_BITS } from "../../../bench/measure/histogram.ts";

/** Nearest-rank percentile of sorted data: the reference the histogram approximates. */
function exact(sorted: number[], q: number): number {
  const rank = Math.max(1, Math.ceil((q / 100) * sorted.length));
  return sorted[rank - 1];
}

/** Deterministic pseudo-random numbers (mulberry32), seed fixed here. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BOUND = 1 / (1 << HISTOGRAM_SUB_BUCKET_BITS);

Deno.test("Histogram.percentile() is exact below 512", () => {
  const h = new Histogram();
  const data: number[] = [];
  for (let v = 1; v <= 500; v++) {
    h.record(v);
    data.push(v);
  }
  for (const q of [1, 10, 50, 90, 99, 99.9, 100]) assert.equal(h.percentile(q), exact(data, q));
  assert.equal(h.mean, 250.5);
  assert.equal(h.min, 1);
  assert.equal(h.max, 500);
});

Deno.test("Histogram.percentile() stays within 1/256 of the exact value on log-normal latencies", async (t) => {
  const random = rng(42);
  for (const [name, scale] of [["µs", 1_000], ["ms", 1_000_000], ["s", 2_000_000_000]] as const) {
    await t.step(name, () => {
      const h = new Histogram();
      const data: number[] = [];
      for (let i = 0; i < 20000; i++) {
        // Box-Muller: a log-normal spread around `scale` ns, rounded as the histogram does.
        const z = Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
        const v = Math.round(scale * Math.exp(0.5 * z));
        h.record(v);
        data.push(v);
      }
      data.sort((a, b) => a - b);
      for (const q of [50, 90, 99, 99.9]) {
        const want = exact(data, q);
        const got = h.percentile(q);
        assert.ok(Math.abs(got - want) / want <= BOUND, `p${q}: ${got} vs ${want}`);
      }
      assert.equal(h.count, data.length);
      assert.equal(h.sum, data.reduce((a, b) => a + b, 0));
    });
  }
});

Deno.test("Histogram.merge() equals recording everything in one", () => {
  const random = rng(7);
  const a = new Histogram();
  const b = new Histogram();
  const all = new Histogram();
  for (let i = 0; i < 5000; i++) {
    const v = Math.floor(random() * 1e7);
    (i % 3 === 0 ? a : b).record(v);
    all.record(v);
  }
  a.merge(b);
  assert.deepEqual(a.summary(), all.summary());
});

Deno.test("Histogram handles empty, zero, negative and huge values", () => {
  const h = new Histogram();
  assert.ok(Number.isNaN(h.percentile(50)));
  assert.ok(Number.isNaN(h.mean));
  h.record(0);
  h.record(-5);
  h.record(Number.NaN);
  assert.equal(h.percentile(100), 0);
  h.record(3.6e12);
  assert.equal(h.max, 3.6e12);
  assert.ok(Math.abs(h.percentile(100) - 3.6e12) / 3.6e12 <= BOUND);
  h.reset();
  assert.equal(h.count, 0);
});

Deno.test("Histogram bucket boundaries around powers of two keep the bound", () => {
  for (let e = 9; e < 45; e++) {
    for (const v of [2 ** e - 1, 2 ** e, 2 ** e + 1]) {
      const h = new Histogram();
      h.record(1);
      h.record(v);
      const got = h.percentile(100);
      assert.ok(Math.abs(got - v) / v <= BOUND, `${v}: ${got}`);
      // One more sample just below: the median must still be near it.
      h.record(v);
      assert.ok(Math.abs(h.percentile(50) - v) / v <= BOUND);
    }
  }
});
