/**
 * The runner: expands a config into cells and runs each one on a fresh arena and pool, timing
 * every store, load and writeback into compact histograms, and turns what the frontend returns
 * into {@linkcode CellResult}s. Measuring only: formatting is `bench/report/`'s job.
 *
 * One cell runs from a serialisable {@linkcode CellSpec} with {@linkcode runCellByName}, so a
 * Worker can run cells too: a {@linkcode CellExecutor} says where cells run (in this process, or
 * in Workers with `bench/worker_pool.ts`). A cell that throws becomes `status: "failed"` and the
 * run goes on; a cell whose loads returned wrong bytes (`integrity_failures` > 0) is `failed`
 * too, with its counters kept so the count shows; an aborted run (Ctrl-C) stops after the
 * running cells are abandoned and keeps every finished one.
 *
 * @module
 */
import type { Registry } from "../registry/registry.ts";
import type { CellCounters, CellPlan, CellRun, OpRecorder } from "../zswap/cell_types.ts";
import type { ResolvedConfig } from "./config.ts";
import type { BenchEngine } from "./engine.ts";
import { Histogram, type HistogramSummary } from "./histogram.ts";
import { compactAllocatorStats, latencyCdf } from "./_cell_detail.ts";
import { referenceLoopNs } from "./_noise.ts";
import { type CellSpec, expandMatrix, selectCells } from "./matrix.ts";
import { checkPluginOptions } from "./preflight.ts";
import type { CellResult } from "./results.ts";

/**
 * An {@linkcode OpRecorder} that keeps one {@linkcode Histogram} per kind of operation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HistogramRecorder } from "./runner.ts";
 * const r = new HistogramRecorder();
 * r.store(1200);
 * assert.equal(r.stores.count, 1);
 * ```
 */
export class HistogramRecorder implements OpRecorder {
  /** Store latencies (ns). */
  readonly stores: Histogram = new Histogram();
  /** Load latencies (ns). */
  readonly loads: Histogram = new Histogram();
  /** Writeback latencies (ns). */
  readonly writebacks: Histogram = new Histogram();

  /**
   * Record one store.
   *
   * @param ns Its latency.
   */
  store(ns: number): void {
    this.stores.record(ns);
  }

  /**
   * Record one load.
   *
   * @param ns Its latency.
   */
  load(ns: number): void {
    this.loads.record(ns);
  }

  /**
   * Record one writeback.
   *
   * @param ns Its latency.
   */
  writeback(ns: number): void {
    this.writebacks.record(ns);
  }
}

/** Options of {@linkcode runCellByName}. */
export interface RunCellByNameOptions {
  /** The frontend (default: the zswap frontend of `zswap/`). */
  engine?: BenchEngine;
  /** Abort the cell: the call then rejects with the signal's reason instead of returning. */
  signal?: AbortSignal;
  /** Progress inside the cell, every few hundred milliseconds. */
  onProgress?: (progress: CellProgress) => void;
}

/** How far a running cell is, for the progress line. */
export interface CellProgress {
  /** Operations done over every run of the cell so far (warm-up included). */
  opsDone: number;
  /** Operations of all its runs, once the first run told how many one has; else null. */
  opsTotal: number | null;
}

/**
 * Run one cell from its names, options and params: resolve the plugins, run the warm-up runs
 * (discarded) and the measured repetitions, and summarise. Never throws for a failing cell: a
 * plugin that is unknown or refuses its options, or a frontend error, gives `status: "failed"`.
 *
 * @param spec The cell.
 * @param registry Where the plugin names are looked up.
 * @param options The engine (default the real frontend) and an abort signal.
 * @returns The cell's result.
 * @throws The signal's reason when aborted.
 *
 * @example
 * ```ts ignore
 * const result = await runCellByName(cells[0], createDefaultRegistry());
 * ```
 */
