/**
 * The zpool allocators, faithful to the Linux kernel's (kernel-zswap.md §3), and the simulated
 * page allocator they take pages from.
 *
 * - {@link createArena}: pages one at a time, not contiguous, with an optional limit.
 * - {@link zbudAllocator}: two objects per page (mm/zbud.c).
 * - {@link z3foldAllocator}: three objects per page plus headless pages (mm/z3fold.c).
 * - {@link zsmallocAllocator}: size classes over multi-page zspages (mm/zsmalloc.c), with the
 *   class rules of both eras (`{ rule: "old" }` for <= 6.2, `{ rule: "new", chain }` for >= 6.3).
 * - {@link buildSizeClasses}: zsmalloc's class table, as `cli inspect zsmalloc` prints it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { builtinAllocators, createArena } from "./mod.ts";
 * for (const plugin of builtinAllocators) {
 *   const arena = createArena(4096);
 *   const pool = plugin.create({ arena, pageSize: 4096, cpus: 1, options: {} });
 *   const h = pool.malloc(1000);
 *   pool.free(h);
 *   assert.equal(pool.totalPages(), 0);
 * }
 * ```
 *
 * @module
 */

import type { AllocatorPlugin } from "../registry/types.ts";
import { z3foldAllocator } from "./z3fold.ts";
import { zbudAllocator } from "./zbud.ts";
import { zsmallocAllocator } from "./zsmalloc.ts";

export { type ArenaOptions, createArena } from "./arena.ts";
export {
  buildSizeClasses,
  classForLength,
  newPagesPerZspage,
  oldPagesPerZspage,
  type SizeClass,
  type SizeClassTable,
  slotForBytes,
  ZS_ALIGN,
  ZS_CLASS_BITS,
  ZS_HANDLE_SIZE,
  ZS_MIN_ALLOC_SIZE,
  type ZsmallocRule,
} from "./size_classes.ts";
export { ZBUD_NCHUNKS_ORDER, zbudAllocator, type ZbudGeometry, zbudGeometry } from "./zbud.ts";
export {
  Z3FOLD_BIG_CHUNK_GAP,
  Z3FOLD_HEADER_STRUCT_BYTES,
  z3foldAllocator,
  type Z3foldGeometry,
  z3foldGeometry,
} from "./z3fold.ts";
export {
  type ResolvedZsmallocOptions,
  resolveZsmallocOptions,
  zsmallocAllocator,
  type ZsmallocClassStats,
  type ZsmallocOptions,
} from "./zsmalloc.ts";

/** The built-in zpool drivers: zbud, z3fold and zsmalloc. */
export const builtinAllocators: AllocatorPlugin[] = [
  zbudAllocator,
  z3foldAllocator,
  zsmallocAllocator,
];
