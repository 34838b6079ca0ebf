/**
 * `deno task cli compress --compressor NAME --pages FILE`: runs one compressor over every page of a
 * page file (a flat file of page-size pages) and reports, per page, the compressed length and the
 * time to compress and to decompress it; every decompressed page is checked against the input.
 *
 * @module
 */

import { z } from "zod";
import { builtinCompressors } from "../../compressors/mod.ts";
import { CompressError, type Compressor, type CompressorPlugin } from "../../registry/types.ts";
import { closestName, unknownNameMessage } from "../../registry/registry.ts";
import { getPreset, PRESETS } from "../../zswap/presets.ts";
import { parseFlags } from "./args.ts";
import { UsageError } from "../../registry/errors.ts";
import { formatZodIssues } from "../../registry/schemas.ts";

const USAGE = `Usage: deno task cli compress --compressor NAME --pages FILE [options]

Compress and decompress every page of a page file with one compressor, checking each round trip.

Options:
  --compressor NAME  A built-in codec: lz4, lz4-wasm, lzo, lzo-rle, zstd, deflate or none
  --options JSON     Its options, e.g. '{"level":1}'
  --preset NAME      Use that kernel's codec settings under --options (e.g. 6.18: zstd with
                     the parameters for a 256 KiB source); see "list"
  --pages FILE       A flat file of pages
  --page-size N      Bytes per page (default 4096)
  --warmup N         Untimed passes over every page before the timed one (default 1)
  --repetitions N    Timed passes (default 3): the throughput is their median, shown with
                     each pass and their coefficient of variation
  --csv              One row per page: page,length,compress_ns,decompress_ns
  --json             Per-page rows and the summary as one JSON object
  -h, --help         Show this help

Every page is first compressed and decompressed untimed (--warmup passes), so the timed pass
measures the compiled codec, not V8 compiling it. Lengths and ratio do not depend on it.

Exit status: 0, or 1 when a page failed its round trip; 2 for a usage error.`;

/** One page's figures; `length` is `"R"` when the output did not fit a page. */
export interface PageRow {
  /** The page's index in the file. */
  page: number;
  /** Compressed length in bytes, or `"R"` when it did not fit the page size (ENOSPC). */
  length: number | "R";
  /** Time of the `compress()` call, ns. */
  compress_ns: number;
  /** Time of the `decompress()` call, ns; `null` for an `R` page or a failed page. */
  decompress_ns: number | null;
}

/** Totals over the page file. */
export interface CompressSummary {
  /** The compressor's name. */
  compressor: string;
  /** Its options as given. */
  options: unknown;
  /** Pages in the file. */
  pages: number;
  /** Bytes per page. */
  page_size: number;
  /** Bytes of all pages. */
  original_bytes: number;
  /** Sum of the compressed lengths of the pages that fit. */
  compressed_bytes: number;
  /** Original / compressed bytes, over the pages that fit. */
  ratio: number;
  /** Original bytes of all pages over the total compress time, MB/s (10^6 bytes). */
  compress_mbps: number;
  /** Original bytes of the decompressed pages over the total decompress time, MB/s. */
  decompress_mbps: number;
  /** Timed passes over the file; the throughputs and rows are the median pass's. */
  repetitions: number;
  /** Compress throughput of each pass, MB/s. */
  compress_mbps_reps: number[];
  /** Decompress throughput of each pass, MB/s. */
  decompress_mbps_reps: number[];
  /** Coefficient of variation of the compress throughput across passes (null for one). */
  compress_mbps_cv: number | null;
  /** Likewise for decompress. */
  decompress_mbps_cv: number | null;
  /** Pages whose output did not fit the page size (ENOSPC). */
  rejected: number;
  /** Pages that failed: a codec error, or decompressed bytes that differ from the input. */
  failed: number;
}

/** What `compressPages()` returns. */
export interface CompressReport {
  /** One row per page, in file order. */
  rows: PageRow[];
  /** The totals. */
  summary: CompressSummary;
  /** One sentence per failed page. */
  errors: string[];
}

/**
 * The built-in compressor of this name.
 * @param name A compressor name, e.g. `zstd`.
 * @returns the plugin.
 * @throws {UsageError} for an unknown name, listing the known ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveCompressor } from "./compress.ts";
 * assert.equal(resolveCompressor("zstd").name, "zstd");
 * ```
 */
