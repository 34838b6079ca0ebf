/**
 * The simulator side of a trace check and the comparison: the same trace through zswapbench's
 * frontend (`runCell` with the `trace` workload over the page file) with the kernel's preset, the
 * pool pages and stored pages recorded after every op, and the two sides op by op.
 *
 * @module
 */
import { builtinAllocators } from "../allocators/mod.ts";
import { failedRowHead, plugin } from "./_compare_common.ts";
import { builtinCompressors } from "../compressors/mod.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import type { CellPlan, OpRecorder } from "../zswap/cell_types.ts";
import { runCell } from "../builtins/mod.ts";
import { GUEST_MAX_POOL_PERCENT, GUEST_PAGE_SIZE } from "./check.ts";
import { counterByOp, type KernelTraceRun } from "./trace_console.ts";
import type { LoadedTrace } from "./trace_check.ts";

/** The simulator's pool op by op. */
export interface SimTrace {
  /** Pool pages after each op. */
  poolPagesByOp: number[];
  /** Entries stored after each op. */
  storedPagesByOp: number[];
  /** Loads whose bytes differed from what was stored. */
  integrityFailures: number;
}

const NULL_RECORDER: OpRecorder = { store() {}, load() {}, writeback() {} };

/**
 * Run a trace through the simulator and record the pool after every op.
 *
 * @param trace The trace (its file is replayed by the `trace` workload).
 * @param pagesPath The page file its page ids index (`pagefile` content, ids wrap around).
 * @param cell Simulator allocator and compressor names.
 * @param sim The preset and the machine's RAM in pages.
 * @returns Pool pages and stored pages per op.
 */
export async function simulateTrace(
  trace: LoadedTrace,
  pagesPath: string,
  cell: { zpool: string; compressor: string },
  sim: { preset: string; totalRamPages: number },
): Promise<SimTrace> {
  const pool: number[] = [];
  const stored: number[] = [];
  const plan: CellPlan = {
    allocator: plugin(builtinAllocators, "allocator", cell.zpool),
    allocatorOptions: {},
    compressor: plugin(builtinCompressors, "compressor", cell.compressor),
    compressorOptions: {},
    workload: plugin(builtinWorkloads, "workload", "trace"),
    workloadOptions: { path: trace.path, content: "pagefile", contentOptions: { path: pagesPath } },
    strategy: undefined,
    strategyOptions: {},
    preset: sim.preset,
    params: {
      pages: trace.pages,
      seed: 1,
      cpus: 1,
      tasks: 1,
      pageSize: GUEST_PAGE_SIZE,
      totalRamPages: sim.totalRamPages,
      maxPoolPercent: GUEST_MAX_POOL_PERCENT,
      acceptThresholdPercent: 90,
      strict: false,
      bounceFailRate: 0,
    },
  };
  const run = await runCell(plan, NULL_RECORDER, {
    afterOp: (p, s) => {
      pool.push(p);
      stored.push(s);
    },
  });
  return {
    poolPagesByOp: pool,
    storedPagesByOp: stored,
    integrityFailures: run.counters.integrity_failures,
  };
}

/** The kernel's pool pages per op: debugfs pool_total_size / 4096, rounded up. */
export function kernelPoolPagesByOp(run: KernelTraceRun): number[] {
  return (counterByOp(run, "pool_total_size") ?? []).map((b) => Math.ceil(b / GUEST_PAGE_SIZE));
}

/** The kernel's stored entries per op (debugfs stored_pages). */
export function kernelStoredPagesByOp(run: KernelTraceRun): number[] {
  return counterByOp(run, "stored_pages") ?? [];
}

/** Where a trace check's two sides first part. */
export interface TraceDivergence {
  /** The op (0-based, in trace order). */
  op: number;
  /** What it was: `store offset page`, `load offset` or `invalidate offset`. */
  what: string;
  /** Kernel pool pages and stored pages after it (and before it). */
  kernel: { pool_pages: number; stored_pages: number; before: [number, number] };
  /** Simulator pool pages and stored pages after it (and before it). */
  sim: { pool_pages: number; stored_pages: number; before: [number, number] };
  /** Every kernel debugfs counter after the op. */
  kernel_counters: Record<string, number>;
}

