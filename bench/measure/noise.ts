/**
 * Noise across repetitions, and the test `compare` decides timing regressions with: a Welch
 * t-interval for the ratio NEW / BASE of the geometric means of the repetitions.
 *
 * Why this test: latencies are positive and spread multiplicatively (a busy machine slows every
 * operation by a factor), so the logarithms of the per-repetition figures are closer to normal
 * than the figures; the difference of the mean logs is the log of the ratio of geometric means,
 * and Welch's interval does not assume the two runs are equally noisy. A change counts only when
 * the whole interval lies beyond the threshold, so it must be both larger than the noise of the
 * repetitions and large enough to matter.
 *
 * @module
 */

/** The interval of a ratio NEW / BASE. */
export interface RatioInterval {
  /** Ratio of the geometric means. */
  ratio: number;
  /** Lower end of the interval. */
  low: number;
  /** Upper end. */
  high: number;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
  /** Relative spread of each run: sample standard deviation of the logs (≈ cv for small cv). */
  spread: { base: number; new: number };
}

/**
 * The `confidence` Welch interval of NEW / BASE from per-repetition values (all positive).
 *
 * @param base BASE's values, one per repetition (at least two).
 * @param next NEW's values (at least two).
 * @param confidence Two-sided confidence, e.g. 0.99.
 * @returns The interval, or null with fewer than two values on a side or a value not positive.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ratioInterval } from "./noise.ts";
 * const r = ratioInterval([100, 102, 98], [300, 310, 295], 0.99)!;
 * assert.ok(r.low > 2.5 && r.high < 3.5);
 * ```
 */
export function ratioInterval(
  base: readonly number[],
  next: readonly number[],
  confidence: number,
): RatioInterval | null {
  if (base.length < 2 || next.length < 2) return null;
  if (![...base, ...next].every((v) => Number.isFinite(v) && v > 0)) return null;
  const lb = base.map(Math.log);
  const ln = next.map(Math.log);
  const mb = mean(lb);
  const mn = mean(ln);
  const vb = variance(lb, mb);
  const vn = variance(ln, mn);
  const eb = vb / lb.length;
  const en = vn / ln.length;
  const se = Math.sqrt(eb + en);
  const d = mn - mb;
  const spread = { base: Math.sqrt(vb), new: Math.sqrt(vn) };
  if (se === 0) {
    return { ratio: Math.exp(d), low: Math.exp(d), high: Math.exp(d), df: Infinity, spread };
  }
  const df = (eb + en) ** 2 / (eb ** 2 / (lb.length - 1) + en ** 2 / (ln.length - 1));
  const t = studentTQuantile(1 - (1 - confidence) / 2, df);
  return { ratio: Math.exp(d), low: Math.exp(d - t * se), high: Math.exp(d + t * se), df, spread };
}

/**
 * The quantile of Student's t distribution.
 *
 * @param p Probability, 0.5..1 (e.g. 0.995).
 * @param df Degrees of freedom (> 0; Infinity gives the normal quantile).
 * @returns t with P(T <= t) = p.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { studentTQuantile } from "./noise.ts";
 * assert.ok(Math.abs(studentTQuantile(0.975, 10) - 2.228) < 1e-3);
 * ```
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`Probability ${p} is not within 0..1`);
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0;
  let hi = 1;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** P(T <= t) for Student's t with `df` degrees of freedom. */
function studentTCdf(t: number, df: number): number {
  if (!Number.isFinite(df)) return 0.5 * (1 + erf(t / Math.SQRT2));
  const x = df / (df + t * t);
  const tail = 0.5 * regularizedBeta(x, df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The regularised incomplete beta function I_x(a, b), by its continued fraction (Lentz). */
function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x > (a + 1) / (a + b + 2)) return 1 - regularizedBeta(1 - x, b, a);
  const front = Math.exp(
    a * Math.log(x) + b * Math.log(1 - x) - (logGamma(a) + logGamma(b) - logGamma(a + b)),
  ) / a;
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 300; m++) {
    for (const step of [0, 1]) {
      const num = step === 0
        ? (m * (b - m) * x) / ((a + 2 * m - 1) * (a + 2 * m))
        : -((a + m) * (a + b + m) * x) / ((a + 2 * m) * (a + 2 * m + 1));
      d = 1 + num * d;
      if (Math.abs(d) < tiny) d = tiny;
      c = 1 + num / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      f *= c * d;
    }
    if (Math.abs(c * d - 1) < 1e-14) break;
  }
  return front * f;
}

