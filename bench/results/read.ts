/**
 * Loads a run's results back from disk for `report` and `compare`: a results folder,
 * `results.json`, or `results.jsonl` (the file appended as cells finish, readable after a crash).
 * Parsing and validation are `bench/results/files.ts`'s (`readResultsJson`, `readJsonl`); a bad file is a
 * {@linkcode UsageError} naming the file and the bad field.
 *
 * @module
 */
import { UsageError } from "../../registry/errors.ts";
import { readJsonl, readResultsJson, RESULT_FILES } from "./files.ts";
import type { RunResults } from "./schema.ts";
import { exists } from "./files.ts";

/** What {@linkcode readRunResults} found. */
export interface ReadRunResults {
  /** The validated results. */
  results: RunResults;
  /** The file actually read (`results.json` or `results.jsonl`). */
  path: string;
  /** Things worth telling the user, e.g. a truncated last line of a JSONL file. */
  warnings: string[];
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new UsageError(`No such results folder or file "${path}"`, { cause: err });
    }
    throw err;
  }
}

/**
 * Reads and validates a run's results. `path` may be a results folder (its `results.json`, else
 * its `results.jsonl`), or either file.
 *
 * @param path A results folder or file.
 * @returns The results, the file read and any warnings.
 * @throws {UsageError} When nothing is there, the file is not JSON, or a field does not match the
 * schema (the message names the file and the field, e.g. `cells[3].pool_ratio`).
 * @example
 * ```ts ignore
 * import { readRunResults } from "./read.ts";
 * const { results, path } = await readRunResults("results/2024-run");
 * console.log(`${results.cells.length} cells from ${path}`);
 * ```
 */
export async function readRunResults(path: string): Promise<ReadRunResults> {
  let file = path;
  if (await isDirectory(path)) {
    const dir = path.replace(/\/+$/, "");
    const json = `${dir}/${RESULT_FILES.json}`;
    const jsonl = `${dir}/${RESULT_FILES.jsonl}`;
    if (await exists(json)) file = json;
    else if (await exists(jsonl)) file = jsonl;
    else {
      throw new UsageError(
        `No results.json or results.jsonl in "${path}" (pass the folder a run wrote its results to)`,
      );
    }
  }
  const warnings: string[] = [];
  let results: RunResults;
  if (file.endsWith(".jsonl")) {
    const { header: { type: _type, ...rest }, cells, truncated } = await readJsonl(file);
    if (truncated) {
      warnings.push(`Skipped the cut-short last line of ${file} (the run was stopped)`);
    }
    results = { ...rest, cells };
  } else {
    results = await readResultsJson(file);
  }
  return { results, path: file, warnings };
}
