/**
 * A compact latency histogram in the style of HdrHistogram: log-linear buckets with
 * {@linkcode HISTOGRAM_SUB_BUCKET_BITS} bits of precision per power of two, so any recorded value
 * is known to within 1/256 of itself (values below 512 ns exactly), in a few kilobytes whatever
 * the number of samples. Count, sum, min and max are exact.
 *
 * @module
 */

/** Precision bits: 2^8 = 256 buckets per power of two, so a bucket is at most 1/256 wide. */
export const HISTOGRAM_SUB_BUCKET_BITS = 8;
const SUB = 1 << HISTOGRAM_SUB_BUCKET_BITS;

/** Summary statistics of a histogram, in the unit recorded (ns). */
export interface HistogramSummary {
  /** Samples recorded. */
  count: number;
  /** Exact mean (sum / count). */
  mean: number;
  /** Median. */
  p50: number;
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
  /** 99.9th percentile. */
  p999: number;
  /** Exact smallest sample. */
  min: number;
  /** Exact largest sample. */
  max: number;
  /** Exact sum of the samples. */
  sum: number;
}

/**
 * A log-linear histogram of non-negative values (latencies in ns). Values are rounded to whole
 * units; a percentile is the midpoint of the bucket holding the nearest-rank sample, clamped to
 * the exact min and max.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Histogram } from "./histogram.ts";
 * const h = new Histogram();
 * for (let v = 1; v <= 100; v++) h.record(v);
 * assert.equal(h.percentile(50), 50);
 * assert.equal(h.mean, 50.5);
 * ```
 */
export class Histogram {
  #counts: Float64Array = new Float64Array(SUB * 4);
  #count = 0;
  #sum = 0;
  #min = Infinity;
  #max = -Infinity;

  /**
   * Record one sample.
   *
   * @param value A non-negative number (negative values and NaN count as 0).
   */
  record(value: number): void {
    const v = value > 0 ? Math.round(value) : 0;
    const i = bucketIndex(v);
    if (i >= this.#counts.length) this.#grow(i);
    this.#counts[i]++;
    this.#count++;
    this.#sum += v;
    if (v < this.#min) this.#min = v;
    if (v > this.#max) this.#max = v;
  }

  /** Samples recorded. */
  get count(): number {
    return this.#count;
  }

  /** Exact sum of the samples (rounded values). */
  get sum(): number {
    return this.#sum;
  }

  /** Exact mean, or NaN when empty. */
  get mean(): number {
    return this.#count === 0 ? NaN : this.#sum / this.#count;
  }

  /** Exact smallest sample, or NaN when empty. */
  get min(): number {
    return this.#count === 0 ? NaN : this.#min;
  }

  /** Exact largest sample, or NaN when empty. */
  get max(): number {
    return this.#count === 0 ? NaN : this.#max;
  }

  /**
   * The value at a percentile by nearest rank: the smallest recorded value with at least
   * `q`% of the samples at or below it (to bucket precision).
   *
   * @param q 0..100.
   * @returns The value, or NaN when empty.
   */
  percentile(q: number): number {
    if (this.#count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((Math.min(100, Math.max(0, q)) / 100) * this.#count));
    let seen = 0;
    const counts = this.#counts;
    for (let i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        const mid = bucketMid(i);
        return Math.min(this.#max, Math.max(this.#min, mid));
      }
    }
    return this.#max;
  }

  /**
   * Add every sample of another histogram to this one.
   *
   * @param other The histogram to add.
   * @returns This histogram.
   */
  merge(other: Histogram): this {
    if (other.#count === 0) return this;
    if (other.#counts.length > this.#counts.length) this.#grow(other.#counts.length - 1);
    const src = other.#counts;
    for (let i = 0; i < src.length; i++) this.#counts[i] += src[i];
    this.#count += other.#count;
    this.#sum += other.#sum;
    if (other.#min < this.#min) this.#min = other.#min;
    if (other.#max > this.#max) this.#max = other.#max;
    return this;
  }

  /** Forget every sample. */
  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#sum = 0;
    this.#min = Infinity;
    this.#max = -Infinity;
  }

  /**
   * Count, mean, p50/p90/p99/p99.9, min, max and sum.
   *
   * @returns The summary (NaN statistics when empty).
   */
  summary(): HistogramSummary {
    return {
      count: this.#count,
      mean: this.mean,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
      p999: this.percentile(99.9),
      min: this.min,
      max: this.max,
      sum: this.#sum,
    };
  }

  #grow(index: number): void {
    let size = this.#counts.length;
    while (size <= index) size *= 2;
    const next = new Float64Array(size);
    next.set(this.#counts);
    this.#counts = next;
  }
}

/**
 * The bucket of a value: values below 2·SUB map to themselves; above, each power of two
 * [2^h, 2^(h+1)) is cut into SUB equal buckets.
 */
function bucketIndex(v: number): number {
  if (v < SUB * 2) return v;
  const h = Math.floor(Math.log2(v));
  const shift = h - HISTOGRAM_SUB_BUCKET_BITS;
  // Math.log2 may be off by one near powers of two: correct with an exact test.
  const scale = 2 ** shift;
  let top = Math.floor(v / scale);
  let hh = h;
  if (top >= SUB * 2) {
    hh++;
    top = Math.floor(v / (scale * 2));
  } else if (top < SUB) {
    hh--;
    top = Math.floor(v / (scale / 2));
  }
  return (hh - HISTOGRAM_SUB_BUCKET_BITS) * SUB + top;
}

/** Lowest value of a bucket and its width. */
function bucketBounds(i: number): [number, number] {
  if (i < SUB * 2) return [i, 1];
  const octave = Math.floor(i / SUB) - 1; // shift
  const top = (i % SUB) + SUB;
  const width = 2 ** octave;
  return [top * width, width];
}

function bucketMid(i: number): number {
  const [low, width] = bucketBounds(i);
  return width === 1 ? low : low + (width - 1) / 2;
}