/** ln Γ(z) for z > 0 (Lanczos, g = 7). */
function logGamma(z: number): number {
  const g = 7;
  const coef = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  const x = z - 1;
  let a = coef[0];
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += coef[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The error function (Abramowitz and Stegun 7.1.26, |error| < 1.5e-7). */
function erf(x: number): number {
  const s = Math.sign(x);
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y = 1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t * Math.exp(-ax * ax);
  return s * y;
}

function mean(v: readonly number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

function variance(v: readonly number[], m: number): number {
  return v.reduce((a, x) => a + (x - m) ** 2, 0) / (v.length - 1);
}

/**
 * Above this coefficient of variation of a median across repetitions a cell's timings are not
 * reliable (two default runs on the 2-core dev machine: median p50 cv 8-10 %).
 */
export const UNRELIABLE_CV = 0.2;

/** The same for a p99, which spreads more by nature (same runs: median p99 cv 20-28 %). */
export const UNRELIABLE_TAIL_CV = 0.5;

/**
 * Whether a cell's timings spread too much across repetitions to be trusted: the p50 of its loads
 * or stores has a coefficient of variation above {@linkcode UNRELIABLE_CV}, or a p99 above
 * {@linkcode UNRELIABLE_TAIL_CV}.
 *
 * @param cell The cell's noise columns.
 * @returns The columns over the limit, e.g. `["load p99 cv 0.53"]`; empty when none is.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unreliableTimings } from "./noise.ts";
 * assert.deepEqual(unreliableTimings({ load_p99_ns_cv: 0.53 }), ["load p99 cv 0.53"]);
 * assert.deepEqual(unreliableTimings({ load_p99_ns_cv: 0.3, load_p50_ns_cv: 0.25 }), [
 *   "load p50 cv 0.25",
 * ]);
 * ```
 */
export function unreliableTimings(cell: {
  load_p50_ns_cv?: number | null;
  load_p99_ns_cv?: number | null;
  store_p50_ns_cv?: number | null;
  store_p99_ns_cv?: number | null;
}): string[] {
  const out: string[] = [];
  for (
    const [k, label] of [
      ["load_p50_ns_cv", "load p50"],
      ["load_p99_ns_cv", "load p99"],
      ["store_p50_ns_cv", "store p50"],
      ["store_p99_ns_cv", "store p99"],
    ] as const
  ) {
    const v = cell[k];
    const limit = k.includes("p99") ? UNRELIABLE_TAIL_CV : UNRELIABLE_CV;
    if (typeof v === "number" && v > limit) out.push(`${label} cv ${v.toFixed(2)}`);
  }
  return out;
}

const REFERENCE_WORDS = 1 << 14;
const REFERENCE_BUFFER = new Uint32Array(REFERENCE_WORDS);

/**
 * Time a fixed reference loop (a hash over a 64 KiB buffer, code that no plugin or model change
 * touches): the machine's speed at the moment, for `compare` to tell a slower machine from slower
 * code. Runs about 20 batches and returns the median batch time.
 *
 * @param batches Batches timed (default 21).
 * @returns Nanoseconds per batch (median).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { referenceLoopNs } from "./noise.ts";
 * assert.ok(referenceLoopNs(3) > 0);
 * ```
 */
export function referenceLoopNs(batches = 21): number {
  const buf = REFERENCE_BUFFER;
  const times: number[] = [];
  let h = 0x9e3779b9;
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < REFERENCE_WORDS; i++) {
      h ^= h << 13;
      h ^= h >>> 17;
      h ^= h << 5;
      buf[i] = (buf[i] + h) | 0;
    }
    times.push((performance.now() - t0) * 1e6);
  }
  if (buf[h & (REFERENCE_WORDS - 1)] === 0.5) console.log(h); // keep the loop alive
  times.sort((x, y) => x - y);
  return Math.round(times[times.length >> 1]);
}
