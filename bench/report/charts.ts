/**
 * The report's charts as Vega-Lite specs, and their rendering to static SVG. Rendering runs Vega
 * headless (`renderer: "none"`, no DOM, no canvas), so text widths are estimated: labels may sit a
 * few pixels off, which is fine for a report.
 *
 * @module
 */
import type { CellResult } from "../results/schema.ts";
import { paretoFront } from "./pareto.ts";
import { variantLabel } from "./_format.ts";
import { allocatorColor } from "./_detail_charts.ts";

/** A Vega-Lite spec, as plain JSON. */
export type VegaLiteSpec = Record<string, unknown>;

/** One chart of the report: its title and the spec that draws it, or why it cannot be drawn. */
export interface ChartDef {
  /** Title shown above the chart (also its key in tests). */
  title: string;
  /** What the chart shows, in one sentence. */
  caption: string;
  /** The Vega-Lite spec, or `null` when the data has nothing to draw. */
  spec: VegaLiteSpec | null;
  /** Why there is no chart, when `spec` is `null`. */
  empty?: string;
  /** True when the chart needs the whole page width (small multiples, many points). */
  wide?: boolean;
}

/** Titles of the charts drawn for each workload × preset group, in display order. */
export const CHART_TITLES = {
  poolRatio: "Pool ratio by allocator and compressor",
  bytesBounced: "Bytes bounced by strategy and allocator",
  pareto: "Pareto-optimal cells: density against load p99",
  loadLatency: "Load latency by strategy",
} as const;

const WIDTH = 470;
/** Above this many Pareto-optimal cells the scatter drops its numbers (the table keeps them). */
const MAX_FRONT_LABELS = 20;
/** Above this many cells the Pareto scatter drops the compressor labels (tooltips keep them). */
const MAX_COMPRESSOR_LABELS = 40;
/** Plot width of a chart that spans the whole page. */
const WIDE_WIDTH = 1080;

/** Shared look: plain sans-serif text, light grid, legends that do not truncate cell labels. */
const CONFIG = {
  aria: false, // per-mark aria-labels would double the page size; the tables carry the data
  font: "Helvetica, Arial, sans-serif",
  background: "white",
  padding: 8,
  view: { stroke: "#ddd" },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", gridColor: "#eee" },
  legend: {
    labelFontSize: 11,
    titleFontSize: 12,
    labelLimit: 300,
    titleLimit: 300,
    orient: "bottom",
    direction: "horizontal",
    columns: 4,
  },
  range: { category: { scheme: "tableau10" } },
};

/** A chart row: a cell's identity and the figures the charts read. */
interface Row {
  cell: string;
  allocator: string;
  compressor: string;
  strategy: string;
  combo: string;
  series: string;
  seriesTitle: string;
  pool_ratio: number | null;
  load_p50_ns: number | null;
  load_p90_ns: number | null;
  load_p99_ns: number | null;
  bytes_bounced: number | null;
  frontier?: string;
  label?: string;
  rank?: number;
}

function rows(cells: readonly CellResult[], varying: readonly (keyof CellResult)[]): Row[] {
  return cells.filter((c) => c.status === "ok").map((c) => {
    const variant = variantLabel(c, varying);
    return {
      cell: c.cell,
      allocator: c.allocator,
      compressor: c.compressor,
      strategy: c.strategy,
      combo: `${c.allocator} / ${c.compressor}${variant ? ` · ${variant}` : ""}`,
      series: `${c.allocator}${variant ? ` · ${variant}` : ""}`,
      seriesTitle: variant ? "allocator · parameters" : "allocator",
      pool_ratio: c.pool_ratio,
      load_p50_ns: c.load_p50_ns,
      load_p90_ns: c.load_p90_ns,
      load_p99_ns: c.load_p99_ns,
      bytes_bounced: c.bytes_bounced,
    };
  });
}

function base(values: unknown[]): VegaLiteSpec {
  return { config: CONFIG, data: { values }, width: WIDTH };
}

/** Log scale when the values span more than a decade, else linear without a forced zero. */
function latencyScale(values: number[]): Record<string, unknown> {
  const min = Math.min(...values);
  const max = Math.max(...values);
  return min > 0 && max / min > 10 ? { type: "log" } : { type: "linear", zero: false };
}

