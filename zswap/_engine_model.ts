/**
 * The run-time state of a modelled engine ({@linkcode EngineModel}) in one cell: when each of its
 * engines is next free. A request arriving at virtual time `a` takes the engine free earliest,
 * starts at `max(a, free)`, occupies it for its transfer time and completes `latency + jitter`
 * after the transfer ends. Jitter draws from its own seeded stream, so it never shifts the other
 * random choices of the cell.
 *
 * @module
 */

import type { EngineModel } from "../registry/types.ts";
import { seededRandom } from "./_pages.ts";

/** What a request cost on the device. */
export interface EngineCompletion {
  /** Virtual time (ns) the request completes. */
  doneNs: number;
  /** How long it occupied its engine (ns). */
  occupancyNs: number;
  /** True when the occupancy is the codec's own cost (no throughput given for the direction). */
  codecBound: boolean;
}

/** One cell's engines. */
export class EngineDevice {
  readonly model: EngineModel;
  readonly #freeAt: Float64Array;
  readonly #random: () => number;
  /** Requests that found every engine busy (queued). */
  queued = 0;

  /**
   * @param model The engine's figures.
   * @param seed The cell's seed (jitter).
   */
  constructor(model: EngineModel, seed: number) {
    this.model = model;
    this.#freeAt = new Float64Array(model.engines);
    this.#random = seededRandom((seed ^ 0x5eed_e1e1) >>> 0);
  }

  /**
   * Submit a request.
   * @param arrivalNs When the CPU hands it over.
   * @param dir Compress or decompress.
   * @param pageBytes Uncompressed bytes (what throughput counts).
   * @param codecNs The codec's cost, used when the direction has no throughput.
   * @returns When it completes.
   */
  submit(
    arrivalNs: number,
    dir: "compress" | "decompress",
    pageBytes: number,
    codecNs: number,
  ): EngineCompletion {
    const m = this.model;
    const free = this.#freeAt;
    let e = 0;
    for (let i = 1; i < free.length; i++) if (free[i] < free[e]) e = i;
    if (free[e] > arrivalNs) this.queued++;
    const start = Math.max(arrivalNs, free[e]);
    const tp = m.throughputMBps[dir];
    const codecBound = tp === null;
    // MB/s = bytes per µs: ns = bytes / (MB/s) x 1000.
    const occupancyNs = codecBound ? codecNs : (pageBytes / tp) * 1000;
    free[e] = start + occupancyNs;
    let jitter = 0;
    const j = m.jitter;
    if (j.dist === "uniform") jitter = this.#random() * j.ns;
    else if (j.dist === "exponential") jitter = -Math.log(1 - this.#random()) * j.ns;
    return { doneNs: free[e] + m.latencyNs[dir] + jitter, occupancyNs, codecBound };
  }
}
