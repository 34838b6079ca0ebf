/**
 * The simulated physical page allocator every pool takes its pages from.
 *
 * @module
 */

import type { Arena } from "../registry/types.ts";
import { checkPageSize } from "./_page_size.ts";
import { SimArena } from "./_sim_arena.ts";

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
 * import assert from "node:assert/strict";
 * import { createArena } from "./arena.ts";
 * const arena = createArena(4096, { limitPages: 2 });
 * const pfn = arena.allocPage();
 * arena.page(pfn).fill(0xaa);
 * arena.freePage(pfn);
 * assert.ok(arena.pagesInUse() === 0 && arena.peakPages() === 1);
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

/**
 * Back the next `spare` pages of an arena made by {@link createArena} with memory the process has
 * already written, so the page faults of fresh memory happen now rather than inside the next
 * timed store. The zswap frontend calls this between operations. A no-op for other arenas.
 *
 * @param arena The arena.
 * @param spare Pages past the highest page handed out so far (at least one chunk of 256 is
 * prepared at a time; never past the arena's limit).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createArena, prefaultArena } from "./arena.ts";
 * const arena = createArena(4096);
 * prefaultArena(arena, 64);
 * assert.equal(arena.pagesInUse(), 0);
 * ```
 */
export function prefaultArena(arena: Arena, spare: number): void {
  if (arena instanceof SimArena) arena.prefault(spare);
}

/**
 * Give back the memory of an arena made by {@link createArena} once nothing uses its pages any
 * more (a finished cell): every page is dropped and the arena is empty. A no-op for other arenas.
 *
 * @param arena The arena.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createArena, releaseArena } from "./arena.ts";
 * const arena = createArena(4096);
 * arena.allocPage();
 * releaseArena(arena);
 * assert.equal(arena.pagesInUse(), 0);
 * ```
 */
export function releaseArena(arena: Arena): void {
  if (arena instanceof SimArena) arena.release();
}
