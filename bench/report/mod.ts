/**
 * Human-readable reports of a run: `report.md` and a self-contained `report.html` whose charts
 * are Vega-Lite specs rendered to inline SVG. Reporters only format results; they never read a
 * clock.
 *
 * - {@linkcode writeReports} writes both files into a results folder.
 * - {@linkcode renderMarkdown} and {@linkcode renderHtml} return the text.
 * - {@linkcode readRunResults} loads a results folder, `results.json` or `results.jsonl`.
 * - {@linkcode paretoFront} picks the cells not beaten on both density and load p99.
 *
 * @example
 * ```ts ignore
 * import { readRunResults, writeReports } from "./mod.ts";
 * const { results } = await readRunResults("results/run");
 * await writeReports("results/run", results);
 * ```
 *
 * @module
 */
export { writeReports } from "./write.ts";
export { renderMarkdown } from "./markdown.ts";
export { renderHtml } from "./html.ts";
export {
  CHART_TITLES,
  type ChartDef,
  groupCharts,
  renderSvg,
  type VegaLiteSpec,
} from "./charts.ts";
export { dominates, paretoFront, type ParetoPoint } from "./pareto.ts";
export { type ReadRunResults, readRunResults } from "../results/read.ts";
