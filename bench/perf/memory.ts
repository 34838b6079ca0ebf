// `deno task perf`, part 3: one big store-and-load run, its time and peak memory, and the
// harness's memory per stored page (private to bench/perf/main.ts).
//
// The run is a cell as `deno task bench` runs it: `mixed` without its incompressible part (the
// default weights less `random`: zero 0.1, same-filled 0.05, text 0.35, datagen 0.3, so that
// every page is stored and a million pages are a million stored pages), lz4, zsmalloc,
// preset 6.8 (percpu-buffer), one CPU, one task, every page stored then loaded in a seeded random
// order, latencies into the bench's histograms. RAM is 5 x (pages + 4096) so the 20% pool limit
// never rejects a store.
//
// Memory is read when the first load is recorded: every store has run and nothing has been
// dropped yet (6.8's loads keep the entry), so the pool is at its high-water mark. There, after a
// full collection, harness memory = growth of (V8 heap used + external memory) since just before
// the run, less the pool's own pages (pool pages x page size, the simulated RAM). Divided by the
// pages zswap holds (stored_pages, same-filled included), that is bytes_per_stored_page. The same
// with resident set growth instead is rss_bytes_per_stored_page (the OS view: it also counts
// reserved heap and allocator slack, and only the pool bytes that were touched).

import { zsmallocAllocator } from "../../allocators/zsmalloc.ts";
import { lz4Compressor } from "../../compressors/lz4.ts";
import { mixedWorkload } from "../../workloads/mixed.ts";
import type { CellPlan, OpRecorder } from "../../zswap/cell_types.ts";
import { runCell } from "../../builtins/run_cell.ts";
import { releaseLastCell } from "../../zswap/run_cell.ts";
import { Histogram } from "../measure/histogram.ts";
import { fullGc, gcExposed, peakRssBytes } from "./util.ts";

/** The big run's pages: the default mix of `mixed` without the incompressible `random` pages. */
export const BIG_RUN_WORKLOAD_OPTIONS = {
  weights: { zero: 0.1, "same-filled": 0.05, text: 0.35, datagen: 0.3 },
} as const;

/** Harness memory at the pool's high-water mark of the big run. */
export interface MemoryResult {
  /** Entries zswap held (same-filled included). */
  stored_pages: number;
  /** Pool pages at that moment. */
  pool_pages: number;
  /** Pool pages x page size: the simulated RAM, not the harness. */
  pool_bytes: number;
  /** Growth of V8 heap used. */
  heap_used_growth_bytes: number;
  /** Growth of external memory (ArrayBuffers: the arena and the typed-array metadata). */
  external_growth_bytes: number;
  /** Growth of the resident set. */
  rss_growth_bytes: number;
  /** (heap used + external growth - pool bytes) / stored pages. */
  bytes_per_stored_page: number;
  /** (resident set growth - pool bytes) / stored pages. */
  rss_bytes_per_stored_page: number;
  /** Was a full collection run before each reading (`--v8-flags=--expose-gc`)? */
  gc_exposed: boolean;
}

/** The big run. */
export interface BigRunResult {
  /** The pages: workload and options. */
  workload: string;
  /** Pages stored then loaded. */
  pages: number;
  /** Original data: pages x page size. */
  original_bytes: number;
  /** Wall time of the whole cell (s), page generation and integrity checks included. */
  seconds: number;
  /** Pages per second over the cell's stores and loads. */
  ops_per_sec: number;
  /** Sum of the timed store latencies (s). */
  store_seconds: number;
  /** Sum of the timed load latencies (s). */
  load_seconds: number;
  /** Median store (ns). */
  store_p50_ns: number;
  /** Median load (ns). */
  load_p50_ns: number;
  /** Stores issued. */
  stores: number;
  /** Loads served by zswap. */
  load_hits: number;
  /** Pool pages at the high-water mark. */
  pool_pages: number;
  /** Stores refused (incompressible pages of the mix). */
  rejected: number;
  /** Loads that gave back other bytes than were stored. */
  integrity_failures: number;
  /** Largest resident set seen during the run (sampled every 65536 ops), bytes. */
  peak_rss_bytes: number;
  /** The process's peak resident set (getrusage) after the run, bytes; null if unreadable. */
  process_peak_rss_bytes: number | null;
}

/** Options of {@linkcode bigRun}. */
export interface BigRunOptions {
  /** Pages to store and load. */
  pages: number;
  /** Workload seed. */
  seed: number;
  /** Bytes per page. */
  pageSize: number;
}

