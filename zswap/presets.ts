/**
 * Kernel presets: what each kernel version's zswap did, as plain data the frontend reads once per
 * cell. Facts and versions come from `kernel-zswap.md` §1–§2 (tags D5.10, D6.1, D6.12, D7.2, T, G,
 * PR6.x, RL); each field cites where it comes from.
 *
 * @module
 */

/** How the pool limit is compared (kernel-zswap.md §2). */
export type LimitRule = "old" | "new";

/** How a store that finds an entry at its offset treats the old one. */
export type DuplicateRule =
  /** frontswap invalidated the old entry before zswap saw the store; zswap counted nothing. */
  | "frontswap"
  /** zswap invalidated the old entry first and counted `duplicate_entry` (6.6 to 6.8). */
  | "invalidate-first"
  /** The new entry replaces the old one on insert; a failed store erases the old one (xarray). */
  | "replace";

/** What a shrink run tries to reach before it stops. */
export type ShrinkGoal =
  /** `zpool_shrink(pool, 1)`: free one allocator page (≤ 6.4). */
  | "one-page"
  /** Write back until the pool can accept again (6.5 on). */
  | "accept";

/** zsmalloc options a preset hands to the allocator when the user gave none. */
export interface PresetZsmallocOptions {
  /** Size-class rule: `old` (≤ 6.2 `get_pages_per_zspage`) or `new` (6.3 chain rule). */
  readonly rule: "old" | "new";
  /** Most pages per zspage (the new rule only). */
  readonly chain?: number;
}

/** One kernel version's zswap, as the frontend models it. */
export interface KernelPreset {
  /** The preset name, e.g. `6.1`. */
  readonly name: string;
  /** Default load strategy: one of the built-in strategy names, or `crypto-comp` (5.10 only). */
  readonly strategy: string;
  /** Strategy options merged under the user's, keyed by strategy name (e.g. the bounce GFP flag). */
  readonly strategyOptions: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** What protects the per-CPU compression buffer on store: preemption off or the CPU mutex. */
  readonly storeLock: "preempt" | "mutex";
  /**
   * How the store maps the new object: `rw` (zsmalloc copies a spanning object in before the
   * write) until Miaohe Lin's "mm/zswap.c: avoid unnecessary copy-in at map time" (May 2021, after
   * 5.12), `wo` since.
   */
  readonly storeMapMode: "rw" | "wo";
  /** Per-CPU buffer size in pages (the destination of compression and the bounce buffer). */
  readonly bufferPages: 1 | 2;
  /** Pages whose every 8-byte word is equal become value entries (length 0). */
  readonly sameFilled: boolean;
  /** All-zero pages bypass zswap (swap zeromap). */
  readonly zeroPages: boolean;
  /** zswap header bytes in front of the data, by allocator name (absent: 0). */
  readonly headerBytes: Readonly<Record<string, number>>;
  /** zsmalloc options for this version, used unless the user overrides them. */
  readonly zsmallocOptions: PresetZsmallocOptions;
  /** `reject_compress_fail` exists (compressor errors are counted). */
  readonly compressFailCounter: boolean;
  /** A compressor `ENOSPC` counts as `reject_compress_poor` (else as a compressor error). */
  readonly compressEnospcPoor: boolean;
  /** Counter for a zsmalloc object that is too big. */
  readonly zsmallocTooBig: "reject_alloc_fail" | "reject_compress_poor";
  /** Pages that do not compress below PAGE_SIZE are stored raw (length = PAGE_SIZE). */
  readonly storeIncompressible: boolean;
  /** How a store treats an existing entry at its offset. */
  readonly duplicates: DuplicateRule;
  /** Loads erase the entry (the folio is dirtied in the swap cache). */
  readonly exclusiveLoads: boolean;
  /**
   * Freed swap slots wait in the per-CPU slots cache, this many at most, and their zswap entries
   * stay stored until the batch is given back (0: an entry goes when its slot is freed). A slot
   * is freed when its page is discarded (an invalidate) or when a swapped-out page is written
   * again (the write fault drops the old slot; the next swap-out takes a new one).
   */
  readonly swapSlotsBatch: number;
  /**
   * A page read back (so still in the swap cache with its slot and entry) and then written:
   * `same-slot`: the page is reused as it is, and its next store replaces the entry at once;
   * `orphan`: the write gets a copy, which is swapped out to a new slot, while the old page stays
   * in the swap cache holding its slot and its entry until reclaim frees it (never, without memory
   * pressure). Moot with exclusive loads.
   */
  readonly loadedRewrite: "same-slot" | "orphan";
  /** A (non-exclusive) load moves the entry to the head of the LRU. */
  readonly loadRotatesLru: boolean;
  /** Writeback gives an entry with `referenced` set a second chance (rotate and clear). */
  readonly secondChance: boolean;
  /** Pool-limit comparison and rounding. */
  readonly limitRule: LimitRule;
  /** A store refused by the accept threshold (not only by the limit) also queues a shrink. */
  readonly shrinkOnThreshold: boolean;
  /** What a shrink run tries to reach. */
  readonly shrinkGoal: ShrinkGoal;
  /** zsmalloc can write back (it has a shrink path). */
  readonly zsmallocWriteback: boolean;
  /**
   * Compressors with no output bound in this kernel: they write past PAGE_SIZE into zswap's
   * 2-page buffer, so a page that does not compress reaches the allocator as an object larger
   * than a page (which every allocator refuses) instead of failing in the compressor.
   */
  readonly unboundedCodecs: readonly string[];
  /** Codec options this kernel's `crypto/` driver implies, by compressor name (the user's win). */
  readonly codecOptions: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * The zstd library version the kernel bundles (include/linux/zstd_lib.h, lib/zstd). The
   * simulator runs the libzstd of `node:zlib`; where the versions differ, zstd lengths differ.
   */
  readonly zstdLibrary: string;
}

