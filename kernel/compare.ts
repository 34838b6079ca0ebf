/**
 * The simulator side of the kernel check, and the comparison: the same pages through zswapbench's
 * frontend (`runCell`) with the matching kernel preset, twice — once with the real codec
 * ("codec" run) and once replaying the kernel's own per-page lengths through the `lengths`
 * workload ("replay" run), which checks the allocator model independently of the codec — plus a
 * page-by-page comparison of the codec's lengths with the kernel's.
 *
 * @module
 */
import { builtinAllocators } from "../allocators/mod.ts";
import { builtinCompressors } from "../compressors/mod.ts";
import type { AllocatorPlugin, CompressorPlugin, WorkloadPlugin } from "../registry/types.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import type { CellCounters, CellParams, CellPlan, OpRecorder } from "../zswap/cell_types.ts";
import { runCell } from "../builtins/mod.ts";
import { GUEST_MAX_POOL_PERCENT, GUEST_PAGE_SIZE, type KernelCellRun } from "./check.ts";
import type { KernelRun } from "./console.ts";

/** Per-page length code of a same-filled page (lengths are otherwise the compressed length). */
export const PAGE_SAME_FILLED: number = -1;
/** Code of a page that was not stored (compressor or allocator refused it, or never paged out). */
export const PAGE_NOT_STORED: number = -2;

/** The simulator's figures for one cell (one of its two runs). */
export interface SimFigures {
  /** Pool pages at the high-water mark. */
  pool_pages: number;
  /** Entries stored (incl. same-filled). */
  stored_pages: number;
  /** Same-filled entries. */
  same_filled_pages: number;
  /**
   * Pages not stored, whatever the reason (stores issued minus stored pages): a codec failure has
   * no debugfs counter in 6.1, so the reject counters alone would miss it.
   */
  rejects: number;
  /** Sum of the stored compressed lengths. */
  compressed_bytes: number;
  /** Loads whose bytes differed from what was stored. */
  integrity_failures: number;
}

/** One row of the kernel check: kernel and simulator side by side for a zpool x compressor. */
export interface KernelCheckRow {
  /** zpool. */
  zpool: string;
  /** Compressor. */
  compressor: string;
  /** `ok`, or `failed` when the kernel run failed (then `error` says why). */
  status: "ok" | "failed";
  /** Why the kernel run failed. */
  error: string | null;
  /** Guest `uname -r`. */
  kernel: string | null;
  /** Pages in the page file. */
  pages: number;
  /** Kernel debugfs pool_total_size / 4096 after the page-out. */
  kernel_pool_pages: number | null;
  /** Simulator pool pages, codec run. */
  sim_pool_pages: number | null;
  /** Simulator pool pages, replay of the kernel's lengths. */
  sim_pool_pages_replay: number | null;
  /** (sim - kernel) / kernel x 100, codec run. */
  sim_pool_diff_pct: number | null;
  /** (sim - kernel) / kernel x 100, replay run. */
  replay_pool_diff_pct: number | null;
  /** Kernel stored_pages. */
  kernel_stored_pages: number | null;
  /** Simulator stored_pages, codec run. */
  sim_stored_pages: number | null;
  /** Simulator stored_pages, replay run. */
  sim_stored_pages_replay: number | null;
  /** Kernel same_filled_pages. */
  kernel_same_filled_pages: number | null;
  /** Simulator same_filled_pages, codec run. */
  sim_same_filled_pages: number | null;
  /** Pages the kernel swapped out but zswap refused (they went to the swap disk). */
  kernel_rejects: number | null;
  /** Simulator pages not stored (stores minus stored pages), codec run. */
  sim_rejects: number | null;
  /** Simulator pages not stored, replay run. */
  sim_rejects_replay: number | null;
  /** Kernel sum of stored lengths (memory.zswap.current). */
  kernel_compressed_bytes: number | null;
  /** Simulator sum of stored lengths, codec run. */
  sim_compressed_bytes: number | null;
  /** Simulator sum of stored lengths, replay run. */
  sim_compressed_bytes_replay: number | null;
  /** Pages the kernel stored (compressed or same-filled): the pages whose lengths are compared. */
  length_pages: number | null;
  /** Of those, pages where the simulator's codec gave the identical length (or also same-filled). */
  length_agree: number | null;
  /** length_agree / length_pages x 100. */
  length_agree_pct: number | null;
  /** Pages the kernel gave back wrong on read-back (should be 0). */
  kernel_mismatches: number | null;
  /** Simulator integrity failures (codec run + replay run). */
  sim_integrity_failures: number | null;
  /** Why the simulator side could not run, if it could not. */
  sim_error: string | null;
  /** Wall time of the kernel boot, ms (emulated: not a zswap timing). */
  kernel_wall_ms: number | null;
  /** QEMU accelerator used. */
  accel: string | null;
}

