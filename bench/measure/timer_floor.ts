/**
 * The timer floor: what timing an empty operation costs, recorded with each run's environment.
 *
 * @module
 */
import { Histogram } from "./histogram.ts";

/** What the timer costs: the floor under every measured latency. */
export interface TimerFloor {
  /** Median time of an empty operation timed like a store (ns). */
  floorNs: number;
  /** Smallest non-zero step of `performance.now()` seen (ns). */
  resolutionNs: number;
}

/**
 * Time an empty operation the way the frontend times a store, many times.
 *
 * @param samples How many times (default 20000).
 * @returns The median and the clock's step.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measureTimerFloor } from "./timer_floor.ts";
 * assert.ok(measureTimerFloor(100).floorNs >= 0);
 * ```
 */
export function measureTimerFloor(samples = 20000): TimerFloor {
  const h = new Histogram();
  let resolution = Infinity;
  let sink = 0;
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    sink += i;
    const t1 = performance.now();
    const d = (t1 - t0) * 1e6;
    h.record(d);
    if (d > 0 && d < resolution) resolution = d;
  }
  if (sink < 0) console.log(sink); // keep the loop body alive
  return {
    floorNs: h.percentile(50),
    resolutionNs: Number.isFinite(resolution) ? Math.round(resolution) : 0,
  };
}
