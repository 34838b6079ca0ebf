// The simulated page allocator behind createArena() (private to allocators/; arena.ts is the
// public face). Besides the Arena contract it offers the in-repo pools views and copies that make
// no page view first (one typed array or none per call instead of two), and the frontend a way to
// touch fresh memory between operations (prefault) and to give it back when a cell ends.

import { AllocError, type Arena } from "../registry/types.ts";
import { growInt32, growUint8 } from "./_typed.ts";

/** Pages per backing `ArrayBuffer`: memory grows 256 pages at a time (1 MiB at 4 KiB pages). */
export const PAGES_PER_CHUNK = 256;
const CHUNK_SHIFT = 8;
const CHUNK_MASK = PAGES_PER_CHUNK - 1;
/** The host's page: prefaulting writes one byte in each. */
const HOST_PAGE = 4096;

/** The arena of createArena(). */
export class SimArena implements Arena {
  readonly pageSize: number;
  readonly limitPages: number;
  readonly #pageShift: number;
  // One view per chunk, made once: page views and object views are subarrays of these.
  #chunks: Uint8Array[] = [];
  #inUse: Uint8Array = new Uint8Array(0);
  #free: Int32Array = new Int32Array(0);
  #nfree = 0;
  #top = 0;
  #used = 0;
  #peak = 0;
  // Chunks whose pages have all been written once (so the OS has backed them).
  #faulted = 0;

  constructor(pageSize: number, limitPages: number) {
    this.pageSize = pageSize;
    this.limitPages = limitPages;
    this.#pageShift = Math.log2(pageSize);
  }

  allocPage(): number {
    if (this.#used >= this.limitPages) {
      throw new AllocError(
        "ENOMEM",
        `Arena limit of ${this.limitPages} pages reached (raise the pool limit or the arena size)`,
      );
    }
    let pfn: number;
    if (this.#nfree > 0) {
      pfn = this.#free[--this.#nfree];
    } else {
      pfn = this.#top++;
      if ((pfn >> CHUNK_SHIFT) >= this.#chunks.length) this.#addChunk();
      if (pfn >= this.#inUse.length) {
        this.#inUse = growUint8(this.#inUse, pfn + 1);
        this.#free = growInt32(this.#free, this.#inUse.length);
      }
    }
    this.#inUse[pfn] = 1;
    if (++this.#used > this.#peak) this.#peak = this.#used;
    return pfn;
  }

  freePage(pfn: number): void {
    this.#check(pfn);
    this.#inUse[pfn] = 0;
    this.#free[this.#nfree++] = pfn;
    this.#used--;
  }

  page(pfn: number): Uint8Array {
    this.#check(pfn);
    const at = (pfn & CHUNK_MASK) << this.#pageShift;
    return this.#chunks[pfn >> CHUNK_SHIFT].subarray(at, at + this.pageSize);
  }

  pagesInUse(): number {
    return this.#used;
  }

  peakPages(): number {
    return this.#peak;
  }

  /**
   * Bytes `start..end` of page `pfn` (0 <= start <= end <= page size): the same view as
   * `page(pfn).subarray(start, end)`, made in one step.
   */
  bytes(pfn: number, start: number, end: number): Uint8Array {
    this.#check(pfn);
    const at = (pfn & CHUNK_MASK) << this.#pageShift;
    return this.#chunks[pfn >> CHUNK_SHIFT].subarray(at + start, at + end);
  }

  /** Copy `length` bytes from page `fromPfn` at `from` to page `toPfn` at `to` (may overlap). */
  copy(toPfn: number, to: number, fromPfn: number, from: number, length: number): void {
    this.#check(toPfn);
    this.#check(fromPfn);
    const dst = this.#chunks[toPfn >> CHUNK_SHIFT];
    const src = this.#chunks[fromPfn >> CHUNK_SHIFT];
    const t = ((toPfn & CHUNK_MASK) << this.#pageShift) + to;
    const f = ((fromPfn & CHUNK_MASK) << this.#pageShift) + from;
    if (dst === src) dst.copyWithin(t, f, f + length);
    else dst.set(src.subarray(f, f + length), t);
  }

  /**
   * Make sure at least `spare` pages past the highest page handed out are backed by memory the
   * process has written once, so first touches (page faults) do not land inside a timed
   * operation. Never goes past the page limit. Cheap when nothing is needed.
   */
  prefault(spare: number): void {
    const want = Math.min(this.#top + spare, this.limitPages);
    while (this.#faulted * PAGES_PER_CHUNK < want) {
      if (this.#faulted >= this.#chunks.length) this.#addChunk();
      const chunk = this.#chunks[this.#faulted++];
      // Write each host page's first byte (as it is: the chunk may already hold objects).
      for (let i = 0; i < chunk.length; i += HOST_PAGE) chunk[i] |= 0;
    }
  }

  /** Drop every page and the memory behind them (the cell is over); the arena is then empty. */
  release(): void {
    this.#chunks = [];
    this.#inUse = new Uint8Array(0);
    this.#free = new Int32Array(0);
    this.#nfree = 0;
    this.#top = 0;
    this.#used = 0;
    this.#faulted = 0;
  }

  #addChunk(): void {
    this.#chunks.push(new Uint8Array(PAGES_PER_CHUNK << this.#pageShift));
  }

  #check(pfn: number): void {
    if (!(pfn >= 0 && pfn < this.#top && this.#inUse[pfn] === 1)) {
      throw new RangeError(`Page ${pfn} is not in use in this arena`);
    }
  }
}
