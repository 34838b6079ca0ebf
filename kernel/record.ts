/**
 * `kernel-check --record DIR`: write what the kernel did in the files of tests/oracle (README
 * there): `kernel-<V>-<set>-results.csv` (one row per zpool x compressor, the debugfs counters,
 * empty where the kernel has no such counter), `kernel-<V>-<set>-lengths.csv` (each page's code per
 * compressor) and `kernel-<V>-<set>-pool-trace.csv` (the pool in pages after each page).
 *
 * @module
 */
import type { LengthsEntry } from "../compressors/lengths.ts";
import { GUEST_PAGE_SIZE } from "./check.ts";
import { kernelPageCodes, presetHeaderBytes } from "./compare.ts";
import type { KernelRun } from "./console.ts";
import type { KernelCheckReport } from "./run.ts";

/** The results columns, as in tests/oracle (a superset of every kernel's counters). */
export const RESULTS_COLUMNS: readonly string[] = [
  "zpool",
  "compressor",
  "set",
  "mode",
  "ok",
  "pages",
  "stored_pages",
  "pool_total_size",
  "pool_pages",
  "compressed_bytes",
  "kprobe_bytes",
  "same_filled_pages",
  "zero_pages_bypassed",
  "stored_raw_pages_seen",
  "stored_incompressible_pages",
  "rejected_pages_seen",
  "reject_compress_poor",
  "reject_compress_fail",
  "reject_alloc_fail",
  "reject_kmemcache_fail",
  "reject_reclaim_fail",
  "pool_limit_hit",
  "written_back_pages",
  "duplicate_entry",
  "decompress_fail",
  "to_disk_pswpout",
  "zswpout",
  "meminfo_Zswap_kB",
  "mismatched_pages",
  "pageout_seconds",
  "wall_seconds",
  "kernel",
  "kprobe",
  "warnings",
];

/** debugfs counters copied as they are (empty when the kernel has none). */
const DEBUGFS = new Set([
  "stored_pages",
  "pool_total_size",
  "same_filled_pages",
  "stored_incompressible_pages",
  "reject_compress_poor",
  "reject_compress_fail",
  "reject_alloc_fail",
  "reject_kmemcache_fail",
  "reject_reclaim_fail",
  "pool_limit_hit",
  "written_back_pages",
  "duplicate_entry",
  "decompress_fail",
]);

/** Files written by {@link recordOracle}. */
export interface RecordedFiles {
  /** The results file. */
  results: string;
  /** The lengths file. */
  lengths: string;
  /** The pool-trace file. */
  trace: string;
}

/** `6.12` of `6.12.117+deb13-amd64`. */
function majorMinor(release: string): string {
  return /^(\d+\.\d+)/.exec(release)?.[1] ?? release;
}

/** Prefer a number to `R` (a zbud refusal keeps its length; another zpool may have stored it). */
function merge(a: LengthsEntry | undefined, b: LengthsEntry): LengthsEntry {
  return a === undefined || (a === "R" && typeof b === "number") ? b : a;
}

/**
 * Write a kernel check's kernel figures as tests/oracle files.
 *
 * @param report The check's report (its cells that ran).
 * @param dir Where to write (created).
 * @param options `set` names the page set (default: the page file's name without `.pages`);
 * `manifest` gives each page's source (default: `<set>.manifest` beside the page file, if any).
 * @returns The paths written.
 * @throws {Error} When no cell ran.
 */
