/**
 * The contract between the bench runner (`bench/`) and the zswap frontend (`zswap/`): what one
 * cell of the matrix is, and the raw figures the frontend hands back. Statistics and reports are
 * the runner's job; the frontend only executes and counts.
 *
 * @module
 */
import type { CostModelInput } from "./cost_model.ts";
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
  /** What synchronous work costs in virtual time (default `measured`; see `cost_model.ts`). */
  costModel?: CostModelInput | Record<string, unknown>;
  /**
   * Mean time (µs) a task spends away from zswap between two of its operations, off its CPU
   * (exponentially distributed, seeded; default 0: each task issues its next operation at once).
   * Only with virtual time (a modelled engine): it is what lets a longer engine latency widen the
   * window in which a sibling task arrives and finds the CPU mutex taken.
   */
  thinkUs?: number;
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
 * The counters of one cell, the one list: {@linkcode CellCounters}, `zeroCounters()`, the results
 * schema and the CSV columns (`bench/results/`) are made from it. Kernel counters keep their
 * debugfs names. Pool figures (`stored_pages`, `pool_pages`, `pool_total_size`,
 * `compressed_bytes`, `same_filled_pages`) are taken at the pool's high-water mark; `*_end` at the
 * end of the run. Four groups, in the order of the results columns (which put the ratios after
 * the sizes and `violation_sites` after the atomic-context counters).
 */
/** The kernel's counters (debugfs names); pool figures at the pool's high-water mark. */
export const KERNEL_COUNTERS = [
  // Entries in zswap at the high-water mark (incl. same-filled up to 6.11, raw from 6.18).
  "stored_pages",
  "pool_total_size", // Pool bytes at the high-water mark (pool_pages x page size).
  "pool_pages", // Pool pages at the high-water mark.
  "same_filled_pages", // Same-value entries at the high-water mark (up to 6.11).
  "zero_pages", // Zero pages that bypassed zswap (6.12 on: swap's zeromap).
  // Entries stored raw because they did not compress (6.18 on), at the high-water mark.
  "stored_incompressible_pages",
  // Store refused: too large for the allocator (ENOSPC) or, where the preset says, compressor ENOSPC.
  "reject_compress_poor",
  "reject_compress_fail", // Store refused: compressor error (6.6 on).
  "reject_alloc_fail", // Store refused: the allocator had no memory (ENOMEM, EINVAL).
  "reject_kmemcache_fail", // Store refused: entry slab allocation failed (never injected so far).
  "reject_reclaim_fail", // A writeback attempt failed.
  "pool_limit_hit", // Store refused because the pool was at or over its limit.
  "written_back_pages", // Entries written to the simulated swap device.
  "duplicate_entry", // A store found an entry at its offset already.
  "decompress_fail", // A load or writeback decompression failed or gave the wrong length.
] as const;

/** Sizes: at the high-water mark, and the pool at the end of the run. */
export const SIZE_COUNTERS = [
  // Original bytes of the pages stored in zswap (page size x stored pages), at high water.
  "original_bytes",
  "compressed_bytes", // Sum of stored compressed lengths at the high-water mark (no headers).
  "pool_pages_end", // Pool pages at the end of the run.
  "stored_pages_end", // Entries stored at the end of the run.
] as const;

/** Ours: what the load path copied and how often it slept while atomic. */
export const ATOMIC_COUNTERS = [
  "bytes_bounced", // Bytes copied into bounce buffers by the load strategy (loads and writebacks).
  "trylock_failed", // Failed trylocks of the CPU mutex (trylock-bounce).
  "mutex_waits", // lock() calls that found the CPU mutex taken and slept until it was handed over.
  "violations", // Sleeps while atomic (sleeping function called from invalid context).
] as const;

/** Ours: integrity and the operations issued. */
export const OP_COUNTERS = [
  "integrity_failures", // Loads whose bytes differed from what was stored.
  "stores", // Store operations issued.
  "loads", // Load operations issued (hits and misses).
  "load_hits", // Loads served from zswap.
  "invalidates", // Invalidate operations issued.
  "load_failed", // Loads that failed (bounce allocation failure, decompression failure).
  "keepalive", // Sum of every returned length: keeps the JIT from dropping the work.
] as const;

/** Every counter, in column order. */
export const COUNTER_NAMES: readonly CounterName[] = Object.freeze([
  ...KERNEL_COUNTERS,
  ...SIZE_COUNTERS,
  ...ATOMIC_COUNTERS,
  ...OP_COUNTERS,
]);

/** A counter's name. */
export type CounterName =
  | (typeof KERNEL_COUNTERS)[number]
  | (typeof SIZE_COUNTERS)[number]
  | (typeof ATOMIC_COUNTERS)[number]
  | (typeof OP_COUNTERS)[number];

/** Counters of one cell (see {@linkcode COUNTER_NAMES} for what each counts). */
export type CellCounters = { [K in CounterName]: number };

/** What the frontend returns for one cell. */
export interface CellRun {
  /** The strategy that ran (the preset's when none was given). */
  strategy: string;
  /**
   * What made the latency figures: `measured` (wall clock, in-process work), `wall` (a Worker
   * engine's real round trips), `virtual/measured` or `virtual/calibrated` (the modelled
   * timeline; see `zswap/cost_model.ts`). Absent from fakes: `measured`.
   */
  timeModel?: string;
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