export async function runCellByName(
  spec: CellSpec,
  registry: Registry,
  options: RunCellByNameOptions = {},
): Promise<CellResult> {
  const { signal, onProgress } = options;
  const engine = options.engine ??
    (await import("./default_engine.ts")).createDefaultEngine();
  const started = performance.now();
  const reps: Repetition[] = [];
  try {
    const plan: CellPlan = {
      allocator: registry.get("allocator", spec.allocator.name),
      allocatorOptions: spec.allocator.options,
      compressor: registry.get("compressor", spec.compressor.name),
      compressorOptions: spec.compressor.options,
      workload: registry.get("workload", spec.workload.name),
      workloadOptions: spec.workload.options,
      strategy: spec.strategy === null ? undefined : registry.get("strategy", spec.strategy.name),
      strategyOptions: spec.strategy === null ? {} : spec.strategy.options,
      preset: spec.preset,
      params: { ...spec.params },
    };
    const runs = spec.warmup + spec.repetitions;
    let before = 0; // operations of the finished runs
    let perRun: number | null = null; // every run of a cell issues the same operations
    const progress = onProgress === undefined
      ? undefined
      : (ops: number) =>
        onProgress({ opsDone: before + ops, opsTotal: perRun === null ? null : perRun * runs });
    for (let i = 0; i < runs; i++) {
      signal?.throwIfAborted();
      const recorder = new HistogramRecorder();
      // The machine's speed just before the repetition (bench/_noise.ts): compare's yardstick.
      const machineNs = i >= spec.warmup ? referenceLoopNs() : 0;
      const run = await engine.runCell(plan, recorder, { signal, onProgress: progress });
      if (i >= spec.warmup) reps.push({ run, recorder, machineNs });
      perRun ??= run.counters.stores + run.counters.loads + run.counters.invalidates;
      before += perRun;
      progress?.(0);
    }
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    return failedResult(spec, errorMessage(err), performance.now() - started);
  }
  return okResult(spec, reps, performance.now() - started);
}

/** Where cells run: in this process ({@linkcode inProcessExecutor}) or in Workers. */
export interface CellExecutor {
  /** How cells are isolated, as the results' environment records it. */
  readonly isolation: "in-process" | "worker";
  /**
   * Check the options of the cells' plugins before any cell runs (`bench/preflight.ts`).
   *
   * @param cells The cells about to run.
   * @returns One line per user mistake; empty when all is well.
   */
  preflight(cells: readonly CellSpec[]): Promise<string[]>;
  /**
   * Run one cell. Never throws for a failing cell (`status` says so).
   *
   * @param spec The cell.
   * @param signal Abandons the cell: the call then rejects with the signal's reason.
   * @param onProgress Progress inside the cell (executors may never call it).
   * @returns The cell's result.
   */
  run(
    spec: CellSpec,
    signal?: AbortSignal,
    onProgress?: (progress: CellProgress) => void,
  ): Promise<CellResult>;
}

/**
 * The executor that runs cells in this process with {@linkcode runCellByName}. Fastest (no
 * Worker start-up), but a plugin that hangs hangs the run: for built-in plugins only.
 *
 * @param registry Resolves plugin names.
 * @param engine The frontend (default: the zswap frontend of `zswap/`).
 * @returns The executor.
 *
 * @example
 * ```ts ignore
 * const executor = inProcessExecutor(createDefaultRegistry());
 * const result = await executor.run(cells[0]);
 * ```
 */
export function inProcessExecutor(registry: Registry, engine?: BenchEngine): CellExecutor {
  return {
    isolation: "in-process",
    preflight: (cells) => checkPluginOptions(cells, registry),
    run: (spec, signal, onProgress) =>
      runCellByName(spec, registry, { engine, signal, onProgress }),
  };
}