// Options the bounce-alloc strategy reads: the GFP flag of its temporary buffer.
// mm/zswap.c (D6.1): kmalloc(entry->length, GFP_ATOMIC); GFP_KERNEL from 6.2 (Sergey, Nov 2022).
const GFP_ATOMIC_BOUNCE = { "bounce-alloc": { gfp: "atomic" } } as const;
const GFP_KERNEL_BOUNCE = { "bounce-alloc": { gfp: "kernel" } } as const;

// mm/zswap.c (D5.10, D6.1): zpool_evictable() pools (zbud, z3fold) get an 8-byte zswap_header.
const EVICTABLE_HEADER = { zbud: 8, z3fold: 8 } as const;

const P5_10: KernelPreset = {
  name: "5.10",
  strategy: "crypto-comp", // mm/zswap.c (D5.10): crypto_comp, map + decompress, no mutex
  strategyOptions: GFP_ATOMIC_BOUNCE, // mm/zswap.c (5.12): the bounce path used GFP_ATOMIC
  storeLock: "preempt", // mm/zswap.c (D5.10): get_cpu_var(zswap_dstmem) disables preemption
  storeMapMode: "rw", // mm/zswap.c (D5.10): zpool_map_handle(..., ZPOOL_MM_RW) on store
  bufferPages: 2, // mm/zswap.c (D5.10): per-CPU dstmem of 2 * PAGE_SIZE
  sameFilled: true, // mm/zswap.c (D5.10): same_filled_pages_enabled, one repeated word
  zeroPages: false, // mm/page_io.c: the zeromap arrived in 6.12
  headerBytes: EVICTABLE_HEADER, // mm/zswap.c (D5.10): hlen = zpool_evictable ? 8 : 0
  zsmallocOptions: { rule: "old" }, // mm/zsmalloc.c (D5.10): get_pages_per_zspage, 4 pages
  compressFailCounter: false, // mm/zswap.c (D5.10): compressor error rejects, no counter
  compressEnospcPoor: false, // mm/zswap.c (D5.10): any compressor error is -EINVAL
  zsmallocTooBig: "reject_alloc_fail", // mm/zsmalloc.c (D5.10): zs_malloc returns 0, zpool -1
  storeIncompressible: false, // mm/zswap.c: raw store came with ≈6.18
  duplicates: "frontswap", // mm/frontswap.c (5.10): __frontswap_store invalidates a dup first
  exclusiveLoads: false, // mm/zswap.c (D5.10): entry stays after load
  // mm/swap_slots.c (D5.10): free_swap_slot() parks a freed slot in the per-CPU slots_ret array
  // (SWAP_SLOTS_CACHE_SIZE = SWAP_BATCH = 64) and returns all 64 at once, in order, when the 65th
  // comes; mm/swapfile.c (D5.10): only then does swap_range_free() call frontswap's invalidate.
  swapSlotsBatch: 64,
  // mm/memory.c (D5.10): do_wp_page (5.9's simplification) reuses an anon page only when its
  // page_count is 1; the swap cache holds a second reference, so the write copies the page, the
  // copy takes a new slot, and the old page keeps its slot and zswap entry in the swap cache.
  loadedRewrite: "orphan",
  loadRotatesLru: false, // mm/zbud.c (D5.10): the LRU is per allocator page, loads leave it
  secondChance: false, // mm/zswap.c: the referenced bit came in 6.12
  limitRule: "old", // mm/zswap.c (D5.10): zswap_is_full / zswap_can_accept
  shrinkOnThreshold: false, // mm/zswap.c (D5.10): shrink work queued only when is_full
  shrinkGoal: "one-page", // mm/zswap.c (D5.10): shrink_worker calls zpool_shrink(pool, 1)
  zsmallocWriteback: false, // mm/zsmalloc.c (D5.10): no shrink; reject_reclaim_fail
  // crypto/lzo.c, crypto/lzo-rle.c (D5.10): lzo1x_1_compress() ignores the output length, so an
  // incompressible page becomes a 4116-byte object in the 2-page zswap_dstmem.
  unboundedCodecs: ["lzo", "lzo-rle"],
  codecOptions: {},
  zstdLibrary: "1.3.1", // lib/zstd (D5.10): the 2017 import, zstd 1.3.1
};