/** One row of a trace check: one zpool x compressor. */
export interface TraceCheckRow {
  /** zpool. */
  zpool: string;
  /** Compressor. */
  compressor: string;
  /** `ok`, or `failed` when the kernel run failed. */
  status: "ok" | "failed";
  /** Why the kernel run failed. */
  error: string | null;
  /** Guest `uname -r`. */
  kernel: string | null;
  /** Ops in the trace. */
  ops: number;
  /** Ops after which pool pages and stored pages both agree. */
  agree_ops: number | null;
  /** agree_ops / ops x 100. */
  agree_pct: number | null;
  /** Ops after which the pool pages agree. */
  agree_pool_ops: number | null;
  /** Ops after which the stored pages agree. */
  agree_stored_ops: number | null;
  /** The first op after which pool or stored pages differ; null when none. */
  first_divergent_op: number | null;
  /** Both states at that op. */
  divergence: TraceDivergence | null;
  /** Kernel pool pages after each op. */
  kernel_pool_pages_by_op: number[] | null;
  /** Simulator pool pages after each op. */
  sim_pool_pages_by_op: number[] | null;
  /** Kernel stored pages after each op. */
  kernel_stored_pages_by_op: number[] | null;
  /** Simulator stored pages after each op. */
  sim_stored_pages_by_op: number[] | null;
  /** Kernel pool pages at the end and at its largest. */
  kernel_pool_pages_end: number | null;
  /** Simulator pool pages at the end. */
  sim_pool_pages_end: number | null;
  /** Loads whose page came back wrong from the kernel (should be 0). */
  kernel_mismatches: number | null;
  /** Stores whose page the kernel left resident (should be 0). */
  kernel_resident: number | null;
  /** Simulator integrity failures. */
  sim_integrity_failures: number | null;
  /** With `--boots 2` or more: did every boot give identical records? null when booted once. */
  kernel_boots_identical: boolean | null;
  /** Why the simulator could not run. */
  sim_error: string | null;
  /** The replay inside the guest, ms (emulated). */
  kernel_replay_ms: number | null;
  /** Wall time of the boot, ms. */
  kernel_wall_ms: number | null;
}

/**
 * A row with every figure null (a cell whose kernel run failed, or before it is filled).
 *
 * @param cell zpool and compressor.
 * @param ops Ops in the trace.
 * @param error Why it failed.
 * @returns The row.
 */
export function failedTraceRow(
  cell: { zpool: string; compressor: string },
  ops: number,
  error: string,
): TraceCheckRow {
  return {
    ...failedRowHead(cell, error),
    ops,
    agree_ops: null,
    agree_pct: null,
    agree_pool_ops: null,
    agree_stored_ops: null,
    first_divergent_op: null,
    divergence: null,
    kernel_pool_pages_by_op: null,
    sim_pool_pages_by_op: null,
    kernel_stored_pages_by_op: null,
    sim_stored_pages_by_op: null,
    kernel_pool_pages_end: null,
    sim_pool_pages_end: null,
    kernel_mismatches: null,
    kernel_resident: null,
    sim_integrity_failures: null,
    kernel_boots_identical: null,
    sim_error: null,
    kernel_replay_ms: null,
    kernel_wall_ms: null,
  };
}

/** An op as text: `store 12 1030`, `load 7`, `invalidate 7`. */
export function describeOp(trace: LoadedTrace, i: number): string {
  const name = ["store", "load", "invalidate"][trace.ops[i]];
  return trace.ops[i] === 0
    ? `${name} ${trace.offsets[i]} ${trace.pageIds[i]}`
    : `${name} ${trace.offsets[i]}`;
}

