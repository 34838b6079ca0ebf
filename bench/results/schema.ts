/**
 * The result schema (DESIGN §6): one flat {@linkcode CellResult} per cell whose keys are exactly
 * {@linkcode CSV_COLUMNS}, and the {@linkcode RunResults} document written to `results.json`.
 *
 * Conventions:
 * - Keys keep the kernel's debugfs names (`stored_pages`, `reject_compress_poor`), snake_case.
 * - A cell that did not finish (`status` `failed` or `timeout`) has `null` in every measured column
 *   (counters, ratios, latencies): a zero would look like a measurement. A cell that finished but
 *   whose loads returned wrong bytes is `failed` as well, with its columns kept, so its
 *   `integrity_failures` count shows.
 * - A latency column is `null` when the cell did no operation of that kind (`<op>_count` 0), and
 *   its noise column (`<op>_p50_ns_cv`, `<op>_p99_ns_cv`) is `null` with fewer than two repetitions.
 * - Latencies are nanoseconds; with repetitions each percentile is the median across repetitions,
 *   and `<op>_p50_ns_cv` is the coefficient of variation (sample standard deviation / mean) of the
 *   per-repetition p50 (likewise p99): 0.05 means the repetitions spread by about 5 %.
 * - Counters and pool figures come from the last measured repetition (they are deterministic for a
 *   given seed, so every repetition gives the same ones).
 *
 * @module
 */
import { z } from "zod";
import {
  ATOMIC_COUNTERS,
  type CellTimeline,
  type CounterName,
  KERNEL_COUNTERS,
  OP_COUNTERS,
  SIZE_COUNTERS,
} from "../../zswap/cell_types.ts";

/** Version of the `results.json` / `results.jsonl` layout. Bump when a key changes meaning. */
export const RESULTS_SCHEMA_VERSION = 1;

/** Latency CDFs of one cell: for each probability in `q`, the latency (ns) at or below which it lies. */
export type LatencyCdf = {
  /** The probabilities (0..1), dense in the tail (`bench/results/cell_detail.ts` LATENCY_QUANTILES). */
  q: number[];
  /** Store latency (ns) at each probability; empty when no store was timed. */
  store_ns: number[];
  /** Load latency (ns) at each probability; empty when no load was timed. */
  load_ns: number[];
  /** Writeback latency (ns) at each probability; empty when none was timed. */
  writeback_ns: number[];
};

/** Schema of {@linkcode LatencyCdf}. */
export const LatencyCdfSchema: z.ZodType<LatencyCdf> = z.strictObject({
  q: z.array(z.number()),
  store_ns: z.array(z.number()),
  load_ns: z.array(z.number()),
  writeback_ns: z.array(z.number()),
});

/** The per-repetition latency figures `compare` tests: column name to one value per repetition. */
export type LatencyReps = Record<string, number[]>;

/** Schema of {@linkcode LatencyReps}. */
export const LatencyRepsSchema: z.ZodType<LatencyReps> = z.record(z.string(), z.array(z.number()));

/** One cell's result: a flat object whose keys are exactly {@linkcode CSV_COLUMNS}. */
export type CellResult = Flat<CellResultColumns & CounterColumns>;

