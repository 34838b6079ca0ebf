/**
 * The report's detail charts, drawn from the detail columns of the results (`timeline`,
 * `allocator_stats_hw`, `latency_cdf`) and from the figures the summary charts average away:
 *
 * - pool ratio with one bar per preset when presets are swept, and against pages when pages are;
 * - bytes bounced per load (and writeback), per strategy and allocator;
 * - the pool over the run, with its high-water mark marked;
 * - zsmalloc's size classes and zbud/z3fold's page fill at the high-water mark;
 * - store and load latency CDFs per strategy and allocator;
 * - violations and failed loads.
 *
 * Every allocator has the same colour and shape in every chart and report
 * ({@linkcode allocatorColor}), and every point carries a tooltip (a `<title>` made from its
 * `description`, {@linkcode svgTooltips}). Formatting only: no clock.
 *
 * @module
 */
import type { CellResult } from "../results/schema.ts";
import type { ChartDef, VegaLiteSpec } from "./charts.ts";
import { type CellGroup, variantLabel } from "./_format.ts";

/** Colours of the built-in allocators, fixed so a reader can compare reports. */
const ALLOCATOR_COLORS: Record<string, string> = {
  zbud: "#4e79a7",
  z3fold: "#f28e2b",
  zsmalloc: "#59a14f",
};
/** Shapes of the built-in allocators, fixed likewise. */
const ALLOCATOR_SHAPES: Record<string, string> = {
  zbud: "circle",
  z3fold: "square",
  zsmalloc: "triangle-up",
};
const OTHER_COLORS = ["#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac"];
const OTHER_SHAPES = ["diamond", "cross", "triangle-down", "wedge"];

/** Order of the kernel presets on an axis (unknown names after, alphabetically). */
const PRESET_ORDER = ["5.10", "5.11", "5.12", "6.1", "6.8", "6.12", "6.18", "latest"];

const WIDTH = 470;
const WIDE_WIDTH = 1080;

/** Shared look, as `charts.ts` has it; marks with a description get a tooltip. */
const CONFIG = {
  aria: false,
  font: "Helvetica, Arial, sans-serif",
  background: "white",
  padding: 8,
  view: { stroke: "#ddd" },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", gridColor: "#eee" },
  header: { labelFontSize: 12, labelFontWeight: "bold", title: null },
  legend: {
    labelFontSize: 11,
    titleFontSize: 12,
    labelLimit: 300,
    orient: "bottom",
    direction: "horizontal",
    columns: 4,
  },
};

/** Titles of the detail charts. */
export const DETAIL_CHART_TITLES = {
  ratioByPreset: "Pool ratio by preset",
  ratioByPages: "Pool ratio against pages",
  bouncedPerLoad: "Bytes bounced per load",
  timeline: "Pool over the run",
  sizeClasses: "zsmalloc size classes at the high-water mark",
  pageFill: "zbud and z3fold page fill at the high-water mark",
  storeCdf: "Store latency CDF",
  loadCdf: "Load latency CDF",
  violations: "Violations and failed loads",
} as const;

/**
 * The colour and shape scales of a set of allocators: the built-in ones always get the same, the
 * others the next free ones in name order.
 *
 * @param allocators The allocator names in the chart.
 * @returns Vega-Lite scales for `color` and `shape`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { allocatorColor } from "./_detail_charts.ts";
 * const { color } = allocatorColor(["zsmalloc", "zbud"]);
 * assert.deepEqual(color.domain, ["zbud", "zsmalloc"]);
 * ```
 */