/** Settings of the simulator runs. */
export interface SimSettings {
  /** Kernel preset (default `6.1`). */
  preset: string;
  /** RAM of the simulated machine in pages (the guest's MemTotal). */
  totalRamPages: number;
}

const NULL_RECORDER: OpRecorder = { store() {}, load() {}, writeback() {} };

function plugin<T extends { name: string }>(list: readonly T[], kind: string, name: string): T {
  const p = list.find((x) => x.name === name);
  if (!p) {
    throw new Error(
      `The simulator has no ${kind} "${name}" (known: ${list.map((x) => x.name).join(", ")})`,
    );
  }
  return p;
}

function params(pages: number, sim: SimSettings): CellParams {
  return {
    pages,
    seed: 1,
    cpus: 1,
    tasks: 1,
    pageSize: GUEST_PAGE_SIZE,
    totalRamPages: sim.totalRamPages,
    maxPoolPercent: GUEST_MAX_POOL_PERCENT,
    acceptThresholdPercent: 90,
    strict: false,
    bounceFailRate: 0,
  };
}

function figures(c: CellCounters): SimFigures {
  return {
    pool_pages: c.pool_pages,
    stored_pages: c.stored_pages,
    same_filled_pages: c.same_filled_pages,
    rejects: c.stores - c.stored_pages,
    compressed_bytes: c.compressed_bytes,
    integrity_failures: c.integrity_failures,
  };
}

async function simulate(
  allocator: AllocatorPlugin,
  compressor: CompressorPlugin,
  workload: WorkloadPlugin,
  workloadOptions: unknown,
  pages: number,
  sim: SimSettings,
): Promise<SimFigures> {
  const plan: CellPlan = {
    allocator,
    allocatorOptions: {},
    compressor,
    compressorOptions: {},
    workload,
    workloadOptions,
    strategy: undefined,
    strategyOptions: {},
    preset: sim.preset,
    params: params(pages, sim),
  };
  const run = await runCell(plan, NULL_RECORDER);
  return figures(run.counters);
}

/**
 * The simulator over the page file with the real codec (`pagefile` workload).
 *
 * @param pagesPath The page file.
 * @param pages Its page count.
 * @param cell zpool and compressor names (simulator plugin names).
 * @param sim Preset and machine size.
 * @returns The figures.
 */
export async function simulateCodec(
  pagesPath: string,
  pages: number,
  cell: { zpool: string; compressor: string },
  sim: SimSettings,
): Promise<SimFigures> {
  return await simulate(
    plugin(builtinAllocators, "allocator", cell.zpool),
    plugin(builtinCompressors, "compressor", cell.compressor),
    plugin(builtinWorkloads, "workload", "pagefile"),
    { path: pagesPath },
    pages,
    sim,
  );
}

/**
 * The kernel's per-page lengths as a `lengths` workload CSV (header `idx,kernel`; `S` same-filled,
 * `R` not stored).
 *
 * @param run The kernel's report.
 * @returns The CSV text.
 */
