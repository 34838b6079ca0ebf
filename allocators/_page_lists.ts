/**
 * Lists of pages indexed by free space, as zbud's and z3fold's `unbuddied[]` arrays: doubly
 * linked through typed arrays (no object per page), new pages inserted at the head.
 *
 * @module
 */
import { growInt32, growInt8 } from "./_typed.ts";

/** `count` head-inserted lists of page frame numbers; a page is on at most one list. */
export class PageLists {
  /** First page of each list, -1 when empty. */
  readonly heads: Int32Array;
  /** The list each page is on, -1 when on none. */
  list: Int8Array = new Int8Array(0);
  /** The next page on the same list, -1 at the end. */
  next: Int32Array = new Int32Array(0);
  #prev = new Int32Array(0);

  /** @param count Number of lists (at most 127: list indices are stored as bytes). */
  constructor(count: number) {
    this.heads = new Int32Array(count).fill(-1);
  }

  /** Make room for page frame numbers below `min`; new pages are on no list. */
  grow(min: number): void {
    this.list = growInt8(this.list, min, -1);
    this.#prev = growInt32(this.#prev, min);
    this.next = growInt32(this.next, min);
  }

  /** Put `pfn` at the head of list `i` (mm/zbud.c, mm/z3fold.c: list_add, most recent first). */
  push(pfn: number, i: number): void {
    const head = this.heads[i];
    this.list[pfn] = i;
    this.#prev[pfn] = -1;
    this.next[pfn] = head;
    if (head >= 0) this.#prev[head] = pfn;
    this.heads[i] = pfn;
  }

  /** Take `pfn` off its list (it must be on one). */
  unlink(pfn: number): void {
    const prev = this.#prev[pfn];
    const next = this.next[pfn];
    if (prev >= 0) this.next[prev] = next;
    else this.heads[this.list[pfn]] = next;
    if (next >= 0) this.#prev[next] = prev;
    this.list[pfn] = -1;
  }
}