export function allocatorColor(allocators: Iterable<string>): {
  color: { domain: string[]; range: string[] };
  shape: { domain: string[]; range: string[] };
} {
  const names = [...new Set(allocators)];
  const known = Object.keys(ALLOCATOR_COLORS).filter((n) => names.includes(n));
  const other = names.filter((n) => !(n in ALLOCATOR_COLORS)).sort();
  const domain = [...known, ...other];
  return {
    color: {
      domain,
      range: [
        ...known.map((n) => ALLOCATOR_COLORS[n]),
        ...other.map((_n, i) => OTHER_COLORS[i % OTHER_COLORS.length]),
      ],
    },
    shape: {
      domain,
      range: [
        ...known.map((n) => ALLOCATOR_SHAPES[n]),
        ...other.map((_n, i) => OTHER_SHAPES[i % OTHER_SHAPES.length]),
      ],
    },
  };
}

/**
 * Turns the `aria-label` Vega puts on marks that have a `description` into a `<title>` child, the
 * tooltip a browser shows on hover, and drops the other ARIA attributes of those marks.
 *
 * @param svg An SVG from `renderSvg`.
 * @returns The SVG with tooltips.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { svgTooltips } from "./_detail_charts.ts";
 * const svg = '<path aria-label="zbud 2.4" role="graphics-symbol" aria-roledescription="symbol mark" d="M0"/>';
 * assert.equal(svgTooltips(svg), '<path d="M0"><title>zbud 2.4</title></path>');
 * ```
 */
export function svgTooltips(svg: string): string {
  // Coordinates to a tenth of a pixel (Vega writes thousandths): a third smaller, same picture.
  const rounded = svg.replace(
    / (d|transform)="([^"]*)"/g,
    (_m, attr: string, v: string) =>
      ` ${attr}="${v.replace(/(\d+\.\d)\d+/g, "$1").replace(/\.0(?!\d)/g, "")}"`,
  );
  return rounded.replace(
    /<(path|rect|line|text)\s+aria-label="([^"]*)"\s+role="[^"]*"\s+aria-roledescription="[^"]*"([^>]*?)\/>/g,
    (_m, tag: string, label: string, rest: string) =>
      `<${tag}${rest}><title>${label}</title></${tag}>`,
  ).replace(/ role="graphics-(object|symbol)" aria-roledescription="[^"]*"/g, "");
}

/**
 * The detail charts of one workload × preset group (or the workload's all-presets group).
 *
 * @param g The group.
 * @returns The charts, in display order; those that do not apply to the group are left out
 * (the per-preset chart outside an all-presets group, the per-pages one without a pages sweep).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { detailCharts } from "./_detail_charts.ts";
 * const defs = detailCharts({ workload: "mixed", preset: "6.8", cells: [], varying: [] });
 * assert.ok(defs.every((d) => d.spec === null));
 * ```
 */
export function detailCharts(g: CellGroup): ChartDef[] {
  const ok = g.cells.filter((c) => c.status === "ok");
  const out: ChartDef[] = [];
  if (g.varying.includes("preset")) out.push(ratioByPresetChart(ok, g.varying));
  if (g.varying.includes("pages")) out.push(ratioByPagesChart(ok, g.varying));
  out.push(
    bouncedPerLoadChart(ok, g.varying),
    violationsChart(ok, g.varying),
    timelineChart(ok, g.varying),
  );
  // Per cell structure and distributions: each preset's own group has them already.
  if (g.varying.includes("preset")) return out;
  out.push(
    storeOrLoadCdf(ok, g.varying, "load"),
    storeOrLoadCdf(ok, g.varying, "store"),
    sizeClassChart(ok, g.varying),
    pageFillChart(ok, g.varying),
  );
  return out;
}

/**
 * Titles of the summary charts (`charts.ts`) a group's detail charts replace: the pool-ratio bars
 * average over presets and pages, the bytes-bounced bars over compressors and loads.
 *
 * @param g The group.
 * @returns Titles to leave out of `groupCharts()`.
 */
