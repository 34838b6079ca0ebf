/**
 * The recorder a cell times into: one latency histogram per kind of operation.
 *
 * @module
 */
import type { OpRecorder } from "../../zswap/cell_types.ts";
import { Histogram } from "./histogram.ts";

/**
 * An {@linkcode OpRecorder} that keeps one {@linkcode Histogram} per kind of operation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HistogramRecorder } from "./recorder.ts";
 * const r = new HistogramRecorder();
 * r.store(1200);
 * assert.equal(r.stores.count, 1);
 * ```
 */
export class HistogramRecorder implements OpRecorder {
  /** Store latencies (ns). */
  readonly stores: Histogram = new Histogram();
  /** Load latencies (ns). */
  readonly loads: Histogram = new Histogram();
  /** Writeback latencies (ns). */
  readonly writebacks: Histogram = new Histogram();

  /**
   * Record one store.
   *
   * @param ns Its latency.
   */
  store(ns: number): void {
    this.stores.record(ns);
  }

  /**
   * Record one load.
   *
   * @param ns Its latency.
   */
  load(ns: number): void {
    this.loads.record(ns);
  }

  /**
   * Record one writeback.
   *
   * @param ns Its latency.
   */
  writeback(ns: number): void {
    this.writebacks.record(ns);
  }
}