/** The columns of a {@linkcode CellResult} other than the counters. */
export type CellResultColumns = {
  // --- identity ---
  /** Stable cell name, e.g. `zsmalloc/lz4/mixed/percpu-buffer/6.8/p4096-s1-c1-t1`. */
  cell: string;
  /** Position of the cell in the full (unfiltered, unsharded) matrix expansion. */
  index: number;
  /** zpool driver name. */
  allocator: string;
  /** Compressor name, `-` for a workload with a fixed compressor. */
  compressor: string;
  /** Workload name. */
  workload: string;
  /** Load-path strategy that ran (the preset's own when none was asked for). */
  strategy: string;
  /** Kernel preset name. */
  preset: string;
  /** Bytes per page. */
  page_size: number;
  /** Distinct pages of the workload. */
  pages: number;
  /** Simulated CPUs. */
  cpus: number;
  /** Simulated tasks. */
  tasks: number;
  /** Workload and frontend seed. */
  seed: number;
  /** Total RAM in pages (base of max_pool_percent). */
  total_ram_pages: number;
  /** zswap.max_pool_percent. */
  max_pool_percent: number;
  /** zswap.accept_threshold_percent. */
  accept_threshold_percent: number;
  /** GFP_ATOMIC bounce-allocation failure probability. */
  bounce_fail_rate: number;
  /** Strict mode: the first violation fails the cell. */
  strict: boolean;
  /** Mean think time (µs) between a task's operations (virtual time). Absent before 0.1 runs. */
  think_us?: number;
  /**
   * What made the latency figures: `measured` (wall clock, in-process work), `wall` (a Worker
   * engine's real round trips and timers), `virtual/measured` or `virtual/calibrated` (the
   * modelled timeline; docs/virtual-time.md); null when the cell did not finish.
   */
  time_model?: string | null;
  /** Measured repetitions (warm-up runs excluded). */
  repetitions: number;
  /** Warm-up runs discarded before the measured ones. */
  warmup: number;
  /**
   * Outcome: `failed` (it threw, broke the plugin contract or lost data), `timeout` (its Worker
   * was stopped), `crashed` (its process or Worker died: out of memory, a fatal error).
   */
  status: "ok" | "failed" | "timeout" | "crashed";
  /** The error message when `status` is not `ok`, else `null`. */
  error: string | null;
  /** Wall time of the whole cell (warm-up and repetitions), milliseconds. */
  duration_ms: number;
  // --- ratios (the counters are COUNTER_NAMES of zswap/cell_types.ts, below) ---
  /**
   * Original / compressed bytes over compressed entries only: (stored_pages − same_filled_pages −
   * stored_incompressible_pages) × page_size / (compressed_bytes − stored_incompressible_pages ×
   * page_size); 0 when no page was compressed.
   */
  compression_ratio: number | null;
  /** stored_pages × page_size / pool_total_size: the number that matters (0 for an empty pool). */
  pool_ratio: number | null;
  /** compressed_bytes / pool_total_size (0 for an empty pool). */
  allocator_efficiency: number | null;
  // --- ours ---
  /** The first few places where a task slept while atomic, joined with "; ". */
  violation_sites: string | null;
  // --- time per operation (ns); see the module doc for medians and noise ---
  /** Store operations timed (in one repetition). */
  store_count: number | null;
  /** Store: median latency (ns). */
  store_p50_ns: number | null;
  /** Store: 90th percentile latency (ns). */
  store_p90_ns: number | null;
  /** Store: 99th percentile latency (ns). */
  store_p99_ns: number | null;
  /** Store: 99.9th percentile latency (ns). */
  store_p999_ns: number | null;
  /** Store: mean latency (ns). */
  store_mean_ns: number | null;
  /** Store: coefficient of variation of the p50 across repetitions. */
  store_p50_ns_cv: number | null;
  /** Store: coefficient of variation of the p99 across repetitions. */
  store_p99_ns_cv: number | null;
  /** Load operations timed (in one repetition). */
  load_count: number | null;
  /** Load: median latency (ns). */
  load_p50_ns: number | null;
  /** Load: 90th percentile latency (ns). */
  load_p90_ns: number | null;
  /** Load: 99th percentile latency (ns). */
  load_p99_ns: number | null;
  /** Load: 99.9th percentile latency (ns). */
  load_p999_ns: number | null;
  /** Load: mean latency (ns). */
  load_mean_ns: number | null;
  /** Load: coefficient of variation of the p50 across repetitions. */
  load_p50_ns_cv: number | null;
  /** Load: coefficient of variation of the p99 across repetitions. */
  load_p99_ns_cv: number | null;
  /** Writeback operations timed (in one repetition). */
  writeback_count: number | null;
  /** Writeback: median latency (ns). */
  writeback_p50_ns: number | null;
  /** Writeback: 90th percentile latency (ns). */
  writeback_p90_ns: number | null;
  /** Writeback: 99th percentile latency (ns). */
  writeback_p99_ns: number | null;
  /** Writeback: 99.9th percentile latency (ns). */
  writeback_p999_ns: number | null;
  /** Writeback: mean latency (ns). */
  writeback_mean_ns: number | null;
  /** Writeback: coefficient of variation of the p50 across repetitions. */
  writeback_p50_ns_cv: number | null;
  /** Writeback: coefficient of variation of the p99 across repetitions. */
  writeback_p99_ns_cv: number | null;
  /** Original bytes of the stores / summed store time (MB = 10^6 bytes per second). */
  store_mbps: number | null;
  /** Page bytes of the load hits / summed load time (MB = 10^6 bytes per second). */
  load_mbps: number | null;
  // --- plugin options as given (objects; JSON strings in the CSV) ---
  /** Allocator options as given (plugin defaults and a preset's zsmalloc rule show in `allocator_stats`). */
  allocator_options: Record<string, unknown>;
  /** Compressor options as given (`{}` for a fixed compressor). */
  compressor_options: Record<string, unknown>;
  /** Workload options as given. */
  workload_options: Record<string, unknown>;
  /** Resolved strategy options (`{}` for the preset's own strategy). */
  strategy_options: Record<string, unknown>;
  /** Allocator stats at the end of the last repetition (`{}` when the cell failed). */
  allocator_stats: Record<string, unknown>;
  // --- detail (objects; JSON strings in the CSV; absent from files of older versions) ---
  /**
   * Allocator stats at the pool's high-water mark of the last repetition, where `pool_pages` was
   * taken: zsmalloc's classes with a zspage (each with `wasteBytes`), zbud/z3fold page fill.
   */
  allocator_stats_hw?: Record<string, unknown> | null;
  /** Pool pages, entries and compressed bytes along the last repetition (bounded points). */
  timeline?: CellTimeline | null;
  /** Store, load and writeback latency CDFs over every measured repetition. */
  latency_cdf?: LatencyCdf | null;
  /** Per-repetition latency figures (`load_p50_ns`: one value per repetition, ...). */
  latency_reps?: LatencyReps | null;
};

