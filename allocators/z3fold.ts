/**
 * z3fold: up to three objects per page (FIRST after a two-chunk header, MIDDLE, LAST
 * right-justified) plus headless pages for objects too big to share. Mappings are direct page
 * addresses, so the caller may sleep while mapped (`sleepMapped: true`).
 *
 * Modelling choices (mm/z3fold.c, 5.10-6.14):
 * - One CPU's unbuddied lists. The kernel keeps one set per CPU and prefers the allocating CPU's;
 *   with one set, every page is "this CPU's", which is what a 1-CPU kernel does (the 6.1 oracle
 *   ran with `-smp 1`).
 * - The page compaction the kernel queues after a free (`compact_page_work`) runs synchronously,
 *   inside `free()`: a lone remaining object moves into another existing unbuddied page (never a
 *   new one) and its page is released; otherwise the middle object slides (only middle left ->
 *   becomes FIRST; a gap of at least 3 chunks next to it -> slides against its neighbour). Neither
 *   happens while the page has a mapped object (the middle move: while the middle is mapped).
 * - The header is the x86_64 `struct z3fold_header` without lock debugging: 88 bytes, so two
 *   64-byte chunks at 4K (62 usable) and one chunk at 16K and 64K (63 usable).
 *
 * `stats()`: `pages` (headless included), `headlessPages`, `objects`, `unbuddiedPages`,
 * `unbuddied` (pages per list, by free chunks), `freeChunks`, `foreignObjects` (objects living in
 * a page other than their handle's, after a lone-buddy move), `chunkSize`.
 *
 * @module
 */

import { z } from "zod";
import type {
  AllocatorEnv,
  AllocatorPlugin,
  Arena,
  Handle,
  MapMode,
  Zpool,
} from "../registry/types.ts";
import { HandleTable } from "./_handles.ts";
import { PageBytes } from "./_page_bytes.ts";
import { PageLists } from "./_page_lists.ts";
import { checkMallocSize, checkPoolEnv } from "./_checks.ts";
import { checkPageSize } from "./_page_size.ts";
import { growInt32, growUint8 } from "./_typed.ts";
import { parsePluginOptions } from "../registry/errors.ts";

/** z3fold's options. */
const Z3foldOptionsSchema = z.object({
  /**
   * `at-free` (default): the compaction the kernel queues after a free runs inside `free()`;
   * `queued`: as the kernel's compaction workqueue, it runs at the next `drain()` (the frontend
   * drains after every op), in the order the pages were queued, a page queued once.
   */
  compaction: z.enum(["at-free", "queued"]).default("at-free").describe(
    "When the compaction the kernel queues after a free runs: at-free (inside free()) or queued " +
      "(at the next store's first sleeping allocation, as the kernel's workqueue)",
  ),
}).strict();

/** sizeof(struct z3fold_header) on x86_64 without lockdep or spinlock debugging. */
export const Z3FOLD_HEADER_STRUCT_BYTES = 88;
/** mm/z3fold.c: a middle object is only moved when that gains at least 3 chunks. */
export const Z3FOLD_BIG_CHUNK_GAP = 3;

/** The geometry of z3fold at one page size (what `cli inspect z3fold` prints). */
export interface Z3foldGeometry {
  /** Bytes per page. */
  pageSize: number;
  /** CHUNK_SIZE = PAGE_SIZE >> 6: 64 bytes at 4K. */
  chunkSize: number;
  /** ZHDR_SIZE_ALIGNED: the 88-byte header rounded up to whole chunks (128 at 4K). */
  headerBytes: number;
  /** ZHDR_CHUNKS: chunks the header takes (2 at 4K, 1 at 16K and 64K). */
  headerChunks: number;
  /** NCHUNKS: usable chunks per page (62 at 4K). */
  chunks: number;
  /** Objects above this many bytes get a headless page of their own (3904 at 4K). */
  headlessAbove: number;
  /** Largest object: the page size. */
  maxObjectBytes: number;
}

