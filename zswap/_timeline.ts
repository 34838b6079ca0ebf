/**
 * The pool over time: a bounded sampler of pool pages, stored entries and compressed bytes taken
 * between operations (never inside a timed one). It keeps at most {@linkcode TIMELINE_MAX_POINTS}
 * points without knowing the run's length: it samples every `stride` operations, and when full
 * drops every other point and doubles the stride, so the points stay evenly spaced.
 *
 * @module
 */
import type { CellTimeline } from "./cell_types.ts";

/** Most points a timeline keeps (it halves to this over two when full). */
export const TIMELINE_MAX_POINTS = 128;

/** A sampler of the pool along a run. */
export class TimelineSampler {
  #stride = 1;
  #next = 1;
  #ops: number[] = [];
  #pool: number[] = [];
  #stored: number[] = [];
  #compressed: number[] = [];

  /**
   * Called after every operation: keeps a point every `stride` operations.
   *
   * @param ops Operations done so far.
   * @param poolPages Pool pages now.
   * @param stored Entries stored now.
   * @param compressed Compressed bytes stored now.
   */
  tick(ops: number, poolPages: number, stored: number, compressed: number): void {
    if (ops < this.#next) return;
    this.#push(ops, poolPages, stored, compressed);
    this.#next = ops + this.#stride;
    if (this.#ops.length >= TIMELINE_MAX_POINTS) this.#halve();
  }

  /**
   * The points, with the last state appended when it was not sampled.
   *
   * @param ops Operations done at the end.
   * @param poolPages Pool pages at the end.
   * @param stored Entries at the end.
   * @param compressed Compressed bytes at the end.
   * @param hw The high-water mark: pool pages and the operation count when it was last reached.
   * @returns The timeline.
   */
  finish(
    ops: number,
    poolPages: number,
    stored: number,
    compressed: number,
    hw: { pages: number; op: number },
  ): CellTimeline {
    if (this.#ops.length === 0 || this.#ops[this.#ops.length - 1] !== ops) {
      this.#push(ops, poolPages, stored, compressed);
    }
    return {
      ops: [...this.#ops],
      pool_pages: [...this.#pool],
      stored_pages: [...this.#stored],
      compressed_bytes: [...this.#compressed],
      hw_pool_pages: hw.pages,
      hw_op: hw.op,
    };
  }

  #push(ops: number, poolPages: number, stored: number, compressed: number): void {
    this.#ops.push(ops);
    this.#pool.push(poolPages);
    this.#stored.push(stored);
    this.#compressed.push(compressed);
  }

  #halve(): void {
    const keep = (a: number[]) => a.filter((_v, i) => i % 2 === 1);
    this.#ops = keep(this.#ops);
    this.#pool = keep(this.#pool);
    this.#stored = keep(this.#stored);
    this.#compressed = keep(this.#compressed);
    this.#stride *= 2;
    this.#next = this.#ops[this.#ops.length - 1] + this.#stride;
  }
}
