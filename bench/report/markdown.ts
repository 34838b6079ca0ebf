/**
 * The Markdown report (`report.md`): environment, config, one table per workload × preset, failed
 * cells, the Pareto-optimal cells and how the figures were measured. Formatting only: no clock.
 *
 * @module
 */
import type { RunResults } from "../results/schema.ts";
import { paretoFront } from "./pareto.ts";
import { fmtNs, fmtRatio, groupCells, groupTitle, parallelWarning, runJobs } from "./_format.ts";
import { environmentRows, methodNotes } from "./_notes.ts";
import { cellColumns } from "./_columns.ts";
import { timingWarnings } from "./_timing_notes.ts";

/** Escapes a value for a Markdown table cell: pipes and line breaks would break the row. */
function mdCell(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function mdTable(headers: string[], align: ("left" | "right")[], body: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.map(mdCell).join(" | ")} |`;
  return [
    line(headers),
    `|${align.map((a) => (a === "right" ? " ---: " : " --- ")).join("|")}|`,
    ...body.map(line),
  ];
}

/**
 * Renders the run as Markdown.
 *
 * @param results The run's results (as in `results.json`).
 * @returns The text of `report.md`, ending with a newline.
 * @example
 * ```ts ignore
 * import { renderMarkdown } from "./markdown.ts";
 * const results = JSON.parse(await Deno.readTextFile("results/run/results.json"));
 * await Deno.writeTextFile("report.md", renderMarkdown(results));
 * ```
 */
export function renderMarkdown(results: RunResults): string {
  const out: string[] = [];
  const env = results.environment;
  const groups = groupCells(results.cells);
  const ok = results.cells.filter((c) => c.status === "ok").length;
  const notOk = results.cells.filter((c) => c.status !== "ok");
  const jobs = runJobs(results);

  out.push(`# ${results.tool.name} report`, "");
  out.push(
    `${results.cells.length} cells (${ok} ok, ${notOk.length} failed or timed out), ` +
      `run from ${env.started_at} to ${env.ended_at ?? "(unfinished)"} with ` +
      `${results.tool.name} ${results.tool.version}` +
      (env.git_commit
        ? ` at ${env.git_commit.slice(0, 12)}${env.git_dirty ? " (dirty)" : ""}`
        : "") +
      ".",
    "",
  );
  if (jobs > 1) out.push(`> **Warning:** ${parallelWarning(jobs)}.`, "");
  for (const w of timingWarnings(results)) out.push(`> **Warning:** ${w}.`, "");

  out.push("## Environment", "");
  out.push(...mdTable(["key", "value"], ["left", "left"], environmentRows(env)), "");

  out.push("## Config", "");
  out.push("```json", JSON.stringify(results.config, null, 2), "```", "");

  out.push("## Cells", "");
  if (groups.length === 0) out.push("No cells.", "");
  for (const g of groups) {
    const cols = cellColumns(g);
    out.push(`### ${groupTitle(g)}`, "");
    out.push(
      ...mdTable(
        cols.map((c) => c.header),
        cols.map((c) => c.align),
        g.cells.map((cell) => cols.map((c) => c.value(cell))),
      ),
      "",
    );
  }

  out.push("## Failed cells", "");
  if (notOk.length === 0) out.push("None: every cell finished.", "");
  else {
    for (const c of notOk) {
      out.push(`- \`${c.cell}\` (${c.status}): ${(c.error ?? "no message").replace(/\n/g, " ")}`);
    }
    out.push("");
  }

  out.push("## Pareto-optimal cells", "");
  out.push(
    "Per workload and preset, the ok cells that no other cell beats on both density (pool ratio, " +
      "higher is better) and load p99 latency (lower is better), fastest first.",
    "",
  );
  for (const g of groups) {
    const front = paretoFront(g.cells.filter((c) => c.status === "ok"))
      .sort((a, b) => a.load_p99_ns! - b.load_p99_ns!);
    out.push(`### ${groupTitle(g)}`, "");
    if (front.length === 0) {
      out.push("No ok cell with both a pool ratio and a load p99.", "");
      continue;
    }
    out.push(
      ...mdTable(
        ["#", "cell", "pool ratio", "load p99", "load p50"],
        ["right", "left", "right", "right", "right"],
        front.map((c, i) => [
          String(i + 1),
          `\`${c.cell}\``,
          fmtRatio(c.pool_ratio),
          fmtNs(c.load_p99_ns),
          fmtNs(c.load_p50_ns),
        ]),
      ),
      "",
    );
  }

  out.push("## How this was measured", "");
  for (const note of methodNotes(results)) out.push(`- ${note}`);
  out.push("");
  return out.join("\n");
}
