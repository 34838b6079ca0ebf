/**
 * zsmalloc's size classes: the table `zs_create_pool()` builds, under the pages-per-zspage rule
 * of each kernel era, for 4, 16 and 64 KiB pages.
 *
 * @module
 */

import { checkPageSize } from "./_page_size.ts";

/** Which pages-per-zspage rule a pool follows. */
export type ZsmallocRule = "old" | "new";

/** mm/zsmalloc.c (all versions): every object is 8-byte aligned (ZS_ALIGN). */
export const ZS_ALIGN = 8;
/** mm/zsmalloc.c (all versions): the handle stored in front of each non-huge object. */
export const ZS_HANDLE_SIZE = 8;
/** mm/zsmalloc.c: CLASS_BITS, so the class delta is PAGE_SIZE >> 8. */
export const ZS_CLASS_BITS = 8;
/**
 * mm/zsmalloc.c (64-bit): ZS_MIN_ALLOC_SIZE = max(32, chain << PAGE_SHIFT >> OBJ_INDEX_BITS) is 32
 * for every modelled page size and chain (OBJ_INDEX_BITS is at least 27 on 64-bit).
 */
export const ZS_MIN_ALLOC_SIZE = 32;

/** One distinct size class, after merging. */
export interface SizeClass {
  /** The kernel's class index: the largest slot the class serves (its size is the slot's). */
  readonly index: number;
  /** Object size in bytes, handle included: `32 + index * delta`, at most the page size. */
  readonly size: number;
  /** Pages chained into one zspage. */
  readonly pagesPerZspage: number;
  /** Objects one zspage holds. */
  readonly objsPerZspage: number;
  /** Bytes left over at the end of each zspage. */
  readonly wasteBytes: number;
  /** One object per one-page zspage: the handle lives outside the object (no in-object header). */
  readonly huge: boolean;
  /** The lowest slot merged into this class. */
  readonly firstSlot: number;
  /** The highest slot merged into this class (equals `index`). */
  readonly lastSlot: number;
}

/** A pool's whole size-class table. */
export interface SizeClassTable {
  /** Bytes per page. */
  readonly pageSize: number;
  /** The pages-per-zspage rule. */
  readonly rule: ZsmallocRule;
  /** Most pages per zspage (ZS_MAX_PAGES_PER_ZSPAGE, or CONFIG_ZSMALLOC_CHAIN_SIZE from 6.3). */
  readonly chain: number;
  /** ZS_SIZE_CLASS_DELTA = PAGE_SIZE >> 8. */
  readonly delta: number;
  /** ZS_SIZE_CLASSES: the number of class slots. */
  readonly slots: number;
  /** The distinct classes, smallest first. */
  readonly classes: readonly SizeClass[];
  /** For each slot, the position in `classes` of the class that serves it. */
  readonly slotToClass: Uint16Array;
  /**
   * Size of the first non-huge class scanning down from the largest, or 0 when there is none;
   * zs_huge_class_size() is this minus 7: a length of at least that goes to a huge class.
   */
  readonly hugeWatermark: number;
}

/**
 * mm/zsmalloc.c (<= 6.2) get_pages_per_zspage: for i = 1..chain the integer used percentage of an
 * i-page zspage; the first i with the largest value wins. 208-byte class: 2 pages (99%).
 *
 * @param size Class size in bytes.
 * @param pageSize Bytes per page.
 * @param chain Most pages per zspage (4 in every kernel that used this rule).
 * @returns Pages per zspage.
 */
export function oldPagesPerZspage(size: number, pageSize: number, chain: number): number {
  let best = 0;
  let bestPages = 1;
  for (let i = 1; i <= chain; i++) {
    const bytes = i * pageSize;
    const used = Math.floor(((bytes - (bytes % size)) * 100) / bytes);
    if (used > best) {
      best = used;
      bestPages = i;
    }
  }
  return bestPages;
}

/**
 * mm/zsmalloc.c (>= 6.3) calculate_zspage_chain_size: a power-of-two size takes one page;
 * otherwise the smallest i in 1..chain with the least waste `i * PAGE_SIZE % size`.
 * 208-byte class, chain 8: 3 pages (16 bytes of waste).
 *
 * @param size Class size in bytes.
 * @param pageSize Bytes per page.
 * @param chain CONFIG_ZSMALLOC_CHAIN_SIZE, 4..16.
 * @returns Pages per zspage.
 */
export function newPagesPerZspage(size: number, pageSize: number, chain: number): number {
  if ((size & (size - 1)) === 0) return 1;
  let bestWaste = Infinity;
  let bestPages = 1;
  for (let i = 1; i <= chain; i++) {
    const waste = (i * pageSize) % size;
    if (waste < bestWaste) {
      bestWaste = waste;
      bestPages = i;
    }
  }
  return bestPages;
}