export function replacedSummaryCharts(g: CellGroup): string[] {
  const out = ["Bytes bounced by strategy and allocator"];
  if (g.varying.includes("preset") || g.varying.includes("pages")) {
    out.push("Pool ratio by allocator and compressor");
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** A cell's label in a panel: allocator / compressor, and the strategy and variant when they vary. */
function seriesLabel(c: CellResult, varying: readonly (keyof CellResult)[], strategies: boolean) {
  const variant = variantLabel(c, varying.filter((v) => v !== "preset"));
  return `${c.allocator} / ${c.compressor}${strategies ? ` / ${c.strategy}` : ""}${
    variant ? ` · ${variant}` : ""
  }`;
}

function presetRank(p: string): number {
  const i = PRESET_ORDER.indexOf(p);
  return i < 0 ? PRESET_ORDER.length : i;
}

function presetSort(presets: Iterable<string>): string[] {
  return [...new Set(presets)].sort((a, b) => presetRank(a) - presetRank(b) || a.localeCompare(b));
}

function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : "—";
}

function base(values: unknown[]): VegaLiteSpec {
  return { config: CONFIG, data: { values } };
}

/** Facet a layered spec by `panel` when there is more than one panel. */
function facetOrSingle(
  values: { panel: string }[],
  inner: VegaLiteSpec,
  opts: { columns?: number; width?: number; height?: number; independentY?: boolean } = {},
): { spec: VegaLiteSpec; wide: boolean } {
  const panels = [...new Set(values.map((v) => v.panel))];
  if (panels.length <= 1) {
    return {
      spec: { ...base(values), width: opts.width ?? WIDTH, height: opts.height ?? 240, ...inner },
      wide: (opts.width ?? WIDTH) > WIDTH,
    };
  }
  const columns = Math.min(panels.length, opts.columns ?? 3);
  return {
    spec: {
      ...base(values),
      facet: { field: "panel", type: "nominal", title: null, sort: panels },
      columns,
      spec: {
        width: Math.floor((WIDE_WIDTH - 60) / columns) - 40,
        height: opts.height ?? 200,
        ...inner,
      },
      resolve: { scale: { y: opts.independentY ? "independent" : "shared" } },
    },
    wide: true,
  };
}

function ratioByPresetChart(ok: CellResult[], varying: readonly (keyof CellResult)[]): ChartDef {
  const def = {
    title: DETAIL_CHART_TITLES.ratioByPreset,
    caption: "Stored page bytes over pool bytes at each cell's high-water mark: one bar per " +
      "preset (kernel), per allocator, one panel per compressor and parameter set, the value on " +
      "each bar. Presets differ in what they store (zero pages, raw incompressible pages) and how " +
      "zsmalloc sizes its classes.",
  };
  const rows = ok.filter((c) => c.pool_ratio !== null);
  if (rows.length === 0) return { ...def, spec: null, empty: "No ok cell with a pool ratio" };
  const others = varying.filter((v) => v !== "preset");
  const values = rows.map((c) => {
    const variant = variantLabel(c, others);
    return {
      panel: `${c.compressor}${variant ? ` · ${variant}` : ""}${
        multipleStrategiesPerPreset(rows) ? ` · ${c.strategy}` : ""
      }`,
      allocator: c.allocator,
      preset: c.preset,
      pool_ratio: c.pool_ratio,
      tip: `${c.cell}: pool ratio ${fmt(c.pool_ratio!)}`,
    };
  });
  const presets = presetSort(values.map((v) => v.preset));
  const inner = {
    encoding: {
      x: { field: "allocator", type: "nominal", title: null, axis: { labelAngle: 0 } },
      xOffset: { field: "preset", type: "nominal", sort: presets },
      y: { field: "pool_ratio", type: "quantitative", title: "pool ratio" },
    },
    layer: [
      {
        mark: { type: "bar", aria: true },
        encoding: {
          color: {
            field: "preset",
            type: "nominal",
            sort: presets,
            title: "preset",
            scale: { scheme: "blues", domain: presets },
          },
          description: { field: "tip" },
        },
      },
      {
        mark: { type: "text", dy: -5, fontSize: 9, color: "#333" },
        encoding: { text: { field: "pool_ratio", type: "quantitative", format: ".2f" } },
      },
    ],
  };
  const { spec, wide } = facetOrSingle(values, inner, { columns: 2 });
  return { ...def, spec, wide };
}

function multipleStrategiesPerPreset(cells: CellResult[]): boolean {
  const seen = new Map<string, string>();
  for (const c of cells) {
    const s = seen.get(c.preset);
    if (s !== undefined && s !== c.strategy) return true;
    seen.set(c.preset, c.strategy);
  }
  return false;
}

function ratioByPagesChart(ok: CellResult[], varying: readonly (keyof CellResult)[]): ChartDef {
  const def = {
    title: DETAIL_CHART_TITLES.ratioByPages,
    caption: "Pool ratio at the high-water mark against the pages the workload used: one line " +
      "per allocator (colour, shape) and compressor (dash), one panel per preset. zsmalloc " +
      "packs denser as more objects share its zspages; zbud and z3fold stay flat.",
  };
  const rows = ok.filter((c) => c.pool_ratio !== null);
  if (rows.length === 0) return { ...def, spec: null, empty: "No ok cell with a pool ratio" };
  const others = varying.filter((v) => v !== "preset" && v !== "pages");
  const strategies = multipleStrategiesPerPreset(rows);
  const values = rows.map((c) => {
    const variant = variantLabel(c, others);
    return {
      panel: `preset ${c.preset}`,
      preset: c.preset,
      series: `${c.allocator} / ${c.compressor}${strategies ? ` / ${c.strategy}` : ""}${
        variant ? ` · ${variant}` : ""
      }`,
      allocator: c.allocator,
      compressor: c.compressor,
      pages: c.pages,
      pool_ratio: c.pool_ratio,
      tip: `${c.cell}: pool ratio ${fmt(c.pool_ratio!)} at ${c.pages} pages`,
    };
  }).sort((a, b) => presetRank(a.preset) - presetRank(b.preset));
  const scales = allocatorColor(values.map((v) => v.allocator));
  const inner = {
    encoding: {
      x: {
        field: "pages",
        type: "quantitative",
        scale: { type: "log", base: 2 },
        title: "pages",
        axis: { values: [...new Set(values.map((v) => v.pages))], format: "d" },
      },
      y: { field: "pool_ratio", type: "quantitative", scale: { zero: false }, title: "pool ratio" },
      color: { field: "allocator", type: "nominal", scale: scales.color, title: "allocator" },
      detail: { field: "series", type: "nominal" },
    },
    layer: [
      {
        mark: { type: "line" },
        encoding: {
          strokeDash: { field: "compressor", type: "nominal", title: "compressor" },
          order: { field: "pages", type: "quantitative" },
        },
      },
      {
        mark: { type: "point", filled: true, size: 50, aria: true },
        encoding: {
          shape: { field: "allocator", type: "nominal", scale: scales.shape, title: "allocator" },
          description: { field: "tip" },
        },
      },
    ],
  };
  const { spec, wide } = facetOrSingle(values, inner, { columns: 3 });
  return { ...def, spec, wide };
}

function bouncedPerLoadChart(ok: CellResult[], varying: readonly (keyof CellResult)[]): ChartDef {
  const def = {
    title: DETAIL_CHART_TITLES.bouncedPerLoad,
    caption: "Bytes the load path copied into a bounce buffer per load served from the pool " +
      "(writebacks included), per strategy and allocator, one panel per compressor; the value " +
      "on each bar. A zero bar is a strategy that did not copy for that allocator (zbud and " +
      "z3fold hand out contiguous objects, sg-read reads zsmalloc's pages in place).",
  };
  const rows = ok.filter((c) =>
    c.bytes_bounced !== null && (c.load_hits ?? 0) + (c.written_back_pages ?? 0) > 0
  );
  if (rows.length === 0) return { ...def, spec: null, empty: "No ok cell served a load" };
  const others = varying.filter((v) => v !== "preset");
  const values = rows.map((c) => {
    const per = c.bytes_bounced! / ((c.load_hits ?? 0) + (c.written_back_pages ?? 0));
    const variant = variantLabel(c, others);
    return {
      panel: c.compressor,
      strategy: `${c.strategy}${variant ? ` · ${variant}` : ""}`,
      allocator: c.allocator,
      per_load: Math.round(per),
      tip: `${c.cell}: ${Math.round(per)} B bounced per load`,
    };
  });
  const scales = allocatorColor(values.map((v) => v.allocator));
  const inner = {
    encoding: {
      x: { field: "strategy", type: "nominal", title: null, axis: { labelAngle: 0 } },
      xOffset: { field: "allocator", type: "nominal", sort: scales.color.domain },
      y: {
        field: "per_load",
        type: "quantitative",
        title: "bytes per load",
        // All zero (sg-read): an axis from 0 to 1 rather than a degenerate one.
        scale: { domainMin: 0, domainMax: Math.max(1, ...values.map((v) => v.per_load)) },
      },
    },
    layer: [
      {
        mark: { type: "bar", aria: true },
        encoding: {
          color: { field: "allocator", type: "nominal", scale: scales.color, title: "allocator" },
          description: { field: "tip" },
        },
      },
      {
        mark: { type: "text", dy: -5, fontSize: 9, color: "#333" },
        encoding: { text: { field: "per_load", type: "quantitative", format: "~s" } },
      },
    ],
  };
  const { spec, wide } = facetOrSingle(values, inner, { columns: 2 });
  return { ...def, spec, wide };
}

function violationsChart(ok: CellResult[], varying: readonly (keyof CellResult)[]): ChartDef {
  const def = {
    title: DETAIL_CHART_TITLES.violations,
    caption: "Sleeps in atomic context (violations) and loads that failed (bounce allocation or " +
      "decompression failure: data the page could not get back), per cell that had any.",
  };
  const strategies = new Set(ok.map((c) => c.strategy)).size > 1;
  const values = ok.flatMap((c) => {
    const label = `${seriesLabel(c, varying, strategies)}${
      varying.includes("preset") ? ` · ${c.preset}` : ""
    }`;
    return ([["violations", c.violations], ["failed loads", c.load_failed]] as const)
      .filter(([, v]) => (v ?? 0) > 0)
      .map(([kind, v]) => ({ label, kind, count: v, tip: `${c.cell}: ${v} ${kind}` }));
  });
  if (values.length === 0) {
    return { ...def, spec: null, empty: "No violation and no failed load in this group" };
  }
  return {
    ...def,
    spec: {
      ...base(values),
      width: WIDTH - 150,
      height: { step: 14 },
      encoding: {
        y: { field: "label", type: "nominal", title: null },
        yOffset: { field: "kind", type: "nominal" },
        x: { field: "count", type: "quantitative", title: "count" },
      },
      layer: [
        {
          mark: { type: "bar", aria: true },
          encoding: {
            color: {
              field: "kind",
              type: "nominal",
              title: null,
              scale: { domain: ["violations", "failed loads"], range: ["#e8a33d", "#c0392b"] },
            },
            description: { field: "tip" },
          },
        },
        {
          mark: { type: "text", align: "left", dx: 3, fontSize: 9 },
          encoding: { text: { field: "count", type: "quantitative" } },
        },
      ],
    },
  };
}

function timelineChart(ok: CellResult[], varying: readonly (keyof CellResult)[]): ChartDef {
  const def = {
    title: DETAIL_CHART_TITLES.timeline,
    caption: "Pool pages after each stretch of operations of the last repetition, one line per " +
      "allocator (colour) and compressor (dash); the marked point is the high-water mark, where " +
      "the pool ratio and the size classes were taken. A pool that shrinks after its peak " +
      "(exclusive loads, 6.12 on) had its ratio taken at that peak, not at the end.",
  };
  const cells = ok.filter((c) => c.timeline);
  if (cells.length === 0) return { ...def, spec: null, empty: "No ok cell with a timeline" };
  const strategies = new Set(cells.map((c) => c.strategy)).size > 1;
  const lines: Record<string, unknown>[] = [];
  const marks: Record<string, unknown>[] = [];
  for (const c of cells) {
    const t = c.timeline!;
    const panel = varying.includes("preset") ? `preset ${c.preset}` : "";
    const series = seriesLabel(c, varying, strategies && !varying.includes("preset"));
    for (let i = 0; i < t.ops.length; i++) {
      lines.push({
        panel,
        series,
        allocator: c.allocator,
        compressor: c.compressor,
        op: t.ops[i],
        pool_pages: t.pool_pages[i],
      });
    }
    marks.push({
      panel,
      series,
      allocator: c.allocator,
      compressor: c.compressor,
      op: t.hw_op,
      pool_pages: t.hw_pool_pages,
      mark: true,
      tip: `${c.cell}: high-water mark ${t.hw_pool_pages} pages at op ${t.hw_op}, ` +
        `pool ratio ${fmt(c.pool_ratio ?? NaN)}; ${c.pool_pages_end} pages at the end`,
    });
  }
  const values = [...lines, ...marks] as { panel: string }[];
  const scales = allocatorColor(cells.map((c) => c.allocator));
  const inner = {
    encoding: {
      x: { field: "op", type: "quantitative", title: "operations", axis: { format: "~s" } },
      y: { field: "pool_pages", type: "quantitative", title: "pool pages" },
      color: { field: "allocator", type: "nominal", scale: scales.color, title: "allocator" },
      detail: { field: "series", type: "nominal" },
    },
    layer: [
      {
        transform: [{ filter: "!datum.mark" }],
        mark: { type: "line", strokeWidth: 1.5 },
        encoding: {
          strokeDash: { field: "compressor", type: "nominal", title: "compressor" },
          order: { field: "op", type: "quantitative" },
        },
      },
      {
        transform: [{ filter: "datum.mark" }],
        mark: {
          type: "point",
          filled: true,
          size: 70,
          stroke: "#222",
          strokeWidth: 0.7,
          aria: true,
        },
        encoding: {
          shape: { field: "allocator", type: "nominal", scale: scales.shape, title: "allocator" },
          description: { field: "tip" },
        },
      },
    ],
  };
  const { spec, wide } = facetOrSingle(values, inner, { columns: 3, height: 220 });
  return { ...def, spec, wide };
}

function storeOrLoadCdf(
  ok: CellResult[],
  varying: readonly (keyof CellResult)[],
  op: "store" | "load",
): ChartDef {
  const def = {
    title: op === "load" ? DETAIL_CHART_TITLES.loadCdf : DETAIL_CHART_TITLES.storeCdf,
    caption: `Share of ${op}s (every measured repetition) at or below each latency, one panel ` +
      "per strategy, one line per allocator (colour) and compressor (dash); the points mark p50, " +
      "p90, p99 and p99.9. A line further left is faster; a long flat tail at the top is rare " +
      "slow operations (the timer, GC or the machine, as much as zswap).",
  };
  const key = op === "load" ? "load_ns" : "store_ns";
  const cells = ok.filter((c) => (c.latency_cdf?.[key].length ?? 0) > 0);
  if (cells.length === 0) return { ...def, spec: null, empty: `No ok cell with timed ${op}s` };
  const marked = new Set([0.5, 0.9, 0.99, 0.999]);
  const values: Record<string, unknown>[] = [];
  for (const c of cells) {
    const cdf = c.latency_cdf!;
    const series = seriesLabel(c, varying, false);
    const panel = `${c.strategy}${varying.includes("preset") ? ` (${c.preset})` : ""}`;
    cdf.q.forEach((q, i) => {
      if (q === 1) return; // the maximum: one sample, it only stretches the axis
      const ns = Math.max(1, cdf[key][i]);
      values.push({
        panel,
        series,
        allocator: c.allocator,
        compressor: c.compressor,
        ns,
        q,
        ...(marked.has(q)
          ? { mark: true, tip: `${c.cell}: ${op} p${+(q * 100).toFixed(1)} ${Math.round(ns)} ns` }
          : {}),
      });
    });
  }
  const scales = allocatorColor(cells.map((c) => c.allocator));
  const all = values.map((v) => v.ns as number);
  const inner = {
    encoding: {
      x: {
        field: "ns",
        type: "quantitative",
        scale: { type: "log" },
        title: `${op} latency (ns)`,
        axis: { format: "~s", values: logTicks(Math.min(...all), Math.max(...all)) },
      },
      y: { field: "q", type: "quantitative", title: `share of ${op}s`, axis: { format: "%" } },
      color: { field: "allocator", type: "nominal", scale: scales.color, title: "allocator" },
      detail: { field: "series", type: "nominal" },
    },
    layer: [
      {
        mark: { type: "line", strokeWidth: 1.3, interpolate: "step-after" },
        encoding: {
          strokeDash: { field: "compressor", type: "nominal", title: "compressor" },
          order: { field: "q", type: "quantitative" },
        },
      },
      {
        transform: [{ filter: "datum.mark" }],
        mark: { type: "point", filled: true, size: 22, aria: true },
        encoding: {
          shape: { field: "allocator", type: "nominal", scale: scales.shape, title: "allocator" },
          description: { field: "tip" },
        },
      },
    ],
  };
  const { spec, wide } = facetOrSingle(values as { panel: string }[], inner, { columns: 3 });
  return { ...def, spec, wide };
}

/** 1, 2, 5 times powers of ten within [min, max]: few labels on a log axis. */
function logTicks(min: number, max: number): number[] {
  const out: number[] = [];
  for (let p = Math.floor(Math.log10(Math.max(1, min))); p <= Math.ceil(Math.log10(max)); p++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** p;
      if (v >= min && v <= max) out.push(v);
    }
  }
  return out;
}