/**
 * z3fold's derived constants for a page size.
 *
 * @param pageSize Bytes per page: 4096, 16384 or 65536.
 * @returns The geometry.
 * @throws {RangeError} For another page size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z3foldGeometry } from "./z3fold.ts";
 * const g = z3foldGeometry(4096);
 * assert.ok(g.chunks === 62 && g.headlessAbove === 3904);
 * ```
 */
export function z3foldGeometry(pageSize: number): Z3foldGeometry {
  checkPageSize(pageSize, "z3fold");
  const chunkSize = pageSize >> 6;
  const headerChunks = Math.ceil(Z3FOLD_HEADER_STRUCT_BYTES / chunkSize);
  const headerBytes = headerChunks * chunkSize;
  return {
    pageSize,
    chunkSize,
    headerBytes,
    headerChunks,
    chunks: 64 - headerChunks,
    headlessAbove: pageSize - headerBytes - chunkSize,
    maxObjectBytes: pageSize,
  };
}

const HEADLESS = 0;
const FIRST = 1;
const MIDDLE = 2;
const LAST = 3;
const TOTAL_CHUNKS = 64;

/**
 * The z3fold pool. Per pfn: chunks of each buddy, the middle's start chunk, mapped and foreign
 * counts, unbuddied-list links, and the handle in each buddy slot. A handle's location is
 * `pfn * 4 + bud` (bud 0 = headless).
 */
class Z3foldPool implements Zpool {
  readonly #arena: Arena;
  readonly #bytes: PageBytes;
  readonly #pageSize: number;
  readonly #chunkShift: number;
  readonly #chunkSize: number;
  readonly #zhdrChunks: number;
  readonly #nchunks: number;
  readonly #headlessAbove: number;
  readonly #handles = new HandleTable();
  readonly #lists: PageLists;
  #first = new Uint8Array(0);
  #middle = new Uint8Array(0);
  #last = new Uint8Array(0);
  #startMiddle = new Uint8Array(0);
  #mapped = new Uint8Array(0);
  #middleMapped = new Uint8Array(0);
  // Bit (1 << bud) set: that object came from another page (a "foreign handle").
  #foreignMask = new Uint8Array(0);
  // pfn * 3 + bud - 1 -> handle of that buddy (0 when empty); headless pages need none.
  #budHandle = new Int32Array(0);
  #pages = 0;
  #headlessPages = 0;
  readonly #queued: boolean;
  /** Pages waiting for compaction (NEEDS_COMPACTING), in queue order. */
  #pending: number[] = [];
  #isPending = new Uint8Array(0);

  constructor(arena: Arena, pageSize: number, queued = false) {
    this.#queued = queued;
    const g = z3foldGeometry(pageSize);
    this.#arena = arena;
    this.#bytes = new PageBytes(arena);
    this.#pageSize = pageSize;
    this.#chunkSize = g.chunkSize;
    this.#chunkShift = Math.log2(g.chunkSize);
    this.#zhdrChunks = g.headerChunks;
    this.#nchunks = g.chunks;
    this.#headlessAbove = g.headlessAbove;
    this.#lists = new PageLists(g.chunks);
  }

