// The handle table shared by the three pools (private to allocators/).
//
// The kernel's handles are addresses: a zbud object's own address, a z3fold slot in a
// `z3fold_buddy_slots` object, a zsmalloc 8-byte slab object holding the object's location. Here a
// handle is an index into this table plus a generation, so that a freed handle stays invalid (and
// `free()` can throw) until its slot has been reused 255 times. The table is four typed arrays,
// 9 bytes per handle (free slots are chained through `loc`); none of it is pool memory (the kernel's handle slabs are not in
// pool_total_size either).

import { AllocError } from "../registry/types.ts";
import { growInt32, growUint16, growUint8 } from "./_typed.ts";

/** Bits of a handle that hold the table index; the generation sits above them. */
const INDEX_BITS = 23;
const INDEX_MASK = (1 << INDEX_BITS) - 1;
/** Most live handles one pool can have (8,388,607). */
export const MAX_HANDLES = INDEX_MASK;

/**
 * Handle -> (location, aux, size). A handle is `generation << 23 | index` with generation 1..255,
 * so every handle is a positive 31-bit integer (it fits an Int32Array) and never 0.
 */
export class HandleTable {
  /**
   * Pool-specific location (a pfn-based code or a zspage id), >= 0; negative when the slot is
   * free: `-2 - next` chains the free slots (-1 ends the chain).
   */
  loc: Int32Array = new Int32Array(0);
  /** Pool-specific extra field (a zsmalloc object index). */
  aux: Uint16Array = new Uint16Array(0);
  /** The object's size in bytes as given to `malloc()`, less one (sizes are 1..65536). */
  sizeLess1: Uint16Array = new Uint16Array(0);
  /** Generation of each slot, 1..255. */
  gen: Uint8Array = new Uint8Array(0);
  /** Live handles. */
  live = 0;
  // The most recently freed slot (reused first), -1 when none.
  #freeHead = -1;
  #top = 0;

  /**
   * Take a slot for a new object; the caller sets `loc` and `aux` before the next call.
   * @param size The object's size in bytes.
   * @returns The slot index (not the handle: see `handleOf`).
   */
  take(size: number): number {
    let i = this.#freeHead;
    if (i >= 0) {
      this.#freeHead = -2 - this.loc[i];
    } else {
      i = this.#top;
      if (i >= MAX_HANDLES) {
        throw new AllocError(
          "ENOMEM",
          `Pool has ${MAX_HANDLES} live objects, the most its handle table holds`,
        );
      }
      if (i >= this.loc.length) this.#grow(i + 1);
      this.gen[i] = 1;
      this.#top = i + 1;
    }
    this.sizeLess1[i] = size - 1;
    this.loc[i] = 0; // live; the caller sets the real location
    this.live++;
    return i;
  }

  /**
   * The size of the object in slot `i`.
   * @param i A slot index.
   * @returns Its size in bytes.
   */
  sizeOf(i: number): number {
    return this.sizeLess1[i] + 1;
  }

  /**
   * The handle of slot `i`.
   * @param i A slot index from `take()`.
   * @returns The handle.
   */
  handleOf(i: number): number {
    return (this.gen[i] << INDEX_BITS) | i;
  }

  /**
   * The slot of a live handle.
   * @param h A handle.
   * @returns Its slot index.
   * @throws {RangeError} When `h` is not a live handle of this pool.
   */
  index(h: number): number {
    const i = h & INDEX_MASK;
    if (i < this.#top && this.loc[i] >= 0 && this.gen[i] === h >>> INDEX_BITS && (h | 0) === h) {
      return i;
    }
    throw new RangeError(
      `Handle ${h} is not a live handle of this pool (never allocated, or already freed)`,
    );
  }

  /**
   * Free slot `i`: its handle becomes invalid.
   * @param i A slot index.
   */
  release(i: number): void {
    this.loc[i] = -2 - this.#freeHead;
    this.#freeHead = i;
    const g = this.gen[i];
    this.gen[i] = g === 255 ? 1 : g + 1;
    this.live--;
  }

  /**
   * Every live handle, in slot order.
   * @returns The live handles.
   */
  *handles(): Generator<number> {
    for (let i = 0; i < this.#top; i++) {
      if (this.loc[i] >= 0) yield this.handleOf(i);
    }
  }

  #grow(min: number): void {
    this.loc = growInt32(this.loc, min, -1);
    this.aux = growUint16(this.aux, min);
    this.sizeLess1 = growUint16(this.sizeLess1, min);
    this.gen = growUint8(this.gen, min);
  }
}
