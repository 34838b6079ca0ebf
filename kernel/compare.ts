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
import { failedRowHead, plugin } from "./_compare_common.ts";
import { builtinCompressors } from "../compressors/mod.ts";
import type {
  AllocatorPlugin,
  CompressorPlugin,
  WorkloadPlugin,
  Zpool,
} from "../registry/types.ts";
import type { LengthsEntry } from "../compressors/lengths.ts";
import { CompressError } from "../registry/types.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import type { CellCounters, CellParams, CellPlan } from "../zswap/cell_types.ts";
import { runCell } from "../builtins/mod.ts";
import { getPreset } from "../zswap/presets.ts";
import { GUEST_MAX_POOL_PERCENT, GUEST_PAGE_SIZE, type KernelCellRun } from "./check.ts";
import type { KernelRun } from "./console.ts";

/** Per-page length code of a same-filled page (lengths are otherwise the compressed length). */
export const PAGE_SAME_FILLED: number = -1;
/** Code of a page that was not stored (compressor or allocator refused it, or never paged out). */
export const PAGE_NOT_STORED: number = -2;
/** Code of an all-zero page that bypasses zswap (6.12 on). */
export const PAGE_ZERO: number = -3;

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
  /** Sum of the stored compressed lengths (a raw page counts a page). */
  compressed_bytes: number;
  /** Loads whose bytes differed from what was stored. */
  integrity_failures: number;
  /** Zero pages that bypassed zswap. */
  zero_pages: number;
  /** Pages stored raw. */
  raw_pages: number;
  /** reject_compress_poor. */
  reject_compress_poor: number;
  /** reject_compress_fail. */
  reject_compress_fail: number;
  /** reject_alloc_fail. */
  reject_alloc_fail: number;
  /** The pool size in pages after each store, in page order. */
  trace: number[];
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
  /** Kernel zero pages that bypassed zswap (6.12 on). */
  kernel_zero_pages: number | null;
  /** Simulator zero pages, replay run. */
  sim_zero_pages_replay: number | null;
  /** Kernel pages stored raw (stored_incompressible_pages, 6.18 on). */
  kernel_raw_pages: number | null;
  /** Simulator pages stored raw, replay run. */
  sim_raw_pages_replay: number | null;
  /** Kernel reject counters `poor/fail/alloc` (reject_compress_poor, _compress_fail, _alloc_fail). */
  kernel_reject_counters: string | null;
  /** The same counters of the simulator's replay run. */
  sim_reject_counters_replay: string | null;
  /** The same counters of the simulator's codec run. */
  sim_reject_counters: string | null;
  /** First page after which the replay's pool differs from the kernel's (null: none differs). */
  replay_first_pool_diff: number | null;
  /** First page after which the codec run's pool differs from the kernel's (null: none). */
  sim_first_pool_diff: number | null;
  /** Kernel sum of stored lengths: from the allocation kprobe, else memory.zswap.current. */
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

