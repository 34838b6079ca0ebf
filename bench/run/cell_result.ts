/**
 * Cell results: what a cell's runs become as one {@linkcode CellResult} row. A finished cell
 * gets its counters (the frontend's, as they are), the ratios derived from them, the latency
 * medians over its repetitions and their noise; a cell that did not finish gets `null` in every
 * measured column. Each row is built as a typed object, so a missing column is a type error here,
 * not a surprise when a file is read back.
 *
 * @module
 */
import { oneLine } from "../results/text.ts";
import { dataLoss, type DataLossVerdict } from "./data_loss.ts";
import { COUNTER_NAMES } from "../../zswap/cell_types.ts";
import type { CellCounters, CellRun } from "../../zswap/cell_types.ts";
import { Histogram, type HistogramSummary } from "../measure/histogram.ts";
import { compactAllocatorStats, latencyCdf } from "../results/cell_detail.ts";
import type { HistogramRecorder } from "../measure/recorder.ts";
import { cv, mbps, median, round1, round3, round6 } from "../measure/stats.ts";
import type { CellSpec } from "./matrix.ts";
import type { CellResult, CounterColumns } from "../results/schema.ts";

/** One measured run of a cell: what the frontend returned and the latencies recorded. */
export interface Repetition {
  /** The frontend's counters and what ran. */
  run: CellRun;
  /** The latencies of that run. */
  recorder: HistogramRecorder;
  /** Time of the reference loop just before the repetition (ns; 0 when not timed). */
  machineNs?: number;
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
    think_us: p.thinkUs ?? 0,
    time_model: null as string | null,
    repetitions: spec.repetitions,
    warmup: spec.warmup,
    duration_ms: round3(durationMs),
    allocator_options: spec.allocator.options,
    compressor_options: spec.fixedCompressor ? {} : spec.compressor.options,
    workload_options: spec.workload.options,
    strategy_options: spec.strategy?.options ?? {},
  };
}

const OPS = ["store", "load", "writeback"] as const;

/** The latency columns of one kind of operation, unprefixed. */
interface OpLatency {
  count: number | null;
  p50_ns: number | null;
  p90_ns: number | null;
  p99_ns: number | null;
  p999_ns: number | null;
  mean_ns: number | null;
  p50_ns_cv: number | null;
  p99_ns_cv: number | null;
}

const NO_LATENCY: OpLatency = {
  count: null,
  p50_ns: null,
  p90_ns: null,
  p99_ns: null,
  p999_ns: null,
  mean_ns: null,
  p50_ns_cv: null,
  p99_ns_cv: null,
};

type LatencyColumns = Pick<CellResult, `${(typeof OPS)[number]}_${keyof OpLatency}`>;

function latencyColumns(s: Record<(typeof OPS)[number], OpLatency>): LatencyColumns {
  return {
    store_count: s.store.count,
    store_p50_ns: s.store.p50_ns,
    store_p90_ns: s.store.p90_ns,
    store_p99_ns: s.store.p99_ns,
    store_p999_ns: s.store.p999_ns,
    store_mean_ns: s.store.mean_ns,
    store_p50_ns_cv: s.store.p50_ns_cv,
    store_p99_ns_cv: s.store.p99_ns_cv,
    load_count: s.load.count,
    load_p50_ns: s.load.p50_ns,
    load_p90_ns: s.load.p90_ns,
    load_p99_ns: s.load.p99_ns,
    load_p999_ns: s.load.p999_ns,
    load_mean_ns: s.load.mean_ns,
    load_p50_ns_cv: s.load.p50_ns_cv,
    load_p99_ns_cv: s.load.p99_ns_cv,
    writeback_count: s.writeback.count,
    writeback_p50_ns: s.writeback.p50_ns,
    writeback_p90_ns: s.writeback.p90_ns,
    writeback_p99_ns: s.writeback.p99_ns,
    writeback_p999_ns: s.writeback.p999_ns,
    writeback_mean_ns: s.writeback.mean_ns,
    writeback_p50_ns_cv: s.writeback.p50_ns_cv,
    writeback_p99_ns_cv: s.writeback.p99_ns_cv,
  };
}

/** The medians over the repetitions of one kind of operation, and their noise. */
function opLatency(summaries: HistogramSummary[]): OpLatency {
  const n = summaries[summaries.length - 1].count;
  if (n === 0) return { ...NO_LATENCY, count: 0 };
  const pick = (f: (s: HistogramSummary) => number) => round1(median(summaries.map(f)));
  return {
    count: n,
    p50_ns: pick((s) => s.p50),
    p90_ns: pick((s) => s.p90),
    p99_ns: pick((s) => s.p99),
    p999_ns: pick((s) => s.p999),
    mean_ns: pick((s) => s.mean),
    p50_ns_cv: cv(summaries.map((s) => s.p50)),
    p99_ns_cv: cv(summaries.map((s) => s.p99)),
  };
}

