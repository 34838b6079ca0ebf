/**
 * zbud: at most two objects ("buddies") per page, FIRST right after a one-chunk header and LAST
 * right-justified at the end of the page. Mappings are direct page addresses, so the caller may
 * sleep while mapped (`sleepMapped: true`, zpool_driver.sleep_mapped from 5.12).
 *
 * Allocation (mm/zbud.c, 5.10-6.14): `chunks = ceil(size / CHUNK_SIZE)`; the unbuddied lists are
 * indexed by free chunks and scanned from `chunks` up, taking the head (most recently added) page
 * of the first non-empty list, FIRST if free else LAST; else a new page, FIRST. A page whose two
 * buddies are free goes back to the arena at once.
 *
 * `stats()`: `pages`, `objects`, `buddiedPages`, `unbuddiedPages`, `unbuddied` (pages per list,
 * by free chunks), `freeChunks`, `chunkSize`.
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
import { growUint8 } from "./_typed.ts";
import { parsePluginOptions } from "../registry/errors.ts";

// zbud takes no options: an empty strict object (or nothing).
const ZbudOptionsSchema = z.object({}).strict();

/** mm/zbud.c: NCHUNKS_ORDER 6, so a page is 64 chunks of PAGE_SIZE >> 6 bytes. */
export const ZBUD_NCHUNKS_ORDER = 6;

/** The geometry of zbud at one page size (what `cli inspect zbud` prints). */
export interface ZbudGeometry {
  /** Bytes per page. */
  pageSize: number;
  /** CHUNK_SIZE = PAGE_SIZE >> 6: 64 bytes at 4K. */
  chunkSize: number;
  /** ZHDR_SIZE_ALIGNED: the 48-byte zbud_header rounded up to one chunk. */
  headerBytes: number;
  /** NCHUNKS: usable chunks per page, 63. */
  chunks: number;
  /** Largest object: PAGE_SIZE - header - one chunk = 3968 at 4K. */
  maxObjectBytes: number;
}

/**
 * zbud's derived constants for a page size (mm/zbud.c, 5.10-6.14).
 *
 * @param pageSize Bytes per page: 4096, 16384 or 65536.
 * @returns The geometry.
 * @throws {RangeError} For another page size.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zbudGeometry } from "./zbud.ts";
 * assert.equal(zbudGeometry(4096).maxObjectBytes, 3968);
 * ```
 */
export function zbudGeometry(pageSize: number): ZbudGeometry {
  checkPageSize(pageSize, "zbud");
  const chunkSize = pageSize >> ZBUD_NCHUNKS_ORDER;
  // sizeof(struct zbud_header) is 48 on x86_64: one chunk at every modelled page size.
  const headerBytes = chunkSize;
  return {
    pageSize,
    chunkSize,
    headerBytes,
    chunks: (pageSize - headerBytes) / chunkSize,
    maxObjectBytes: pageSize - headerBytes - chunkSize,
  };
}

const FIRST = 0;
const LAST = 1;

/**
 * The zbud pool. Per pfn: chunks of FIRST and LAST, and links of the unbuddied list the page is
 * on. A handle's location is `pfn * 2 + bud`.
 */
class ZbudPool implements Zpool {
  readonly #arena: Arena;
  readonly #bytes: PageBytes;
  readonly #pageSize: number;
  readonly #chunkShift: number;
  readonly #chunkSize: number;
  readonly #nchunks: number;
  readonly #max: number;
  readonly #handles = new HandleTable();
  // unbuddied[i]: pages with i free chunks, most recently added first.
  readonly #lists: PageLists;
  #first = new Uint8Array(0);
  #last = new Uint8Array(0);
  // Which unbuddied list the page is on, -1 for none (buddied).
  #pages = 0;

  constructor(arena: Arena, pageSize: number) {
    const g = zbudGeometry(pageSize);
    this.#arena = arena;
    this.#bytes = new PageBytes(arena);
    this.#pageSize = pageSize;
    this.#chunkSize = g.chunkSize;
    this.#chunkShift = Math.log2(g.chunkSize);
    this.#nchunks = g.chunks;
    this.#max = g.maxObjectBytes;
    this.#lists = new PageLists(g.chunks);
  }