export function kernelLengthsCsv(run: KernelRun): string {
  const rows = run.pages.map((p) =>
    `${p.index},${p.outcome === "stored" ? p.length : p.outcome === "same" ? "S" : "R"}`
  );
  return ["idx,kernel", ...rows].join("\n") + "\n";
}

/**
 * The simulator's allocator fed the kernel's own lengths (`lengths` workload): allocator fidelity
 * without the codec.
 *
 * @param run The kernel's report.
 * @param zpool Simulator allocator name.
 * @param sim Preset and machine size.
 * @returns The figures.
 */
export async function simulateReplay(
  run: KernelRun,
  zpool: string,
  sim: SimSettings,
): Promise<SimFigures> {
  const workload = plugin(builtinWorkloads, "workload", "lengths");
  const dir = await Deno.makeTempDir({ prefix: "zswapbench-replay-" });
  try {
    const path = `${dir}/kernel-lengths.csv`;
    await Deno.writeTextFile(path, kernelLengthsCsv(run));
    return await simulate(
      plugin(builtinAllocators, "allocator", zpool),
      plugin(builtinCompressors, "compressor", workload.fixedCompressor ?? "lengths"),
      workload,
      { path, column: "kernel" },
      run.pages.length,
      sim,
    );
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** zswap 6.1 same-filled test: every 8-byte word equals the first (mm/zswap.c, 6.1). */
function isSameFilled(page: Uint8Array): boolean {
  const w = new Uint32Array(page.buffer, page.byteOffset, page.byteLength >>> 2);
  for (let i = 2; i < w.length; i++) if (w[i] !== w[i & 1]) return false;
  return true;
}

/**
 * Each page's compressed length under the simulator's codec, as zswap 6.1 would ask for it
 * (same-filled test first; output limit one page). Allocator limits are not applied.
 *
 * @param pagesPath The page file.
 * @param compressor Simulator compressor name.
 * @returns Per page: the length, {@link PAGE_SAME_FILLED} or {@link PAGE_NOT_STORED}.
 */
export async function codecLengths(pagesPath: string, compressor: string): Promise<Int32Array> {
  const codec = await plugin(builtinCompressors, "compressor", compressor).create({});
  const bytes = await Deno.readFile(pagesPath);
  const n = Math.floor(bytes.length / GUEST_PAGE_SIZE);
  const out = new Int32Array(n);
  const page = new Uint8Array(GUEST_PAGE_SIZE);
  const dst = new Uint8Array(GUEST_PAGE_SIZE);
  try {
    for (let i = 0; i < n; i++) {
      page.set(bytes.subarray(i * GUEST_PAGE_SIZE, (i + 1) * GUEST_PAGE_SIZE));
      if (isSameFilled(page)) {
        out[i] = PAGE_SAME_FILLED;
        continue;
      }
      try {
        out[i] = await codec.compress(page, dst);
      } catch {
        out[i] = PAGE_NOT_STORED;
      }
    }
  } finally {
    await codec.close?.();
  }
  return out;
}

/**
 * How many of the pages the kernel stored got the identical length from the simulator's codec.
 *
 * @param run The kernel's report.
 * @param sim Per-page codes from {@link codecLengths}.
 * @returns Pages compared (kernel stored or same-filled) and pages that agree.
 */
export function lengthAgreement(
  run: KernelRun,
  sim: Int32Array,
): { compared: number; agree: number } {
  let compared = 0;
  let agree = 0;
  for (const p of run.pages) {
    if (p.outcome !== "stored" && p.outcome !== "same") continue;
    compared++;
    const want = p.outcome === "same" ? PAGE_SAME_FILLED : p.length;
    if (sim[p.index] === want) agree++;
  }
  return { compared, agree };
}

function pct(a: number, b: number): number {
  return b === 0 ? 0 : Math.round(((a - b) / b) * 10000) / 100;
}

/**
 * A row for a cell whose kernel run failed.
 *
 * @param cell zpool and compressor.
 * @param pages Pages in the page file.
 * @param error Why it failed.
 * @returns The row, every figure null.
 */
export function failedRow(
  cell: { zpool: string; compressor: string },
  pages: number,
  error: string,
): KernelCheckRow {
  return {
    zpool: cell.zpool,
    compressor: cell.compressor,
    status: "failed",
    error,
    kernel: null,
    pages,
    kernel_pool_pages: null,
    sim_pool_pages: null,
    sim_pool_pages_replay: null,
    sim_pool_diff_pct: null,
    replay_pool_diff_pct: null,
    kernel_stored_pages: null,
    sim_stored_pages: null,
    sim_stored_pages_replay: null,
    kernel_same_filled_pages: null,
    sim_same_filled_pages: null,
    kernel_rejects: null,
    sim_rejects: null,
    sim_rejects_replay: null,
    kernel_compressed_bytes: null,
    sim_compressed_bytes: null,
    sim_compressed_bytes_replay: null,
    length_pages: null,
    length_agree: null,
    length_agree_pct: null,
    kernel_mismatches: null,
    sim_integrity_failures: null,
    sim_error: null,
    kernel_wall_ms: null,
    accel: null,
  };
}

/** The simulator's side of a row; a run that could not happen is left out and named in `errors`. */
export interface SimSide {
  /** The codec run. */
  codec?: SimFigures;
  /** The replay run. */
  replay?: SimFigures;
  /** Per-page codec lengths from {@link codecLengths}. */
  lengths?: Int32Array;
  /** Why a part could not run. */
  errors: string[];
}

/**
 * Put kernel and simulator figures side by side.
 *
 * @param cell zpool and compressor.
 * @param kernel The kernel run.
 * @param sim The simulator runs that happened, and why the others did not.
 * @returns The row.
 */
export function compareRow(
  cell: { zpool: string; compressor: string },
  kernel: KernelCellRun,
  sim: SimSide,
): KernelCheckRow {
  const k = kernel.run;
  const row = failedRow(cell, k.pages.length, "");
  const kernelPool = Math.ceil(k.debugfs.pool_total_size / GUEST_PAGE_SIZE);
  Object.assign(row, {
    status: "ok",
    error: null,
    kernel: k.kernel,
    kernel_pool_pages: kernelPool,
    kernel_stored_pages: k.debugfs.stored_pages,
    kernel_same_filled_pages: k.debugfs.same_filled_pages ?? 0,
    kernel_rejects: k.pages.filter((p) => p.outcome === "reject").length,
    kernel_compressed_bytes: k.zswapCurrent,
    kernel_mismatches: k.mismatches,
    kernel_wall_ms: Math.round(kernel.wallMs),
    accel: kernel.accel,
  });
  row.sim_error = sim.errors.length > 0 ? sim.errors.join("; ") : null;
  const { codec, replay, lengths } = sim;
  if (codec) {
    Object.assign(row, {
      sim_pool_pages: codec.pool_pages,
      sim_pool_diff_pct: pct(codec.pool_pages, kernelPool),
      sim_stored_pages: codec.stored_pages,
      sim_same_filled_pages: codec.same_filled_pages,
      sim_rejects: codec.rejects,
      sim_compressed_bytes: codec.compressed_bytes,
    });
  }
  if (replay) {
    Object.assign(row, {
      sim_pool_pages_replay: replay.pool_pages,
      replay_pool_diff_pct: pct(replay.pool_pages, kernelPool),
      sim_stored_pages_replay: replay.stored_pages,
      sim_rejects_replay: replay.rejects,
      sim_compressed_bytes_replay: replay.compressed_bytes,
    });
  }
  if (codec || replay) {
    row.sim_integrity_failures = (codec?.integrity_failures ?? 0) +
      (replay?.integrity_failures ?? 0);
  }
  if (lengths) {
    const agreement = lengthAgreement(k, lengths);
    Object.assign(row, {
      length_pages: agreement.compared,
      length_agree: agreement.agree,
      length_agree_pct: agreement.compared === 0
        ? 0
        : Math.round((agreement.agree / agreement.compared) * 10000) / 100,
    });
  }
  return row;
}
