/**
 * Result files are checked fully when read (issue 16) — by `compare`, `report`, `merge` and
 * `--resume` alike: every cell against the schema, then what a schema cannot say: times, ratios,
 * rates and noise finite and non-negative, each cell name and matrix index once, and an `ok`
 * cell without an error or lost data. A bad file is a {@linkcode UsageError} naming the file and
 * the cell.
 *
 * @module
 */
import { formatZodIssues } from "../../registry/schemas.ts";
import { UsageError } from "../../registry/errors.ts";
import { oneLine } from "./text.ts";
import { type CellResult, CellResultSchema } from "./schema.ts";

/** Numeric columns that must be finite and non-negative when present (counters are integers by schema). */
const NON_NEGATIVE = /(_ns|_ns_cv|_mbps|_ratio|_efficiency|_ms|_percent|_rate)$|^keepalive$/;

/**
 * Parse one cell of a results file.
 *
 * @param value The parsed JSON value.
 * @param file The file, for the message.
 * @param where Where in the file (e.g. `line 3`, `cells[2]`).
 * @returns The cell.
 * @throws {UsageError} Naming the file, the place and the cell.
 */
export function parseCell(value: unknown, file: string, where: string): CellResult {
  const parsed = CellResultSchema.safeParse(value);
  const name = cellName(value);
  if (!parsed.success) {
    // Paths of a results.json cell read in full, e.g. cells[3].pool_ratio.
    const prefix = where.startsWith("cells[") ? where : "";
    let text = formatZodIssues(parsed.error.issues, value);
    if (prefix !== "") text = text.split("; ").map((t) => `${prefix}.${t}`).join("; ");
    throw new UsageError(
      `Results file ${file}: ${where}${name} is not a valid cell: ${oneLine(text, 400)}`,
    );
  }
  checkCell(parsed.data, file, where);
  return parsed.data;
}

function cellName(value: unknown): string {
  const c = (value as { cell?: unknown } | null)?.cell;
  return typeof c === "string" ? ` (cell ${oneLine(c, 200)})` : "";
}

/**
 * What the schema cannot check of one cell.
 *
 * @param c The cell.
 * @param file The file.
 * @param where Where in the file.
 * @throws {UsageError} For an impossible value.
 */
export function checkCell(c: CellResult, file: string, where: string): void {
  const bad = (what: string): never => {
    throw new UsageError(`Results file ${file}: ${where} (cell ${oneLine(c.cell, 200)}): ${what}`);
  };
  for (const [k, v] of Object.entries(c)) {
    if (typeof v !== "number") continue;
    if (!Number.isFinite(v)) bad(`${k} is ${v}, not a finite number`);
    if (NON_NEGATIVE.test(k) && v < 0) bad(`${k} is ${v}, below 0`);
  }
  if (c.status === "ok") {
    if (c.error !== null) {
      bad(`status is ok but error says ${JSON.stringify(oneLine(c.error, 100))}`);
    }
    if ((c.integrity_failures ?? 0) > 0) {
      bad(`status is ok with ${c.integrity_failures} integrity failures`);
    }
    if ((c.decompress_fail ?? 0) > 0) {
      bad(`status is ok with ${c.decompress_fail} failed decompressions`);
    }
  }
}

/**
 * Each cell name and matrix index at most once.
 *
 * @param cells The cells.
 * @param file The file.
 * @throws {UsageError} Naming the file and the cell.
 */
export function checkUnique(cells: readonly CellResult[], file: string): void {
  const names = new Set<string>();
  const indexes = new Map<number, string>();
  for (const c of cells) {
    if (names.has(c.cell)) {
      throw new UsageError(`Results file ${file}: cell ${oneLine(c.cell, 200)} appears twice`);
    }
    names.add(c.cell);
    const other = indexes.get(c.index);
    if (other !== undefined) {
      throw new UsageError(
        `Results file ${file}: cells ${oneLine(other, 200)} and ${
          oneLine(c.cell, 200)
        } have the same index ${c.index}`,
      );
    }
    indexes.set(c.index, c.cell);
  }
}