/** `null` for every counter (one per name of `COUNTER_NAMES`). */
function nullCounters(): CounterColumns {
  const c = {} as CounterColumns;
  for (const name of COUNTER_NAMES) c[name] = null;
  return c;
}

/**
 * The result of a cell that did not finish: its identity, the status and error, and `null` in
 * every measured column (a zero would look like a measurement).
 *
 * @param spec The cell.
 * @param status `failed` (it threw), `timeout` (its Worker was terminated) or `crashed` (its
 *   process or Worker died).
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
  status: "failed" | "timeout" | "crashed",
  error: string,
  durationMs: number,
): CellResult {
  return {
    ...identity(spec, spec.strategyName, durationMs),
    status,
    error: oneLine(error),
    ...nullCounters(),
    ...latencyColumns({ store: NO_LATENCY, load: NO_LATENCY, writeback: NO_LATENCY }),
    compression_ratio: null,
    pool_ratio: null,
    allocator_efficiency: null,
    violation_sites: null,
    store_mbps: null,
    load_mbps: null,
    allocator_stats: {},
    ...detailColumns(null),
  };
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

/**
 * The result of a cell that finished: the last repetition's counters, the ratios derived from
 * them, and the latency medians over every repetition. A cell whose loads returned wrong bytes
 * is `failed` (DESIGN §1), its counters kept so the count shows.
 *
 * @param spec The cell.
 * @param reps Its measured repetitions (at least one).
 * @param durationMs How long it ran.
 * @returns The result.
 *
 * @example
 * ```ts ignore
 * const r = okResult(spec, [{ run, recorder }], 12);
 * ```
 */
export function okResult(
  spec: CellSpec,
  reps: Repetition[],
  durationMs: number,
  loss: DataLossVerdict = dataLoss(reps.map((r) => r.run.counters), 0),
): CellResult {
  const last = reps[reps.length - 1];
  // A cell is as bad as its worst run: with data loss, the counters are those of the worst run
  // (a warm-up run's loss counts are shown on the last repetition's counters).
  const c: CellCounters = loss.error === null
    ? last.run.counters
    : loss.worst >= spec.warmup
    ? reps[loss.worst - spec.warmup].run.counters
    : {
      ...last.run.counters,
      decompress_fail: loss.counters.decompress_fail,
      integrity_failures: loss.counters.integrity_failures,
    };
  const pageSize = spec.params.pageSize;
  const storeMbps = reps.map((r) => mbps(r.run.counters.stores * pageSize, r.recorder.stores.sum));
  const loadMbps = reps.map((r) => mbps(r.run.counters.load_hits * pageSize, r.recorder.loads.sum));
  // Lost data fails the cell, never hidden (DESIGN §1): the status says so and the counters
  // stay, so the number of failed and wrong loads is reported.
  const counters: CounterColumns = nullCounters();
  for (const name of COUNTER_NAMES) counters[name] = c[name];
  return {
    ...identity(spec, last.run.strategy, durationMs),
    time_model: last.run.timeModel ?? "measured",
    status: loss.error !== null ? "failed" : "ok",
    error: loss.error,
    ...counters,
    ...deriveRatios(c, pageSize),
    violation_sites: oneLine(last.run.violationSites.join("; ")),
    ...latencyColumns({
      store: opLatency(reps.map((r) => r.recorder.stores.summary())),
      load: opLatency(reps.map((r) => r.recorder.loads.summary())),
      writeback: opLatency(reps.map((r) => r.recorder.writebacks.summary())),
    }),
    store_mbps: storeMbps.every((v) => v === null) ? null : round3(median(storeMbps.map(nz))),
    load_mbps: loadMbps.every((v) => v === null) ? null : round3(median(loadMbps.map(nz))),
    allocator_stats: compactAllocatorStats(jsonSafe(last.run.allocatorStats), pageSize),
    ...detailColumns({ spec, reps }),
  };
}

/** The detail columns (`bench/results/cell_detail.ts`); all null for a cell that did not finish. */
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
    (perRep.machine_ns ??= []).push(r.machineNs ?? 0);
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

function nz(v: number | null): number {
  return v ?? 0;
}

/** The most bytes of allocator stats kept in a result (a plugin's stats are its own text). */
const MAX_STATS_BYTES = 65536;

/**
 * Allocator stats through JSON, so NaN, Infinity and typed arrays cannot break the files, and
 * at most {@linkcode MAX_STATS_BYTES} of them.
 */
function jsonSafe(stats: Record<string, unknown>): Record<string, unknown> {
  try {
    const text = JSON.stringify(stats, (_k, v) => {
      if (typeof v === "number" && !Number.isFinite(v)) return null;
      if (typeof v === "bigint") return Number(v);
      if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
      return v;
    });
    if (text === undefined) return {};
    if (text.length > MAX_STATS_BYTES) {
      return { left_out: `${text.length} bytes of stats (more than ${MAX_STATS_BYTES})` };
    }
    return JSON.parse(text) ?? {};
  } catch {
    return {};
  }
}