/**
 * Chart specs for one workload × preset group of cells. Only ok cells are drawn; a chart whose
 * figures are all missing (no ok cell, no loads) comes back with `spec: null` and a reason.
 *
 * @param cells The group's cells (any status).
 * @param varying Identity columns that differ between them, added to the labels.
 * @returns The four charts of {@linkcode CHART_TITLES}, in that order (the Pareto chart spans the
 * page when the latency chart does, so no half row stays empty).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupCharts } from "./charts.ts";
 * assert.ok(groupCharts([], []).every((c) => c.spec === null));
 * ```
 */
export function groupCharts(
  cells: readonly CellResult[],
  varying: readonly (keyof CellResult)[],
): ChartDef[] {
  const data = rows(cells, varying);
  const latency = loadLatencyChart(data);
  return [
    poolRatioChart(data),
    bytesBouncedChart(data),
    paretoChart(data, latency.wide === true),
    latency,
  ];
}

function poolRatioChart(data: Row[]): ChartDef {
  const d = data.filter((r) => r.pool_ratio !== null);
  const def = {
    title: CHART_TITLES.poolRatio,
    caption:
      "Stored page bytes over pool bytes at the pool's high-water mark (higher is denser); " +
      "each bar is the mean over strategies and other parameters, the thin line their range.",
  };
  if (d.length === 0) return { ...def, spec: null, empty: "No ok cell with a pool ratio" };
  const bars = new Set(d.map((r) => `${r.allocator}\u0000${r.compressor}`)).size;
  const x = { field: "allocator", type: "nominal", title: "allocator", axis: { labelAngle: 0 } };
  return {
    ...def,
    spec: {
      ...base(d),
      height: 260,
      encoding: { x, xOffset: { field: "compressor", type: "nominal" } },
      layer: [
        {
          mark: { type: "bar" },
          encoding: {
            y: {
              aggregate: "mean",
              field: "pool_ratio",
              type: "quantitative",
              title: "pool ratio",
            },
            color: { field: "compressor", type: "nominal", title: "compressor" },
          },
        },
        {
          mark: { type: "rule", color: "#333" },
          encoding: {
            y: { aggregate: "min", field: "pool_ratio", type: "quantitative" },
            y2: { aggregate: "max", field: "pool_ratio" },
          },
        },
        ...(bars > 12 ? [] : [{
          mark: { type: "text", dy: -6, fontSize: 10, color: "#333" },
          encoding: {
            y: { aggregate: "max", field: "pool_ratio", type: "quantitative" },
            text: { aggregate: "mean", field: "pool_ratio", type: "quantitative", format: ".2f" },
          },
        }]),
      ],
    },
  };
}

function loadLatencyChart(data: Row[]): ChartDef {
  const d = data.filter((r) =>
    r.load_p50_ns !== null && r.load_p90_ns !== null && r.load_p99_ns !== null
  );
  const compressors = new Set(d.map((r) => r.compressor)).size;
  const def = {
    title: CHART_TITLES.loadLatency,
    caption: "Per strategy, one line per allocator" +
      (compressors > 1 ? ", one panel per compressor" : "") +
      ": the dot is p50, the tick p90, the triangle p99 of the per-load latency.",
  };
  if (d.length === 0) return { ...def, spec: null, empty: "No ok cell with timed loads" };
  const values = d.flatMap((r) => [r.load_p50_ns!, r.load_p99_ns!]);
  const series = new Set(d.map((r) => r.series)).size;
  const x = {
    field: "load_p50_ns",
    type: "quantitative",
    scale: latencyScale(values),
    title: "load latency (ns)",
    axis: { format: "~s" },
  };
  const panel = {
    height: { step: series > 6 ? 8 : series > 3 ? 11 : 15 },
    encoding: {
      y: { field: "strategy", type: "nominal", title: null },
      yOffset: { field: "series", type: "nominal" },
      color: {
        field: "series",
        type: "nominal",
        title: d[0].seriesTitle,
        legend: { columns: series > 8 ? 3 : 4 },
      },
    },
    layer: [
      { mark: { type: "rule", strokeWidth: 2 }, encoding: { x, x2: { field: "load_p99_ns" } } },
      { mark: { type: "point", filled: true, size: 40, opacity: 1 }, encoding: { x } },
      {
        mark: { type: "tick", thickness: 2, size: 9 },
        encoding: { x: { field: "load_p90_ns", type: "quantitative" } },
      },
      {
        mark: { type: "point", shape: "triangle-right", filled: true, size: 40, opacity: 1 },
        encoding: { x: { field: "load_p99_ns", type: "quantitative" } },
      },
    ],
  };
  if (compressors === 1) {
    return { ...def, spec: { ...base(d), width: WIDTH - 70, ...panel } };
  }
  // Small multiples: one panel per compressor, so each line keeps its own colour.
  const columns = Math.min(compressors, 3);
  return {
    ...def,
    wide: true,
    spec: {
      config: CONFIG,
      data: { values: d },
      facet: {
        field: "compressor",
        type: "nominal",
        title: null,
        header: { labelFontSize: 12, labelFontWeight: "bold" },
      },
      columns,
      spec: { width: Math.floor((WIDE_WIDTH - 100) / columns) - 20, ...panel },
      resolve: { scale: { x: "shared", y: "shared" } },
    },
  };
}