/** An intersection of object types as one flat object type (for editors and the schema check). */
export type Flat<T> = { [K in keyof T]: T[K] };

/** The counter columns: one per counter of the frontend, `null` when the cell did not finish. */
export type CounterColumns = { [K in CounterName]: number | null };

const count = z.number().int().nonnegative();
const nullableCount = count.nullable();
const nullableNumber = z.number().nullable();
const options = z.record(z.string(), z.unknown());

/** One nullable count column per counter name, in the list's order. */
function counterColumns<const T extends readonly CounterName[]>(
  names: T,
): { [K in T[number]]: typeof nullableCount } {
  return Object.fromEntries(names.map((n) => [n, nullableCount])) as {
    [K in T[number]]: typeof nullableCount;
  };
}

const CellResultObject = z.strictObject({
  // --- identity ---
  cell: z.string(),
  index: count,
  allocator: z.string(),
  compressor: z.string(),
  workload: z.string(),
  strategy: z.string(),
  preset: z.string(),
  page_size: count,
  pages: count,
  cpus: count,
  tasks: count,
  seed: count,
  total_ram_pages: count,
  max_pool_percent: z.number(),
  accept_threshold_percent: z.number(),
  bounce_fail_rate: z.number(),
  strict: z.boolean(),
  think_us: z.number().optional(),
  time_model: z.string().nullable().optional(),
  repetitions: count,
  warmup: count,
  status: z.enum(["ok", "failed", "timeout", "crashed"]),
  error: z.string().nullable(),
  duration_ms: z.number().nonnegative(),

  // --- kernel counters (debugfs names), at the pool's high-water mark ---
  ...counterColumns(KERNEL_COUNTERS),

  // --- sizes and ratios ---
  ...counterColumns(SIZE_COUNTERS),
  compression_ratio: nullableNumber,
  pool_ratio: nullableNumber,
  allocator_efficiency: nullableNumber,

  // --- ours ---
  ...counterColumns(ATOMIC_COUNTERS),
  violation_sites: z.string().nullable(),
  ...counterColumns(OP_COUNTERS),
  keepalive: nullableNumber, // a sum of lengths, not a count: any number

  // --- time per operation (ns); see the module doc for medians and noise ---
  store_count: nullableCount,
  store_p50_ns: nullableNumber,
  store_p90_ns: nullableNumber,
  store_p99_ns: nullableNumber,
  store_p999_ns: nullableNumber,
  store_mean_ns: nullableNumber,
  store_p50_ns_cv: nullableNumber,
  store_p99_ns_cv: nullableNumber,
  load_count: nullableCount,
  load_p50_ns: nullableNumber,
  load_p90_ns: nullableNumber,
  load_p99_ns: nullableNumber,
  load_p999_ns: nullableNumber,
  load_mean_ns: nullableNumber,
  load_p50_ns_cv: nullableNumber,
  load_p99_ns_cv: nullableNumber,
  writeback_count: nullableCount,
  writeback_p50_ns: nullableNumber,
  writeback_p90_ns: nullableNumber,
  writeback_p99_ns: nullableNumber,
  writeback_p999_ns: nullableNumber,
  writeback_mean_ns: nullableNumber,
  writeback_p50_ns_cv: nullableNumber,
  writeback_p99_ns_cv: nullableNumber,
  store_mbps: nullableNumber,
  load_mbps: nullableNumber,

  // --- plugin options as given (objects; JSON strings in the CSV) ---
  allocator_options: options,
  compressor_options: options,
  workload_options: options,
  strategy_options: options,
  allocator_stats: options,

  // --- detail ---
  allocator_stats_hw: options.nullable().optional(),
  timeline: z.strictObject({
    ops: z.array(count),
    pool_pages: z.array(count),
    stored_pages: z.array(count),
    compressed_bytes: z.array(count),
    hw_pool_pages: count,
    hw_op: count,
  }).nullable().optional(),
  latency_cdf: LatencyCdfSchema.nullable().optional(),
  latency_reps: LatencyRepsSchema.nullable().optional(),
});