export function resolveCompressor(name: string): CompressorPlugin {
  const plugin = builtinCompressors.find((p) => p.name === name);
  if (plugin === undefined) {
    if (name === "offload") {
      throw new UsageError(
        'Compressor "offload" runs only inside the bench (it answers from a Worker); give the codec it wraps, e.g. --compressor lz4',
      );
    }
    // `lengths` is the lengths workload's pseudo-codec: resolvable, but not worth suggesting.
    const known = builtinCompressors.map((p) => p.name).filter((n) => n !== "lengths").sort();
    const builtinOnly = closestName(name, known) === undefined
      ? "; compress knows the built-in codecs only"
      : "";
    throw new UsageError(`${unknownNameMessage("compressor", name, known)}${builtinOnly}`);
  }
  return plugin;
}

/** What `compressPages()` needs besides the codec and the pages. */
export interface CompressPagesOptions {
  /** Bytes per page; `pages.length` must be a multiple of it. */
  pageSize: number;
  /** The compressor's name, for the summary. */
  compressor: string;
  /** The compressor's options, for the summary. */
  options: unknown;
  /** Untimed passes over every page before the timed one, so V8 has compiled the codec (default 1). */
  warmup?: number;
  /** Timed passes (default 1); the summary gives each pass's throughput and their spread. */
  repetitions?: number;
}

/**
 * Compress and decompress each page of `pages` with `codec`, timing each call on its own and
 * checking each round trip after the clock is read. The output limit is one page, as zswap's.
 * @param codec A compressor instance.
 * @param pages Whole pages back to back.
 * @param opts Page size and the names for the summary.
 * @returns per-page rows, totals, and one sentence per failed page.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compressPages } from "./compress.ts";
 * import { noneCompressor } from "../../compressors/none.ts";
 * const codec = await noneCompressor.create({});
 * const opts = { pageSize: 4096, compressor: "none", options: {} };
 * const r = await compressPages(codec, new Uint8Array(8192), opts);
 * assert.ok(r.rows.length === 2 && r.errors.length === 0);
 * ```
 */
export async function compressPages(
  codec: Compressor,
  pages: Uint8Array,
  opts: CompressPagesOptions,
): Promise<CompressReport> {
  const pageSize = opts.pageSize;
  const count = pages.length / pageSize;
  const dst = new Uint8Array(pageSize);
  const back = new Uint8Array(pageSize);
  // Untimed warm-up: without it the first few hundred pages time V8 compiling the codec.
  for (let pass = 0; pass < (opts.warmup ?? 1); pass++) {
    for (let i = 0; i < count; i++) {
      try {
        const n = await codec.compress(pages.subarray(i * pageSize, (i + 1) * pageSize), dst);
        await codec.decompress(dst.subarray(0, n), back);
      } catch {
        // Reported by the timed pass.
      }
    }
  }
  const passes: TimedPass[] = [];
  for (let rep = 0; rep < Math.max(1, opts.repetitions ?? 1); rep++) {
    passes.push(await timedPass(codec, pages, pageSize, count, dst, back));
  }
  // Lengths and failures are the same in every pass; the rows and times are the median pass's.
  const mbps = (bytes: number, ms: number) => (ms > 0 ? bytes / 1e3 / ms : 0);
  const cMbps = passes.map((p) => mbps(pages.length, p.compressMs));
  const dMbps = passes.map((p) => mbps(p.decompressedBytes, p.decompressMs));
  const order = cMbps.map((v, i) => [v, i]).sort((a, b) => a[0] - b[0]);
  const mid = passes[order[order.length >> 1][1]];
  const { rows, errors, compressed, fitted, rejected, failed } = mid;
  return {
    rows,
    errors,
    summary: {
      compressor: opts.compressor,
      options: opts.options,
      pages: count,
      page_size: pageSize,
      original_bytes: pages.length,
      compressed_bytes: compressed,
      ratio: compressed > 0 ? (fitted * pageSize) / compressed : 0,
      compress_mbps: median(cMbps),
      decompress_mbps: median(dMbps),
      repetitions: passes.length,
      compress_mbps_reps: cMbps.map(round1),
      decompress_mbps_reps: dMbps.map(round1),
      compress_mbps_cv: cv(cMbps),
      decompress_mbps_cv: cv(dMbps),
      rejected,
      failed,
    },
  };
}

interface TimedPass {
  rows: PageRow[];
  errors: string[];
  compressed: number;
  fitted: number;
  rejected: number;
  failed: number;
  compressMs: number;
  decompressMs: number;
  decompressedBytes: number;
}

