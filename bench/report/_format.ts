/**
 * Formatting and grouping helpers shared by the Markdown and HTML reporters. Pure functions: no
 * clock, no locale (the same results always give the same text).
 *
 * @module
 */
import type { CellResult, RunResults } from "../results/schema.ts";

/** Placeholder for a value that was not measured (`null`). */
export const MISSING = "—";

/** Formats a ratio with three decimals: `2.345`. */
export function fmtRatio(x: number | null | undefined): string {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(3) : MISSING;
}

/** Formats nanoseconds with a unit that keeps three significant digits: `850 ns`, `12.3 µs`. */
export function fmtNs(ns: number | null | undefined): string {
  if (typeof ns !== "number" || !Number.isFinite(ns)) return MISSING;
  if (ns < 1e3) return `${ns >= 10 ? ns.toFixed(0) : sig3(ns)} ns`;
  if (ns < 1e6) return `${sig3(ns / 1e3)} µs`;
  if (ns < 1e9) return `${sig3(ns / 1e6)} ms`;
  return `${sig3(ns / 1e9)} s`;
}

/** Formats a byte count with binary units: `0 B`, `512 B`, `12.0 KiB`, `3.21 MiB`. */
export function fmtBytes(bytes: number | null | undefined): string {
  if (typeof bytes !== "number" || !Number.isFinite(bytes)) return MISSING;
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${sig3(v)} ${units[u]}`;
}

/** Formats an integer counter, or the placeholder when it was not measured. */
export function fmtCount(x: number | null | undefined): string {
  return typeof x === "number" && Number.isFinite(x) ? String(x) : MISSING;
}

/** Formats any scalar of the environment or config for display. */
export function fmtValue(x: unknown): string {
  if (x === null || x === undefined) return MISSING;
  if (typeof x === "string") return x;
  if (typeof x === "number" || typeof x === "boolean") return String(x);
  return JSON.stringify(x);
}

function sig3(x: number): string {
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** One workload × preset slice of the run: the unit of a table, a chart set and a Pareto front. */
export interface CellGroup {
  /** Workload name. */
  workload: string;
  /** Kernel preset name. */
  preset: string;
  /** The cells, in run order. */
  cells: CellResult[];
  /**
   * Identity columns other than allocator, compressor and strategy whose value differs between the
   * group's cells (page size, CPUs, seed, ...): shown as extra columns and in labels.
   */
  varying: (keyof CellResult)[];
}

/** Identity columns that may vary inside a workload × preset group. */
const VARIANT_COLUMNS: readonly (keyof CellResult)[] = [
  "page_size",
  "pages",
  "cpus",
  "tasks",
  "seed",
  "total_ram_pages",
  "max_pool_percent",
  "accept_threshold_percent",
  "bounce_fail_rate",
  "strict",
];

/** Short labels for the variant columns, used in chart labels: `p16384 c2`. */
const VARIANT_PREFIX: Partial<Record<keyof CellResult, string>> = {
  preset: "",
  page_size: "p",
  pages: "n",
  cpus: "c",
  tasks: "t",
  seed: "s",
  total_ram_pages: "ram",
  max_pool_percent: "max%",
  accept_threshold_percent: "acc%",
  bounce_fail_rate: "bf",
  strict: "strict=",
};

/** Splits the cells by workload and preset, in order of first appearance. */
export function groupCells(cells: readonly CellResult[]): CellGroup[] {
  const groups = new Map<string, CellGroup>();
  for (const cell of cells) {
    const key = JSON.stringify([cell.workload, cell.preset]);
    let g = groups.get(key);
    if (!g) {
      g = { workload: cell.workload, preset: cell.preset, cells: [], varying: [] };
      groups.set(key, g);
    }
    g.cells.push(cell);
  }
  for (const g of groups.values()) {
    g.varying = VARIANT_COLUMNS.filter((col) =>
      new Set(g.cells.map((c) => String(c[col]))).size > 1
    );
  }
  return [...groups.values()];
}

/**
 * One group per workload that ran under more than one preset, holding all its cells, so the
 * strategies of different kernel versions (6.1's bounce-alloc, 6.8's percpu-buffer, ...) sit in
 * one chart. `preset` is "all presets" and `preset` is among the varying columns.
 */
export function crossPresetGroups(groups: readonly CellGroup[]): CellGroup[] {
  const byWorkload = new Map<string, CellGroup[]>();
  for (const g of groups) byWorkload.set(g.workload, [...(byWorkload.get(g.workload) ?? []), g]);
  const out: CellGroup[] = [];
  for (const [workload, gs] of byWorkload) {
    if (gs.length < 2) continue;
    const cells = gs.flatMap((g) => g.cells);
    const varying = VARIANT_COLUMNS.filter((col) =>
      new Set(cells.map((c) => String(c[col]))).size > 1
    );
    out.push({ workload, preset: "all presets", cells, varying: ["preset", ...varying] });
  }
  return out;
}

/** Short label of a cell's varying identity columns, e.g. `p16384 c2`, or "" when none vary. */
export function variantLabel(cell: CellResult, varying: readonly (keyof CellResult)[]): string {
  return varying.map((col) => `${VARIANT_PREFIX[col] ?? `${col}=`}${String(cell[col])}`).join(
    " ",
  );
}

/** The number of parallel jobs the run used, from `config.jobs` (1 when absent). */
export function runJobs(results: RunResults): number {
  const jobs = (results.config as Record<string, unknown>).jobs ??
    (results.environment as Record<string, unknown>).jobs;
  return typeof jobs === "number" && Number.isFinite(jobs) ? jobs : 1;
}

/** The sentence both reports show when cells ran in parallel. */
export function parallelWarning(jobs: number): string {
  return `This run used ${jobs} parallel jobs: parallel cells disturb each other's latencies, ` +
    "so compare latencies only between runs made with one job";
}

/** Label for a group heading: `workload mixed, preset 6.8`. */
export function groupTitle(g: CellGroup): string {
  return g.preset === "all presets"
    ? `Workload ${g.workload}, all presets side by side`
    : `Workload ${g.workload}, preset ${g.preset}`;
}