/** The zod schema of {@linkcode CellResult} (strict: unknown keys are errors). */
export const CellResultSchema: z.ZodType<CellResult> = CellResultObject;

/** The columns of `results.csv`, in order: exactly the keys of {@linkcode CellResult}. */
export const CSV_COLUMNS: readonly (keyof CellResult)[] = Object.freeze(
  Object.keys(CellResultObject.shape) as (keyof CellResult)[],
);

/** The columns holding objects, written as JSON strings in the CSV. */
export const OBJECT_COLUMNS: readonly (keyof CellResult)[] = Object.freeze([
  "allocator_options",
  "compressor_options",
  "workload_options",
  "strategy_options",
  "allocator_stats",
  "allocator_stats_hw",
  "timeline",
  "latency_cdf",
  "latency_reps",
] as (keyof CellResult)[]);

/** The run's environment (DESIGN §6). */
export type Environment = {
  /** zswapbench version (deno.json). */
  tool_version: string;
  /** `git rev-parse HEAD` of the checkout, `null` when unknown. */
  git_commit: string | null;
  /** True when the checkout had uncommitted changes to tracked files, `null` when unknown. */
  git_dirty: boolean | null;
  /** Deno version. */
  deno: string;
  /** V8 version. */
  v8: string;
  /** TypeScript version. */
  typescript: string;
  /** CPU model name (`/proc/cpuinfo`), `null` when unknown. */
  cpu_model: string | null;
  /** Logical cores. */
  cores: number;
  /** Operating system (`Deno.build.os`) and release when known. */
  os: string;
  /** CPU architecture (`Deno.build.arch`). */
  arch: string;
  /** Total memory in bytes, `null` when unknown. */
  total_memory_bytes: number | null;
  /** Run start, ISO 8601. */
  started_at: string;
  /** Run end, ISO 8601 (`null` while running). */
  ended_at: string | null;
  /** Median time of an empty operation timed like a store or load (ns): the clock's floor. */
  timer_floor_ns: number;
  /** Smallest non-zero step of `performance.now()` observed (ns). */
  timer_resolution_ns: number;
  /** Cells run at once (`--jobs`; absent in files written before it existed: 1). */
  jobs?: number;
  /**
   * Where cells ran: `in-process`, `worker` (one Worker per cell, permissions narrowed),
   * `process` (one process per cell with a heap limit, running such a Worker), or `mixed` when
   * the parts of a resumed run differ (`parts` says which cell ran how).
   */
  cell_isolation?: "in-process" | "worker" | "process" | "mixed";
  /** Seconds after which a cell's Worker is terminated (`--cell-timeout`), null for none. */
  cell_timeout_s?: number | null;
  /** SHA-256 of the tool's own source files when the run began (resume refuses another). */
  tool_hash?: string;
  /**
   * SHA-256 of each plugin module's files (its module graph) when the run began, by specifier
   * (resume refuses a module that changed).
   */
  plugin_hashes?: Record<string, string>;
  /** Each part of the run (the first, then one per `--resume`): how its cells ran. */
  parts?: RunPart[];
};

/** One part of a run: the first session or a `--resume`, and how its cells ran. */
export type RunPart = {
  /** When the part began, ISO 8601. */
  started_at: string;
  /** Cells at once. */
  jobs: number;
  /** Where its cells ran. */
  cell_isolation: "in-process" | "worker" | "process";
  /** Its cell timeout (s), null for none. */
  cell_timeout_s: number | null;
  /** Matrix indexes of the cells it ran. */
  cells: number[];
};

