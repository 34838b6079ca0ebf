/**
 * The `lengths` workload: replays the compressed lengths a real kernel saw, such as the oracle's
 * `kernel-6.1-text-lengths.csv`, without running a codec. Options `path` (a CSV file with a header)
 * and `column` (the column to read). Each row is one page, in store order; a cell is a compressed
 * length in bytes (1 to the page size), `S` for a same-filled page, `Z` for an all-zero page (6.12
 * on: it never reaches zswap), `W` for a page that did not compress and was stored raw (6.18 on), or
 * `R` for a page that did not compress below the page size and was rejected. `W` and `R` replay
 * the same page (one the codec cannot fit in a page): the preset decides, as the kernel did, whether
 * zswap stores it raw, rejects it, or (5.10's lzo, no output bound) hands the allocator an object
 * larger than a page. Option `codec` (default: the column's name) names the codec whose lengths
 * these are, for that last rule.
 *
 * Cells of this workload run the internal `lengths` pseudo-compressor (`fixedCompressor`), which
 * turns each page made by `encodeLengthsPage()` into an object of exactly its length; the result
 * reports compressor `-`. The file is parsed once, in `create()`, into an `Int32Array` (4 bytes a
 * row; -1 = S, -2 = R, -3 = Z, -4 = W); a malformed row fails there, naming its line and value.
 *
 * The default pattern stores every page in row order, then loads each in the same order
 * (`loadOrder: "sequential"`); the other patterns of `patterns.ts` work too. `pages` caps the page
 * count at the number of rows; page ids past the rows (re-stores) take the length of row
 * `id mod rows`, with contents of their own.
 *
 * @module
 */

import { z } from "zod";
import { UsageError } from "../registry/errors.ts";
import { encodeLengthsPage, type LengthsEntry } from "../compressors/lengths.ts";
import type { Workload, WorkloadEnv, WorkloadPlugin } from "../registry/types.ts";
import { checkPageSize, contentWorkload } from "./content.ts";
import { splitCsvLine } from "./_csv.ts";
import { describeFsError, readLines } from "./_fs.ts";
import { parseOptions } from "./_options.ts";
import { patternOptionShape, resolvePattern } from "./patterns.ts";

/** Options of `lengths`: the file, the column and the pattern options (see `patterns.ts`). */
const LengthsWorkloadOptionsSchema = z.object({
  /** The CSV file, with a header row. */
  path: z.string().min(1).describe("The CSV file of compressed lengths, with a header row"),
  /** The name of the column holding the lengths, e.g. `lz4`. */
  column: z.string().min(1).describe("The column holding the lengths, e.g. lz4"),
  /** The codec the lengths came from (default: the column's name), e.g. `lzo`. */
  codec: z.string().min(1).optional().meta({
    description: "The codec the lengths came from, e.g. lzo",
    default: "the column's name",
  }),
  ...patternOptionShape,
}).strict();

/** Code of an `S` row in {@linkcode parseLengthsCsv}'s table. */
export const LENGTH_SAME_FILLED: number = -1;
/** Code of an `R` row in {@linkcode parseLengthsCsv}'s table. */
export const LENGTH_REJECTED: number = -2;
/** Code of a `Z` row (all-zero page) in {@linkcode parseLengthsCsv}'s table. */
export const LENGTH_ZERO: number = -3;
/** Code of a `W` row (stored raw, as it did not compress) in {@linkcode parseLengthsCsv}'s table. */
export const LENGTH_RAW: number = -4;

const CODES: Readonly<Record<string, number>> = {
  S: LENGTH_SAME_FILLED,
  R: LENGTH_REJECTED,
  Z: LENGTH_ZERO,
  W: LENGTH_RAW,
};
const ENTRY_OF_CODE: Readonly<Record<number, LengthsEntry>> = {
  [LENGTH_SAME_FILLED]: "S",
  [LENGTH_REJECTED]: "R",
  [LENGTH_ZERO]: "Z",
  [LENGTH_RAW]: "W",
};

/**
 * Read one column of a lengths CSV into a compact table.
 *
 * @param path The CSV file.
 * @param column The column name.
 * @param pageSize The largest valid length.
 * @returns One entry per row: the length, {@linkcode LENGTH_SAME_FILLED},
 * {@linkcode LENGTH_REJECTED}, {@linkcode LENGTH_ZERO} or {@linkcode LENGTH_RAW}.
 * @throws {UsageError} for a missing file or column, or a malformed row (naming its line).
 *
 * @example
 * ```ts ignore
 * import { parseLengthsCsv } from "./lengths.ts";
 * const table = parseLengthsCsv("kernel-6.1-text-lengths.csv", "lz4", 4096);
 * console.log(table.length);
 * ```
 */
