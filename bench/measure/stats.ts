/**
 * Statistics over repetitions: the median, the coefficient of variation, throughput and the
 * roundings of the results columns. The one copy of each (the perf harness uses them too).
 *
 * @module
 */

/**
 * The median of some numbers (mean of the middle two for an even count).
 *
 * @param values At least one number.
 * @returns The median, NaN for none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { median } from "./stats.ts";
 * assert.equal(median([3, 1, 2]), 2);
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * The coefficient of variation: sample standard deviation / mean — the noise across repetitions.
 *
 * @param values One value per repetition.
 * @returns The ratio (0.05 = 5 %), or null for fewer than two values or a zero mean.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cv } from "./stats.ts";
 * assert.equal(cv([10, 10, 10]), 0);
 * assert.equal(cv([1]), null);
 * ```
 */
export function cv(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (mean === 0) return null;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return round6(Math.sqrt(variance) / mean);
}

/**
 * Round to one decimal, as the results columns keep them.
 *
 * @param v The value.
 * @returns The rounded value.
 */
export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/**
 * Round to three decimals, as the results columns keep them.
 *
 * @param v The value.
 * @returns The rounded value.
 */
export function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/**
 * Round to six decimals, as the results columns keep them.
 *
 * @param v The value.
 * @returns The rounded value.
 */
export function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/**
 * Bytes over nanoseconds as MB/s (10^6 bytes per second); null when no time was measured.
 *
 * @param bytes Bytes moved.
 * @param ns Time taken (ns).
 * @returns MB/s, or null.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mbps } from "./stats.ts";
 * assert.equal(mbps(4096, 4096), 1000);
 * assert.equal(mbps(4096, 0), null);
 * ```
 */
export function mbps(bytes: number, ns: number): number | null {
  return ns > 0 ? bytes * 1e3 / ns : null;
}
