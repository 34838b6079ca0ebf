/**
 * Synthetic results for reporter and compare tests: a run over 2 allocators x 2 compressors x 3
 * strategies of one workload and preset, with one failed cell. Figures are made up but plausible
 * and deterministic (no random source, no clock); the builder validates them with the real schema.
 *
 * @module
 */
import {
  type CellResult,
  type Environment,
  RESULTS_SCHEMA_VERSION,
  type RunResults,
  RunResultsSchema,
} from "../../bench/results/schema.ts";

/** Allocators of the fixture. */
export const FIXTURE_ALLOCATORS = ["zbud", "zsmalloc"] as const;
/** Compressors of the fixture. */
export const FIXTURE_COMPRESSORS = ["lz4", "zstd"] as const;
/** Strategies of the fixture. */
export const FIXTURE_STRATEGIES = ["bounce-alloc", "percpu-buffer", "sg-read"] as const;
/** The cell that fails in the fixture. */
export const FIXTURE_FAILED_CELL = "zbud/zstd/mixed/sg-read/6.8/p4096-s1-c1-t1";

/** The environment of the fixture run. */
export function fixtureEnvironment(overrides: Partial<Environment> = {}): Environment {
  return {
    tool_version: "0.1.0",
    git_commit: "0123456789abcdef0123456789abcdef01234567",
    git_dirty: false,
    deno: "2.9.6",
    v8: "14.0.0",
    typescript: "5.9.2",
    cpu_model: "Example CPU @ 3.00GHz",
    cores: 2,
    os: "linux 6.1.0",
    arch: "x86_64",
    total_memory_bytes: 8 * 1024 ** 3,
    started_at: "2025-01-01T00:00:00.000Z",
    ended_at: "2025-01-01T00:01:00.000Z",
    timer_floor_ns: 40,
    timer_resolution_ns: 20,
    ...overrides,
  };
}

/** A cell with every column set; `overrides` replace any of them. */
export function fixtureCell(
  allocator: string,
  compressor: string,
  strategy: string,
  index: number,
  overrides: Partial<CellResult> = {},
): CellResult {
  const pages = 1000;
  const pageSize = 4096;
  const cratio = compressor === "zstd" ? 3.1 : 2.4;
  const density = allocator === "zsmalloc" ? 0.92 : 0.61;
  const stored = pages;
  const compressed = Math.round((stored * pageSize) / cratio);
  const poolBytes = Math.ceil(compressed / density / pageSize) * pageSize;
  const codecNs = compressor === "zstd" ? 6000 : 2500;
  const bounceNs = strategy === "sg-read" ? 0 : strategy === "bounce-alloc" ? 900 : 400;
  const allocNs = allocator === "zsmalloc" ? 300 : 100;
  const p50 = codecNs + bounceNs + allocNs + index * 7;
  const bounced = strategy === "sg-read" ? 0 : compressed * (strategy === "bounce-alloc" ? 1 : 0.9);
  return {
    cell: `${allocator}/${compressor}/mixed/${strategy}/6.8/p4096-s1-c1-t1`,
    index,
    allocator,
    compressor,
    workload: "mixed",
    strategy,
    preset: "6.8",
    page_size: pageSize,
    pages,
    cpus: 1,
    tasks: 1,
    seed: 1,
    total_ram_pages: 262144,
    max_pool_percent: 20,
    accept_threshold_percent: 90,
    bounce_fail_rate: 0,
    strict: false,
    repetitions: 3,
    warmup: 1,
    status: "ok",
    error: null,
    duration_ms: 120 + index,
    stored_pages: stored,
    pool_total_size: poolBytes,
    pool_pages: poolBytes / pageSize,
    same_filled_pages: 0,
    zero_pages: 0,
    stored_incompressible_pages: 0,
    reject_compress_poor: 0,
    reject_compress_fail: 0,
    reject_alloc_fail: 0,
    reject_kmemcache_fail: 0,
    reject_reclaim_fail: 0,
    pool_limit_hit: 0,
    written_back_pages: 0,
    duplicate_entry: 0,
    decompress_fail: 0,
    original_bytes: stored * pageSize,
    compressed_bytes: compressed,
    pool_pages_end: 0,
    stored_pages_end: 0,
    compression_ratio: (stored * pageSize) / compressed,
    pool_ratio: (stored * pageSize) / poolBytes,
    allocator_efficiency: compressed / poolBytes,
    bytes_bounced: Math.round(bounced),
    trylock_failed: 0,
    mutex_waits: 0,
    violations: 0,
    violation_sites: null,
    integrity_failures: 0,
    stores: pages,
    loads: pages,
    load_hits: pages,
    invalidates: 0,
    load_failed: 0,
    keepalive: compressed,
    store_count: pages,
    store_p50_ns: p50 * 2,
    store_p90_ns: p50 * 2.6,
    store_p99_ns: p50 * 4,
    store_p999_ns: p50 * 9,
    store_mean_ns: p50 * 2.3,
    store_p50_ns_cv: 0.01,
    store_p99_ns_cv: 0.02,
    load_count: pages,
    load_p50_ns: p50,
    load_p90_ns: p50 * 1.5,
    load_p99_ns: p50 * 3 + (allocator === "zbud" ? 500 : 0),
    load_p999_ns: p50 * 8,
    load_mean_ns: p50 * 1.2,
    load_p50_ns_cv: 0.01,
    load_p99_ns_cv: 0.02,
    writeback_count: 0,
    writeback_p50_ns: null,
    writeback_p90_ns: null,
    writeback_p99_ns: null,
    writeback_p999_ns: null,
    writeback_mean_ns: null,
    writeback_p50_ns_cv: null,
    writeback_p99_ns_cv: null,
    store_mbps: pageSize / (p50 * 2) * 1e3,
    load_mbps: pageSize / p50 * 1e3,
    allocator_options: {},
    compressor_options: {},
    workload_options: { mix: "text" },
    strategy_options: {},
    allocator_stats: {},
    ...overrides,
  };
}

