/**
 * The whole trace check (`kernel-check --trace FILE --pages FILE`): for each zpool x compressor,
 * boot the kernel (once, or `boots` times to show the records repeat), replay the trace in the
 * guest, run the same trace through the simulator with the kernel's preset, and compare op by op.
 *
 * @module
 */
import { UsageError } from "../registry/errors.ts";
import { presetForKernel } from "../zswap/presets.ts";
import { type KernelCheckOptions, pageFileCount, prepareKernelCheck } from "./check.ts";
import { KernelCheckError } from "./errors.ts";
import type { KernelTraceRun } from "./trace_console.ts";
import {
  firstDifferentRecord,
  type KernelTraceCellRun,
  loadTrace,
  runKernelTraceCell,
} from "./trace_check.ts";
import {
  compareTraceRow,
  failedTraceRow,
  simulateTrace,
  type TraceCheckRow,
} from "./trace_compare.ts";

/** Options of {@link runTraceCheck}. */
export interface RunTraceCheckOptions extends KernelCheckOptions {
  /** Simulator preset; default: the one for the booted kernel ({@link presetForKernel}). */
  preset?: string;
  /** Boots per cell (default 1); with 2 or more the rows say whether every boot's records agree. */
  boots?: number;
  /** Skip the simulator. */
  kernelOnly?: boolean;
  /** Called as each cell finishes. */
  onRow?: (row: TraceCheckRow) => void;
}

/** The result of a trace check. */
export interface TraceCheckReport {
  /** Where the kernel came from. */
  kernelSource: string;
  /** The trace file. */
  tracePath: string;
  /** The page file. */
  pagesPath: string;
  /** Ops in the trace. */
  ops: number;
  /** Pages of the guest's mapping (largest offset + 1). */
  pages: number;
  /** Stores, loads, invalidations. */
  counts: { store: number; load: number; invalidate: number };
  /** The simulator preset of each row (they share it unless the kernels differ). */
  preset: string;
  /** One row per zpool x compressor. */
  rows: TraceCheckRow[];
  /** Each row's kernel replay (first boot), null where it failed. */
  kernelRuns: (KernelTraceRun | null)[];
}

/**
 * Run the trace check.
 *
 * @param tracePath The trace (`.csv` or `.jsonl`, the `trace` workload's format).
 * @param pagesPath The page file its page ids index (ids wrap around its end).
 * @param zpoolsWanted zpools to check; undefined: every one the kernel's config has.
 * @param compressorsWanted Compressors to check; undefined: the default of `prepareKernelCheck`.
 * @param options Kernel, cache, QEMU and simulator settings.
 * @returns The rows; a cell whose boot failed has `status: "failed"`.
 * @throws {UsageError} For a bad trace or page file, or a missing tool or kernel.
 */