/** Options of {@linkcode runMatrix}. */
export interface RunMatrixOptions {
  /** Resolves plugin names. */
  registry: Registry;
  /** The frontend (default: the zswap frontend of `zswap/`). */
  engine?: BenchEngine;
  /** Where cells run (default: in this process, with `registry` and `engine`). */
  executor?: CellExecutor;
  /**
   * Cells run at once (default 1). More than one only helps with an executor that runs cells in
   * Workers; parallel cells disturb each other's latencies.
   */
  jobs?: number;
  /** Stop after abandoning the running cells (Ctrl-C). */
  signal?: AbortSignal;
  /** Cell names to skip (already finished, for `--resume`). */
  skip?: ReadonlySet<string>;
  /**
   * Called with the cells about to run, once, before the first.
   *
   * @param cells The selected cells.
   */
  onPlan?(cells: readonly CellSpec[]): void;
  /**
   * Called before each cell.
   *
   * @param spec The cell.
   * @param position 0-based position among the selected cells.
   */
  onCellStart?(spec: CellSpec, position: number): void;
  /**
   * Called every few hundred milliseconds while a cell runs (in-process executor only).
   *
   * @param spec The cell.
   * @param progress Operations done and, once known, in total.
   */
  onCellProgress?(spec: CellSpec, progress: CellProgress): void;
  /**
   * Called as each cell finishes (write its JSONL line here). Calls never overlap, and each is
   * awaited before its lane takes the next cell.
   *
   * @param result The result.
   * @param spec The cell.
   */
  onCell?(result: CellResult, spec: CellSpec): void | Promise<void>;
}

/**
 * Run every selected cell of a config: one after the other, or `jobs` at a time.
 *
 * @param config The resolved config (its filter and shard select the cells).
 * @param options Registry, engine, executor, jobs, abort signal, skip list and callbacks.
 * @returns The results of the cells that finished, in matrix order (fewer than selected when
 *   aborted: check `options.signal.aborted`).
 * @throws {RegistryError} Or {@linkcode ConfigError} for unknown names, before any cell runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDefaultRegistry } from "../registry/mod.ts";
 * import { resolveConfig } from "./config.ts";
 * import { runMatrix } from "./runner.ts";
 * const config = resolveConfig({ allocators: ["zbud"], params: { pages: 64 }, repetitions: 1 });
 * const cells = await runMatrix(config, { registry: createDefaultRegistry() });
 * assert.ok(cells.every((c) => c.integrity_failures === 0));
 * ```
 */
export async function runMatrix(
  config: ResolvedConfig,
  options: RunMatrixOptions,
): Promise<CellResult[]> {
  const { registry, signal } = options;
  const engine = options.engine ?? (await import("./default_engine.ts")).createDefaultEngine();
  const all = expandMatrix(config, { registry, engine });
  const cells = selectCells(all, {
    filter: config.filter,
    shard: config.shard,
    skip: options.skip,
  });
  options.onPlan?.(cells);
  const executor = options.executor ?? inProcessExecutor(registry, engine);
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
  const results: CellResult[] = [];
  let next = 0;
  let stop = false;
  let callbacks: Promise<void> = Promise.resolve();
  const lane = async (): Promise<void> => {
    while (!stop && next < cells.length) {
      if (signal?.aborted) break;
      const i = next++;
      const spec = cells[i];
      options.onCellStart?.(spec, i);
      let result: CellResult;
      try {
        result = await executor.run(
          spec,
          signal,
          options.onCellProgress && ((p) => options.onCellProgress!(spec, p)),
        );
      } catch (err) {
        stop = true;
        if (signal?.aborted) break;
        throw err;
      }
      results.push(result);
      // One callback at a time, in the order cells finish: JSONL lines never interleave.
      callbacks = callbacks.then(() => options.onCell?.(result, spec));
      await callbacks;
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, cells.length) }, lane));
  return results.sort((a, b) => a.index - b.index);
}

/** What the timer costs: the floor under every measured latency. */
export interface TimerFloor {
  /** Median time of an empty operation timed like a store (ns). */
  floorNs: number;
  /** Smallest non-zero step of `performance.now()` seen (ns). */
  resolutionNs: number;
}

/**
 * Time an empty operation the way the frontend times a store, many times.
 *
 * @param samples How many times (default 20000).
 * @returns The median and the clock's step.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { measureTimerFloor } from "./runner.ts";
 * assert.ok(measureTimerFloor(100).floorNs >= 0);
 * ```
 */