interface ZsClass {
  size: number;
  objUsed: number;
  pagesUsed: number;
  wasteBytes?: number;
}

function sizeClassChart(ok: CellResult[], varying: readonly (keyof CellResult)[]): ChartDef {
  const def = {
    title: DETAIL_CHART_TITLES.sizeClasses,
    caption: "Per zsmalloc size class, at the pool's high-water mark (where the pool ratio was " +
      "taken): pages holding objects (blue) and pages wasted on free slots and zspage tails " +
      "(red), one panel per cell; tooltips give objects, pages and waste. Much red in a class " +
      "means its zspages sit part-empty: fragmentation, not poor compression.",
  };
  const cells = ok.filter((c) =>
    c.allocator === "zsmalloc" && Array.isArray(c.allocator_stats_hw?.classes)
  );
  if (cells.length === 0) {
    return { ...def, spec: null, empty: "No ok zsmalloc cell with size classes" };
  }
  const strategies = new Set(cells.map((c) => c.strategy)).size > 1;
  const values: Record<string, unknown>[] = [];
  for (const c of cells) {
    const panel = `${c.compressor}${strategies ? ` / ${c.strategy}` : ""}${
      varying.includes("preset") ? ` · ${c.preset}` : ""
    }${
      variantLabel(c, varying.filter((v) => v !== "preset")) === ""
        ? ""
        : ` · ${variantLabel(c, varying.filter((v) => v !== "preset"))}`
    }`;
    const classes = c.allocator_stats_hw!.classes as ZsClass[];
    const pages = classes.reduce((a, k) => a + k.pagesUsed, 0);
    const wasted = classes.reduce(
      (a, k) => a + (k.wasteBytes ?? k.pagesUsed * c.page_size - k.objUsed * k.size),
      0,
    ) / c.page_size;
    const label = `${panel}: ${pages} pages, ${wasted.toFixed(0)} wasted (${
      (pages > 0 ? (100 * wasted) / pages : 0).toFixed(1)
    } %)`;
    for (const k of classes) {
      const usedPages = (k.objUsed * k.size) / c.page_size;
      const waste = (k.wasteBytes ?? k.pagesUsed * c.page_size - k.objUsed * k.size) / c.page_size;
      const tip = `${c.cell}: class ${k.size} B, ${k.objUsed} objects in ${k.pagesUsed} pages, ` +
        `${(waste * c.page_size / 1024).toFixed(1)} KiB wasted`;
      values.push({ panel: label, size: k.size, kind: "objects", pages: usedPages, tip });
      values.push({ panel: label, size: k.size, kind: "waste", pages: waste });
    }
  }
  const inner = {
    mark: { type: "bar", width: 3, aria: true },
    encoding: {
      x: {
        field: "size",
        type: "quantitative",
        title: "class size (bytes)",
        scale: { domain: [0, cells[0].page_size] },
      },
      y: { field: "pages", type: "quantitative", stack: "zero", title: "pages" },
      color: {
        field: "kind",
        type: "nominal",
        title: null,
        scale: { domain: ["objects", "waste"], range: ["#4e79a7", "#e15759"] },
      },
      description: { field: "tip" },
    },
  };
  const { spec, wide } = facetOrSingle(values as { panel: string }[], inner, {
    columns: 3,
    height: 150,
    independentY: true,
  });
  return { ...def, spec, wide };
}