export async function recordOracle(
  report: KernelCheckReport,
  dir: string,
  options: { set?: string; manifest?: string[] } = {},
): Promise<RecordedFiles> {
  const done = report.rows.map((row, i) => ({ row, run: report.kernelRuns[i] }))
    .filter((c): c is { row: typeof c.row; run: KernelRun } => c.run !== null);
  if (done.length === 0) throw new Error("No cell ran: nothing to record");
  const base = report.pagesPath.slice(report.pagesPath.lastIndexOf("/") + 1);
  const set = options.set ?? base.replace(/\.pages$/, "");
  let manifest = options.manifest;
  if (!manifest) {
    const path = report.pagesPath.replace(/\.pages$/, "") + ".manifest";
    manifest = await Deno.readTextFile(path).then((t) => t.split("\n")).catch(() => []);
  }
  const version = majorMinor(done[0].run.kernel);
  const prefix = `${dir}/kernel-${version}-${set}`;
  const results: string[] = [RESULTS_COLUMNS.join(",")];
  const codes = new Map<string, LengthsEntry[]>();
  const traces: [string, number[]][] = [];
  // Results rows sorted by zpool and compressor; lengths and trace columns in the run's order.
  const sorted = [...done].sort((a, b) =>
    a.row.zpool.localeCompare(b.row.zpool) || a.row.compressor.localeCompare(b.row.compressor)
  );
  for (const { row, run } of done) {
    const header = presetHeaderBytes(report.preset, row.zpool);
    const pageCodes = kernelPageCodes(run, header);
    const merged = codes.get(row.compressor) ?? [];
    pageCodes.forEach((c, i) => merged[i] = merge(merged[i], c));
    codes.set(row.compressor, merged);
    traces.push([
      `${row.zpool}_${row.compressor}`,
      run.pages.map((p) => Math.ceil(p.pool_total_size / GUEST_PAGE_SIZE)),
    ]);
  }
  for (const { row, run } of sorted) {
    const pageCodes = kernelPageCodes(run, presetHeaderBytes(report.preset, row.zpool));
    const count = (o: string) => run.pages.filter((p) => p.outcome === o).length;
    let kprobeBytes = 0;
    run.pages.forEach((p, i) => {
      const c = pageCodes[i];
      if (p.outcome === "raw") kprobeBytes += GUEST_PAGE_SIZE;
      else if (p.outcome === "stored" && typeof c === "number") kprobeBytes += c;
    });
    const values: Record<string, string | number> = {
      zpool: row.zpool,
      compressor: row.compressor,
      set,
      mode: "perpage",
      ok: run.mismatches === 0 ? 1 : 0,
      pages: run.pages.length,
      pool_pages: Math.ceil((run.debugfs.pool_total_size ?? 0) / GUEST_PAGE_SIZE),
      compressed_bytes: run.zswapCurrent,
      kprobe_bytes: run.kprobe === "" ? "" : kprobeBytes,
      zero_pages_bypassed: count("zero"),
      stored_raw_pages_seen: count("raw"),
      rejected_pages_seen: count("reject"),
      to_disk_pswpout: run.pswpout < 0 ? "" : run.pswpout,
      zswpout: run.zswpout < 0 ? "" : run.zswpout,
      mismatched_pages: run.mismatches,
      wall_seconds: row.kernel_wall_ms === null ? "" : (row.kernel_wall_ms / 1000).toFixed(1),
      kernel: run.kernel,
      kprobe: run.kprobe,
      warnings: count("resident") > 0 ? `${count("resident")} pages stayed resident` : "",
    };
    for (const [k, v] of Object.entries(run.debugfs)) if (DEBUGFS.has(k) && v >= 0) values[k] = v;
    results.push(RESULTS_COLUMNS.map((c) => String(values[c] ?? "")).join(","));
  }
  const codecs = [...codes.keys()];
  const n = done[0].run.pages.length;
  const lengths = [["idx", "source", ...codecs].join(",")];
  const trace = [["idx", ...traces.map(([name]) => name)].join(",")];
  for (let i = 0; i < n; i++) {
    lengths.push([i, manifest[i] ?? "", ...codecs.map((c) => codes.get(c)![i])].join(","));
    trace.push([i, ...traces.map(([, t]) => t[i])].join(","));
  }
  await Deno.mkdir(dir, { recursive: true });
  const files = {
    results: `${prefix}-results.csv`,
    lengths: `${prefix}-lengths.csv`,
    trace: `${prefix}-pool-trace.csv`,
  };
  // CRLF line ends, as tests/oracle's files have them (RFC 4180).
  await Deno.writeTextFile(files.results, results.join("\r\n") + "\r\n");
  await Deno.writeTextFile(files.lengths, lengths.join("\r\n") + "\r\n");
  await Deno.writeTextFile(files.trace, trace.join("\r\n") + "\r\n");
  return files;
}
