/**
 * `deno task perf [--json]`: how much the harness adds to the work it measures, in one run.
 *
 * 1. Overhead: the lz4 codec alone against the same pages through the frontend's whole store and
 *    load paths (zsmalloc, percpu-buffer, preset 6.8, one CPU, one task), every call timed alone
 *    the same way on both sides; `overhead.store_ratio` and `overhead.load_ratio` are frontend
 *    time / bare codec time.
 * 2. Allocators: malloc+free pairs per second of zbud, z3fold and zsmalloc with object sizes drawn
 *    from lz4 lengths of real pages (`allocators.<name>.pairs_per_sec`).
 * 3. Memory and scale: a 1,000,000-page (4 GiB) store-and-load cell of `mixed`, its time and peak
 *    resident memory, and the harness's memory per stored page at the pool's high-water mark
 *    (`memory.bytes_per_stored_page`).
 *
 * Each part's method is in its module (`bench/perf/*.ts`) and in docs/performance.md. Figures
 * are checked against the targets of issue 8 and the table marks each; the exit code is 0 either
 * way (a slow machine is not an error). Run with `--v8-flags=--expose-gc` (the `perf` task does)
 * so memory is read after a full collection.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { collectEnvironment, TOOL_NAME } from "../run/environment.ts";
import { UsageError } from "../../registry/errors.ts";
import type { Environment } from "../results/schema.ts";
import { type AllocResult, measureAllocators } from "./alloc.ts";
import { bigRun, type BigRunResult, type MemoryResult } from "./memory.ts";
import { measureOverhead, type OverheadResult } from "./overhead.ts";
import { gcExposed } from "./util.ts";

export type { AllocatorPairs, AllocResult, SizeDistribution } from "./alloc.ts";
export type { BigRunResult, MemoryResult } from "./memory.ts";
export type { OverheadResult } from "./overhead.ts";

/** The targets of issue 8 on a 2-core machine. */
export const PERF_TARGETS = {
  /** Frontend store time / bare compress time, at most. */
  store_ratio: 1.10,
  /** Frontend load time / bare decompress time, at most. */
  load_ratio: 1.15,
  /** malloc+free pairs per second of each allocator, at least. */
  pairs_per_sec: 2_000_000,
  /** Harness bytes per stored page at 1,000,000 pages, at most. */
  bytes_per_stored_page: 64,
} as const;

/** Options of {@linkcode runPerf}. */
export interface PerfOptions {
  /** Pages per overhead round (default 4096). */
  pages?: number;
  /** Measured overhead rounds (default 9). */
  rounds?: number;
  /** Live objects per pool in the pairs benchmark (default 50,000). */
  live?: number;
  /** malloc+free pairs per timed batch (default 200,000). */
  pairs?: number;
  /** Timed batches per allocator (default 9). */
  pairRounds?: number;
  /** Pages of the big run (default 1,000,000; 0 skips it and the memory figure). */
  bigPages?: number;
  /** Seed of every workload and draw (default 1). */
  seed?: number;
  /** Called with a line of progress before each part. */
  onProgress?: (line: string) => void;
}

/** The report of one `deno task perf` run (`--json` prints it). */
export interface PerfReport {
  /** The tool's name. */
  tool: string;
  /** What this object is. */
  kind: "perf";
  /** The machine, runtime and timer floor. */
  environment: Environment;
  /** The resolved options. */
  config: Required<Omit<PerfOptions, "onProgress">> & { page_size: number; gc_exposed: boolean };
  /** Frontend time / bare codec time. */
  overhead: OverheadResult;
  /** Pairs per second by allocator, and the sizes drawn. */
  allocators: AllocResult["allocators"];
  /** How the pairs were run. */
  allocator_method: Omit<AllocResult, "allocators">;
  /** Harness memory per stored page at the big run's high-water mark (null when skipped). */
  memory: MemoryResult | null;
  /** The big run (null when skipped). */
  big_run: BigRunResult | null;
  /** The targets checked. */
  targets: typeof PERF_TARGETS;
  /** Which targets were met (null: not measured). */
  met: {
    store_ratio: boolean;
    load_ratio: boolean;
    pairs_per_sec: boolean;
    bytes_per_stored_page: boolean | null;
    all: boolean;
  };
}

const PAGE_SIZE = 4096;

/**
 * Run every measurement of `deno task perf` once.
 *
 * @param options Sizes and seed; the defaults are the figures the README quotes.
 * @returns The report.
 *
 * @example
 * ```ts ignore
 * import { runPerf } from "./main.ts";
 * const r = await runPerf({ pages: 256, rounds: 2, bigPages: 0 });
 * console.log(r.overhead.store_ratio, r.allocators.zsmalloc.pairs_per_sec);
 * ```
 */
