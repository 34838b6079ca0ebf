/**
 * Glue between a page generator and an access pattern: the `Workload` every content workload
 * returns.
 *
 * @module
 */

import type { Op, Workload } from "../registry/types.ts";
import { patternOps, type ResolvedPatternOptions } from "./patterns.ts";

/** Something that writes a page's bytes from its id. */
export interface PageFiller {
  /**
   * Write page `pageId` into `into` (one page). Deterministic: the same id gives the same bytes,
   * whatever was filled before.
   */
  fill(pageId: number, into: Uint8Array): void;
  /** Release files, if any. */
  close?(): void;
}

/**
 * A workload whose ops follow a pattern over `pages` offsets and whose pages come from `filler`.
 *
 * @param pages The number of offsets.
 * @param seed The workload seed.
 * @param pattern Resolved pattern options.
 * @param filler The page generator.
 * @returns The workload.
 */
export function contentWorkload(
  pages: number,
  seed: number,
  pattern: ResolvedPatternOptions,
  filler: PageFiller,
): Workload {
  return new ContentWorkload(patternOps(pages, seed, pattern), filler);
}

// A class, not an object of closures: hot call sites (the frontend's page generation) then call
// one shared method whatever the cell, so optimised code never embeds a cell's own objects and is
// not thrown away when a finished cell is collected.
class ContentWorkload implements Workload {
  readonly #ops: Iterable<Op>;
  readonly #filler: PageFiller;

  constructor(ops: Iterable<Op>, filler: PageFiller) {
    this.#ops = ops;
    this.#filler = filler;
  }

  ops(): Iterable<Op> {
    return this.#ops;
  }

  page(pageId: number, into: Uint8Array): void {
    this.#filler.fill(pageId, into);
  }

  close(): void {
    this.#filler.close?.();
  }
}

/**
 * Check the page size a workload is created with.
 *
 * @param pageSize Bytes per page.
 * @throws {RangeError} unless it is a power of two from 512 to 2^24.
 */
export function checkPageSize(pageSize: number): void {
  if (
    !Number.isInteger(pageSize) || pageSize < 512 || pageSize > 1 << 24 ||
    (pageSize & (pageSize - 1)) !== 0
  ) {
    throw new RangeError(`Page size ${pageSize} is not a power of two from 512 to 16777216`);
  }
}

/**
 * Fill `into` with one repeated 8-byte little-endian word `(lo, hi)` by doubling copies.
 *
 * @param into The page (a multiple of 8 bytes).
 * @param lo The word's low 32 bits.
 * @param hi The word's high 32 bits.
 */
export function fillWord(into: Uint8Array, lo: number, hi: number): void {
  into[0] = lo;
  into[1] = lo >>> 8;
  into[2] = lo >>> 16;
  into[3] = lo >>> 24;
  into[4] = hi;
  into[5] = hi >>> 8;
  into[6] = hi >>> 16;
  into[7] = hi >>> 24;
  const n = into.length;
  for (let have = 8; have < n; have *= 2) into.copyWithin(have, 0, Math.min(have, n - have));
}