export async function runTraceCheck(
  tracePath: string,
  pagesPath: string,
  zpoolsWanted: readonly string[] | undefined,
  compressorsWanted: readonly string[] | undefined,
  options: RunTraceCheckOptions = {},
): Promise<TraceCheckReport> {
  const trace = loadTrace(tracePath);
  await pageFileCount(pagesPath);
  const boots = options.boots ?? 1;
  if (!Number.isInteger(boots) || boots < 1) {
    throw new UsageError(`--boots ${boots} is not a whole number of boots (1 or more)`);
  }
  const setup = await prepareKernelCheck(zpoolsWanted, compressorsWanted, options);
  const { zpools, compressors } = setup;
  const rows: TraceCheckRow[] = [];
  const kernelRuns: (KernelTraceRun | null)[] = [];
  let preset = options.preset ?? "";
  for (const zpool of zpools) {
    for (const compressor of compressors) {
      const cell = { zpool, compressor };
      let row: TraceCheckRow;
      let first: KernelTraceCellRun | null = null;
      try {
        let identical: boolean | null = null;
        for (let b = 0; b < boots; b++) {
          setup.log(
            `Booting ${setup.image.label} for ${zpool} x ${compressor}, trace of ${trace.ops.length} ops${
              boots > 1 ? ` (boot ${b + 1} of ${boots})` : ""
            }`,
          );
          const k = await runKernelTraceCell(setup, pagesPath, trace, cell);
          if (first === null) first = k;
          else {
            const d = firstDifferentRecord(first.run, k.run);
            identical = (identical ?? true) && d === null;
            if (d !== null) setup.log(`${zpool} x ${compressor}: boot ${b + 1} differs at op ${d}`);
          }
        }
        const k = first!;
        const cellPreset = options.preset ?? presetForKernel(k.run.kernel) ?? "6.1";
        preset = preset === "" || preset === cellPreset ? cellPreset : "mixed";
        let sim: Awaited<ReturnType<typeof simulateTrace>> | { error: string };
        if (options.kernelOnly) sim = { error: "skipped (--kernel-only)" };
        else {
          try {
            sim = await simulateTrace(trace, pagesPath, cell, {
              preset: cellPreset,
              totalRamPages: Math.floor(k.run.memTotalKb / 4),
            });
          } catch (e) {
            sim = { error: (e as Error).message };
          }
        }
        row = compareTraceRow(cell, trace, k, sim);
        row.kernel_boots_identical = identical;
      } catch (e) {
        if (!(e instanceof KernelCheckError)) throw e;
        const tail = e.consoleTail.trim().split("\n").slice(-12).join("\n");
        setup.log(
          `${zpool} x ${compressor}: ${e.message}${tail ? `\n--- console tail ---\n${tail}` : ""}`,
        );
        row = failedTraceRow(cell, trace.ops.length, e.message);
      }
      rows.push(row);
      kernelRuns.push(first?.run ?? null);
      options.onRow?.(row);
    }
  }
  return {
    kernelSource: setup.image.label,
    tracePath,
    pagesPath,
    ops: trace.ops.length,
    pages: trace.pages,
    counts: trace.counts,
    preset,
    rows,
    kernelRuns,
  };
}

/** Rows of the text table. */
const TABLE: readonly [string, (r: TraceCheckRow) => unknown][] = [
  ["status", (r) => r.status],
  ["kernel", (r) => r.kernel],
  ["ops", (r) => r.ops],
  [
    "first divergent op",
    (r) => r.status !== "ok" || r.agree_ops === null ? null : r.first_divergent_op ?? "none",
  ],
  [
    "agree (pool and stored)",
    (r) => r.agree_ops === null ? null : `${r.agree_ops}/${r.ops} (${r.agree_pct} %)`,
  ],
  ["agree (pool pages)", (r) => r.agree_pool_ops],
  ["agree (stored pages)", (r) => r.agree_stored_ops],
  [
    "pool pages at end (kernel/sim)",
    (r) => `${r.kernel_pool_pages_end ?? "-"}/${r.sim_pool_pages_end ?? "-"}`,
  ],
  [
    "max pool pages (kernel/sim)",
    (r) =>
      `${r.kernel_pool_pages_by_op ? Math.max(...r.kernel_pool_pages_by_op) : "-"}/${
        r.sim_pool_pages_by_op ? Math.max(...r.sim_pool_pages_by_op) : "-"
      }`,
  ],
  [
    "stored at end (kernel/sim)",
    (r) =>
      `${r.kernel_stored_pages_by_op?.at(-1) ?? "-"}/${r.sim_stored_pages_by_op?.at(-1) ?? "-"}`,
  ],
  ["kernel load mismatches", (r) => r.kernel_mismatches],
  ["kernel pages left resident", (r) => r.kernel_resident],
  ["sim integrity failures", (r) => r.sim_integrity_failures],
  ["boots identical", (r) => r.kernel_boots_identical],
  ["replay in guest (ms)", (r) => r.kernel_replay_ms],
  ["boot wall time (ms)", (r) => r.kernel_wall_ms],
];