const P5_11: KernelPreset = {
  ...P5_10,
  name: "5.11",
  strategy: "sleep-mapped", // mm/zswap.c (5.11, 1ec3b5fe6eec): acomp, decompress from the map
  storeLock: "mutex", // mm/zswap.c (5.11): per-CPU acomp_ctx mutex around compression
};

const P5_12: KernelPreset = {
  ...P5_11,
  name: "5.12",
  strategy: "bounce-alloc", // mm/zswap.c (5.12, fc6697a89f56): kmalloc + memcpy when !sleep_mapped
};

const P6_1: KernelPreset = {
  ...P5_12,
  name: "6.1", // mm/zswap.c (D6.1): the 5.12 load path, GFP_ATOMIC tmp, no compress_fail counter
  storeMapMode: "wo", // mm/zswap.c (D6.1): ZPOOL_MM_WO, no copy-in at map time (Miaohe Lin, 2021)
  // mm/memory.c (D6.1): do_wp_page reuses a PageAnonExclusive page as it is, swap cache and slot
  // included: its next swap-out stores to the same slot (frontswap invalidates the old entry).
  loadedRewrite: "same-slot",
  // lib/lzo/lzo1x_compress_safe.c (D6.1, 6.1.y stable backport): lzo stops at the output length.
  unboundedCodecs: [],
  zstdLibrary: "1.4.10", // include/linux/zstd_lib.h (D6.1): zstd 1.4.10, imported in 5.16
};

const P6_8: KernelPreset = {
  ...P6_1,
  name: "6.8",
  strategy: "percpu-buffer", // mm/zswap.c (6.8, c75f5c1e0f1d): copy into acomp_ctx->buffer
  strategyOptions: GFP_KERNEL_BOUNCE, // mm/zswap.c (6.2 on): bounce tmp is GFP_KERNEL
  headerBytes: {}, // mm/zswap.c (6.5, PR6.5): "remove zswap_header"
  zsmallocOptions: { rule: "new", chain: 8 }, // mm/zsmalloc.c (6.3, PR6.3): chain size 8
  zstdLibrary: "1.5.2", // include/linux/zstd_lib.h (6.2 on): zstd 1.5.2
  compressFailCounter: true, // mm/zswap.c (≈6.6): reject_compress_fail added (Nhat Pham)
  zsmallocTooBig: "reject_compress_poor", // mm/zsmalloc.c (6.8, PR6.8): -ENOSPC, Barry Song
  duplicates: "invalidate-first", // mm/zswap.c (6.6 fix of 42c06a0e8ebe): invalidate, count
  // mm/swap_slots.c (6.8, Chris Li, "mm/zswap: invalidate zswap entry when swap entry free"):
  // free_swap_slot() calls zswap_invalidate() itself, before the slot waits in the cache.
  swapSlotsBatch: 0,
  loadRotatesLru: true, // mm/zswap.c (T ≈6.7): a non-exclusive load moves the entry to the head
  shrinkOnThreshold: true, // mm/zswap.c (T ≈6.7): both limit rejections goto shrink
  shrinkGoal: "accept", // mm/zswap.c (6.5, PR6.5): "shrink until can accept"
  zsmallocWriteback: true, // mm/zswap.c (6.5): the LRU lives in zswap, every pool writes back
};