export function measureTimerFloor(samples = 20000): TimerFloor {
  const h = new Histogram();
  let resolution = Infinity;
  let sink = 0;
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    sink += i;
    const t1 = performance.now();
    const d = (t1 - t0) * 1e6;
    h.record(d);
    if (d > 0 && d < resolution) resolution = d;
  }
  if (sink < 0) console.log(sink); // keep the loop body alive
  return {
    floorNs: h.percentile(50),
    resolutionNs: Number.isFinite(resolution) ? Math.round(resolution) : 0,
  };
}

interface Repetition {
  run: CellRun;
  recorder: HistogramRecorder;
  /** Time of the reference loop just before the repetition (ns). */
  machineNs: number;
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const issues = (err as { issues?: unknown }).issues;
    if (err.name === "ZodError" && Array.isArray(issues)) {
      return `Invalid options: ${
        issues.map((i: { path?: PropertyKey[]; message?: string }) =>
          `${(i.path ?? []).map(String).join(".") || "(root)"}: ${i.message}`
        ).join("; ")
      }`;
    }
    const generic = err.name === "Error" || err.message.startsWith(err.name);
    return generic ? err.message : `${err.name}: ${err.message}`;
  }
  return String(err);
}

function identity(spec: CellSpec, strategy: string, durationMs: number) {
  const p = spec.params;
  return {
    cell: spec.cell,
    index: spec.index,
    allocator: spec.allocator.name,
    compressor: spec.fixedCompressor ? "-" : spec.compressor.name,
    workload: spec.workload.name,
    strategy,
    preset: spec.preset,
    page_size: p.pageSize,
    pages: p.pages,
    cpus: p.cpus,
    tasks: p.tasks,
    seed: p.seed,
    total_ram_pages: p.totalRamPages,
    max_pool_percent: p.maxPoolPercent,
    accept_threshold_percent: p.acceptThresholdPercent,
    bounce_fail_rate: p.bounceFailRate,
    strict: p.strict,
    repetitions: spec.repetitions,
    warmup: spec.warmup,
    duration_ms: round3(durationMs),
    allocator_options: spec.allocator.options,
    compressor_options: spec.fixedCompressor ? {} : spec.compressor.options,
    workload_options: spec.workload.options,
    strategy_options: spec.strategy?.options ?? {},
  };
}

const COUNTER_KEYS = [
  "stored_pages",
  "pool_total_size",
  "pool_pages",
  "same_filled_pages",
  "zero_pages",
  "stored_incompressible_pages",
  "reject_compress_poor",
  "reject_compress_fail",
  "reject_alloc_fail",
  "reject_kmemcache_fail",
  "reject_reclaim_fail",
  "pool_limit_hit",
  "written_back_pages",
  "duplicate_entry",
  "decompress_fail",
  "original_bytes",
  "compressed_bytes",
  "pool_pages_end",
  "stored_pages_end",
  "bytes_bounced",
  "trylock_failed",
  "violations",
  "integrity_failures",
  "stores",
  "loads",
  "load_hits",
  "invalidates",
  "load_failed",
  "keepalive",
] as const satisfies readonly (keyof CellCounters)[];

const OPS = ["store", "load", "writeback"] as const;

/**
 * The result of a cell that did not finish: its identity, the status and error, and `null` in
 * every measured column (a zero would look like a measurement).
 *
 * @param spec The cell.
 * @param status `failed` (it threw) or `timeout` (its Worker was terminated).
 * @param error One line saying what went wrong.
 * @param durationMs How long it ran.
 * @returns The result.
 *
 * @example
 * ```ts ignore
 * const r = notOkResult(spec, "timeout", "Cell timed out after 5 s", 5000);
 * ```
 */
export function notOkResult(
  spec: CellSpec,
  status: "failed" | "timeout",
  error: string,
  durationMs: number,
): CellResult {
  return { ...failedResult(spec, error, durationMs), status };
}