function figures(c: CellCounters, trace: number[]): SimFigures {
  return {
    pool_pages: c.pool_pages,
    stored_pages: c.stored_pages,
    same_filled_pages: c.same_filled_pages,
    rejects: c.stores - c.stored_pages - c.zero_pages,
    compressed_bytes: c.compressed_bytes,
    integrity_failures: c.integrity_failures,
    zero_pages: c.zero_pages,
    raw_pages: c.stored_incompressible_pages,
    reject_compress_poor: c.reject_compress_poor,
    reject_compress_fail: c.reject_compress_fail,
    reject_alloc_fail: c.reject_alloc_fail,
    trace,
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
  // The pool size after every store, as the guest reads it after every page.
  let pool: Zpool | undefined;
  const traced: AllocatorPlugin = {
    ...allocator,
    create(env) {
      pool = allocator.create(env);
      return pool;
    },
  };
  const trace: number[] = [];
  const plan: CellPlan = {
    allocator: traced,
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
  const run = await runCell(plan, {
    store: () => void trace.push(pool!.totalPages()),
    load() {},
    writeback() {},
  });
  return figures(run.counters, trace.slice(0, pages));
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
 * Each page as a lengths-file code, from what the guest saw: the size zswap asked the allocator
 * for (kprobe) less the zswap header, else the `memory.zswap.current` step (6.1); `S` same-filled,
 * `Z` zero page (6.12 on), `W` stored raw (6.18 on), `R` not stored without an allocation of at
 * most a page (the codec failed, or 5.10's lzo overran the page). A page the allocator refused
 * keeps its number: replayed, the allocator refuses it again.
 *
 * @param run The kernel's report.
 * @param headerBytes The zswap header in front of each object (8 on 5.10/6.1 zbud and z3fold).
 * @returns One code per page.
 */
export function kernelPageCodes(run: KernelRun, headerBytes = 0): LengthsEntry[] {
  const kprobe = run.kprobe !== "";
  return run.pages.map((p): LengthsEntry => {
    const len = p.alloc - headerBytes;
    switch (p.outcome) {
      case "same":
        return "S";
      case "zero":
        return "Z";
      case "raw":
        return "W";
      case "stored":
        return kprobe && p.alloc >= 0 ? len : p.length;
      case "reject":
        return kprobe && p.alloc >= 0 && len >= 1 && len <= GUEST_PAGE_SIZE ? len : "R";
      default:
        return "R";
    }
  });
}

/**
 * The kernel's per-page codes as a `lengths` workload CSV (header `idx,<column>`).
 *
 * @param run The kernel's report.
 * @param headerBytes The zswap header (see {@link kernelPageCodes}).
 * @param column The column name (default the compressor the kernel used).
 * @returns The CSV text.
 */
export function kernelLengthsCsv(run: KernelRun, headerBytes = 0, column?: string): string {
  const rows = kernelPageCodes(run, headerBytes).map((c, i) => `${i},${c}`);
  return [`idx,${column ?? run.compressor}`, ...rows].join("\n") + "\n";
}

/**
 * The kernel's sum of stored lengths, a raw page counting a page (as the simulator counts it).
 *
 * @param run The kernel's report.
 * @param headerBytes The zswap header.
 * @returns Bytes, or null without the kprobe and without memory.zswap.current.
 */
export function kernelCompressedBytes(run: KernelRun, headerBytes = 0): number | null {
  if (run.kprobe === "") return run.zswapCurrent < 0 ? null : run.zswapCurrent;
  const codes = kernelPageCodes(run, headerBytes);
  let sum = 0;
  run.pages.forEach((p, i) => {
    const c = codes[i];
    if (p.outcome === "raw") sum += GUEST_PAGE_SIZE;
    else if (p.outcome === "stored" && typeof c === "number") sum += c;
  });
  return sum;
}

/** The zswap header the preset puts in front of objects of this zpool. */
export function presetHeaderBytes(preset: string, zpool: string): number {
  const h = getPreset(preset).headerBytes;
  return Object.hasOwn(h, zpool) ? h[zpool] : 0;
}

/**
 * The simulator's allocator fed the kernel's own lengths (`lengths` workload): allocator fidelity
 * without the codec. The codec's rules of the preset apply (the column is the kernel's codec).
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
    await Deno.writeTextFile(path, kernelLengthsCsv(run, presetHeaderBytes(sim.preset, zpool)));
    return await simulate(
      plugin(builtinAllocators, "allocator", zpool),
      plugin(builtinCompressors, "compressor", workload.fixedCompressor ?? "lengths"),
      workload,
      { path, column: run.compressor },
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

/** All-zero page? (mm/page_io.c (D6.12) is_folio_zero_filled) */
function isZeroPage(page: Uint8Array): boolean {
  const w = new Uint32Array(page.buffer, page.byteOffset, page.byteLength >>> 2);
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) return false;
  return true;
}

/**
 * Each page's compressed length under the simulator's codec, as the preset's zswap would ask for
 * it: zero-page test (6.12 on) or same-filled test (up to 6.11) first, the preset's codec
 * settings, an output limit of one page (two for a codec the preset has unbounded). Allocator
 * limits are not applied.
 *
 * @param pagesPath The page file.
 * @param compressor Simulator compressor name.
 * @param preset Kernel preset (default `6.1`).
 * @returns Per page: the length, {@link PAGE_SAME_FILLED}, {@link PAGE_ZERO} or
 * {@link PAGE_NOT_STORED} (did not fit).
 */
export async function codecLengths(
  pagesPath: string,
  compressor: string,
  preset = "6.1",
): Promise<Int32Array> {
  const p = getPreset(preset);
  const codecOptions = Object.hasOwn(p.codecOptions, compressor) ? p.codecOptions[compressor] : {};
  const codec = await plugin(builtinCompressors, "compressor", compressor).create(codecOptions);
  const bytes = await Deno.readFile(pagesPath);
  const n = Math.floor(bytes.length / GUEST_PAGE_SIZE);
  const out = new Int32Array(n);
  const page = new Uint8Array(GUEST_PAGE_SIZE);
  const unbounded = p.bufferPages === 2 && p.unboundedCodecs.includes(compressor);
  const dst = new Uint8Array(GUEST_PAGE_SIZE * (unbounded ? 2 : 1));
  try {
    for (let i = 0; i < n; i++) {
      page.set(bytes.subarray(i * GUEST_PAGE_SIZE, (i + 1) * GUEST_PAGE_SIZE));
      if (p.zeroPages && isZeroPage(page)) {
        out[i] = PAGE_ZERO;
        continue;
      }
      if (p.sameFilled && isSameFilled(page)) {
        out[i] = PAGE_SAME_FILLED;
        continue;
      }
      try {
        out[i] = await codec.compress(page, dst);
      } catch (e) {
        if (!(e instanceof CompressError)) throw e;
        out[i] = PAGE_NOT_STORED;
      }
    }
  } finally {
    await codec.close?.();
  }
  return out;
}

/**
 * How many pages got the same code from the simulator's codec as from the kernel: the same
 * length, both same-filled, both zero, or both "did not compress" (kernel `R`/`W`, codec failed
 * or gave more than a page).
 *
 * @param run The kernel's report.
 * @param sim Per-page codes from {@link codecLengths}.
 * @param headerBytes The zswap header (see {@link kernelPageCodes}).
 * @returns Pages compared (every page that reached swap-out) and pages that agree, and the
 * first page that differs (-1: none).
 */
export function lengthAgreement(
  run: KernelRun,
  sim: Int32Array,
  headerBytes = 0,
): { compared: number; agree: number; firstDiff: number } {
  const codes = kernelPageCodes(run, headerBytes);
  let compared = 0;
  let agree = 0;
  let firstDiff = -1;
  for (const p of run.pages) {
    if (p.outcome === "resident") continue;
    compared++;
    const k = codes[p.index];
    const s = sim[p.index];
    const same = k === "S"
      ? s === PAGE_SAME_FILLED
      : k === "Z"
      ? s === PAGE_ZERO
      : k === "R" || k === "W"
      ? s === PAGE_NOT_STORED || s > GUEST_PAGE_SIZE
      : s === k;
    if (same) agree++;
    else if (firstDiff < 0) firstDiff = p.index;
  }
  return { compared, agree, firstDiff };
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
    ...failedRowHead(cell, error),
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
    kernel_zero_pages: null,
    sim_zero_pages_replay: null,
    kernel_raw_pages: null,
    sim_raw_pages_replay: null,
    kernel_reject_counters: null,
    sim_reject_counters_replay: null,
    sim_reject_counters: null,
    replay_first_pool_diff: null,
    sim_first_pool_diff: null,
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

function rejectCounters(f: {
  reject_compress_poor: number;
  reject_compress_fail: number;
  reject_alloc_fail: number;
}): string {
  return `${f.reject_compress_poor}/${f.reject_compress_fail}/${f.reject_alloc_fail}`;
}

/** The first page after which two pool traces differ, or null. */
function firstDiff(kernel: readonly number[], sim: readonly number[]): number | null {
  for (let i = 0; i < kernel.length; i++) if (kernel[i] !== sim[i]) return i;
  return null;
}

/**
 * Put kernel and simulator figures side by side.
 *
 * @param cell zpool and compressor.
 * @param kernel The kernel run.
 * @param sim The simulator runs that happened, and why the others did not.
 * @param headerBytes The zswap header of the preset for this zpool (see {@link kernelPageCodes}).
 * @returns The row.
 */
export function compareRow(
  cell: { zpool: string; compressor: string },
  kernel: KernelCellRun,
  sim: SimSide,
  headerBytes = 0,
): KernelCheckRow {
  const k = kernel.run;
  const d = k.debugfs;
  const row = failedRow(cell, k.pages.length, "");
  const kernelPool = Math.ceil(d.pool_total_size / GUEST_PAGE_SIZE);
  const kernelTrace = k.pages.map((p) => Math.ceil(p.pool_total_size / GUEST_PAGE_SIZE));
  const counter = (name: string) => (d[name] ?? -1) >= 0 ? d[name] : 0;
  Object.assign(row, {
    status: "ok",
    error: null,
    kernel: k.kernel,
    kernel_pool_pages: kernelPool,
    kernel_stored_pages: d.stored_pages,
    kernel_same_filled_pages: counter("same_filled_pages"),
    kernel_rejects: k.pages.filter((p) => p.outcome === "reject").length,
    kernel_zero_pages: k.pages.filter((p) => p.outcome === "zero").length,
    kernel_raw_pages: counter("stored_incompressible_pages"),
    kernel_reject_counters: rejectCounters({
      reject_compress_poor: counter("reject_compress_poor"),
      reject_compress_fail: counter("reject_compress_fail"),
      reject_alloc_fail: counter("reject_alloc_fail"),
    }),
    kernel_compressed_bytes: kernelCompressedBytes(k, headerBytes),
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
      sim_reject_counters: rejectCounters(codec),
      sim_first_pool_diff: firstDiff(kernelTrace, codec.trace),
    });
  }
  if (replay) {
    Object.assign(row, {
      sim_pool_pages_replay: replay.pool_pages,
      replay_pool_diff_pct: pct(replay.pool_pages, kernelPool),
      sim_stored_pages_replay: replay.stored_pages,
      sim_rejects_replay: replay.rejects,
      sim_compressed_bytes_replay: replay.compressed_bytes,
      sim_zero_pages_replay: replay.zero_pages,
      sim_raw_pages_replay: replay.raw_pages,
      sim_reject_counters_replay: rejectCounters(replay),
      replay_first_pool_diff: firstDiff(kernelTrace, replay.trace),
    });
  }
  if (codec || replay) {
    row.sim_integrity_failures = (codec?.integrity_failures ?? 0) +
      (replay?.integrity_failures ?? 0);
  }
  if (lengths) {
    const agreement = lengthAgreement(k, lengths, headerBytes);
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
