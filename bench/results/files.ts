/**
 * The results files of a run directory (DESIGN §6):
 *
 * - `results.jsonl`: a header line (`type: "header"`, tool, environment, config), then one line
 *   per cell, appended as each cell finishes — a crash loses at most the running cell, and a run
 *   can be resumed and its reports rebuilt from this file alone.
 * - `results.json`: the whole {@linkcode RunResults} document.
 * - `results.csv`: one row per cell, exactly {@linkcode CSV_COLUMNS}; objects as JSON strings,
 *   `null` as an empty field, fields quoted when they hold a comma, quote or line break.
 *
 * `results.json` and `results.csv` are written to a temporary name and renamed, so a reader never
 * sees half a file.
 *
 * @module
 */
import { UNRELIABLE_CV, UNRELIABLE_TAIL_CV, unreliableTimings } from "../measure/noise.ts";
import { join } from "node:path";
import { parseJsonOrThrow } from "./json.ts";
import { UsageError } from "../../registry/errors.ts";
import { userFileOp } from "./io.ts";
import { checkUnique, parseCell } from "./validate.ts";
import { oneLine } from "./text.ts";
import { z } from "zod";
import {
  type CellResult,
  CSV_COLUMNS,
  type JsonlHeader,
  JsonlHeaderSchema,
  type RunPart,
  type RunResults,
  RunResultsSchema,
} from "./schema.ts";
import { formatZodIssues } from "../../registry/schemas.ts";

/** File names inside a run directory. */
export const RESULT_FILES: Readonly<{ jsonl: string; json: string; csv: string }> = Object.freeze({
  jsonl: "results.jsonl",
  json: "results.json",
  csv: "results.csv",
});

/**
 * Appends cells to `results.jsonl`, one line each, written straight to the file (no buffering in
 * this process) as each cell finishes.
 *
 * @example
 * ```ts ignore
 * const writer = await JsonlWriter.create("results/x/results.jsonl", header);
 * await writer.append(cell);
 * writer.close();
 * ```
 */
export class JsonlWriter {
  #file: Deno.FsFile;
  #path: string;
  #encoder = new TextEncoder();

  private constructor(file: Deno.FsFile, path: string) {
    this.#file = file;
    this.#path = path;
  }

  /**
   * Start a new file (truncating any old one) with its header line.
   *
   * @param path The file.
   * @param header The header record.
   * @returns The writer.
   */
  static async create(path: string, header: JsonlHeader): Promise<JsonlWriter> {
    return await userFileOp(`Cannot write ${path}`, async () => {
      const file = await Deno.open(path, { write: true, create: true, truncate: true });
      const writer = new JsonlWriter(file, path);
      await writer.#writeLine(header);
      return writer;
    });
  }

  /**
   * Open an existing file to append more cells (`--resume`). A last line cut short by a crash
   * is removed first, so the file stays one JSON record per line.
   *
   * @param path The file.
   * @returns The writer.
   */
  static async openAppend(path: string): Promise<JsonlWriter> {
    return await userFileOp(`Cannot append to ${path}`, async () => {
      const text = await Deno.readTextFile(path);
      const end = text.endsWith("\n") ? text.length : text.lastIndexOf("\n") + 1;
      if (end !== text.length) {
        await Deno.truncate(path, new TextEncoder().encode(text.slice(0, end)).length);
      }
      const file = await Deno.open(path, { append: true });
      return new JsonlWriter(file, path);
    });
  }