function failedResult(spec: CellSpec, error: string, durationMs: number): CellResult {
  const measured: Record<string, null> = {};
  for (const k of COUNTER_KEYS) measured[k] = null;
  for (const op of OPS) {
    for (const s of ["count", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "mean_ns"]) {
      measured[`${op}_${s}`] = null;
    }
    measured[`${op}_p50_ns_cv`] = null;
    measured[`${op}_p99_ns_cv`] = null;
  }
  return {
    ...identity(spec, spec.strategyName, durationMs),
    status: "failed",
    error,
    ...measured,
    compression_ratio: null,
    pool_ratio: null,
    allocator_efficiency: null,
    violation_sites: null,
    store_mbps: null,
    load_mbps: null,
    allocator_stats: {},
    ...detailColumns(null),
  } as CellResult;
}

/**
 * The derived columns of a cell from its counters (DESIGN §6): `compression_ratio` over the
 * compressed entries only (neither same-filled nor raw ones), `pool_ratio` over every stored
 * entry, `allocator_efficiency` with every byte in the pool (raw entries included).
 *
 * @param c The counters.
 * @param pageSize Bytes per page.
 * @returns compression_ratio, pool_ratio and allocator_efficiency (0 where the base is 0).
 *
 * @example
 * ```ts ignore
 * const { pool_ratio } = deriveRatios(run.counters, 4096);
 * ```
 */
export function deriveRatios(
  c: CellCounters,
  pageSize: number,
): { compression_ratio: number; pool_ratio: number; allocator_efficiency: number } {
  // Over compressed entries only: same-filled entries have no compressed bytes, and raw entries
  // (6.18 on: stored_incompressible_pages, each of length page size, as the kernel counts them in
  // compressed_bytes) were not compressed, so both leave the numerator and raw bytes the
  // denominator.
  const compressedPages = c.stored_pages - c.same_filled_pages - c.stored_incompressible_pages;
  const compressedBytes = c.compressed_bytes - c.stored_incompressible_pages * pageSize;
  return {
    compression_ratio: compressedBytes > 0 && compressedPages > 0
      ? round6(compressedPages * pageSize / compressedBytes)
      : 0,
    pool_ratio: c.pool_total_size > 0 ? round6(c.stored_pages * pageSize / c.pool_total_size) : 0,
    allocator_efficiency: c.pool_total_size > 0
      ? round6(c.compressed_bytes / c.pool_total_size)
      : 0,
  };
}

function okResult(spec: CellSpec, reps: Repetition[], durationMs: number): CellResult {
  const last = reps[reps.length - 1];
  const c = last.run.counters;
  const pageSize = spec.params.pageSize;
  const counters: Record<string, number> = {};
  for (const k of COUNTER_KEYS) counters[k] = c[k];
  const latency: Record<string, number | null> = {};
  for (const op of OPS) {
    const summaries: HistogramSummary[] = reps.map((r) =>
      (op === "store"
        ? r.recorder.stores
        : op === "load"
        ? r.recorder.loads
        : r.recorder.writebacks).summary()
    );
    const n = summaries[summaries.length - 1].count;
    latency[`${op}_count`] = n;
    const pick = (f: (s: HistogramSummary) => number) =>
      n === 0 ? null : round1(median(summaries.map(f)));
    latency[`${op}_p50_ns`] = pick((s) => s.p50);
    latency[`${op}_p90_ns`] = pick((s) => s.p90);
    latency[`${op}_p99_ns`] = pick((s) => s.p99);
    latency[`${op}_p999_ns`] = pick((s) => s.p999);
    latency[`${op}_mean_ns`] = pick((s) => s.mean);
    latency[`${op}_p50_ns_cv`] = n === 0 ? null : cv(summaries.map((s) => s.p50));
    latency[`${op}_p99_ns_cv`] = n === 0 ? null : cv(summaries.map((s) => s.p99));
  }
  const storeMbps = reps.map((r) => mbps(r.run.counters.stores * pageSize, r.recorder.stores.sum));
  const loadMbps = reps.map((r) => mbps(r.run.counters.load_hits * pageSize, r.recorder.loads.sum));
  // Wrong bytes back fail the cell, never hidden (DESIGN §1): the status says so and the
  // counters stay, so the number of integrity failures is reported.
  const wrong = c.integrity_failures;
  return {
    ...identity(spec, last.run.strategy, durationMs),
    status: wrong > 0 ? "failed" : "ok",
    error: wrong > 0
      ? `${wrong} integrity failure${
        wrong === 1 ? "" : "s"
      }: loads returned bytes that differ from what was stored`
      : null,
    ...counters,
    ...deriveRatios(c, pageSize),
    violation_sites: last.run.violationSites.join("; "),
    ...latency,
    store_mbps: storeMbps.every((v) => v === null) ? null : round3(median(storeMbps.map(nz))),
    load_mbps: loadMbps.every((v) => v === null) ? null : round3(median(loadMbps.map(nz))),
    allocator_stats: compactAllocatorStats(jsonSafe(last.run.allocatorStats), pageSize),
    ...detailColumns({ spec, reps }),
  } as CellResult;
}