function bytesBouncedChart(data: Row[]): ChartDef {
  const d = data.filter((r) => r.bytes_bounced !== null);
  const def = {
    title: CHART_TITLES.bytesBounced,
    caption: "Bytes the load path copied into bounce buffers (loads and writebacks), mean over " +
      "compressors; zero bars are strategies that decompress in place.",
  };
  if (d.length === 0) return { ...def, spec: null, empty: "No ok cell with a bytes-bounced count" };
  const unit = byteUnit(Math.max(...d.map((r) => r.bytes_bounced!)));
  const scaled = d.map((r) => ({ ...r, bounced: r.bytes_bounced! / unit.size }));
  return {
    ...def,
    spec: {
      ...base(scaled),
      height: 260,
      mark: { type: "bar" },
      encoding: {
        x: { field: "strategy", type: "nominal", title: "strategy", axis: { labelAngle: -20 } },
        xOffset: { field: "allocator", type: "nominal" },
        y: {
          aggregate: "mean",
          field: "bounced",
          type: "quantitative",
          title: `bytes bounced (${unit.name})`,
        },
        color: { field: "allocator", type: "nominal", title: "allocator" },
      },
    },
  };
}

/** The binary unit that keeps the largest value of a byte axis readable. */
function byteUnit(max: number): { name: string; size: number } {
  if (max >= 1024 ** 3) return { name: "GiB", size: 1024 ** 3 };
  if (max >= 1024 ** 2) return { name: "MiB", size: 1024 ** 2 };
  if (max >= 1024) return { name: "KiB", size: 1024 };
  return { name: "B", size: 1 };
}

/**
 * Marks the Pareto-optimal rows of a chart's data and numbers them by load p99, the numbering the
 * report's frontier table uses.
 */
function markFrontier(data: Row[]): Row[] {
  const front = paretoFront(data).sort((a, b) => a.load_p99_ns! - b.load_p99_ns!);
  const num = new Map(front.map((r, i) => [r, i + 1]));
  return data.map((r) => ({
    ...r,
    frontier: num.has(r) ? "Pareto-optimal" : "dominated",
    label: num.has(r) ? String(num.get(r)) : "",
    rank: num.get(r) ?? 0,
  }));
}

