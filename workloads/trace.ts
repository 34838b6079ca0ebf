/**
 * The `trace` workload: replays an operation trace (option `path`), with page contents from a
 * content workload (option `content`, default `mixed`, configured by `contentOptions`). To replay
 * captured pages, use `content: "pagefile"` with `contentOptions: { path: "capture.pages" }`: a
 * trace's page ids then index the page file (wrapping past its end).
 *
 * Two formats, chosen by the file's extension (`.jsonl` or `.csv`; option `format` overrides):
 *
 * - JSONL: one object per line, e.g. `{"op":"store","offset":12,"page":3,"t":123.4}`:
 *   - `op`: `"store"`, `"load"` or `"invalidate"`;
 *   - `offset`: the swap offset, a non-negative integer;
 *   - `page`: the page id whose contents a store writes, a non-negative integer; required for
 *     `store`, optional (and ignored) otherwise;
 *   - `t`: optional time stamp (a number, any unit), informational: replay runs ops back to back.
 *
 *   Other keys are errors (a misspelt key would otherwise be silently dropped). Blank lines are
 *   skipped.
 * - CSV: a header naming the columns `op`, `offset`, `page` and optionally `t`, in any order, then
 *   one op per row; the `page` cell may be empty for loads and invalidates.
 *
 * A malformed line fails `create()` (which checks the whole trace in one streaming pass) with a
 * message naming the file, the line number and what is wrong. `ops()` streams the file again,
 * 64 KiB at a time, so a trace of any length replays in constant memory; load and invalidate ops
 * carry `pageId` -1. The `pages` param only reaches the content workload.
 *
 * @module
 */

import { z } from "zod";
import { UsageError } from "../registry/errors.ts";
import type { Op, Workload, WorkloadEnv, WorkloadPlugin } from "../registry/types.ts";
import { checkPageSize } from "./content.ts";
import { splitCsvLine } from "./_csv.ts";
import { describeFsError, readLines } from "./_fs.ts";
import { parseOptions } from "./_options.ts";
import { datagenWorkload } from "./datagen.ts";
import { filesWorkload } from "./files.ts";
import { mixedWorkload } from "./mixed.ts";
import { pagefileWorkload } from "./pagefile.ts";
import { randomWorkload } from "./random.ts";
import { sameFilledWorkload } from "./same_filled.ts";
import { textWorkload } from "./text.ts";
import { zeroWorkload } from "./zero.ts";

const CONTENT_PLUGINS: readonly WorkloadPlugin[] = [
  mixedWorkload,
  zeroWorkload,
  sameFilledWorkload,
  randomWorkload,
  textWorkload,
  datagenWorkload,
  filesWorkload,
  pagefileWorkload,
];

/** The content workloads a trace can take its pages from. */
export const TRACE_CONTENT = [
  "mixed",
  "zero",
  "same-filled",
  "random",
  "text",
  "datagen",
  "files",
  "pagefile",
] as const;

/** Options of `trace`. */
const TraceOptionsSchema = z.object({
  /** The trace file (`.jsonl` or `.csv`). */
  path: z.string().min(1).describe("The trace file (.jsonl or .csv)"),
  /** `jsonl` or `csv`; by default from the extension. */
  format: z.enum(["jsonl", "csv"]).optional().meta({
    description: "jsonl or csv",
    default: "from the extension",
  }),
  /** The workload whose pages the trace's page ids name (default `mixed`). */
  content: z.enum(TRACE_CONTENT).default("mixed").describe(
    "The workload whose pages the trace's page ids name",
  ),
  /** Options of the content workload. */
  contentOptions: z.record(z.string(), z.unknown()).default({}).describe(
    "Options of the content workload",
  ),
}).strict();

/** A trace format. */
export type TraceFormat = "jsonl" | "csv";

/** What a streaming check of a trace found. */
export interface TraceSummary {
  /** Operations in the trace. */
  ops: number;
  /** Stores in the trace. */
  stores: number;
  /** The largest offset, or -1 for an empty trace. */
  maxOffset: number;
  /** The largest page id stored, or -1 when nothing is stored. */
  maxPageId: number;
}