export async function runPerf(options: PerfOptions = {}): Promise<PerfReport> {
  const config = {
    pages: options.pages ?? 4096,
    rounds: options.rounds ?? 9,
    live: options.live ?? 50_000,
    pairs: options.pairs ?? 200_000,
    pairRounds: options.pairRounds ?? 9,
    bigPages: options.bigPages ?? 1_000_000,
    seed: options.seed ?? 1,
    page_size: PAGE_SIZE,
    gc_exposed: gcExposed(),
  };
  const progress = options.onProgress ?? (() => {});
  const environment = await collectEnvironment();
  // The big run goes first, into a fresh process, so its resident-set readings start clean.
  let memory: MemoryResult | null = null;
  let big: BigRunResult | null = null;
  if (config.bigPages > 0) {
    progress(`big run: ${config.bigPages} pages`);
    const r = await bigRun({ pages: config.bigPages, seed: config.seed, pageSize: PAGE_SIZE });
    memory = r.memory;
    big = r.run;
  }
  progress(`overhead: ${config.rounds} rounds of ${config.pages} pages`);
  const overhead = await measureOverhead({
    pages: config.pages,
    rounds: config.rounds,
    seed: config.seed,
    pageSize: PAGE_SIZE,
  });
  progress(`allocators: ${config.pairRounds} batches of ${config.pairs} pairs`);
  const { allocators, ...allocatorMethod } = measureAllocators({
    live: config.live,
    pairs: config.pairs,
    rounds: config.pairRounds,
    seed: config.seed,
    pageSize: PAGE_SIZE,
  });
  environment.ended_at = new Date().toISOString();
  const t = PERF_TARGETS;
  const pairsMet = Object.values(allocators).every((a) => a.pairs_per_sec >= t.pairs_per_sec);
  const met = {
    store_ratio: overhead.store_ratio <= t.store_ratio,
    load_ratio: overhead.load_ratio <= t.load_ratio,
    pairs_per_sec: pairsMet,
    bytes_per_stored_page: memory === null
      ? null
      : memory.bytes_per_stored_page <= t.bytes_per_stored_page,
    all: false,
  };
  met.all = met.store_ratio && met.load_ratio && met.pairs_per_sec &&
    met.bytes_per_stored_page === true;
  return {
    tool: TOOL_NAME,
    kind: "perf",
    environment,
    config,
    overhead,
    allocators,
    allocator_method: allocatorMethod,
    memory,
    big_run: big,
    targets: PERF_TARGETS,
    met,
  };
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function mark(ok: boolean | null): string {
  return ok === null ? "-" : ok ? "ok" : "MISSED";
}

/**
 * The report as a plain-text table.
 *
 * @param r A report from {@linkcode runPerf}.
 * @returns Lines of text, ending with a newline.
 *
 * @example
 * ```ts ignore
 * import { formatPerfTable, runPerf } from "./main.ts";
 * console.log(formatPerfTable(await runPerf({ bigPages: 0 })));
 * ```
 */
export function formatPerfTable(r: PerfReport): string {
  const o = r.overhead;
  const t = r.targets;
  const rows: [string, string, string, string][] = [
    ["figure", "value", "target", ""],
    [
      "overhead.store_ratio",
      fmt(o.store_ratio, 3),
      `<= ${t.store_ratio}`,
      mark(r.met.store_ratio),
    ],
    ["overhead.load_ratio", fmt(o.load_ratio, 3), `<= ${t.load_ratio}`, mark(r.met.load_ratio)],
  ];
  for (const [name, a] of Object.entries(r.allocators)) {
    rows.push([
      `allocators.${name}.pairs_per_sec`,
      fmt(a.pairs_per_sec),
      `>= ${fmt(t.pairs_per_sec)}`,
      mark(a.pairs_per_sec >= t.pairs_per_sec),
    ]);
  }
  if (r.memory !== null) {
    rows.push([
      "memory.bytes_per_stored_page",
      fmt(r.memory.bytes_per_stored_page, 1),
      `<= ${t.bytes_per_stored_page}`,
      mark(r.met.bytes_per_stored_page),
    ]);
    rows.push([
      "memory.rss_bytes_per_stored_page",
      fmt(r.memory.rss_bytes_per_stored_page, 1),
      "",
      "",
    ]);
  }
  if (r.big_run !== null) {
    const b = r.big_run;
    rows.push([`big_run.seconds (${fmt(b.pages)} pages)`, fmt(b.seconds, 1), "", ""]);
    rows.push(["big_run.peak_rss_bytes", fmt(b.peak_rss_bytes), "", ""]);
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row.map((cell, i) => i === 1 ? cell.padStart(widths[i]) : cell.padEnd(widths[i])).join("  ")
      .trimEnd();
  const out = rows.map(line);
  out.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  out.push("");
  out.push(
    `store: bare lz4 ${fmt(o.bare_compress_ns)} ns/page, frontend ${
      fmt(o.frontend_store_ns)
    } ns (+${fmt(o.store_extra_ns)}); load: bare ${fmt(o.bare_decompress_ns)} ns, frontend ${
      fmt(o.frontend_load_ns)
    } ns (+${fmt(o.load_extra_ns)}); ${o.pages} pages x ${o.rounds} rounds, ${o.workload}`,
  );
  out.push(
    `timing: ${o.timing}; timer floor ${r.environment.timer_floor_ns} ns; medians over rounds`,
  );
  out.push(
    `interference: ${o.dropped_pairs} pairs per round left out (frontend ${
      fmt(o.dropped_frontend_ms, 1)
    } ms, bare ${fmt(o.dropped_bare_ms, 1)} ms in all); with them kept: store ${
      fmt(o.store_ratio_all, 3)
    }, load ${fmt(o.load_ratio_all, 3)}; per-op medians: store ${fmt(o.store_ratio_p50, 3)}, load ${
      fmt(o.load_ratio_p50, 3)
    }`,
  );
  const s = r.allocator_method.sizes;
  out.push(
    `pairs: ${fmt(r.allocator_method.live)} live objects, sizes ${s.min}..${s.max} (mean ${
      fmt(s.mean)
    }) from ${s.source}; batches of ${fmt(r.allocator_method.pairs)} timed in bulk`,
  );
  if (r.memory !== null && r.big_run !== null) {
    const m = r.memory;
    const b = r.big_run;
    out.push(
      `big run (${b.workload}): ${fmt(b.stores)} stores + ${fmt(b.load_hits)} loads in ${
        fmt(b.seconds, 1)
      } s, ${fmt(m.stored_pages)} pages held in ${fmt(m.pool_pages)} pool pages; heap +${
        fmt(m.heap_used_growth_bytes)
      } B, external +${fmt(m.external_growth_bytes)} B, rss +${fmt(m.rss_growth_bytes)} B${
        m.gc_exposed ? "" : " (no --expose-gc: readings include garbage)"
      }`,
    );
  }
  out.push(`targets: ${r.met.all ? "all met" : "not all met"}`);
  return out.join("\n") + "\n";
}

/**
 * The command line: `deno task perf [--json] [--pages N] [--rounds N] [--live N] [--pairs N]
 * [--pair-rounds N] [--big-pages N] [--seed N]`.
 *
 * @param args Command-line arguments.
 * @returns The exit code: 0 (targets missed or not), 2 for a usage error.
 * @throws {UsageError} For an unknown flag or a bad number.
 *
 * @example
 * ```ts ignore
 * import { main } from "./main.ts";
 * Deno.exit(await main(["--json", "--big-pages", "0"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        json: { type: "boolean", default: false },
        pages: { type: "string" },
        rounds: { type: "string" },
        live: { type: "string" },
        pairs: { type: "string" },
        "pair-rounds": { type: "string" },
        "big-pages": { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message} (see deno task perf --help)`, { cause: err });
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const int = (name: string, v: string | undefined, min: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      throw new UsageError(`--${name} "${v}" is not an integer of at least ${min}`);
    }
    return n;
  };
  const report = await runPerf({
    pages: int("pages", values.pages, 16),
    rounds: int("rounds", values.rounds, 1),
    live: int("live", values.live, 16),
    pairs: int("pairs", values.pairs, 1),
    pairRounds: int("pair-rounds", values["pair-rounds"], 1),
    bigPages: int("big-pages", values["big-pages"], 0),
    seed: int("seed", values.seed, 0),
    onProgress: values.json ? undefined : (line) => console.error(`perf: ${line}`),
  });
  if (values.json) console.log(JSON.stringify(report, null, 2));
  else console.log(formatPerfTable(report));
  return 0;
}

const USAGE = `Usage: deno task perf [--json] [options]

Measures the harness against the work it measures (docs/performance.md):
  overhead      lz4 alone vs the frontend's store and load paths on the same pages
  allocators    malloc+free pairs per second of zbud, z3fold, zsmalloc
  memory        harness bytes per stored page at the big run's high-water mark
  big run       time and peak memory of a store-and-load cell of mixed

Options:
  --json             print the report as JSON
  --pages N          pages per overhead round (default 4096)
  --rounds N         measured overhead rounds (default 9)
  --live N           live objects per pool for the pairs (default 50000)
  --pairs N          pairs per timed batch (default 200000)
  --pair-rounds N    timed batches per allocator (default 9)
  --big-pages N      pages of the big run, 0 to skip (default 1000000)
  --seed N           seed of the pages and draws (default 1)`;

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`perf: ${err.message}`);
      Deno.exit(2);
    }
    throw err;
  }
}