/** One timed pass over every page. */
async function timedPass(
  codec: Compressor,
  pages: Uint8Array,
  pageSize: number,
  count: number,
  dst: Uint8Array,
  back: Uint8Array,
): Promise<TimedPass> {
  const rows: PageRow[] = [];
  const errors: string[] = [];
  let compressed = 0, fitted = 0, rejected = 0, failed = 0;
  let compressMs = 0, decompressMs = 0, decompressedBytes = 0;
  for (let i = 0; i < count; i++) {
    const page = pages.subarray(i * pageSize, (i + 1) * pageSize);
    const row: PageRow = { page: i, length: "R", compress_ns: 0, decompress_ns: null };
    rows.push(row);
    let n: number;
    let t0 = performance.now();
    try {
      n = await codec.compress(page, dst);
    } catch (err) {
      const t1 = performance.now();
      row.compress_ns = toNs(t1 - t0);
      compressMs += t1 - t0;
      if (err instanceof CompressError && err.code === "ENOSPC") rejected++;
      else {
        failed++;
        errors.push(`Page ${i}: compress failed: ${message(err)}`);
      }
      continue;
    }
    let t1 = performance.now();
    row.length = n;
    row.compress_ns = toNs(t1 - t0);
    compressMs += t1 - t0;
    compressed += n;
    fitted++;
    back.fill(0);
    let m: number;
    t0 = performance.now();
    try {
      m = await codec.decompress(dst.subarray(0, n), back);
    } catch (err) {
      failed++;
      errors.push(`Page ${i}: decompress failed: ${message(err)}`);
      continue;
    }
    t1 = performance.now();
    row.decompress_ns = toNs(t1 - t0);
    decompressMs += t1 - t0;
    decompressedBytes += pageSize;
    const at = firstDifference(page, back, m);
    if (at >= 0) {
      failed++;
      errors.push(
        `Page ${i}: decompressed output differs from the input at byte ${at} (${m} bytes back)`,
      );
    }
  }
  return {
    rows,
    errors,
    compressed,
    fitted,
    rejected,
    failed,
    compressMs,
    decompressMs,
    decompressedBytes,
  };
}