/** The measured columns a failed cell leaves `null`. */
function failedOverrides(error: string): Partial<CellResult> {
  const nulls: Partial<Record<keyof CellResult, null>> = {};
  const keep = new Set<keyof CellResult>([
    "cell",
    "index",
    "allocator",
    "compressor",
    "workload",
    "strategy",
    "preset",
    "page_size",
    "pages",
    "cpus",
    "tasks",
    "seed",
    "total_ram_pages",
    "max_pool_percent",
    "accept_threshold_percent",
    "bounce_fail_rate",
    "strict",
    "repetitions",
    "warmup",
    "status",
    "error",
    "duration_ms",
    "allocator_options",
    "compressor_options",
    "workload_options",
    "strategy_options",
    "allocator_stats",
  ]);
  for (const key of Object.keys(fixtureCell("zbud", "lz4", "sg-read", 0))) {
    if (!keep.has(key as keyof CellResult)) nulls[key as keyof CellResult] = null;
  }
  return { ...nulls, status: "failed", error, allocator_stats: {} } as Partial<CellResult>;
}

/** Options of {@linkcode fixtureResults}. */
export interface FixtureOptions {
  /** Environment fields to replace. */
  environment?: Partial<Environment>;
  /** Config fields to add or replace. */
  config?: Record<string, unknown>;
  /** Applied to each cell after it is built (return the cell to keep it). */
  mapCell?: (cell: CellResult) => CellResult;
}

/**
 * A whole run: 12 cells (2 allocators x 2 compressors x 3 strategies), the zbud/zstd/sg-read one
 * failed. Validated with `RunResultsSchema`.
 */
export function fixtureResults(options: FixtureOptions = {}): RunResults {
  const cells: CellResult[] = [];
  for (const a of FIXTURE_ALLOCATORS) {
    for (const c of FIXTURE_COMPRESSORS) {
      for (const s of FIXTURE_STRATEGIES) {
        let cell = fixtureCell(a, c, s, cells.length);
        if (cell.cell === FIXTURE_FAILED_CELL) {
          cell = {
            ...cell,
            ...failedOverrides('Object of 5000 bytes exceeds the zbud limit of 4032 | "E2BIG"'),
          };
        }
        cells.push(options.mapCell ? options.mapCell(cell) : cell);
      }
    }
  }
  return RunResultsSchema.parse({
    schema_version: RESULTS_SCHEMA_VERSION,
    tool: { name: "zswapbench", version: "0.1.0" },
    environment: fixtureEnvironment(options.environment),
    config: {
      allocators: [...FIXTURE_ALLOCATORS],
      compressors: [...FIXTURE_COMPRESSORS],
      strategies: [...FIXTURE_STRATEGIES],
      workloads: ["mixed"],
      presets: ["6.8"],
      pages: 1000,
      seed: 1,
      jobs: 1,
      ...options.config,
    },
    cells,
  });
}
