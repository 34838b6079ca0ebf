/**
 * Writes the human-readable reports of a run next to its results.
 *
 * @module
 */
import type { RunResults } from "../results/schema.ts";
import { renderHtml } from "./html.ts";
import { renderMarkdown } from "./markdown.ts";

/** Writes `text` to `path` through a temporary name in the same folder, then renames it. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const slash = path.lastIndexOf("/");
  const tmp = `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${Deno.pid}.tmp`;
  try {
    await Deno.writeTextFile(tmp, text);
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Renders `report.md` and `report.html` and writes them into `dir` (which must exist). Each file
 * is written under a temporary name and renamed, so a reader never sees half a report.
 *
 * @param dir The results folder.
 * @param results The run's results.
 * @returns Resolves once both files are in place.
 * @example
 * ```ts ignore
 * import { writeReports } from "./write.ts";
 * const results = JSON.parse(await Deno.readTextFile("results/run/results.json"));
 * await writeReports("results/run", results);
 * ```
 */
export async function writeReports(dir: string, results: RunResults): Promise<void> {
  const base = dir.replace(/\/+$/, "") || "/";
  const join = (name: string) => (base === "/" ? `/${name}` : `${base}/${name}`);
  const md = renderMarkdown(results);
  const html = await renderHtml(results);
  await writeAtomic(join("report.md"), md);
  await writeAtomic(join("report.html"), html);
}