const P6_12: KernelPreset = {
  ...P6_8,
  name: "6.12",
  strategy: "async-only-copy", // mm/zswap.c (D6.12, 270700dd06ca): copy only if async && !sleep
  sameFilled: false, // mm/zswap.c (D6.12): same-filled code and counter removed
  zeroPages: true, // mm/page_io.c (D6.12): is_folio_zero_filled -> swap zeromap
  // mm/zswap.c (D6.12): only a compressor -ENOSPC is "poor", but crypto/lz4.c, lzo.c, zstd.c and
  // deflate.c (D6.12) return -EINVAL when the output does not fit: reject_compress_fail.
  compressEnospcPoor: false,
  duplicates: "replace", // mm/zswap.c (D6.12): xa_store replaces; failure erases the stale entry
  exclusiveLoads: true, // mm/zswap.c (D6.12, G): the entry is erased on load
  loadRotatesLru: false, // mm/zswap.c (D6.12): loaded entries leave the tree and the LRU
  secondChance: true, // mm/zswap.c (D6.12, e31c38e03762): referenced bit, rotate once
  limitRule: "new", // mm/zswap.c (D6.12): zswap_check_limits(), max_pages / thr_pages
};

const P6_18: KernelPreset = {
  ...P6_12,
  name: "6.18",
  strategy: "read-begin", // mm/zswap.c (6.15, 7d4c9629b74f): zs_obj_read_begin into the buffer
  storeIncompressible: true, // mm/zswap.c (≈6.18, SeongJae Park): store <PAGE_SIZE-failed as-is
  // crypto/zstd.c (6.15 on): zstd_get_params(level, ZSTD_MAX_SIZE = 256 KiB), not an unknown size.
  codecOptions: { zstd: { sourceSize: 262144 } },
  zstdLibrary: "1.5.7", // include/linux/zstd_lib.h (6.15 on): zstd 1.5.7
};

/** The newest kernel checked against a real boot: Debian's 7.3 (kernel-check, tests/oracle). */
const P_LATEST: KernelPreset = {
  ...P6_18,
  name: "latest",
  strategy: "sg-read", // mm/zswap.c (D7.2, dc2e4982cb01): decompress from a 1-2 entry SG list
  bufferPages: 1, // mm/zswap.c (D7.2): per-CPU buffer shrinks to PAGE_SIZE
};

/**
 * Every kernel preset by name: `5.10`, `5.11`, `5.12`, `6.1`, `6.8`, `6.12`, `6.18`, `latest`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PRESETS } from "./presets.ts";
 * assert.equal(PRESETS["6.1"].strategy, "bounce-alloc");
 * ```
 */
export const PRESETS: Readonly<Record<string, KernelPreset>> = Object.freeze({
  "5.10": P5_10,
  "5.11": P5_11,
  "5.12": P5_12,
  "6.1": P6_1,
  "6.8": P6_8,
  "6.12": P6_12,
  "6.18": P6_18,
  latest: P_LATEST,
});

/** The kernel version each preset models first (`latest`: 7.2's load path, checked on 7.3). */
const PRESET_SINCE: readonly [number, number, string][] = [
  [5, 10, "5.10"],
  [5, 11, "5.11"],
  [5, 12, "5.12"],
  [6, 1, "6.1"],
  [6, 8, "6.8"],
  [6, 12, "6.12"],
  [6, 18, "6.18"],
  [7, 2, "latest"],
];

/**
 * The preset that models a kernel version: the newest preset whose kernel is not newer.
 *
 * @param version A kernel release or version, e.g. `5.10.0-32-amd64`, `6.12`, `7.3.4+deb13-amd64`.
 * @returns The preset name, or undefined for a kernel older than 5.10 or not a version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { presetForKernel } from "./presets.ts";
 * assert.equal(presetForKernel("6.12.117+deb13-amd64"), "6.12");
 * assert.equal(presetForKernel("7.3"), "latest");
 * assert.equal(presetForKernel("6.16.3"), "6.12");
 * ```
 */
