/**
 * The HTML report (`report.html`): one self-contained page that opens offline with no script.
 * Charts are Vega-Lite specs rendered to inline SVG at report time (see `charts.ts`); tables are
 * plain HTML; the style is a short inline `<style>`. Formatting only: no clock.
 *
 * @module
 */
import type { CellResult, RunResults } from "../results/schema.ts";
import { type ChartDef, groupCharts, renderSvg } from "./charts.ts";
import { paretoFront } from "./pareto.ts";
import { cellColumns } from "./_columns.ts";
import {
  crossPresetGroups,
  fmtNs,
  fmtRatio,
  groupCells,
  groupTitle,
  parallelWarning,
  runJobs,
} from "./_format.ts";
import { environmentRows, methodNotes } from "./_notes.ts";
import { timingWarnings } from "./_timing_notes.ts";
import { detailCharts, replacedSummaryCharts, svgTooltips } from "./_detail_charts.ts";

const CSS = `
:root { --fg: #1d232a; --muted: #5b6673; --line: #dde2e7; --bg-alt: #f6f8fa; --accent: #2f6fb2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 14px/1.45 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 6px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 8px; }
p.sub { color: var(--muted); margin: 0 0 12px; }
nav { font-size: 13px; color: var(--muted); }
nav a { color: var(--accent); text-decoration: none; margin-right: 14px; }
.warning { background: #fff4d6; border: 1px solid #e8c766; border-radius: 6px; padding: 10px 14px;
  margin: 14px 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 18px; }
figure.chart { margin: 0; padding: 12px 14px; border: 1px solid var(--line); border-radius: 8px;
  background: #fff; overflow-x: auto; }
figure.chart.wide { grid-column: 1 / -1; }
figure.chart h3 { margin: 0 0 6px; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: 12.5px; margin-top: 6px; }
.empty { color: var(--muted); font-style: italic; padding: 40px 0; text-align: center; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--line); text-align: left;
  white-space: nowrap; }
th { background: var(--bg-alt); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #fbfcfd; }
tr.failed td { background: #fdecec; }
td.bad { color: #b3261e; font-weight: 600; }
td.warn { color: #8a5a00; font-weight: 600; }
table.kv th { width: 180px; }
pre { background: var(--bg-alt); border: 1px solid var(--line); border-radius: 6px; padding: 12px;
  overflow-x: auto; font-size: 12.5px; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
ul.errors li { margin-bottom: 4px; }
`;

/** Escapes text for HTML element content and attribute values. */
function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/** Escapes text, then turns Markdown-style `code` spans into `<code>`. */
function escInline(s: string): string {
  return esc(s).replace(/`([^`]+)`/g, "<code>$1</code>");
}

function table(
  headers: string[],
  align: ("left" | "right")[],
  body: string[][],
  rowClass: (i: number) => string = () => "",
  cellClass: (i: number, j: number) => string = () => "",
): string {
  const cls = (a: "left" | "right", extra = "") => {
    const c = [a === "right" ? "num" : "", extra].filter(Boolean).join(" ");
    return c ? ` class="${c}"` : "";
  };
  const head = headers.map((h, j) => `<th${cls(align[j])}>${esc(h)}</th>`).join("");
  const rows = body.map((r, i) => {
    const rc = rowClass(i);
    const tds = r.map((v, j) => `<td${cls(align[j], cellClass(i, j))}>${esc(v)}</td>`).join("");
    return `<tr${rc ? ` class="${rc}"` : ""}>${tds}</tr>`;
  });
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>\n${
    rows.join("\n")
  }\n</tbody></table></div>`;
}

async function chartFigure(def: ChartDef): Promise<string> {
  const body = def.spec === null
    ? `<div class="empty">${esc(def.empty ?? "Nothing to draw")}</div>`
    : svgTooltips(await renderSvg(def.spec));
  return `<figure class="chart${def.wide ? " wide" : ""}"><h3>${
    esc(def.title)
  }</h3>\n${body}\n<figcaption>${esc(def.caption)}</figcaption></figure>`;
}

function cellsTable(cells: CellResult[], varying: (keyof CellResult)[]): string {
  const cols = cellColumns({ varying });
  const badCol = cols.findIndex((c) => c.header === "integrity failures");
  const warnCol = cols.findIndex((c) => c.header === "violations");
  return table(
    cols.map((c) => c.header),
    cols.map((c) => c.align),
    cells.map((cell) => cols.map((c) => c.value(cell))),
    (i) => (cells[i].status === "ok" ? "" : "failed"),
    (i, j) => {
      if (j === badCol && (cells[i].integrity_failures ?? 0) > 0) return "bad";
      if (j === warnCol && (cells[i].violations ?? 0) > 0) return "warn";
      return "";
    },
  );
}

