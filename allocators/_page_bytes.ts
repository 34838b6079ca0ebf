// Views and copies of page bytes for the pools (private to allocators/). Over the arena of
// createArena() they make one typed array per view (or none per copy) instead of a page view and
// then a subarray of it; over any other Arena they use its page() views.

import type { Arena } from "../registry/types.ts";
import { SimArena } from "./_sim_arena.ts";

/** Page byte access for one pool. */
export class PageBytes {
  readonly #arena: Arena;
  readonly #sim: SimArena | null;

  /** @param arena The pool's arena. */
  constructor(arena: Arena) {
    this.#arena = arena;
    this.#sim = arena instanceof SimArena ? arena : null;
  }

  /**
   * Bytes `start..end` of page `pfn`.
   * @param pfn A page in use.
   * @param start First byte, within the page.
   * @param end One past the last byte, within the page.
   * @returns A view of those bytes.
   */
  view(pfn: number, start: number, end: number): Uint8Array {
    const sim = this.#sim;
    if (sim !== null) return sim.bytes(pfn, start, end);
    return this.#arena.page(pfn).subarray(start, end);
  }

  /**
   * Copy bytes between (or within) pages; overlapping ranges are copied as by `copyWithin`.
   * @param toPfn Destination page.
   * @param to Destination offset in it.
   * @param fromPfn Source page.
   * @param from Source offset in it.
   * @param length Bytes to copy.
   */
  copy(toPfn: number, to: number, fromPfn: number, from: number, length: number): void {
    const sim = this.#sim;
    if (sim !== null) {
      sim.copy(toPfn, to, fromPfn, from, length);
    } else if (toPfn === fromPfn) {
      this.#arena.page(toPfn).copyWithin(to, from, from + length);
    } else {
      this.#arena.page(toPfn).set(this.#arena.page(fromPfn).subarray(from, from + length), to);
    }
  }

  /**
   * Copy bytes of page `pfn` into `dst` at `at`.
   * @param pfn Source page.
   * @param start First byte.
   * @param end One past the last byte.
   * @param dst Destination.
   * @param at Offset in `dst`.
   */
  read(pfn: number, start: number, end: number, dst: Uint8Array, at: number): void {
    dst.set(this.view(pfn, start, end), at);
  }

  /**
   * Copy `src[from..to]` into page `pfn` at `start`.
   * @param pfn Destination page.
   * @param start Offset in the page.
   * @param src Source bytes.
   * @param from First source byte.
   * @param to One past the last source byte.
   */
  write(pfn: number, start: number, src: Uint8Array, from: number, to: number): void {
    this.view(pfn, start, start + (to - from)).set(
      from === 0 && to === src.length ? src : src.subarray(from, to),
    );
  }
}
