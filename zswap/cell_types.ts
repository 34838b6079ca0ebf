/**
 * The contract between the bench runner (`bench/`) and the zswap frontend (`zswap/`): what one
 * cell of the matrix is, and the raw figures the frontend hands back. Statistics and reports are
 * the runner's job; the frontend only executes and counts.
 *
 * @module
 */
import type {
  AllocatorPlugin,
  CompressorPlugin,
  StrategyPlugin,
  WorkloadPlugin,
} from "../registry/types.ts";

/** Numeric parameters of one cell, all resolved (no defaults left to apply). */
export interface CellParams {
  /** Distinct pages the workload uses. */
  pages: number;
  /** Seed for the workload and for any random choice in the frontend (bounce-failure injection). */
  seed: number;
  /** Simulated CPUs. */
  cpus: number;
  /** Simulated tasks; task i runs on CPU i mod cpus. */
  tasks: number;
  /** Bytes per page: 4096, 16384 or 65536. */
  pageSize: number;
  /** Total RAM in pages, the base of `max_pool_percent`. */
  totalRamPages: number;
  /** zswap.max_pool_percent (default 20). */
  maxPoolPercent: number;
  /** zswap.accept_threshold_percent (default 90). */
  acceptThresholdPercent: number;
  /** Fail the cell at the first sleep-in-atomic violation. */
  strict: boolean;
  /** Probability (0..1) that a GFP_ATOMIC bounce allocation fails (bounce-alloc). */
  bounceFailRate: number;
}

/** One point of the matrix with its plugins resolved. */
export interface CellPlan {
  /** The zpool driver and its options. */
  allocator: AllocatorPlugin;
  /** Options for `allocator.create()`. */
  allocatorOptions: unknown;
  /** The compressor and its options. */
  compressor: CompressorPlugin;
  /** Options for `compressor.create()`. */
  compressorOptions: unknown;
  /** The workload and its options. */
  workload: WorkloadPlugin;
  /** Options for `workload.create()`. */
  workloadOptions: unknown;
  /** The load-path strategy, or undefined for the preset's own. */
  strategy: StrategyPlugin | undefined;
  /** Options for `strategy.create()`. */
  strategyOptions: unknown;
  /** Kernel preset name: 5.10, 5.11, 5.12, 6.1, 6.8, 6.12, 6.18 or latest. */
  preset: string;
  /** Numeric parameters. */
  params: CellParams;
}

/** Receives each operation's latency as it is measured (nanoseconds). */
export interface OpRecorder {
  /** One store, timed alone. */
  store(ns: number): void;
  /** One load, timed alone (the integrity check excluded). */
  load(ns: number): void;
  /** One writeback of an entry to the simulated swap device. */
  writeback(ns: number): void;
}

/**
 * Counters of one cell, with the kernel's debugfs names and ours. Pool figures (`stored_pages`,
 * `pool_pages`, `pool_total_size`, `compressed_bytes`, `same_filled_pages`) are taken at the pool's
 * high-water mark; `*_end` at the end of the run.
 */
export interface CellCounters {
  /** Entries in zswap at the high-water mark (incl. same-filled up to 6.11, raw from 6.18). */
  stored_pages: number;
  /** Pool bytes at the high-water mark (pool_pages x page size). */
  pool_total_size: number;
  /** Pool pages at the high-water mark. */
  pool_pages: number;
  /** Same-value entries at the high-water mark (up to 6.11). */
  same_filled_pages: number;
  /** Zero pages that bypassed zswap (6.12 on: swap's zeromap). */
  zero_pages: number;
  /** Entries stored raw because they did not compress (6.18 on), at the high-water mark. */
  stored_incompressible_pages: number;
  /** Store refused: too large for the allocator (ENOSPC) or, where the preset says, compressor ENOSPC. */
  reject_compress_poor: number;
  /** Store refused: compressor error (6.6 on). */
  reject_compress_fail: number;
  /** Store refused: the allocator had no memory (ENOMEM, EINVAL). */
  reject_alloc_fail: number;
  /** Store refused: entry slab allocation failed (never injected so far). */
  reject_kmemcache_fail: number;
  /** A writeback attempt failed. */
  reject_reclaim_fail: number;
  /** Store refused because the pool was at or over its limit. */
  pool_limit_hit: number;
  /** Entries written to the simulated swap device. */
  written_back_pages: number;
  /** A store found an entry at its offset already. */
  duplicate_entry: number;
  /** A load or writeback decompression failed or gave the wrong length. */
  decompress_fail: number;
  /** Original bytes of the pages stored in zswap (page size x stored pages), at high water. */
  original_bytes: number;
  /** Sum of stored compressed lengths at the high-water mark (no headers). */
  compressed_bytes: number;
  /** Pool pages at the end of the run. */
  pool_pages_end: number;
  /** Entries stored at the end of the run. */
  stored_pages_end: number;
  /** Bytes copied into bounce buffers by the load strategy (loads and writebacks). */
  bytes_bounced: number;
  /** Failed trylocks of the CPU mutex (trylock-bounce). */
  trylock_failed: number;
  /** Sleeps while atomic (sleeping function called from invalid context). */
  violations: number;
  /** Loads whose bytes differed from what was stored. */
  integrity_failures: number;
  /** Store operations issued. */
  stores: number;
  /** Load operations issued (hits and misses). */
  loads: number;
  /** Loads served from zswap. */
  load_hits: number;
  /** Invalidate operations issued. */
  invalidates: number;
  /** Loads that failed (bounce allocation failure, decompression failure). */
  load_failed: number;
  /** Sum of every returned length: keeps the JIT from dropping the work. */
  keepalive: number;
}

/** What the frontend returns for one cell. */
export interface CellRun {
  /** The strategy that ran (the preset's when none was given). */
  strategy: string;
  /** The counters. */
  counters: CellCounters;
  /** The first few places where a sleep happened while atomic, e.g. "load: mutex_lock while mapped". */
  violationSites: string[];
  /** Allocator stats at the end of the run. */
  allocatorStats: Record<string, unknown>;
  /**
   * Allocator stats at a moment the pool was at its high-water mark (the latest such moment, to
   * within a few operations): where the `pool_pages` figure was taken. Absent from engines that
   * do not track it.
   */
  allocatorStatsAtHw?: Record<string, unknown>;
  /** The pool sampled along the run (absent from engines that do not sample it). */
  timeline?: CellTimeline;
}

/**
 * The pool sampled along one run, at most a few hundred evenly spaced points (columns of equal
 * length), taken between operations.
 */
export interface CellTimeline {
  /** Operations done (stores, loads, invalidates) at each point. */
  ops: number[];
  /** Pool pages at each point. */
  pool_pages: number[];
  /** Entries stored at each point. */
  stored_pages: number[];
  /** Compressed bytes stored at each point. */
  compressed_bytes: number[];
  /** Pool pages at the high-water mark. */
  hw_pool_pages: number;
  /** Operations done when the pool was last at its high-water mark. */
  hw_op: number;
}