  /**
   * Start a part of the run (a `--resume`): the cells appended after it ran this way.
   *
   * @param part How they run.
   */
  async appendPart(part: JsonlPartLine): Promise<void> {
    await userFileOp(`Cannot write ${this.#path}`, () => this.#writeLine(part));
  }

  /**
   * Append one cell and push it to the operating system.
   *
   * @param cell The finished cell.
   */
  async append(cell: CellResult): Promise<void> {
    await userFileOp(`Cannot write ${this.#path}`, () => this.#writeLine(cell));
  }

  /** Close the file. */
  close(): void {
    this.#file.close();
  }

  async #writeLine(value: unknown): Promise<void> {
    const bytes = this.#encoder.encode(JSON.stringify(value) + "\n");
    let done = 0;
    while (done < bytes.length) done += await this.#file.write(bytes.subarray(done));
    await this.#file.syncData();
  }
}

/** What {@linkcode readJsonl} found. */
export interface JsonlContents {
  /** The header record. */
  header: JsonlHeader;
  /** Finished cells, in file order (a cell written twice keeps its last line). */
  cells: CellResult[];
  /** True when the last line was cut short (the run was killed while writing it). */
  truncated: boolean;
  /** The parts of the run (the first session, then one per `--resume`) and their cells. */
  parts: RunPart[];
}

/** A `results.jsonl` line that starts a part of the run (a `--resume`). */
export type JsonlPartLine = Omit<RunPart, "cells"> & { type: "part" };

const PartLineSchema = z.strictObject({
  type: z.literal("part"),
  started_at: z.string(),
  jobs: z.number().int().min(1),
  cell_isolation: z.enum(["in-process", "worker", "process"]),
  cell_timeout_s: z.number().nonnegative().nullable(),
});

/**
 * Read a `results.jsonl`: the header and every complete cell line.
 *
 * @param path The file.
 * @returns The header and cells.
 * @throws {UsageError} When the file is missing, has no valid header, or a complete line is not a
 *   valid cell.
 */
export async function readJsonl(path: string): Promise<JsonlContents> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "no such file" : (err as Error).message;
    throw new UsageError(`Results file ${path}: cannot read it: ${why}`, { cause: err });
  }
  const lines = text.split("\n");
  let truncated = false;
  if (lines[lines.length - 1] === "") lines.pop();
  else if (!text.endsWith("\n")) {
    lines.pop(); // the last line was being written when the run stopped
    truncated = true;
  }
  if (lines.length === 0) throw new UsageError(`Results file ${path}: empty (no header line)`);
  const header = JsonlHeaderSchema.safeParse(parseJsonOrThrow(lines[0], `${path} line 1`));
  if (!header.success) {
    throw new UsageError(
      `Results file ${path}: line 1 is not a zswapbench results header: ${
        formatZodIssues(header.error.issues, JSON.parse(lines[0]))
      }`,
    );
  }
  const env = header.data.environment;
  const iso = env.cell_isolation;
  const parts: RunPart[] = [{
    started_at: env.started_at,
    jobs: env.jobs ?? 1,
    cell_isolation: iso === "worker" || iso === "process" ? iso : "in-process",
    cell_timeout_s: env.cell_timeout_s ?? null,
    cells: [],
  }];
  const byName = new Map<string, CellResult>();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === "") continue;
    const value = parseJsonOrThrow(lines[i], `${path} line ${i + 1}`);
    if ((value as { type?: unknown })?.type === "part") {
      const part = PartLineSchema.safeParse(value);
      if (!part.success) {
        throw new UsageError(`Results file ${path}: line ${i + 1} is not a valid part line`);
      }
      const { type: _t, ...rest } = part.data;
      parts.push({ ...rest, cells: [] });
      continue;
    }
    const cell = parseCell(value, path, `line ${i + 1}`);
    const earlier = byName.get(cell.cell);
    // A cell appears again only when a crashed one was run again (--retry-crashed).
    if (earlier !== undefined) {
      if (earlier.status !== "crashed") {
        throw new UsageError(
          `Results file ${path}: line ${i + 1}: cell ${oneLine(cell.cell, 200)} appears twice`,
        );
      }
      for (const p of parts) p.cells = p.cells.filter((x) => x !== earlier.index);
      byName.delete(cell.cell);
    }
    byName.set(cell.cell, cell);
    parts[parts.length - 1].cells.push(cell.index);
  }
  const cells = [...byName.values()];
  checkUnique(cells, path);
  return { header: header.data, cells, truncated, parts };
}

/**
 * Read a `results.json`.
 *
 * @param path The file.
 * @returns The document.
 * @throws {UsageError} When missing or invalid.
 */
export async function readResultsJson(path: string): Promise<RunResults> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "no such file" : (err as Error).message;
    throw new UsageError(`Results file ${path}: cannot read it: ${why}`, { cause: err });
  }
  const value = parseJsonOrThrow(text, `Results file ${path}`);
  // Cells one by one first, so a bad one is named by its cell.
  const rawCells = (value as { cells?: unknown } | null)?.cells;
  if (Array.isArray(rawCells)) {
    rawCells.forEach((c, i) => parseCell(c, path, `cells[${i}]`));
  }
  const parsed = RunResultsSchema.safeParse(value);
  if (!parsed.success) {
    throw new UsageError(
      `Results file ${path}: not a zswapbench results file: ${
        formatZodIssues(parsed.error.issues, value)
      }`,
    );
  }
  checkUnique(parsed.data.cells, path);
  return parsed.data;
}

/**
 * Write `results.json` and `results.csv` into a directory, each to a temporary name first.
 *
 * @param dir The run directory (created if needed).
 * @param results The document.
 */
export async function writeResultsFiles(dir: string, results: RunResults): Promise<void> {
  await userFileOp(`Cannot create ${dir}`, () => Deno.mkdir(dir, { recursive: true }));
  await writeAtomic(join(dir, RESULT_FILES.json), JSON.stringify(results, null, 2) + "\n");
  await writeAtomic(join(dir, RESULT_FILES.csv), toCsv(results.cells));
}