interface Reading {
  heapUsed: number;
  external: number;
  rss: number;
}

function read(): Reading {
  const m = Deno.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, rss: m.rss };
}

/** The bench's recorder, plus one memory reading at the first load and sampled peak RSS. */
class BigRunRecorder implements OpRecorder {
  readonly stores = new Histogram();
  readonly loads = new Histogram();
  atFirstLoad: Reading | null = null;
  peakRss = 0;
  readingMs = 0;
  #ops = 0;

  store(ns: number): void {
    this.stores.record(ns);
    if ((++this.#ops & 0xffff) === 0) this.#sample();
  }

  load(ns: number): void {
    this.loads.record(ns);
    if (this.atFirstLoad === null) {
      const t0 = performance.now();
      fullGc();
      this.atFirstLoad = read();
      if (this.atFirstLoad.rss > this.peakRss) this.peakRss = this.atFirstLoad.rss;
      this.readingMs = performance.now() - t0;
    }
    if ((++this.#ops & 0xffff) === 0) this.#sample();
  }

  writeback(): void {}

  #sample(): void {
    const rss = Deno.memoryUsage().rss;
    if (rss > this.peakRss) this.peakRss = rss;
  }
}

/**
 * Store and load `pages` pages of `mixed` through zsmalloc (preset 6.8) and read the harness's
 * memory at the pool's high-water mark.
 *
 * @param o Pages, seed, page size.
 * @returns The run's figures and the memory reading.
 */
export async function bigRun(
  o: BigRunOptions,
): Promise<{ run: BigRunResult; memory: MemoryResult }> {
  const plan: CellPlan = {
    allocator: zsmallocAllocator,
    allocatorOptions: undefined,
    compressor: lz4Compressor,
    compressorOptions: undefined,
    workload: mixedWorkload,
    workloadOptions: BIG_RUN_WORKLOAD_OPTIONS,
    strategy: undefined,
    strategyOptions: undefined,
    preset: "6.8",
    params: {
      pages: o.pages,
      seed: o.seed,
      cpus: 1,
      tasks: 1,
      pageSize: o.pageSize,
      totalRamPages: 5 * (o.pages + 4096),
      maxPoolPercent: 20,
      acceptThresholdPercent: 90,
      strict: false,
      bounceFailRate: 0,
    },
  };
  const recorder = new BigRunRecorder();
  releaseLastCell(); // the last overhead cell's RAM would otherwise be freed inside the reading
  fullGc();
  const before = read();
  recorder.peakRss = before.rss;
  const t0 = performance.now();
  const cell = await runCell(plan, recorder);
  const seconds = (performance.now() - t0 - recorder.readingMs) / 1000;
  const c = cell.counters;
  const at = recorder.atFirstLoad ?? read();
  const poolBytes = c.pool_pages * o.pageSize;
  const stored = Math.max(1, c.stored_pages);
  const heapGrowth = at.heapUsed - before.heapUsed;
  const externalGrowth = at.external - before.external;
  const rssGrowth = at.rss - before.rss;
  const stores = recorder.stores.summary();
  const loads = recorder.loads.summary();
  return {
    run: {
      workload: `mixed ${JSON.stringify(BIG_RUN_WORKLOAD_OPTIONS)}`,
      pages: o.pages,
      original_bytes: o.pages * o.pageSize,
      seconds,
      ops_per_sec: (c.stores + c.loads) / seconds,
      store_seconds: stores.sum / 1e9,
      load_seconds: loads.sum / 1e9,
      store_p50_ns: stores.p50,
      load_p50_ns: loads.p50,
      stores: c.stores,
      load_hits: c.load_hits,
      pool_pages: c.pool_pages,
      rejected: c.reject_compress_poor + c.reject_compress_fail + c.reject_alloc_fail +
        c.pool_limit_hit,
      integrity_failures: c.integrity_failures,
      peak_rss_bytes: recorder.peakRss,
      process_peak_rss_bytes: peakRssBytes(),
    },
    memory: {
      stored_pages: c.stored_pages,
      pool_pages: c.pool_pages,
      pool_bytes: poolBytes,
      heap_used_growth_bytes: heapGrowth,
      external_growth_bytes: externalGrowth,
      rss_growth_bytes: rssGrowth,
      bytes_per_stored_page: (heapGrowth + externalGrowth - poolBytes) / stored,
      rss_bytes_per_stored_page: (rssGrowth - poolBytes) / stored,
      gc_exposed: gcExposed(),
    },
  };
}