  malloc(size: number): Handle {
    checkMallocSize(size, this.#pageSize, "z3fold");
    const hi = this.#handles.take(size);
    const h = this.#handles.handleOf(hi);
    // mm/z3fold.c: above PAGE_SIZE - ZHDR_SIZE_ALIGNED - CHUNK_SIZE (3904 at 4K), a headless page.
    if (size > this.#headlessAbove) {
      const pfn = this.#newPage(hi);
      this.#headlessPages++;
      this.#handles.loc[hi] = pfn * 4 + HEADLESS;
      return h;
    }
    const chunks = (size + this.#chunkSize - 1) >> this.#chunkShift;
    let pfn = this.#takeUnbuddied(chunks);
    let bud = FIRST;
    if (pfn >= 0) {
      bud = this.#freeBuddy(pfn, chunks);
      if (bud === HEADLESS) {
        this.#addToUnbuddied(pfn);
        this.#handles.release(hi);
        throw new Error(`z3fold page ${pfn} was on an unbuddied list with no room (a model bug)`);
      }
    } else {
      pfn = this.#newPage(hi);
    }
    this.#place(pfn, bud, chunks, h, hi, 0);
    this.#addToUnbuddied(pfn);
    return h;
  }

  free(handle: Handle): void {
    const hi = this.#handles.index(handle);
    const loc = this.#handles.loc[hi];
    this.#handles.release(hi);
    const pfn = loc >> 2;
    const bud = loc & 3;
    if (bud === HEADLESS) {
      this.#headlessPages--;
      this.#releasePage(pfn);
      return;
    }
    this.#budHandle[pfn * 3 + bud - 1] = 0;
    if (bud === FIRST) this.#first[pfn] = 0;
    else if (bud === MIDDLE) this.#middle[pfn] = 0;
    else this.#last[pfn] = 0;
    // free_handle: a foreign handle no longer counts against its page.
    this.#foreignMask[pfn] &= ~(1 << bud);
    if (this.#queued) {
      // mm/z3fold.c (D5.10) z3fold_free: the page stays on its list; a page queued for
      // compaction already (NEEDS_COMPACTING) is left to the work, which also holds a reference
      // (an emptied page is released when the work runs); else an emptied page goes at once and
      // any other is queued on the compaction workqueue.
      if (this.#isPending[pfn]) return;
      if (this.#first[pfn] === 0 && this.#middle[pfn] === 0 && this.#last[pfn] === 0) {
        if (this.#lists.list[pfn] >= 0) this.#lists.unlink(pfn);
        this.#releasePage(pfn);
        return;
      }
      this.#isPending[pfn] = 1;
      this.#pending.push(pfn);
      return;
    }
    if (this.#lists.list[pfn] >= 0) this.#lists.unlink(pfn);
    if (this.#first[pfn] === 0 && this.#middle[pfn] === 0 && this.#last[pfn] === 0) {
      this.#releasePage(pfn);
      return;
    }
    // do_compact_page, run at once instead of from the compaction workqueue.
    if (
      this.#foreignMask[pfn] === 0 && this.#mapped[pfn] === 0 && this.#buddySingle(pfn) &&
      this.#compactSingleBuddy(pfn)
    ) {
      return;
    }
    this.#compactPage(pfn);
    this.#addToUnbuddied(pfn);
  }

  /**
   * Run the queued compactions (mm/z3fold.c, D5.10 do_compact_page), oldest first: off its list,
   * released if empty, else the lone-buddy move or the middle slide, and back on a list.
   */
  drain(): void {
    const pending = this.#pending;
    for (let i = 0; i < pending.length; i++) {
      const pfn = pending[i];
      this.#isPending[pfn] = 0;
      if (this.#lists.list[pfn] >= 0) this.#lists.unlink(pfn);
      if (this.#first[pfn] === 0 && this.#middle[pfn] === 0 && this.#last[pfn] === 0) {
        this.#releasePage(pfn);
        continue;
      }
      if (
        this.#foreignMask[pfn] === 0 && this.#mapped[pfn] === 0 && this.#buddySingle(pfn) &&
        this.#compactSingleBuddy(pfn)
      ) {
        continue;
      }
      this.#compactPage(pfn);
      this.#addToUnbuddied(pfn);
    }
    pending.length = 0;
  }

  map(handle: Handle, _mode: MapMode, _cpu?: number): Uint8Array {
    const hi = this.#handles.index(handle);
    const loc = this.#handles.loc[hi];
    const pfn = loc >> 2;
    const bud = loc & 3;
    if (bud !== HEADLESS) {
      if (this.#mapped[pfn] < 255) this.#mapped[pfn]++;
      if (bud === MIDDLE) this.#middleMapped[pfn] = 1;
    }
    const start = this.#offset(pfn, bud);
    return this.#bytes.view(pfn, start, start + this.#handles.sizeOf(hi));
  }

  unmap(handle: Handle, _cpu?: number): void {
    const hi = this.#handles.index(handle);
    const loc = this.#handles.loc[hi];
    const pfn = loc >> 2;
    const bud = loc & 3;
    if (bud === HEADLESS) return;
    if (bud === MIDDLE) this.#middleMapped[pfn] = 0;
    if (this.#mapped[pfn] > 0) this.#mapped[pfn]--;
  }

  totalPages(): number {
    return this.#pages;
  }

  stats(): Record<string, unknown> {
    let unbuddied = 0;
    let freeChunks = 0;
    const lists = new Array<number>(this.#nchunks).fill(0);
    for (let i = 0; i < this.#nchunks; i++) {
      for (let p = this.#lists.heads[i]; p >= 0; p = this.#lists.next[p]) {
        unbuddied++;
        freeChunks += i;
        lists[i]++;
      }
    }
    let foreign = 0;
    for (const h of this.#handles.handles()) {
      const loc = this.#handles.loc[this.#handles.index(h)];
      if (this.#foreignMask[loc >> 2] & (1 << (loc & 3))) foreign++;
    }
    return {
      pages: this.#pages,
      headlessPages: this.#headlessPages,
      objects: this.#handles.live,
      unbuddiedPages: unbuddied,
      unbuddied: lists,
      freeChunks,
      foreignObjects: foreign,
      chunkSize: this.#chunkSize,
    };
  }

  *liveObjects(): Generator<[Handle, Uint8Array]> {
    for (const h of this.#handles.handles()) {
      const hi = this.#handles.index(h);
      const loc = this.#handles.loc[hi];
      const start = this.#offset(loc >> 2, loc & 3);
      yield [h, this.#arena.page(loc >> 2).subarray(start, start + this.#handles.sizeOf(hi))];
    }
  }

  // --- placement ---------------------------------------------------------------------------------

  #offset(pfn: number, bud: number): number {
    if (bud === FIRST) return this.#zhdrChunks << this.#chunkShift;
    if (bud === MIDDLE) return this.#startMiddle[pfn] << this.#chunkShift;
    if (bud === LAST) return this.#pageSize - (this.#last[pfn] << this.#chunkShift);
    return 0;
  }

  #newPage(hi: number): number {
    let pfn: number;
    try {
      pfn = this.#arena.allocPage();
    } catch (err) {
      this.#handles.release(hi);
      throw err;
    }
    if (pfn >= this.#first.length) this.#grow(pfn + 1);
    this.#first[pfn] = 0;
    this.#middle[pfn] = 0;
    this.#last[pfn] = 0;
    this.#startMiddle[pfn] = 0;
    this.#mapped[pfn] = 0;
    this.#middleMapped[pfn] = 0;
    this.#foreignMask[pfn] = 0;
    this.#lists.list[pfn] = -1;
    this.#pages++;
    return pfn;
  }

  #releasePage(pfn: number): void {
    this.#arena.freePage(pfn);
    this.#pages--;
  }

  // Put object `hi` (handle `h`, `chunks` long) in buddy slot `bud` of page `pfn`.
  #place(
    pfn: number,
    bud: number,
    chunks: number,
    h: number,
    hi: number,
    foreign: number,
  ): void {
    if (bud === FIRST) {
      this.#first[pfn] = chunks;
    } else if (bud === LAST) {
      this.#last[pfn] = chunks;
    } else {
      // A new middle object goes right after FIRST.
      this.#middle[pfn] = chunks;
      this.#startMiddle[pfn] = this.#first[pfn] + this.#zhdrChunks;
    }
    this.#budHandle[pfn * 3 + bud - 1] = h;
    if (foreign) this.#foreignMask[pfn] |= 1 << bud;
    this.#handles.loc[hi] = pfn * 4 + bud;
  }

  // mm/z3fold.c get_free_buddy: with a middle, FIRST if empty and the gap before the middle fits,
  // else LAST if empty; without, FIRST, then LAST, then MIDDLE. HEADLESS means "no room".
  #freeBuddy(pfn: number, chunks: number): number {
    if (this.#middle[pfn] !== 0) {
      if (this.#first[pfn] === 0 && chunks <= this.#startMiddle[pfn] - this.#zhdrChunks) {
        return FIRST;
      }
      return this.#last[pfn] === 0 ? LAST : HEADLESS;
    }
    if (this.#first[pfn] === 0) return FIRST;
    if (this.#last[pfn] === 0) return LAST;
    return MIDDLE;
  }

  // mm/z3fold.c num_free_chunks: with a middle, the larger free gap next to it; else NCHUNKS less
  // FIRST and LAST.
  #numFreeChunks(pfn: number): number {
    if (this.#middle[pfn] !== 0) {
      const before = this.#first[pfn] !== 0 ? 0 : this.#startMiddle[pfn] - this.#zhdrChunks;
      const after = this.#last[pfn] !== 0
        ? 0
        : TOTAL_CHUNKS - (this.#startMiddle[pfn] + this.#middle[pfn]);
      return Math.max(before, after);
    }
    return this.#nchunks - this.#first[pfn] - this.#last[pfn];
  }

  #buddySingle(pfn: number): boolean {
    const f = this.#first[pfn] !== 0;
    const m = this.#middle[pfn] !== 0;
    const l = this.#last[pfn] !== 0;
    return !((f && m) || (f && l) || (m && l));
  }

  // --- unbuddied lists ---------------------------------------------------------------------------

  // mm/z3fold.c __z3fold_alloc: the first non-empty list from `chunks` up, its head, taken off.
  #takeUnbuddied(chunks: number): number {
    for (let i = chunks; i < this.#nchunks; i++) {
      let pfn = this.#lists.heads[i];
      while (pfn >= 0 && this.#isPending[pfn]) {
        // mm/z3fold.c (D5.10) __z3fold_alloc: a page queued for compaction is taken off its
        // list and passed over; its compaction puts it back.
        this.#lists.unlink(pfn);
        pfn = this.#lists.heads[i];
      }
      if (pfn >= 0) {
        this.#lists.unlink(pfn);
        return pfn;
      }
    }
    return -1;
  }

  // mm/z3fold.c add_to_unbuddied: a page with an empty buddy slot goes to the head of the list
  // of its free chunks.
  #addToUnbuddied(pfn: number): void {
    if (this.#first[pfn] !== 0 && this.#middle[pfn] !== 0 && this.#last[pfn] !== 0) return;
    const i = this.#numFreeChunks(pfn);
    this.#lists.push(pfn, i);
  }

  // --- compaction after a free -------------------------------------------------------------------

  // mm/z3fold.c compact_single_buddy: move the page's only object into another unbuddied page
  // (taken as an allocation of its chunk-rounded size would take it) and release this page.
  #compactSingleBuddy(pfn: number): boolean {
    const bud = this.#first[pfn] !== 0 ? FIRST : this.#middle[pfn] !== 0 ? MIDDLE : LAST;
    const chunks = bud === FIRST
      ? this.#first[pfn]
      : bud === MIDDLE
      ? this.#middle[pfn]
      : this.#last[pfn];
    const target = this.#takeUnbuddied(chunks);
    if (target < 0) return false;
    const newBud = this.#freeBuddy(target, chunks);
    if (newBud === HEADLESS) {
      this.#addToUnbuddied(target);
      return false;
    }
    const h = this.#budHandle[pfn * 3 + bud - 1];
    const hi = this.#handles.index(h);
    const bytes = chunks << this.#chunkShift;
    const from = this.#offset(pfn, bud);
    this.#place(target, newBud, chunks, h, hi, 1);
    const to = this.#offset(target, newBud);
    this.#bytes.copy(target, to, pfn, from, bytes);
    this.#addToUnbuddied(target);
    this.#budHandle[pfn * 3 + bud - 1] = 0;
    this.#first[pfn] = 0;
    this.#middle[pfn] = 0;
    this.#last[pfn] = 0;
    this.#releasePage(pfn);
    return true;
  }

  // mm/z3fold.c z3fold_compact_page: only a middle left -> it becomes FIRST; FIRST present, LAST
  // empty and >= 3 free chunks between them -> slide the middle down against FIRST; LAST present,
  // FIRST empty and >= 3 free chunks -> slide it up against LAST. Never while the middle is mapped.
  #compactPage(pfn: number): void {
    const middle = this.#middle[pfn];
    if (this.#middleMapped[pfn] || middle === 0) return;
    const first = this.#first[pfn];
    const last = this.#last[pfn];
    const start = this.#startMiddle[pfn];
    if (first === 0 && last === 0) {
      this.#moveMiddle(pfn, this.#zhdrChunks);
      const h = this.#budHandle[pfn * 3 + MIDDLE - 1];
      this.#budHandle[pfn * 3 + MIDDLE - 1] = 0;
      this.#budHandle[pfn * 3 + FIRST - 1] = h;
      // The object keeps its handle slot (the kernel bumps first_num), so a foreign one stays so.
      if (this.#foreignMask[pfn] & (1 << MIDDLE)) this.#foreignMask[pfn] = 1 << FIRST;
      this.#handles.loc[this.#handles.index(h)] = pfn * 4 + FIRST;
      this.#first[pfn] = middle;
      this.#middle[pfn] = 0;
      this.#startMiddle[pfn] = 0;
      return;
    }
    if (first !== 0 && last === 0 && start - (first + this.#zhdrChunks) >= Z3FOLD_BIG_CHUNK_GAP) {
      this.#moveMiddle(pfn, first + this.#zhdrChunks);
    } else if (
      last !== 0 && first === 0 && TOTAL_CHUNKS - (last + start + middle) >= Z3FOLD_BIG_CHUNK_GAP
    ) {
      this.#moveMiddle(pfn, TOTAL_CHUNKS - last - middle);
    }
  }

  #moveMiddle(pfn: number, toChunk: number): void {
    const from = this.#startMiddle[pfn] << this.#chunkShift;
    const bytes = this.#middle[pfn] << this.#chunkShift;
    this.#bytes.copy(pfn, toChunk << this.#chunkShift, pfn, from, bytes);
    this.#startMiddle[pfn] = toChunk;
  }

  #grow(min: number): void {
    this.#first = growUint8(this.#first, min);
    this.#middle = growUint8(this.#middle, min);
    this.#last = growUint8(this.#last, min);
    this.#startMiddle = growUint8(this.#startMiddle, min);
    this.#mapped = growUint8(this.#mapped, min);
    this.#middleMapped = growUint8(this.#middleMapped, min);
    this.#foreignMask = growUint8(this.#foreignMask, min);
    this.#isPending = growUint8(this.#isPending, min);
    this.#lists.grow(min);
    this.#budHandle = growInt32(this.#budHandle, this.#first.length * 3);
  }
}

/**
 * The z3fold allocator plugin (mm/z3fold.c, 5.10-6.14; one CPU's lists). Option `compaction`:
 * `at-free` (default) or `queued` (compaction waits for `drain()`, as the kernel's workqueue).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createArena } from "./arena.ts";
 * import { z3foldAllocator } from "./z3fold.ts";
 * const arena = createArena(4096);
 * const pool = z3foldAllocator.create({ arena, pageSize: 4096, cpus: 1, options: {} });
 * pool.malloc(1000);
 * pool.malloc(2000);
 * pool.malloc(700);
 * assert.equal(pool.totalPages(), 1);
 * ```
 */
export const z3foldAllocator: AllocatorPlugin = {
  kind: "allocator",
  name: "z3fold",
  description: "Three objects per page plus headless pages (mm/z3fold.c, removed in 6.15)",
  optionsSchema: Z3foldOptionsSchema,
  sleepMapped: true,
  create(env: AllocatorEnv): Zpool {
    checkPoolEnv(env, "z3fold");
    const o = parsePluginOptions("allocator", "z3fold", Z3foldOptionsSchema, env.options);
    return new Z3foldPool(env.arena, env.pageSize, o.compaction === "queued");
  },
};