/** The detail columns (`bench/_cell_detail.ts`); all null for a cell that did not finish. */
function detailColumns(
  from: { spec: CellSpec; reps: Repetition[] } | null,
): Pick<CellResult, "allocator_stats_hw" | "timeline" | "latency_cdf" | "latency_reps"> {
  if (from === null) {
    return { allocator_stats_hw: null, timeline: null, latency_cdf: null, latency_reps: null };
  }
  const { spec, reps } = from;
  const last = reps[reps.length - 1].run;
  const merged = { store: new Histogram(), load: new Histogram(), writeback: new Histogram() };
  const perRep: Record<string, number[]> = {};
  for (const r of reps) {
    (perRep.machine_ns ??= []).push(r.machineNs);
    merged.store.merge(r.recorder.stores);
    merged.load.merge(r.recorder.loads);
    merged.writeback.merge(r.recorder.writebacks);
    for (const [op, h] of [["store", r.recorder.stores], ["load", r.recorder.loads]] as const) {
      if (h.count === 0) continue;
      const s = h.summary();
      for (const [k, v] of [["p50", s.p50], ["p99", s.p99], ["mean", s.mean]] as const) {
        (perRep[`${op}_${k}_ns`] ??= []).push(round1(v));
      }
    }
  }
  return {
    allocator_stats_hw: last.allocatorStatsAtHw === undefined
      ? null
      : compactAllocatorStats(jsonSafe(last.allocatorStatsAtHw), spec.params.pageSize),
    timeline: last.timeline ?? null,
    latency_cdf: latencyCdf(merged),
    latency_reps: perRep,
  };
}

/** Bytes / ns → MB/s (10^6 bytes), null when no time was measured. */
function mbps(bytes: number, ns: number): number | null {
  return ns > 0 ? bytes * 1e3 / ns : null;
}

function nz(v: number | null): number {
  return v ?? 0;
}

/**
 * The median of some numbers (mean of the middle two for an even count).
 *
 * @param values At least one number.
 * @returns The median, NaN for none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { median } from "./runner.ts";
 * assert.equal(median([3, 1, 2]), 2);
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * The coefficient of variation: sample standard deviation / mean — the noise across repetitions.
 *
 * @param values One value per repetition.
 * @returns The ratio (0.05 = 5 %), or null for fewer than two values or a zero mean.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cv } from "./runner.ts";
 * assert.equal(cv([10, 10, 10]), 0);
 * assert.equal(cv([1]), null);
 * ```
 */
export function cv(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (mean === 0) return null;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return round6(Math.sqrt(variance) / mean);
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** Allocator stats through JSON, so NaN, Infinity and typed arrays cannot break the files. */
function jsonSafe(stats: Record<string, unknown>): Record<string, unknown> {
  try {
    return JSON.parse(JSON.stringify(stats, (_k, v) => {
      if (typeof v === "number" && !Number.isFinite(v)) return null;
      if (typeof v === "bigint") return Number(v);
      if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
      return v;
    })) ?? {};
  } catch {
    return {};
  }
}
