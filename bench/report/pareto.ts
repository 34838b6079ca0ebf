/**
 * The Pareto front of density against load tail latency: the cells no other cell beats on both.
 *
 * @module
 */

/** The two figures a cell is judged on; other keys are carried along untouched. */
export interface ParetoPoint {
  /** Density: stored bytes over pool bytes (higher is better). */
  pool_ratio: number | null | undefined;
  /** Load tail latency in nanoseconds (lower is better). */
  load_p99_ns: number | null | undefined;
}

/**
 * Says whether `a` dominates `b`: at least as dense and at least as fast at p99, and strictly
 * better on one of the two.
 *
 * @param a The candidate that may dominate.
 * @param b The candidate that may be dominated.
 * @returns True when `a` dominates `b`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dominates } from "./pareto.ts";
 * assert.ok(dominates({ pool_ratio: 3, load_p99_ns: 10 }, { pool_ratio: 2, load_p99_ns: 10 }));
 * ```
 */
export function dominates(
  a: { pool_ratio: number; load_p99_ns: number },
  b: { pool_ratio: number; load_p99_ns: number },
): boolean {
  return a.pool_ratio >= b.pool_ratio && a.load_p99_ns <= b.load_p99_ns &&
    (a.pool_ratio > b.pool_ratio || a.load_p99_ns < b.load_p99_ns);
}

/**
 * Picks the Pareto-optimal points: those with both figures finite that no other such point
 * dominates. Points missing a figure (a failed cell, a workload without loads) are left out.
 * Ties on both figures are all kept. The result keeps the input order.
 *
 * @param points The candidates (usually the ok cells of one workload and preset).
 * @returns The points not dominated by any other.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paretoFront } from "./pareto.ts";
 * const front = paretoFront([
 *   { pool_ratio: 3, load_p99_ns: 900 },
 *   { pool_ratio: 2, load_p99_ns: 400 },
 *   { pool_ratio: 2, load_p99_ns: 950 }, // beaten by both others
 * ]);
 * assert.equal(front.length, 2);
 * ```
 */
export function paretoFront<T extends ParetoPoint>(points: readonly T[]): T[] {
  const valid = points.filter((p) => isFiniteNumber(p.pool_ratio) && isFiniteNumber(p.load_p99_ns));
  const figures = valid as unknown as { pool_ratio: number; load_p99_ns: number }[];
  return valid.filter((_, i) =>
    !figures.some((other, j) => j !== i && dominates(other, figures[i]))
  );
}

function isFiniteNumber(x: unknown): x is number {
  return typeof x === "number" && Number.isFinite(x);
}
