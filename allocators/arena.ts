/**
 * The simulated physical page allocator every pool takes its pages from.
 *
 * @module
 */

import { AllocError, type Arena } from "../registry/types.ts";
import { growInt32, growUint8 } from "./_typed.ts";
import { checkPageSize } from "./_page_size.ts";

/** Pages per backing `ArrayBuffer`: memory grows 256 pages at a time (1 MiB at 4 KiB pages). */
const PAGES_PER_CHUNK = 256;
const CHUNK_SHIFT = 8;

/** Options of {@link createArena}. */
export interface ArenaOptions {
  /** Most pages in use at once; `allocPage()` throws `ENOMEM` beyond it. Default: no limit. */
  limitPages?: number;
}

/**
 * Make an arena of `pageSize`-byte pages. Pages come one at a time with small page frame numbers
 * (pfns); a freed pfn is handed out again before any new one (last freed, first reused), so the
 * pfns a pool holds are not contiguous. Memory is a list of `ArrayBuffer` chunks of 256 pages,
 * added on demand, so a run uses as much as its peak.
 *
 * @param pageSize Bytes per page: 4096, 16384 or 65536.
 * @param options `limitPages`: most pages in use at once (default unlimited).
 * @returns A fresh arena with no page in use.
 * @throws {RangeError} For another page size or a limit that is not a positive integer.
 *
 * @example
 * ```ts
 * import { createArena } from "./arena.ts";
 * const arena = createArena(4096, { limitPages: 2 });
 * const pfn = arena.allocPage();
 * arena.page(pfn).fill(0xaa);
 * arena.freePage(pfn);
 * console.assert(arena.pagesInUse() === 0 && arena.peakPages() === 1);
 * ```
 */
export function createArena(pageSize: number, options: ArenaOptions = {}): Arena {
  checkPageSize(pageSize, "The arena");
  const limit = options.limitPages ?? Infinity;
  if (limit !== Infinity && !(Number.isInteger(limit) && limit > 0)) {
    throw new RangeError(
      `Arena page limit ${JSON.stringify(limit)} is not a positive integer (omit it for no limit)`,
    );
  }
  return new SimArena(pageSize, limit);
}

class SimArena implements Arena {
  readonly pageSize: number;
  readonly limitPages: number;
  #chunks: ArrayBuffer[] = [];
  #inUse: Uint8Array = new Uint8Array(0);
  #free: Int32Array = new Int32Array(0);
  #nfree = 0;
  #top = 0;
  #used = 0;
  #peak = 0;

  constructor(pageSize: number, limitPages: number) {
    this.pageSize = pageSize;
    this.limitPages = limitPages;
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
      if ((pfn >> CHUNK_SHIFT) >= this.#chunks.length) {
        this.#chunks.push(new ArrayBuffer(PAGES_PER_CHUNK * this.pageSize));
      }
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
    return new Uint8Array(
      this.#chunks[pfn >> CHUNK_SHIFT],
      (pfn & (PAGES_PER_CHUNK - 1)) * this.pageSize,
      this.pageSize,
    );
  }

  pagesInUse(): number {
    return this.#used;
  }

  peakPages(): number {
    return this.#peak;
  }

  #check(pfn: number): void {
    if (!(pfn >= 0 && pfn < this.#top && this.#inUse[pfn] === 1)) {
      throw new RangeError(`Page ${pfn} is not in use in this arena`);
    }
  }
}