function frontierTable(cells: CellResult[]): string {
  const front = paretoFront(cells.filter((c) => c.status === "ok"))
    .sort((a, b) => a.load_p99_ns! - b.load_p99_ns!);
  if (front.length === 0) {
    return `<p class="empty">No ok cell with both a pool ratio and a load p99.</p>`;
  }
  return table(
    ["#", "cell", "allocator", "compressor", "strategy", "pool ratio", "load p99", "load p50"],
    ["right", "left", "left", "left", "left", "right", "right", "right"],
    front.map((c, i) => [
      String(i + 1),
      c.cell,
      c.allocator,
      c.compressor,
      c.strategy,
      fmtRatio(c.pool_ratio),
      fmtNs(c.load_p99_ns),
      fmtNs(c.load_p50_ns),
    ]),
  );
}

/**
 * Renders the run as one self-contained HTML page: inline CSS, charts as inline SVG, no script,
 * no external URL.
 *
 * @param results The run's results (as in `results.json`).
 * @returns The text of `report.html`.
 * @example
 * ```ts ignore
 * import { renderHtml } from "./html.ts";
 * const results = JSON.parse(await Deno.readTextFile("results/run/results.json"));
 * await Deno.writeTextFile("report.html", await renderHtml(results));
 * ```
 */
export async function renderHtml(results: RunResults): Promise<string> {
  const env = results.environment;
  // Per workload and preset, then per workload across presets (when it ran under several).
  const groups = [...groupCells(results.cells), ...crossPresetGroups(groupCells(results.cells))];
  const notOk = results.cells.filter((c) => c.status !== "ok");
  const ok = results.cells.length - notOk.length;
  const jobs = runJobs(results);
  const title = `${results.tool.name} report`;
  const out: string[] = [];

  out.push(
    `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n<main>`,
  );
  out.push(`<header><h1>${esc(title)}</h1>`);
  out.push(
    `<p class="sub">${results.cells.length} cells (${ok} ok, ${notOk.length} failed or timed ` +
      `out) · ${esc(results.tool.name)} ${esc(results.tool.version)}` +
      (env.git_commit ? ` at <code>${esc(env.git_commit.slice(0, 12))}</code>` : "") +
      ` · ${esc(env.started_at)} to ${esc(env.ended_at ?? "(unfinished)")} · ` +
      `${esc(env.cpu_model ?? "unknown CPU")}, ${env.cores} cores</p>`,
  );
  const links = [
    ["environment", "Environment"],
    ...groups.map((g, i) => [`group-${i + 1}`, `${g.workload} / ${g.preset}`]),
    ["failed", "Failed cells"],
    ["config", "Config"],
    ["method", "Method"],
  ];
  out.push(
    `<nav>${links.map(([id, text]) => `<a href="#${id}">${esc(text)}</a>`).join("")}</nav>`,
    `</header>`,
  );
  if (jobs > 1) {
    out.push(`<p class="warning"><strong>Warning:</strong> ${esc(parallelWarning(jobs))}.</p>`);
  }
  for (const w of timingWarnings(results)) {
    out.push(`<p class="warning"><strong>Warning:</strong> ${esc(w)}.</p>`);
  }

  out.push(`<section id="environment"><h2>Environment</h2>`);
  out.push(
    `<table class="kv"><tbody>${
      environmentRows(env).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`)
        .join("")
    }</tbody></table></section>`,
  );

  for (const [i, g] of groups.entries()) {
    out.push(`<section id="group-${i + 1}"><h2>${esc(groupTitle(g))}</h2>`);
    out.push(`<div class="charts">`);
    const replaced = replacedSummaryCharts(g);
    for (const def of groupCharts(g.cells, g.varying)) {
      if (!replaced.includes(def.title)) out.push(await chartFigure(def));
    }
    for (const def of detailCharts(g)) out.push(await chartFigure(def));
    out.push(`</div>`);
    out.push(`<h3>Pareto-optimal cells</h3>`, frontierTable(g.cells));
    out.push(`<h3>Cells</h3>`, cellsTable(g.cells, g.varying), `</section>`);
  }
  if (groups.length === 0) out.push(`<p class="empty">No cells.</p>`);

  out.push(`<section id="failed"><h2>Failed cells</h2>`);
  if (notOk.length === 0) out.push(`<p>None: every cell finished.</p>`);
  else {
    out.push(
      `<ul class="errors">${
        notOk.map((c) =>
          `<li><code>${esc(c.cell)}</code> (${esc(c.status)}): ${esc(c.error ?? "no message")}</li>`
        ).join("\n")
      }</ul>`,
    );
  }
  out.push(`</section>`);

  out.push(
    `<section id="config"><h2>Config</h2><pre><code>${
      esc(JSON.stringify(results.config, null, 2))
    }</code></pre></section>`,
  );
  out.push(
    `<section id="method"><h2>How this was measured</h2><ul>${
      methodNotes(results).map((n) => `<li>${escInline(n)}</li>`).join("\n")
    }</ul></section>`,
  );
  out.push(`</main>\n</body>\n</html>\n`);
  return out.join("\n");
}
