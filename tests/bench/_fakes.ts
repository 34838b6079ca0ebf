/**
 * Fakes for bench tests: a registry of tiny plugins and an engine that runs a cell without the
 * real frontend, deterministically (latencies are derived from the op index, not a clock).
 *
 * @module
 */
import { Registry } from "../../registry/registry.ts";
import type {
  AllocatorPlugin,
  CompressorPlugin,
  StrategyPlugin,
  WorkloadPlugin,
} from "../../registry/types.ts";
import type { BenchEngine } from "../../bench/run/engine.ts";
import type { CellPlan, CellRun, OpRecorder } from "../../zswap/cell_types.ts";
import { zeroCounters } from "../../zswap/_counters.ts";

/** Counters all zero (the frontend's own). */
export { zeroCounters };

/** Allocators: `bump` (can sleep mapped), `slab` (cannot), `boom` (create throws). */
export const fakeAllocators: AllocatorPlugin[] = ["bump", "slab", "boom"].map((name) => ({
  kind: "allocator",
  name,
  description: `Fake allocator ${name}`,
  sleepMapped: name === "bump",
  create() {
    if (name === "boom") throw new Error("Pool creation failed on purpose");
    throw new Error("The fake engine never creates pools");
  },
}));

/** Compressors: `copy` and `half` (a ratio of 2), and the internal `lengths`. */
export const fakeCompressors: CompressorPlugin[] = ["copy", "half", "lengths"].map((name) => ({
  kind: "compressor",
  name,
  description: `Fake compressor ${name}`,
  async: false,
  create: () => ({
    compress: (src: Uint8Array) => (name === "half" ? src.length >> 1 : src.length),
    decompress: (_src: Uint8Array, dst: Uint8Array) => dst.length,
  }),
}));

/** Workloads: `seq` (store every page, then load it) and `lens` (fixed compressor `lengths`). */
export const fakeWorkloads: WorkloadPlugin[] = [
  {
    kind: "workload",
    name: "seq",
    description: "Stores every page, then loads every page",
    create: (env) => ({
      *ops() {
        for (let i = 0; i < env.pages; i++) yield { op: "store" as const, offset: i, pageId: i };
        for (let i = 0; i < env.pages; i++) yield { op: "load" as const, offset: i, pageId: i };
      },
      page: (id, into) => into.fill(id & 0xff),
    }),
  },
  {
    kind: "workload",
    name: "lens",
    description: "Replays lengths",
    fixedCompressor: "lengths",
    create: (env) => ({
      *ops() {
        for (let i = 0; i < env.pages; i++) yield { op: "store" as const, offset: i, pageId: i };
      },
      page: (_id, into) => into.fill(0),
    }),
  },
];

/** Strategies: `direct` and `bounce`. */
export const fakeStrategies: StrategyPlugin[] = ["direct", "bounce"].map((name) => ({
  kind: "strategy",
  name,
  description: `Fake strategy ${name}`,
  create: () => () => 4096,
}));

/** A registry with every fake plugin. */
export function fakeRegistry(): Registry {
  const r = new Registry();
  for (const p of [...fakeAllocators, ...fakeCompressors, ...fakeWorkloads, ...fakeStrategies]) {
    r.register(p);
  }
  return r;
}

/** Options of {@linkcode fakeEngine}. */
export interface FakeEngineOptions {
  /** Called at the start of each runCell (count calls, abort from inside). */
  onRun?: (plan: CellPlan) => void;
  /** Integrity failures to report for cells whose workload option `corrupt` is true. */
  corrupt?: number;
}

/**
 * An engine that "runs" a cell by walking the workload's ops and compressing each page with the
 * cell's compressor, with latencies derived from the op index and seed.
 */
export function fakeEngine(options: FakeEngineOptions = {}): BenchEngine & { calls: number } {
  const engine = {
    calls: 0,
    presetNames: ["6.1", "6.8", "latest"],
    presetStrategy: (preset: string) => (preset === "6.1" ? "bounce" : "direct"),
    async runCell(plan: CellPlan, recorder: OpRecorder, o?: { signal?: AbortSignal }) {
      engine.calls++;
      options.onRun?.(plan);
      const { pageSize, pages, seed } = plan.params;
      const workload = await plan.workload.create({
        pageSize,
        seed,
        pages,
        options: plan.workloadOptions,
      });
      const compressor = await plan.compressor.create(plan.compressorOptions);
      const page = new Uint8Array(pageSize);
      const dst = new Uint8Array(pageSize * 2);
      const c = zeroCounters();
      let i = 0;
      for (const op of workload.ops()) {
        o?.signal?.throwIfAborted();
        i++;
        if (op.op === "store") {
          workload.page(op.pageId, page);
          const len = await compressor.compress(page, dst);
          recorder.store(1000 + ((i * 37 + seed) % 100));
          c.stores++;
          c.stored_pages++;
          c.compressed_bytes += len;
          c.original_bytes += pageSize;
        } else if (op.op === "load") {
          recorder.load(500 + ((i * 13 + seed) % 50));
          c.loads++;
          c.load_hits++;
        }
      }
      // A pool of whole pages holding the compressed bytes.
      c.pool_pages = Math.ceil(c.compressed_bytes / pageSize);
      c.pool_total_size = c.pool_pages * pageSize;
      c.pool_pages_end = c.pool_pages;
      c.stored_pages_end = c.stored_pages;
      const opts = plan.workloadOptions as { corrupt?: boolean } | undefined;
      if (opts?.corrupt) c.integrity_failures = options.corrupt ?? 1;
      const run: CellRun = {
        strategy: plan.strategy?.name ?? engine.presetStrategy(plan.preset),
        counters: c,
        violationSites: plan.allocator.sleepMapped ? [] : ["load: mutex_lock while mapped"],
        allocatorStats: { pages: c.pool_pages },
      };
      if (!plan.allocator.sleepMapped) c.violations = 1;
      return run;
    },
  };
  return engine;
}

/** Columns that depend on the clock: drop them to compare two runs. */
export const TIMING_COLUMNS = new Set(["duration_ms", "latency_cdf", "latency_reps"]);

/** A cell without its timing columns. */
export function withoutTiming(cell: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(cell).filter(([k]) => !TIMING_COLUMNS.has(k)));
}