const RunPartObject = z.strictObject({
  started_at: z.string(),
  jobs: count.min(1),
  cell_isolation: z.enum(["in-process", "worker", "process"]),
  cell_timeout_s: z.number().nonnegative().nullable(),
  cells: z.array(count),
});

const EnvironmentObject = z.strictObject({
  tool_version: z.string(),
  git_commit: z.string().nullable(),
  git_dirty: z.boolean().nullable(),
  deno: z.string(),
  v8: z.string(),
  typescript: z.string(),
  cpu_model: z.string().nullable(),
  cores: count,
  os: z.string(),
  arch: z.string(),
  total_memory_bytes: nullableCount,
  started_at: z.string(),
  ended_at: z.string().nullable(),
  timer_floor_ns: z.number().nonnegative(),
  timer_resolution_ns: z.number().nonnegative(),
  jobs: count.min(1).optional(),
  cell_isolation: z.enum(["in-process", "worker", "process", "mixed"]).optional(),
  cell_timeout_s: z.number().nonnegative().nullable().optional(),
  tool_hash: z.string().optional(),
  plugin_hashes: z.record(z.string(), z.string()).optional(),
  parts: z.array(RunPartObject).optional(),
});

/** The zod schema of {@linkcode Environment}. */
export const EnvironmentSchema: z.ZodType<Environment> = EnvironmentObject;

/** The tool that wrote a results file. */
export type Tool = {
  /** Always `zswapbench`. */
  name: string;
  /** The tool version. */
  version: string;
};

const ToolObject = z.strictObject({ name: z.string(), version: z.string() });

/** The zod schema of {@linkcode Tool}. */
export const ToolSchema: z.ZodType<Tool> = ToolObject;

/** The `results.json` document. */
export type RunResults = {
  /** {@linkcode RESULTS_SCHEMA_VERSION}. */
  schema_version: typeof RESULTS_SCHEMA_VERSION;
  /** Which tool wrote the file. */
  tool: Tool;
  /** Where and when it ran. */
  environment: Environment;
  /** The fully resolved config, seed included (a `ResolvedConfig` of `bench/run/config.ts`). */
  config: Record<string, unknown>;
  /** One result per cell, in matrix order. */
  cells: CellResult[];
};

const RunResultsObject = z.strictObject({
  schema_version: z.literal(RESULTS_SCHEMA_VERSION),
  tool: ToolObject,
  environment: EnvironmentObject,
  config: z.record(z.string(), z.unknown()),
  cells: z.array(CellResultObject),
});

/** The zod schema of {@linkcode RunResults} (`config` is checked by `bench/run/config.ts`). */
export const RunResultsSchema: z.ZodType<RunResults> = RunResultsObject;

/** The first line of `results.jsonl`: everything of {@linkcode RunResults} but the cells. */
export type JsonlHeader = {
  /** Marks the header line. */
  type: "header";
  /** {@linkcode RESULTS_SCHEMA_VERSION}. */
  schema_version: typeof RESULTS_SCHEMA_VERSION;
  /** Which tool wrote the file. */
  tool: Tool;
  /** Where and when it ran (`ended_at` null). */
  environment: Environment;
  /** The fully resolved config. */
  config: Record<string, unknown>;
};

const JsonlHeaderObject = z.strictObject({
  type: z.literal("header"),
  schema_version: z.literal(RESULTS_SCHEMA_VERSION),
  tool: ToolObject,
  environment: EnvironmentObject,
  config: z.record(z.string(), z.unknown()),
});

/** The zod schema of {@linkcode JsonlHeader}. */
export const JsonlHeaderSchema: z.ZodType<JsonlHeader> = JsonlHeaderObject;

// Compile-time checks that each interface and its schema agree key for key and type for type.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
const _sameCell: Same<z.infer<typeof CellResultObject>, CellResult> = true;
const _sameEnvironment: Same<z.infer<typeof EnvironmentObject>, Environment> = true;
const _sameRun: Same<z.infer<typeof RunResultsObject>, RunResults> = true;
const _sameHeader: Same<z.infer<typeof JsonlHeaderObject>, JsonlHeader> = true;
void [_sameCell, _sameEnvironment, _sameRun, _sameHeader];