  malloc(size: number): Handle {
    // mm/zbud.c: size > PAGE_SIZE - ZHDR_SIZE_ALIGNED - CHUNK_SIZE is -ENOSPC.
    checkMallocSize(size, this.#max, "zbud");
    // mm/zbud.c (6.1): 64-byte chunks, so 700 bytes take 11.
    const chunks = (size + this.#chunkSize - 1) >> this.#chunkShift;
    const hi = this.#handles.take(size);
    let pfn = -1;
    let bud = FIRST;
    // The smallest unbuddied list that fits, its most recently added page.
    for (let i = chunks; i < this.#nchunks; i++) {
      const head = this.#lists.heads[i];
      if (head >= 0) {
        pfn = head;
        this.#lists.unlink(pfn);
        bud = this.#first[pfn] === 0 ? FIRST : LAST;
        break;
      }
    }
    if (pfn < 0) {
      try {
        pfn = this.#arena.allocPage();
      } catch (err) {
        this.#handles.release(hi);
        throw err;
      }
      if (pfn >= this.#first.length) this.#grow(pfn + 1);
      this.#first[pfn] = 0;
      this.#last[pfn] = 0;
      this.#lists.list[pfn] = -1;
      this.#pages++;
    }
    if (bud === FIRST) this.#first[pfn] = chunks;
    else this.#last[pfn] = chunks;
    this.#handles.loc[hi] = pfn * 2 + bud;
    if (this.#first[pfn] === 0 || this.#last[pfn] === 0) this.#insert(pfn);
    return this.#handles.handleOf(hi);
  }

  free(handle: Handle): void {
    const hi = this.#handles.index(handle);
    const loc = this.#handles.loc[hi];
    this.#handles.release(hi);
    const pfn = loc >> 1;
    if ((loc & 1) === FIRST) this.#first[pfn] = 0;
    else this.#last[pfn] = 0;
    if (this.#lists.list[pfn] >= 0) this.#lists.unlink(pfn);
    if (this.#first[pfn] === 0 && this.#last[pfn] === 0) {
      // mm/zbud.c zbud_free: a page with both buddies free goes back at once.
      this.#arena.freePage(pfn);
      this.#pages--;
    } else {
      this.#insert(pfn);
    }
  }

  map(handle: Handle, _mode: MapMode, _cpu?: number): Uint8Array {
    const hi = this.#handles.index(handle);
    const loc = this.#handles.loc[hi];
    const start = this.#offset(loc);
    return this.#bytes.view(loc >> 1, start, start + this.#handles.sizeOf(hi));
  }

  unmap(handle: Handle, _cpu?: number): void {
    this.#handles.index(handle);
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
    return {
      pages: this.#pages,
      objects: this.#handles.live,
      buddiedPages: this.#pages - unbuddied,
      unbuddiedPages: unbuddied,
      unbuddied: lists,
      freeChunks,
      chunkSize: this.#chunkSize,
    };
  }

  *liveObjects(): Generator<[Handle, Uint8Array]> {
    for (const h of this.#handles.handles()) yield [h, this.map(h, "ro")];
  }

  // FIRST starts right after the header chunk; LAST ends at the end of the page.
  #offset(loc: number): number {
    const pfn = loc >> 1;
    if ((loc & 1) === FIRST) return this.#chunkSize;
    return this.#pageSize - (this.#last[pfn] << this.#chunkShift);
  }

  #insert(pfn: number): void {
    const i = this.#nchunks - this.#first[pfn] - this.#last[pfn];
    this.#lists.push(pfn, i);
  }

  #grow(min: number): void {
    this.#first = growUint8(this.#first, min);
    this.#last = growUint8(this.#last, min);
    this.#lists.grow(min);
  }
}

/**
 * The zbud allocator plugin (mm/zbud.c, 5.10-6.14). No options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createArena } from "./arena.ts";
 * import { zbudAllocator } from "./zbud.ts";
 * const arena = createArena(4096);
 * const pool = zbudAllocator.create({ arena, pageSize: 4096, cpus: 1, options: undefined });
 * pool.malloc(1000);
 * pool.malloc(2000);
 * assert.equal(pool.totalPages(), 1);
 * ```
 */
export const zbudAllocator: AllocatorPlugin = {
  kind: "allocator",
  name: "zbud",
  description: "Two objects per page, first and last buddy (mm/zbud.c, removed in 6.15)",
  optionsSchema: ZbudOptionsSchema,
  sleepMapped: true,
  create(env: AllocatorEnv): Zpool {
    checkPoolEnv(env, "zbud");
    parsePluginOptions("allocator", "zbud", ZbudOptionsSchema, env.options);
    return new ZbudPool(env.arena, env.pageSize);
  },
};