export function presetForKernel(version: string): string | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return undefined;
  const v = Number(m[1]) * 1000 + Number(m[2]);
  let found: string | undefined;
  for (const [major, minor, name] of PRESET_SINCE) if (major * 1000 + minor <= v) found = name;
  return found;
}

/**
 * Look a preset up by name.
 *
 * @param name A preset name such as `6.1` or `latest`.
 * @returns The preset.
 * @throws {Error} For an unknown name; the message lists the known ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getPreset } from "./presets.ts";
 * assert.equal(getPreset("latest").strategy, "sg-read");
 * ```
 */
export function getPreset(name: string): KernelPreset {
  const preset = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (preset === undefined) {
    throw new Error(
      `Unknown kernel preset ${JSON.stringify(name)} (known: ${Object.keys(PRESETS).join(", ")})`,
    );
  }
  return preset;
}

/** Pool-limit thresholds of one cell, in pages, with the comparison rule they go with. */
export interface PoolLimits {
  /** The rule the thresholds belong to. */
  readonly rule: LimitRule;
  /** `totalram * max_pool_percent / 100`, rounded down. */
  readonly maxPages: number;
  /**
   * The accept threshold: old rule `totalram * thr / 100 * max / 100` (accept while the pool is
   * below it); new rule `max_pages * thr / 100` (accept while the pool is at or below it).
   */
  readonly thresholdPages: number;
}

/**
 * The pool limit and the accept threshold, with the kernel's integer rounding order.
 *
 * @param rule `old` (≤ 6.9) or `new` (≥ 6.10).
 * @param totalRamPages Total RAM in pages.
 * @param maxPoolPercent zswap.max_pool_percent.
 * @param acceptThresholdPercent zswap.accept_threshold_percent.
 * @returns The thresholds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { poolLimits } from "./presets.ts";
 * // kernel-zswap.md §2: totalram 123457 -> old threshold 22222 pages, new 22221.
 * assert.equal(poolLimits("old", 123457, 20, 90).thresholdPages, 22222);
 * assert.equal(poolLimits("new", 123457, 20, 90).thresholdPages, 22221);
 * ```
 */
export function poolLimits(
  rule: LimitRule,
  totalRamPages: number,
  maxPoolPercent: number,
  acceptThresholdPercent: number,
): PoolLimits {
  const maxPages = Math.floor(totalRamPages * maxPoolPercent / 100);
  const thresholdPages = rule === "old"
    // mm/zswap.c (D6.1) zswap_can_accept: totalram * thr / 100 * max / 100, rounding twice
    ? Math.floor(Math.floor(totalRamPages * acceptThresholdPercent / 100) * maxPoolPercent / 100)
    // mm/zswap.c (D6.12) zswap_accept_thr_pages: max_pages * thr / 100
    : Math.floor(maxPages * acceptThresholdPercent / 100);
  return { rule, maxPages, thresholdPages };
}

/**
 * Is the pool full? Old rule: `max < pool` (D6.1 `zswap_is_full`); new rule: `pool >= max` (D6.12
 * `zswap_check_limits`).
 *
 * @param limits From {@link poolLimits}.
 * @param poolPages Pool pages now.
 * @returns True when a store must be refused and counted in `pool_limit_hit`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isPoolFull, poolLimits } from "./presets.ts";
 * assert.ok(!isPoolFull(poolLimits("old", 1000, 20, 90), 200));
 * assert.ok(isPoolFull(poolLimits("new", 1000, 20, 90), 200));
 * ```
 */
export function isPoolFull(limits: PoolLimits, poolPages: number): boolean {
  return limits.rule === "old" ? limits.maxPages < poolPages : poolPages >= limits.maxPages;
}

/**
 * May a pool that reached its limit accept again? Old rule: `threshold > pool` (D6.1
 * `zswap_can_accept`); new rule: `pool <= threshold` (D6.12 `zswap_check_limits`).
 *
 * @param limits From {@link poolLimits}.
 * @param poolPages Pool pages now.
 * @returns True when stores may resume.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canPoolAccept, poolLimits } from "./presets.ts";
 * assert.ok(!canPoolAccept(poolLimits("old", 1000, 20, 90), 180));
 * assert.ok(canPoolAccept(poolLimits("new", 1000, 20, 90), 180));
 * ```
 */
export function canPoolAccept(limits: PoolLimits, poolPages: number): boolean {
  return limits.rule === "old"
    ? limits.thresholdPages > poolPages
    : poolPages <= limits.thresholdPages;
}