export function parseLengthsCsv(path: string, column: string, pageSize: number): Int32Array {
  let table = new Int32Array(1024);
  let rows = 0;
  let index = -1;
  let width = 0;
  let lineNo = 0;
  try {
    for (const line of readLines(path)) {
      lineNo++;
      if (line.trim() === "") continue;
      const fields = splitCsvLine(line);
      if (typeof fields === "string") {
        throw new UsageError(`Lengths file "${path}" line ${lineNo}: ${fields}`);
      }
      if (index === -1) {
        const names = fields.map((f) => f.trim());
        index = names.indexOf(column);
        if (index === -1) {
          throw new UsageError(
            `Lengths file "${path}" has no column "${column}" (columns: ${names.join(", ")})`,
          );
        }
        width = names.length;
        continue;
      }
      if (fields.length !== width) {
        throw new UsageError(
          `Lengths file "${path}" line ${lineNo}: ${fields.length} fields where the header has ${width}`,
        );
      }
      const cell = fields[index].trim();
      let value: number;
      if (Object.hasOwn(CODES, cell)) value = CODES[cell];
      else if (/^\d+$/.test(cell) && Number(cell) >= 1 && Number(cell) <= pageSize) {
        value = Number(cell);
      } else {
        throw new UsageError(
          `Lengths file "${path}" line ${lineNo}: "${cell}" in column "${column}" is not a length from 1 to ${pageSize}, S, Z, W or R`,
        );
      }
      if (rows === table.length) {
        const bigger = new Int32Array(table.length * 2);
        bigger.set(table);
        table = bigger;
      }
      table[rows++] = value;
    }
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(`Lengths file "${path}" ${describeFsError(err)}`, { cause: err });
  }
  if (index === -1) throw new UsageError(`Lengths file "${path}" is empty (expected a header row)`);
  if (rows === 0) throw new UsageError(`Lengths file "${path}" has a header but no rows`);
  return table.slice(0, rows);
}

/** Pages that the `lengths` compressor compresses to the table's lengths. */
export class LengthsPages {
  readonly #table: Int32Array;

  /**
   * Make the page source.
   *
   * @param table From {@linkcode parseLengthsCsv}.
   */
  constructor(table: Int32Array) {
    this.#table = table;
  }

  /**
   * Write page `pageId`: `encodeLengthsPage` of row `pageId mod rows`'s length.
   *
   * @param pageId The page id (below 2^32).
   * @param into The page.
   */
  fill(pageId: number, into: Uint8Array): void {
    const v = this.#table[pageId % this.#table.length];
    encodeLengthsPage(pageId, v < 0 ? ENTRY_OF_CODE[v] : v, into);
  }
}

/**
 * The `lengths` workload plugin.
 *
 * @example
 * ```ts ignore
 * import { lengthsWorkload } from "./lengths.ts";
 * const w = await lengthsWorkload.create({
 *   pageSize: 4096,
 *   seed: 1,
 *   pages: 1024,
 *   options: { path: "kernel-6.1-text-lengths.csv", column: "lz4" },
 * });
 * ```
 */
export const lengthsWorkload: WorkloadPlugin = {
  kind: "workload",
  name: "lengths",
  description: "Replays recorded compressed lengths from a CSV column (options path, column)",
  optionsSchema: LengthsWorkloadOptionsSchema,
  fixedCompressor: "lengths",
  create(env: WorkloadEnv): Workload {
    checkPageSize(env.pageSize);
    const { path, column, codec, ...rest } = parseOptions(
      LengthsWorkloadOptionsSchema,
      env.options,
      "lengths",
    );
    const table = parseLengthsCsv(path, column, env.pageSize);
    const pages = Math.min(env.pages, table.length);
    const pattern = resolvePattern(rest, pages, "lengths", { loadOrder: "sequential" });
    const workload = contentWorkload(pages, env.seed, pattern, new LengthsPages(table));
    // The codec these lengths came from: the preset's rules for that codec apply (runCell).
    return Object.assign(workload, { codec: codec ?? column });
  },
};