function paretoChart(data: Row[], wide: boolean): ChartDef {
  const d = markFrontier(data.filter((r) => r.pool_ratio !== null && r.load_p99_ns !== null));
  const def = {
    title: CHART_TITLES.pareto,
    caption: "Each ok cell by density (pool ratio, up is better) and load p99 (left is better), " +
      "shape by allocator, the compressor beside it (every point has a tooltip naming its " +
      "cell); the red cells are not beaten on both by any other (numbered as in the table below).",
  };
  if (d.length === 0) return { ...def, spec: null, empty: "No ok cell with both figures" };
  const frontSize = d.filter((r) => r.label !== "").length;
  const x = {
    field: "load_p99_ns",
    type: "quantitative",
    scale: { ...latencyScale(d.map((r) => r.load_p99_ns!)), padding: 12 },
    title: "load p99 (ns)",
    axis: { format: "~s" },
  };
  const y = {
    field: "pool_ratio",
    type: "quantitative",
    scale: { zero: false, nice: true, padding: 12 },
    title: "pool ratio",
  };
  const onFront = { filter: "datum.frontier === 'Pareto-optimal'" };
  return {
    ...def,
    wide,
    spec: {
      ...base(d),
      width: wide ? WIDE_WIDTH : WIDTH,
      height: wide ? 360 : 300,
      encoding: { x, y },
      layer: [
        {
          transform: [onFront],
          mark: { type: "line", interpolate: "step-after", color: "#e15759", strokeDash: [4, 3] },
          encoding: { order: { field: "load_p99_ns", type: "quantitative" } },
        },
        {
          // A tooltip on every point (_detail_charts.ts turns descriptions into <title>s).
          transform: [{
            calculate:
              "datum.cell + ': pool ratio ' + format(datum.pool_ratio, '.3f') + ', load p99 ' + " +
              "format(datum.load_p99_ns, ',.0f') + ' ns'",
            as: "tip",
          }],
          mark: { type: "point", filled: true, opacity: 0.85, aria: true },
          encoding: {
            color: {
              field: "frontier",
              type: "nominal",
              title: "",
              scale: { domain: ["Pareto-optimal", "dominated"], range: ["#e15759", "#9aa3ad"] },
            },
            description: { field: "tip" },
            shape: {
              field: "allocator",
              type: "nominal",
              title: "allocator",
              scale: allocatorColor(d.map((r) => r.allocator)).shape,
            },
            size: {
              condition: { test: "datum.frontier === 'Pareto-optimal'", value: 110 },
              value: 45,
            },
          },
        },
        // The compressor beside each point, while there are few enough points to read it.
        ...(d.length > MAX_COMPRESSOR_LABELS ? [] : [{
          mark: { type: "text", dx: -8, align: "right", fontSize: 8, color: "#6b7480" },
          encoding: { text: { field: "compressor", type: "nominal" } },
        }]),
        // Numbers alternate above and below their point, so neighbours on the front do not collide.
        ...(frontSize > MAX_FRONT_LABELS ? [] : [0, 1].map((odd) => ({
          transform: [{ filter: `datum.label !== '' && datum.rank % 2 === ${odd}` }],
          mark: {
            type: "text",
            dx: 8,
            dy: odd ? -10 : 14,
            fontSize: 11,
            fontWeight: "bold",
            color: "#b0303a",
          },
          encoding: { text: { field: "label", type: "nominal" } },
        }))),
      ],
    },
  };
}

/** Drops Vega-Lite's compile warnings: a report must not print to the console. */
class QuietLogger {
  level(): this {
    return this;
  }
  error(): this {
    return this;
  }
  warn(): this {
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}
const QUIET_LOGGER = new QuietLogger();

/**
 * Compiles a Vega-Lite spec and renders it to a standalone SVG string, headless. The root `xmlns`
 * attributes are dropped so the SVG can be inlined in HTML without any URL in the page.
 *
 * @param spec A Vega-Lite spec with inline data.
 * @returns The `<svg>` element as text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderSvg } from "./charts.ts";
 * const svg = await renderSvg({ data: { values: [{ a: 1 }] }, mark: "bar", encoding: { y: { field: "a", type: "quantitative" } } });
 * assert.ok(svg.startsWith("<svg"));
 * ```
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  // Imported when a chart is drawn, not with the library: vega-lite adds `Set.prototype.toJSON`
  // when it loads, which a hardened cell Worker refuses to a plugin module that imports the
  // library (bench/run/intrinsics.ts).
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  // deno-lint-ignore no-explicit-any
  const compiled = vl.compile(spec as any, { logger: QUIET_LOGGER }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none", logLevel: vega.None });
  try {
    const svg = await view.toSVG();
    return svg.replace(
      /^<svg([^>]*)>/,
      (_m, attrs: string) => `<svg${attrs.replace(/\s+xmlns(:xlink)?="[^"]*"/g, "")}>`,
    );
  } finally {
    view.finalize();
  }
}