const OPS = new Set(["store", "load", "invalidate"]);
const JSONL_KEYS = new Set(["op", "offset", "page", "t"]);
const CSV_COLUMNS = ["op", "offset", "page", "t"];

/** Parses trace lines into one reused `Op`. */
class TraceParser {
  readonly op: Op = { op: "store", offset: 0, pageId: 0 };
  readonly #format: TraceFormat;
  /** CSV column indexes, once the header is read (`t` is -1 when absent). */
  #columns: { op: number; offset: number; page: number; t: number; count: number } | null = null;

  constructor(format: TraceFormat) {
    this.#format = format;
  }

  /**
   * Parse one line: "skip" for a blank line or the CSV header, "op" when `this.op` holds the
   * line's op, else what is wrong.
   */
  parse(line: string): "skip" | "op" | { error: string } {
    if (line.trim() === "") return "skip";
    return this.#format === "jsonl" ? this.#jsonl(line) : this.#csv(line);
  }

  #jsonl(line: string): "op" | { error: string } {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      return { error: `not valid JSON (${err instanceof Error ? err.message : String(err)})` };
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { error: "not a JSON object" };
    }
    const o = value as Record<string, unknown>;
    for (const key in o) {
      if (!JSONL_KEYS.has(key)) {
        return { error: `unknown key "${key}" (keys: op, offset, page, t)` };
      }
    }
    if (o.t !== undefined && (typeof o.t !== "number" || !Number.isFinite(o.t))) {
      return { error: `"t" is ${show(o.t)}, not a number` };
    }
    return this.#fill(o.op, o.offset, o.page);
  }

  #csv(line: string): "skip" | "op" | { error: string } {
    const fields = splitCsvLine(line);
    if (typeof fields === "string") return { error: fields };
    const c = this.#columns;
    if (c === null) return this.#header(line, fields.map((f) => f.trim()));
    if (fields.length !== c.count) {
      return { error: `${fields.length} fields where the header has ${c.count}` };
    }
    if (c.t !== -1) {
      const t = fields[c.t].trim();
      if (t !== "" && !Number.isFinite(Number(t))) return { error: `"t" is "${t}", not a number` };
    }
    const pageCell = fields[c.page].trim();
    return this.#fill(
      fields[c.op].trim(),
      parseCell(fields[c.offset]),
      pageCell === "" ? undefined : parseCell(pageCell),
    );
  }

  #header(line: string, names: string[]): "skip" | { error: string } {
    for (const name of names) {
      if (!CSV_COLUMNS.includes(name)) {
        return {
          error: `the header has an unknown column "${name}" (columns: op, offset, page, t)`,
        };
      }
    }
    for (const need of ["op", "offset", "page"]) {
      if (!names.includes(need)) {
        return {
          error: `the header "${line}" has no "${need}" column (expected op,offset,page[,t])`,
        };
      }
    }
    if (new Set(names).size !== names.length) {
      return { error: `the header "${line}" repeats a column` };
    }
    this.#columns = {
      op: names.indexOf("op"),
      offset: names.indexOf("offset"),
      page: names.indexOf("page"),
      t: names.indexOf("t"),
      count: names.length,
    };
    return "skip";
  }

  #fill(op: unknown, offset: unknown, page: unknown): "op" | { error: string } {
    if (typeof op !== "string" || !OPS.has(op)) {
      return { error: `"op" is ${show(op)} (expected "store", "load" or "invalidate")` };
    }
    if (typeof offset !== "number" || !Number.isSafeInteger(offset) || offset < 0) {
      return { error: `"offset" is ${show(offset)}, not a non-negative integer` };
    }
    if (page === undefined) {
      if (op === "store") return { error: `a store needs "page" (the id of the page to store)` };
    } else if (typeof page !== "number" || !Number.isSafeInteger(page) || page < 0) {
      return { error: `"page" is ${show(page)}, not a non-negative integer` };
    }
    this.op.op = op as Op["op"];
    this.op.offset = offset;
    this.op.pageId = op === "store" ? page as number : -1;
    return "op";
  }
}