/**
 * The report as a text table, one column per cell, then each divergence with both states.
 *
 * @param report The trace check's report.
 * @returns The lines, joined.
 */
export function formatTraceReport(report: TraceCheckReport): string {
  const c = report.counts;
  const pct = (n: number) => Math.round((n / report.ops) * 1000) / 10;
  const head = [
    `Trace check: ${report.tracePath} (${report.ops} ops over ${report.pages} pages: ${c.store} stores, ${c.load} loads ${
      pct(c.load)
    } %, ${c.invalidate} invalidations ${pct(c.invalidate)} %), contents ${report.pagesPath}`,
    `Kernel ${report.kernelSource}, simulator preset ${report.preset}`,
    "",
  ];
  const header = ["", ...report.rows.map((r) => `${r.zpool}/${r.compressor}`)];
  const cells = TABLE.map((
    [label, get],
  ) => [label, ...report.rows.map((r) => String(get(r) ?? "-"))]);
  const widths = header.map((_, i) => Math.max(...[header, ...cells].map((row) => row[i].length)));
  const fmt = (row: string[]) =>
    row.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join("  ").trimEnd();
  const notes: string[] = [];
  for (const r of report.rows) {
    const name = `${r.zpool}/${r.compressor}`;
    if (r.error) notes.push(`${name}: kernel run failed: ${r.error}`);
    if (r.sim_error) notes.push(`${name}: simulator: ${r.sim_error}`);
    const d = r.divergence;
    if (d) {
      notes.push(
        `${name}: first divergence at op ${d.op} (${d.what}): kernel pool ${
          d.kernel.before[0]
        } -> ${d.kernel.pool_pages} pages, stored ${
          d.kernel.before[1]
        } -> ${d.kernel.stored_pages}; simulator pool ${
          d.sim.before[0]
        } -> ${d.sim.pool_pages}, stored ${d.sim.before[1]} -> ${d.sim.stored_pages}`,
      );
    }
  }
  return [...head, fmt(header), ...cells.map(fmt), ...(notes.length ? ["", ...notes] : [])].join(
    "\n",
  );
}

/**
 * Cells that fail a trace check: a failed boot, a page that came back wrong or stayed resident, a
 * simulator error, boots that disagree, or (with a tolerance) a per-op agreement below 100 % minus
 * the tolerance (`--tolerance 0`: every op must agree).
 *
 * @param rows The rows.
 * @param tolerancePct Allowed share of ops where the two sides differ, in percent.
 * @returns One sentence per failure.
 */
export function traceFailures(rows: readonly TraceCheckRow[], tolerancePct?: number): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const name = `${r.zpool}/${r.compressor}`;
    if (r.status !== "ok") out.push(`${name}: the kernel run failed`);
    if ((r.kernel_mismatches ?? 0) > 0) {
      out.push(`${name}: ${r.kernel_mismatches} loads came back wrong from the kernel`);
    }
    if ((r.kernel_resident ?? 0) > 0) {
      out.push(`${name}: ${r.kernel_resident} stores left the page resident`);
    }
    if (r.sim_error && !r.sim_error.startsWith("skipped")) {
      out.push(`${name}: simulator: ${r.sim_error}`);
    }
    if ((r.sim_integrity_failures ?? 0) > 0) {
      out.push(`${name}: ${r.sim_integrity_failures} simulator integrity failures`);
    }
    if (r.kernel_boots_identical === false) out.push(`${name}: the boots gave different records`);
    if (tolerancePct !== undefined && r.status === "ok") {
      if (r.agree_pct === null) out.push(`${name}: no simulator figures to hold to --tolerance`);
      else if (100 - r.agree_pct > tolerancePct) {
        out.push(
          `${name}: simulator and kernel part at op ${r.first_divergent_op}, agree after ${r.agree_pct} % of the ops (tolerance ${tolerancePct} %)`,
        );
      }
    }
  }
  return out;
}
