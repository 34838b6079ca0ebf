/**
 * The detail columns of a cell result, beyond the flat figures: latency distributions (a CDF per
 * kind of operation, over every measured repetition), per-repetition latency figures (what
 * `compare` tests noise with), and the allocator's structure at the pool's high-water mark
 * (zsmalloc size classes with a zspage, zbud/z3fold page fill), compacted to what charts read.
 *
 * @module
 */
import type { Histogram } from "../measure/histogram.ts";
import type { LatencyCdf } from "./schema.ts";

/**
 * The probabilities at which {@linkcode latencyCdf} reads each histogram: dense in the tail,
 * where latencies differ most (37 points).
 */
export const LATENCY_QUANTILES: readonly number[] = Object.freeze([
  0,
  0.01,
  0.02,
  0.05,
  0.1,
  0.15,
  0.2,
  0.25,
  0.3,
  0.35,
  0.4,
  0.45,
  0.5,
  0.55,
  0.6,
  0.65,
  0.7,
  0.75,
  0.8,
  0.85,
  0.9,
  0.92,
  0.94,
  0.95,
  0.96,
  0.97,
  0.98,
  0.99,
  0.993,
  0.995,
  0.997,
  0.998,
  0.999,
  0.9995,
  0.9999,
  0.99999,
  1,
]);

/**
 * The CDF of each kind of operation over the merged repetitions.
 *
 * @param h One histogram per kind, every measured repetition merged.
 * @returns The latencies at {@linkcode LATENCY_QUANTILES}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Histogram } from "../measure/histogram.ts";
 * import { latencyCdf } from "./cell_detail.ts";
 * const store = new Histogram();
 * for (let i = 1; i <= 100; i++) store.record(i * 100);
 * const cdf = latencyCdf({ store, load: new Histogram(), writeback: new Histogram() });
 * assert.equal(cdf.store_ns[0], 100);
 * assert.equal(cdf.load_ns.length, 0);
 * ```
 */
export function latencyCdf(
  h: { store: Histogram; load: Histogram; writeback: Histogram },
): LatencyCdf {
  const read = (x: Histogram) =>
    x.count === 0 ? [] : LATENCY_QUANTILES.map((q) => Math.round(x.percentile(q * 100)));
  return {
    q: [...LATENCY_QUANTILES],
    store_ns: read(h.store),
    load_ns: read(h.load),
    writeback_ns: read(h.writeback),
  };
}

/**
 * Allocator stats cut down to what explains density: zsmalloc's `classes` keep only the classes
 * that hold a zspage (with each class's waste: its pages' bytes not holding an object); other
 * allocators' stats (zbud and z3fold page fill) are kept as they are.
 *
 * @param stats `pool.stats()`.
 * @param pageSize Bytes per page.
 * @returns The compact stats.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compactAllocatorStats } from "./cell_detail.ts";
 * const s = compactAllocatorStats({
 *   pages: 3,
 *   classes: [
 *     { size: 32, zspages: 0, pagesUsed: 0, objUsed: 0 },
 *     { size: 2048, zspages: 1, pagesUsed: 3, objUsed: 5 },
 *   ],
 * }, 4096);
 * assert.deepEqual(s.classes, [{ size: 2048, zspages: 1, pagesUsed: 3, objUsed: 5, wasteBytes: 2048 }]);
 * ```
 */
export function compactAllocatorStats(
  stats: Record<string, unknown>,
  pageSize: number,
): Record<string, unknown> {
  const classes = stats.classes;
  if (!Array.isArray(classes)) return stats;
  const used = classes.filter((c) => typeof c === "object" && c !== null && c.zspages > 0)
    .map((c) => ({ ...c, wasteBytes: c.pagesUsed * pageSize - c.objUsed * c.size }));
  return { ...stats, classes: used };
}