/**
 * Build the size-class table as zs_create_pool() does: slot i has size `32 + i * delta` (capped at
 * the page size); walking from the largest slot down, a slot whose (pages, objects) pair equals the
 * class made just before it is merged into that larger class.
 *
 * @param pageSize Bytes per page: 4096, 16384 or 65536.
 * @param options `rule` ("old": <= 6.2 used-percent rule; "new": >= 6.3 least-waste rule) and
 *   `chain` (most pages per zspage; the old kernels had 4, the new ones default to 8).
 * @returns The table.
 * @throws {RangeError} For another page size, or a chain outside 1..16.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildSizeClasses } from "./size_classes.ts";
 * const t = buildSizeClasses(4096, { rule: "old", chain: 4 });
 * assert.ok(t.classes.length === 69 && t.hugeWatermark === 3264);
 * ```
 */
export function buildSizeClasses(
  pageSize: number,
  options: { rule: ZsmallocRule; chain: number },
): SizeClassTable {
  checkPageSize(pageSize, "zsmalloc");
  const { rule, chain } = options;
  if (!(Number.isInteger(chain) && chain >= 1 && chain <= 16)) {
    throw new RangeError(`zsmalloc chain ${JSON.stringify(chain)} is not an integer in 1..16`);
  }
  const delta = pageSize >> ZS_CLASS_BITS;
  // mm/zsmalloc.c: ZS_SIZE_CLASSES = DIV_ROUND_UP(PAGE_SIZE - 32, delta) + 1: 255 at 4K, 257 at
  // 16K and 64K (the zspage's class field has CLASS_BITS + 1 bits for that reason).
  const slots = Math.ceil((pageSize - ZS_MIN_ALLOC_SIZE) / delta) + 1;
  const pagesFor = rule === "old" ? oldPagesPerZspage : newPagesPerZspage;
  const descending: SizeClass[] = [];
  const slotOwner = new Int32Array(slots);
  let hugeWatermark = 0;
  let prev: { pages: number; objs: number; index: number; size: number; first: number } | null =
    null;
  const close = (p: NonNullable<typeof prev>) => {
    descending.push({
      index: p.index,
      size: p.size,
      pagesPerZspage: p.pages,
      objsPerZspage: p.objs,
      wasteBytes: p.pages * pageSize - p.objs * p.size,
      huge: p.pages === 1 && p.objs === 1,
      firstSlot: p.first,
      lastSlot: p.index,
    });
  };
  for (let i = slots - 1; i >= 0; i--) {
    const size = Math.min(ZS_MIN_ALLOC_SIZE + i * delta, pageSize);
    const pages = pagesFor(size, pageSize, chain);
    const objs = Math.floor((pages * pageSize) / size);
    if (pages !== 1 && objs !== 1 && hugeWatermark === 0) hugeWatermark = size;
    if (prev !== null && prev.pages === pages && prev.objs === objs) {
      prev.first = i;
      slotOwner[i] = prev.index;
      continue;
    }
    if (prev !== null) close(prev);
    prev = { pages, objs, index: i, size, first: i };
    slotOwner[i] = i;
  }
  if (prev !== null) close(prev);
  const classes = descending.reverse();
  const position = new Map(classes.map((c, k) => [c.index, k]));
  const slotToClass = new Uint16Array(slots);
  for (let i = 0; i < slots; i++) slotToClass[i] = position.get(slotOwner[i])!;
  return { pageSize, rule, chain, delta, slots, classes, slotToClass, hugeWatermark };
}

/**
 * mm/zsmalloc.c get_size_class_index: the slot for an object of `bytes` (handle included):
 * 0 up to 32 bytes, else ceil((bytes - 32) / delta), capped at the last slot.
 *
 * @param table The pool's table.
 * @param bytes Object bytes including the 8-byte handle.
 * @returns The slot index.
 */
export function slotForBytes(table: SizeClassTable, bytes: number): number {
  if (bytes <= ZS_MIN_ALLOC_SIZE) return 0;
  return Math.min(table.slots - 1, Math.ceil((bytes - ZS_MIN_ALLOC_SIZE) / table.delta));
}

/**
 * The class zs_malloc() uses for a `length`-byte allocation: it adds the 8-byte handle before the
 * lookup, so 25 bytes already need the 48-byte class at 4K.
 *
 * @param table The pool's table.
 * @param length The length passed to malloc.
 * @returns The class.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildSizeClasses, classForLength } from "./size_classes.ts";
 * const t = buildSizeClasses(4096, { rule: "new", chain: 8 });
 * assert.equal(classForLength(t, 1560).size, 1568);
 * ```
 */
export function classForLength(table: SizeClassTable, length: number): SizeClass {
  return table.classes[table.slotToClass[slotForBytes(table, length + ZS_HANDLE_SIZE)]];
}