/** A CSV cell as a number when it is one, else the text (for the message). */
function parseCell(cell: string): number | string {
  const s = cell.trim();
  return /^-?\d+(\.\d+)?$/.test(s) ? Number(s) : s;
}

function show(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value) ?? String(value);
}

/**
 * The format of a trace file from its extension.
 *
 * @param path The trace file.
 * @param format An explicit format, which wins.
 * @returns The format.
 * @throws {UsageError} when the extension is neither `.jsonl` nor `.csv` and no format is given.
 */
export function traceFormat(path: string, format?: TraceFormat): TraceFormat {
  if (format !== undefined) return format;
  const lower = path.toLowerCase();
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".csv")) return "csv";
  throw new UsageError(
    `Trace "${path}" ends in neither .jsonl nor .csv (rename it, or set option format to "jsonl" or "csv")`,
  );
}

/**
 * Stream a trace's ops. The generator reuses one `Op` object.
 *
 * @param path The trace file.
 * @param format Its format.
 * @returns The ops in file order.
 * @throws {UsageError} naming the line of the first malformed line.
 */
export function* readTrace(path: string, format: TraceFormat): Generator<Op, void, undefined> {
  const parser = new TraceParser(format);
  let lineNo = 0;
  try {
    for (const line of readLines(path)) {
      lineNo++;
      const r = parser.parse(line);
      if (r === "op") yield parser.op;
      else if (r !== "skip") throw new UsageError(`Trace "${path}" line ${lineNo}: ${r.error}`);
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    if (err instanceof TypeError && /encoded data/i.test(err.message)) {
      throw new UsageError(`Trace "${path}" is not UTF-8 text (after line ${lineNo})`, {
        cause: err,
      });
    }
    throw new UsageError(`Trace "${path}" ${describeFsError(err)}`, { cause: err });
  }
  if (format === "csv" && lineNo === 0) {
    throw new UsageError(`Trace "${path}" is empty (expected a header op,offset,page[,t])`);
  }
}

/**
 * Check a whole trace in one streaming pass.
 *
 * @param path The trace file.
 * @param format Its format.
 * @returns Counts and extremes.
 * @throws {UsageError} naming the line of the first malformed line.
 */
export function checkTrace(path: string, format: TraceFormat): TraceSummary {
  const summary: TraceSummary = { ops: 0, stores: 0, maxOffset: -1, maxPageId: -1 };
  for (const op of readTrace(path, format)) {
    summary.ops++;
    if (op.offset > summary.maxOffset) summary.maxOffset = op.offset;
    if (op.op === "store") {
      summary.stores++;
      if (op.pageId > summary.maxPageId) summary.maxPageId = op.pageId;
    }
  }
  return summary;
}

/**
 * The `trace` workload plugin.
 *
 * @example
 * ```ts ignore
 * import { traceWorkload } from "./trace.ts";
 * const w = await traceWorkload.create({
 *   pageSize: 4096,
 *   seed: 1,
 *   pages: 1024,
 *   options: { path: "ops.jsonl", content: "text" },
 * });
 * for (const op of w.ops()) console.log(op.op, op.offset, op.pageId);
 * ```
 */
export const traceWorkload: WorkloadPlugin = {
  kind: "workload",
  name: "trace",
  description: "Replays an op trace (.jsonl or .csv, option path) over a content workload",
  optionsSchema: TraceOptionsSchema,
  async create(env: WorkloadEnv): Promise<Workload> {
    checkPageSize(env.pageSize);
    const o = parseOptions(TraceOptionsSchema, env.options, "trace");
    const format = traceFormat(o.path, o.format);
    checkTrace(o.path, format);
    const plugin = CONTENT_PLUGINS.find((p) => p.name === o.content)!;
    const content = await plugin.create({
      pageSize: env.pageSize,
      seed: env.seed,
      pages: env.pages,
      options: o.contentOptions,
    });
    const path = o.path;
    return {
      ops: (): Iterable<Op> => ({ [Symbol.iterator]: () => readTrace(path, format) }),
      page: (pageId: number, into: Uint8Array): void => content.page(pageId, into),
      close: (): void => content.close?.(),
    };
  },
};