function pageFillChart(ok: CellResult[], varying: readonly (keyof CellResult)[]): ChartDef {
  const def = {
    title: DETAIL_CHART_TITLES.pageFill,
    caption: "zbud and z3fold pages by free space at the pool's high-water mark: the bar at 0 is " +
      "pages on no unbuddied list (full, or one object too large to pair), the others pages " +
      "with that many bytes free; one panel per allocator and compressor. Many pages with free space mean the objects did not " +
      "pair up, which is what keeps these allocators near two or three objects a page.",
  };
  const cells = ok.filter((c) =>
    (c.allocator === "zbud" || c.allocator === "z3fold") &&
    Array.isArray(c.allocator_stats_hw?.unbuddied)
  );
  if (cells.length === 0) {
    return { ...def, spec: null, empty: "No ok zbud or z3fold cell with page stats" };
  }
  const strategies = new Set(cells.map((c) => c.strategy)).size > 1;
  const values: Record<string, unknown>[] = [];
  for (const c of cells) {
    const s = c.allocator_stats_hw!;
    const chunk = typeof s.chunkSize === "number" ? s.chunkSize : 64;
    const unbuddied = s.unbuddied as number[];
    const listed = unbuddied.reduce((a, b) => a + b, 0);
    const full = Math.max(0, (s.pages as number) - listed);
    const variant = variantLabel(c, varying.filter((v) => v !== "preset"));
    const panel = `${c.allocator} · ${c.compressor}${strategies ? ` / ${c.strategy}` : ""}${
      varying.includes("preset") ? ` · ${c.preset}` : ""
    }${variant ? ` · ${variant}` : ""}`;
    const add = (free: number, pages: number) => {
      if (pages > 0) {
        values.push({
          panel,
          allocator: c.allocator,
          free,
          pages,
          tip: `${c.cell}: ${pages} pages with ${free} B free`,
        });
      }
    };
    add(0, full);
    unbuddied.forEach((n, i) => i > 0 && add(i * chunk, n));
  }
  const scales = allocatorColor(cells.map((c) => c.allocator));
  const inner = {
    mark: { type: "bar", width: 4, opacity: 0.85, aria: true },
    encoding: {
      x: {
        field: "free",
        type: "quantitative",
        title: "free bytes in the page (0 = full)",
        scale: { domain: [0, cells[0].page_size] },
      },
      y: { field: "pages", type: "quantitative", title: "pages" },
      color: { field: "allocator", type: "nominal", scale: scales.color, title: "allocator" },
      description: { field: "tip" },
    },
  };
  const { spec, wide } = facetOrSingle(values as { panel: string }[], inner, {
    columns: 3,
    height: 160,
    independentY: true,
  });
  return { ...def, spec, wide };
}