/**
 * Agreement of two per-op series pairs.
 *
 * @param kernel Kernel pool pages and stored pages per op.
 * @param sim Simulator pool pages and stored pages per op.
 * @returns Ops where both agree, where each agrees, and the first op where either differs.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { agreement } from "./trace_compare.ts";
 * const a = agreement({ pool: [1, 2, 2], stored: [1, 2, 1] }, { pool: [1, 2, 2], stored: [1, 2, 2] });
 * assert.deepEqual(a, { both: 2, pool: 3, stored: 2, first: 2 });
 * ```
 */
export function agreement(
  kernel: { pool: readonly number[]; stored: readonly number[] },
  sim: { pool: readonly number[]; stored: readonly number[] },
): { both: number; pool: number; stored: number; first: number | null } {
  const n = Math.max(kernel.pool.length, sim.pool.length);
  let both = 0;
  let pool = 0;
  let stored = 0;
  let first: number | null = null;
  for (let i = 0; i < n; i++) {
    const p = kernel.pool[i] === sim.pool[i] && kernel.pool[i] !== undefined;
    const s = kernel.stored[i] === sim.stored[i] && kernel.stored[i] !== undefined;
    if (p) pool++;
    if (s) stored++;
    if (p && s) both++;
    else if (first === null) first = i;
  }
  return { both, pool, stored, first };
}

/**
 * Put a replay and the simulator side by side.
 *
 * @param cell zpool and compressor.
 * @param trace The trace.
 * @param kernel The kernel's replay and boot time.
 * @param sim The simulator's series, or why it could not run.
 * @returns The row.
 */
export function compareTraceRow(
  cell: { zpool: string; compressor: string },
  trace: LoadedTrace,
  kernel: { run: KernelTraceRun; wallMs: number },
  sim: SimTrace | { error: string },
): TraceCheckRow {
  const k = kernel.run;
  const row = failedTraceRow(cell, trace.ops.length, "");
  const kPool = kernelPoolPagesByOp(k);
  const kStored = kernelStoredPagesByOp(k);
  Object.assign(row, {
    status: "ok",
    error: null,
    kernel: k.kernel,
    kernel_pool_pages_by_op: kPool,
    kernel_stored_pages_by_op: kStored,
    kernel_pool_pages_end: kPool.at(-1) ?? 0,
    kernel_mismatches: k.mismatches,
    kernel_resident: k.resident,
    kernel_replay_ms: k.replayMs,
    kernel_wall_ms: Math.round(kernel.wallMs),
  });
  if ("error" in sim) {
    row.sim_error = sim.error;
    return row;
  }
  const a = agreement(
    { pool: kPool, stored: kStored },
    { pool: sim.poolPagesByOp, stored: sim.storedPagesByOp },
  );
  const n = trace.ops.length;
  Object.assign(row, {
    sim_pool_pages_by_op: sim.poolPagesByOp,
    sim_stored_pages_by_op: sim.storedPagesByOp,
    sim_pool_pages_end: sim.poolPagesByOp.at(-1) ?? 0,
    sim_integrity_failures: sim.integrityFailures,
    agree_ops: a.both,
    agree_pool_ops: a.pool,
    agree_stored_ops: a.stored,
    agree_pct: n === 0 ? 100 : Math.round((a.both / n) * 10000) / 100,
    first_divergent_op: a.first,
  });
  if (a.first !== null) {
    const i = a.first;
    const before = (xs: readonly number[]): number => (i > 0 ? xs[i - 1] : 0);
    row.divergence = {
      op: i,
      what: describeOp(trace, i),
      kernel: {
        pool_pages: kPool[i],
        stored_pages: kStored[i],
        before: [i > 0 ? kPool[i - 1] : 0, before(kStored)],
      },
      sim: {
        pool_pages: sim.poolPagesByOp[i],
        stored_pages: sim.storedPagesByOp[i],
        before: [before(sim.poolPagesByOp), before(sim.storedPagesByOp)],
      },
      kernel_counters: Object.fromEntries(
        k.counterNames.map((name, j) => [name, k.ops[i]?.counters[j] ?? -1]),
      ),
    };
  }
  return row;
}
