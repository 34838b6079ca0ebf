/**
 * `deno task cli report DIR`: regenerates `report.md` and `report.html` from a run's saved results
 * (`results.json`, or `results.jsonl` when the run did not finish).
 *
 * @module
 */
import { dirname, join, resolve } from "node:path";
import { parseFlags } from "./args.ts";
import { UsageError } from "../../registry/errors.ts";
import { readRunResults } from "../results/read.ts";
import { writeReports } from "../report/write.ts";

const USAGE = `Usage: deno task cli report DIR [options]

Regenerate report.md and report.html from a results folder (its results.json, or its
results.jsonl when the run did not finish). DIR may also be one of those files.

Options:
  --out DIR    Write the reports into this existing folder instead of next to the results
  -h, --help   Show this help

Exit status: 0, or 2 for a usage error (no results there, a bad file, no such --out folder).
`;

/**
 * Runs `report`: reads the results, writes both reports, prints where they went.
 *
 * @param args Command-line arguments after `report`.
 * @returns 0 once the reports are written.
 * @throws {UsageError} For bad flags, a missing folder or invalid results (naming the file and
 * the bad field).
 * @example
 * ```ts ignore
 * import { main } from "./report.ts";
 * await main(["results/2025-01-01T00-00-00"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags("report", args, {
    out: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      `report takes one results folder, got ${positionals.length} (see report --help)`,
    );
  }
  const { results, path, warnings } = await readRunResults(positionals[0]);
  for (const w of warnings) console.error(`Warning: ${w}`);
  const out = typeof values.out === "string" ? values.out : dirname(path);
  try {
    if (!(await Deno.stat(out)).isDirectory) throw new Deno.errors.NotFound();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    throw new UsageError(`Output folder "${out}" does not exist (create it or drop --out)`);
  }
  await writeReports(out, results);
  const abs = resolve(out);
  console.log(
    `Wrote ${join(abs, "report.md")} and ${
      join(abs, "report.html")
    } (${results.cells.length} cells from ${path})`,
  );
  return 0;
}