function median(v: readonly number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Sample standard deviation / mean, or null for fewer than two values. */
function cv(v: readonly number[]): number | null {
  if (v.length < 2) return null;
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  if (mean === 0) return null;
  const sd = Math.sqrt(v.reduce((a, x) => a + (x - mean) ** 2, 0) / (v.length - 1));
  return Math.round((sd / mean) * 1e4) / 1e4;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function toNs(ms: number): number {
  return Math.round(ms * 1e6);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The first index where `b` differs from `a` (`length` bytes of `b` were written), or -1. */
function firstDifference(a: Uint8Array, b: Uint8Array, length: number): number {
  if (length !== a.length) return Math.min(length, a.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

function parsePageSize(text: string | undefined): number {
  if (text === undefined) return 4096;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`Page size "${text}" is not a positive integer (e.g. --page-size 4096)`);
  }
  return n;
}

function parseOptions(text: string | undefined): unknown {
  if (text === undefined) return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `--options is not JSON: ${message(err)} (e.g. --options '{"level":1}')`,
      { cause: err },
    );
  }
}

async function readPages(path: string, pageSize: number): Promise<Uint8Array> {
  let pages: Uint8Array;
  try {
    pages = await Deno.readFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "no such file" : message(err);
    throw new UsageError(`Cannot read page file "${path}": ${why}`, { cause: err });
  }
  if (pages.length === 0 || pages.length % pageSize !== 0) {
    throw new UsageError(
      `Page file "${path}" has ${pages.length} bytes, not a whole number of ${pageSize}-byte pages (see --page-size)`,
    );
  }
  return pages;
}

async function createCodec(plugin: CompressorPlugin, options: unknown): Promise<Compressor> {
  try {
    return await plugin.create(options);
  } catch (err) {
    // A plugin that already wrote a full usage message (`Invalid options for compressor ...`)
    // keeps it; a bare zod error becomes one line per `formatZodIssues()`, as the built-ins print it.
    if (err instanceof UsageError) throw err;
    const why = !(err instanceof z.ZodError)
      ? message(err)
      : err.issues.some((i) => i.code === "invalid_type" && i.path.length === 0)
      ? `--options must be a JSON object, e.g. --options '{"level":1}'`
      : formatZodIssues(err.issues, options);
    throw new UsageError(`Invalid options for compressor "${plugin.name}": ${why}`, {
      cause: err,
    });
  }
}

/** ` (passes 17.0, 366.1, 379.2; cv 0.9)` */
function spread(reps: number[], cv: number | null): string {
  if (reps.length < 2) return " (one pass: no spread; --repetitions 3 for one)";
  return ` (passes ${reps.map((v) => v.toFixed(1)).join(", ")}; cv ${
    cv === null ? "-" : `${(cv * 100).toFixed(1)} %`
  })`;
}

function formatSummary(s: CompressSummary): string {
  const rows: [string, string][] = [
    ["compressor", `${s.compressor} ${JSON.stringify(s.options)}`],
    ["pages", `${s.pages} x ${s.page_size} B`],
    ["total original", `${s.original_bytes} B`],
    ["total compressed", `${s.compressed_bytes} B`],
    ["ratio", s.ratio.toFixed(3)],
    ["repetitions", `${s.repetitions} timed passes (throughput: their median)`],
    [
      "compress",
      `${s.compress_mbps.toFixed(1)} MB/s${spread(s.compress_mbps_reps, s.compress_mbps_cv)}`,
    ],
    [
      "decompress",
      `${s.decompress_mbps.toFixed(1)} MB/s${spread(s.decompress_mbps_reps, s.decompress_mbps_cv)}`,
    ],
    ["did not fit (R)", String(s.rejected)],
    ["failed", String(s.failed)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

/**
 * Run the `compress` subcommand.
 * @param args The arguments after `compress`.
 * @returns the exit code: 0, or 1 when a page failed its round trip.
 * @throws {UsageError} for a bad flag, an unknown compressor, bad options or a bad page file.
 */
export async function main(args: string[]): Promise<number> {
  const { values } = parseFlags("compress", args, {
    compressor: { type: "string" },
    options: { type: "string" },
    preset: { type: "string" },
    pages: { type: "string" },
    "page-size": { type: "string" },
    warmup: { type: "string" },
    repetitions: { type: "string" },
    csv: { type: "boolean" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const name = values.compressor as string | undefined;
  const path = values.pages as string | undefined;
  if (name === undefined) throw new UsageError("Missing --compressor (e.g. --compressor zstd)");
  if (path === undefined) throw new UsageError("Missing --pages FILE (a flat file of pages)");
  if (values.csv && values.json) throw new UsageError("Give --csv or --json, not both");
  const plugin = resolveCompressor(name);
  const given = parseOptions(values.options as string | undefined);
  const presetName = values.preset as string | undefined;
  if (presetName !== undefined && !Object.hasOwn(PRESETS, presetName)) {
    throw new UsageError(
      `--preset: ${unknownNameMessage("preset", presetName, Object.keys(PRESETS))}`,
    );
  }
  const preset = presetName === undefined ? undefined : getPreset(presetName);
  const defaults = preset && Object.hasOwn(preset.codecOptions, plugin.name)
    ? preset.codecOptions[plugin.name]
    : undefined;
  // The kernel's codec settings under the user's (as a run's cell merges them).
  const options = defaults === undefined
    ? given
    : given !== null && typeof given === "object" && !Array.isArray(given)
    ? { ...defaults, ...given }
    : given ?? { ...defaults };
  const pageSize = parsePageSize(values["page-size"] as string | undefined);
  const repsText = values.repetitions as string | undefined;
  const repetitions = repsText === undefined ? 3 : Number(repsText);
  if (!Number.isInteger(repetitions) || repetitions < 1 || repetitions > 100) {
    throw new UsageError(`--repetitions "${repsText}" is not a whole number from 1 to 100`);
  }
  const warmupText = values.warmup as string | undefined;
  const warmup = warmupText === undefined ? 1 : Number(warmupText);
  if (!Number.isInteger(warmup) || warmup < 0 || warmup > 100) {
    throw new UsageError(`--warmup "${warmupText}" is not a whole number from 0 to 100`);
  }
  const pages = await readPages(path, pageSize);
  const codec = await createCodec(plugin, options);
  let report;
  try {
    report = await compressPages(codec, pages, {
      pageSize,
      compressor: plugin.name,
      options,
      warmup,
      repetitions,
    });
  } finally {
    await codec.close?.();
  }
  const summary = report.summary;
  for (const line of report.errors) console.error(line);
  if (values.csv) {
    const lines = ["page,length,compress_ns,decompress_ns"];
    for (const r of report.rows) {
      lines.push(`${r.page},${r.length},${r.compress_ns},${r.decompress_ns ?? ""}`);
    }
    console.log(lines.join("\n"));
  } else if (values.json) {
    console.log(JSON.stringify({ summary, rows: report.rows }, null, 2));
  } else {
    console.log(formatSummary(summary));
    if (preset && plugin.name === "zstd") {
      console.log(
        `note: kernel ${preset.name} bundles zstd ${preset.zstdLibrary}; this is the runtime's libzstd`,
      );
    }
  }
  return report.errors.length > 0 ? 1 : 0;
}