/**
 * Write a file under a temporary name, then rename it into place.
 *
 * @param path The final path.
 * @param text The contents.
 */
export async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${Deno.pid}.tmp`;
  try {
    await userFileOp(`Cannot write ${path}`, async () => {
      await Deno.writeTextFile(tmp, text);
      await Deno.rename(tmp, path);
    });
  } catch (err) {
    await Deno.remove(tmp).catch(() => {}); // no temporary file left behind
    throw err;
  }
}

/**
 * The CSV text of some cells: a header row of {@linkcode CSV_COLUMNS}, then one row per cell.
 *
 * @param cells The cells.
 * @returns CSV with `\n` line ends (RFC 4180 quoting).
 *
 * @example
 * ```ts ignore
 * const text = toCsv(results.cells);
 * ```
 */
export function toCsv(cells: readonly CellResult[]): string {
  const rows = [CSV_COLUMNS.join(",")];
  for (const cell of cells) {
    rows.push(CSV_COLUMNS.map((k) => csvField(cell[k])).join(","));
  }
  return rows.join("\n") + "\n";
}

/**
 * One CSV field: null and undefined empty, objects as JSON, quoted when needed.
 *
 * @param value The value.
 * @returns The field text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvField } from "./files.ts";
 * assert.equal(csvField('say "hi", twice'), '"say ""hi"", twice"');
 * assert.equal(csvField(null), "");
 * ```
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Parse CSV text (RFC 4180: quoted fields may hold commas, quotes and line breaks).
 *
 * @param text The CSV.
 * @returns Rows of fields.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCsv } from "./files.ts";
 * assert.equal(parseCsv('a,"b,""c"""\n')[0][1], 'b,"c"');
 * ```
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += ch;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Stores refused, every reason summed (null when not measured). */
function rejects(c: CellResult): number | null {
  const keys = [
    "reject_compress_poor",
    "reject_compress_fail",
    "reject_alloc_fail",
    "reject_kmemcache_fail",
    "pool_limit_hit",
  ] as const;
  if (keys.some((k) => c[k] === null)) return null;
  return keys.reduce((a, k) => a + (c[k] as number), 0);
}

/**
 * The summary table printed at the end of a run: one line per cell.
 *
 * @param cells The cells.
 * @returns Aligned text, one line per cell after a header line.
 */
export function formatSummaryTable(cells: readonly CellResult[]): string {
  const header = [
    "cell",
    "status",
    "pool_ratio",
    "compr_ratio",
    "stored",
    "rejects",
    "zero",
    "store_p50_ns",
    "load_p50_ns",
    "load_p99_ns",
    "bounced",
    "violations",
    "integrity",
    "load_failed",
  ];
  const num = (v: number | null, digits = 0) =>
    v === null ? "-" : digits > 0 ? v.toFixed(digits) : String(Math.round(v));
  const rows = cells.map((c) => [
    oneLine(c.cell),
    c.status,
    num(c.pool_ratio, 3),
    num(c.compression_ratio, 3),
    num(c.stored_pages),
    num(rejects(c)),
    num(c.zero_pages),
    num(c.store_p50_ns),
    num(c.load_p50_ns),
    num(c.load_p99_ns),
    num(c.bytes_bounced),
    num(c.violations),
    num(c.integrity_failures),
    num(c.load_failed),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r.map((v, i) => (i <= 1 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  ").trimEnd();
  const out = [line(header), ...rows.map(line)];
  const noisy = cells.filter((c) => c.status === "ok" && unreliableTimings(c).length > 0);
  if (noisy.length > 0) {
    out.push(
      `Timings unreliable in ${noisy.length} cell${noisy.length === 1 ? "" : "s"} (a median ` +
        `spread by more than ${UNRELIABLE_CV * 100} % across repetitions, or a p99 by more than ` +
        `${UNRELIABLE_TAIL_CV * 100} %):`,
      ...noisy.map((c) => `  ${c.cell}: ${unreliableTimings(c).join(", ")}`),
    );
  }
  if (cells.length > 0 && cells.every((c) => c.repetitions < 2)) {
    out.push(
      "One repetition per cell (--quick?): the latencies have no noise estimate and are not " +
        "for comparison.",
    );
  }
  const failed = cells.filter((c) => c.status !== "ok");
  for (const c of failed) out.push(`  ${oneLine(c.cell)}: ${c.status}: ${oneLine(c.error ?? "")}`);
  return out.join("\n");
}

/**
 * Does `path` exist? `false` only when it is not there; any other failure (permissions) throws.
 *
 * @param path A file or directory.
 * @returns Whether it exists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exists } from "./files.ts";
 * assert.equal(await exists("/no/such/path/here"), false);
 * ```
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return false;
    throw err;
  }
}
