/**
 * `deno task cli compare BASE NEW`: compares two runs cell by cell and flags regressions.
 *
 * For each cell present in both runs (matched by its `cell` name) it prints NEW / BASE of the main
 * metrics and marks the changes beyond the noise. Latency percentiles are tested with the
 * repetitions of each run (`latency_reps`): the 99 % Welch interval of NEW / BASE of their
 * geometric means (`bench/measure/noise.ts`) must lie wholly beyond the `--threshold` (10 % by default)
 * for the change to count, so it must be both larger than the noise and large enough to matter.
 * With fewer than two repetitions on a side there is no noise to test against: the latency
 * change is shown but never counts. Runs written before `latency_reps` existed fall back to
 * the threshold or three times the larger coefficient of variation. Pool and compression ratios
 * are deterministic for a seed: their change counts beyond `--ratio-threshold` (1 %). A regression is a
 * latency that went up or a pool ratio that went down that way, an integrity failure in NEW, more
 * sleep-in-atomic violations than BASE, or a cell that was ok in BASE and is not in NEW.
 *
 * Latencies only compare on the same machine and runtime: runs whose CPU model, core count, OS,
 * architecture or Deno version differ are refused unless `--force`.
 *
 * @module
 */
import { parseFlags } from "./args.ts";
import { UsageError } from "../../registry/errors.ts";
import type { CellResult, RunResults } from "../results/schema.ts";
import { readRunResults } from "../results/read.ts";
import { ratioInterval } from "../measure/noise.ts";

/** Which way a metric improves. */
type Direction = "higher" | "lower";

/** A metric compare looks at: its column, which way is better, and whether worse is a regression. */
interface MetricDef {
  key: keyof CellResult;
  better: Direction;
  regression: boolean;
  cv?: keyof CellResult;
}

/** The metrics compared, in display order. */
const METRICS: readonly MetricDef[] = [
  { key: "pool_ratio", better: "higher", regression: true },
  { key: "compression_ratio", better: "higher", regression: false },
  { key: "load_p50_ns", better: "lower", regression: true, cv: "load_p50_ns_cv" },
  // Tails are shown, not gated: the p99 of a few thousand operations moved x2 between two
  // default runs of one commit on the 2-core dev machine (one GC pause or preemption in a
  // repetition is 1 % of its loads), so no interval from three repetitions can vouch for it.
  { key: "load_p99_ns", better: "lower", regression: false, cv: "load_p99_ns_cv" },
  { key: "store_p50_ns", better: "lower", regression: true, cv: "store_p50_ns_cv" },
  { key: "store_p99_ns", better: "lower", regression: false, cv: "store_p99_ns_cv" },
  { key: "bytes_bounced", better: "lower", regression: false },
];

/** The metric columns compared, in display order. */
export const COMPARED_METRICS: readonly (keyof CellResult)[] = METRICS.map((m) => m.key);

/** Environment fields that must match for latencies to compare. */
export const MACHINE_FIELDS = ["cpu_model", "cores", "os", "arch", "deno"] as const;

/** Default threshold, the smallest change that counts: 10 %. */
export const DEFAULT_THRESHOLD = 0.10;

/** Default threshold of the deterministic ratios (pool, compression): 1 %. */
export const DEFAULT_RATIO_THRESHOLD = 0.01;

/** Two-sided confidence of the interval latency changes are tested with. */
export const CONFIDENCE = 0.99;

/** How far a metric moved between BASE and NEW. */
export interface MetricChange {
  /** The column. */
  metric: string;
  /** Value in BASE (`null` when not measured). */
  base: number | null;
  /** Value in NEW (`null` when not measured). */
  new: number | null;
  /** NEW / BASE; 1 when both are 0; `null` when either is missing or BASE is 0 and NEW not. */
  ratio: number | null;
  /** Relative change allowed as noise for this metric (0.05 = 5 %). */
  limit: number;
  /**
   * How the change was judged: `interval` (the 99 % Welch interval of the repetitions,
   * `low`..`high`), `threshold` (a deterministic figure, or an older run's cv), `unrepeated`
   * (fewer than two repetitions: shown, never a regression).
   */
  test: "interval" | "threshold" | "unrepeated";
  /** The interval of NEW / BASE, with test `interval`. */
  interval?: { low: number; high: number };
  /** Spread of each run's repetitions (sd of the logs, ≈ cv), with test `interval`. */
  spread?: { base: number; new: number };
  /**
   * NEW / BASE of the reference loop timed before each repetition (the machine's speed), when
   * both runs timed it: shown, not used to correct the latencies.
   */
  machine?: number;
  /** Direction of a change beyond `limit`, `same` within it, `n/a` when not comparable. */
  change: "same" | "better" | "worse" | "n/a";
  /** True when the change is worse beyond the noise and the metric counts for regressions. */
  regression: boolean;
}

/** The comparison of one cell present in both runs. */
export interface CellComparison {
  /** The cell name. */
  cell: string;
  /** Status in BASE and NEW. */
  status: { base: CellResult["status"]; new: CellResult["status"] };
  /** One entry per compared metric (empty when either cell did not finish). */
  metrics: MetricChange[];
  /** Why the cell regressed, one sentence each; empty when it did not. */
  regressions: string[];
}

/** The result of {@linkcode compareRuns}. */
export interface Comparison {
  /** Threshold of the latencies (fraction). */
  threshold: number;
  /** Threshold of the deterministic ratios (fraction). */
  ratioThreshold: number;
  /** Cells in both runs, in NEW's order. */
  matched: CellComparison[];
  /** Cells only in BASE. */
  onlyBase: string[];
  /** Cells only in NEW. */
  onlyNew: string[];
  /** Environment fields that differ (compared anyway with `force`). */
  machineDifferences: string[];
  /** Number of matched cells with at least one regression. */
  regressedCells: number;
}

/** Options of {@linkcode compareRuns}. */
export interface CompareOptions {
  /** Noise threshold as a fraction (0.05 = 5 %). Default {@linkcode DEFAULT_THRESHOLD}. */
  threshold?: number;
  /** Threshold of pool and compression ratios (default {@linkcode DEFAULT_RATIO_THRESHOLD}). */
  ratioThreshold?: number;
  /** Compare runs from different machines or runtimes instead of refusing. */
  force?: boolean;
}

/**
 * Lists the environment fields ({@linkcode MACHINE_FIELDS}) that differ between two runs.
 *
 * @param base The reference run.
 * @param next The run compared with it.
 * @returns One description per differing field, e.g. `cpu_model ("A" in BASE, "B" in NEW)`.
 * @example
 * ```ts ignore
 * import { machineDifferences } from "./compare.ts";
 * console.log(machineDifferences(base, next)); // [] on the same machine
 * ```
 */
export function machineDifferences(base: RunResults, next: RunResults): string[] {
  return MACHINE_FIELDS.filter((f) => base.environment[f] !== next.environment[f]).map((f) =>
    `${f} (${JSON.stringify(base.environment[f])} in BASE, ${
      JSON.stringify(next.environment[f])
    } in NEW)`
  );
}

function num(x: unknown): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

function reps(cell: CellResult, key: string): number[] {
  const r = cell.latency_reps?.[key];
  return Array.isArray(r) ? r.filter((v) => typeof v === "number") : [];
}

function compareMetric(
  def: MetricDef,
  base: CellResult,
  next: CellResult,
  thresholds: { timing: number; ratio: number },
) {
  const threshold = def.cv === undefined ? thresholds.ratio : thresholds.timing;
  const b = num(base[def.key]);
  const n = num(next[def.key]);
  const cvs = def.cv ? [num(base[def.cv]), num(next[def.cv])].filter((x) => x !== null) : [];
  const limit = Math.max(threshold, 3 * Math.max(0, ...cvs));
  const out: MetricChange = {
    metric: def.key,
    base: b,
    new: n,
    ratio: null,
    limit,
    test: "threshold",
    change: "n/a",
    regression: false,
  };
  if (b === null || n === null) return out;
  if (def.cv !== undefined && (base.latency_reps || next.latency_reps)) {
    const rb = reps(base, def.key);
    const rn = reps(next, def.key);
    // The reference loop timed before each repetition: shown, so a reader can tell a machine
    // that was slower during one run. Not used to correct: it adds its own noise (x0.77..x1.92
    // per cell between two default runs), more than it removes.
    const mb = reps(base, "machine_ns");
    const mn = reps(next, "machine_ns");
    if (mb.length > 0 && mn.length > 0 && [...mb, ...mn].every((x) => x > 0)) {
      const gm = (v: number[]) => Math.exp(v.reduce((a, x) => a + Math.log(x), 0) / v.length);
      out.machine = gm(mn) / gm(mb);
    }
    out.limit = threshold;
    out.ratio = b === 0 ? (n === 0 ? 1 : null) : n / b;
    const iv = ratioInterval(rb, rn, CONFIDENCE);
    if (iv === null) {
      out.test = "unrepeated";
      out.change = "same";
      return out;
    }
    out.test = "interval";
    out.interval = { low: iv.low, high: iv.high };
    out.spread = iv.spread;
    out.ratio = iv.ratio;
    const up = iv.low > 1 + threshold ? true : iv.high < 1 / (1 + threshold) ? false : null;
    out.change = up === null ? "same" : up === (def.better === "higher") ? "better" : "worse";
    out.regression = def.regression && out.change === "worse";
    return out;
  }
  let up: boolean | null; // null: within the noise
  if (b === 0) {
    out.ratio = n === 0 ? 1 : null;
    up = n === 0 ? null : n > 0;
  } else {
    out.ratio = n / b;
    up = Math.abs(out.ratio - 1) <= limit ? null : out.ratio > 1;
  }
  if (up === null) out.change = "same";
  else out.change = up === (def.better === "higher") ? "better" : "worse";
  out.regression = def.regression && out.change === "worse";
  return out;
}

function pct(x: number): string {
  return `${+(x * 100).toFixed(1)} %`;
}

function compareCell(
  base: CellResult,
  next: CellResult,
  threshold: { timing: number; ratio: number },
): CellComparison {
  const result: CellComparison = {
    cell: next.cell,
    status: { base: base.status, new: next.status },
    metrics: [],
    regressions: [],
  };
  if (base.status === "ok" && next.status !== "ok") {
    result.regressions.push(
      `status went from ok to ${next.status}: ${next.error ?? "no message"}`,
    );
  }
  if (base.status !== "ok" || next.status !== "ok") return result;
  result.metrics = METRICS.map((def) => compareMetric(def, base, next, threshold));
  for (const m of result.metrics) {
    if (!m.regression) continue;
    const dir = m.ratio === null ? "changed" : m.ratio > 1 ? "rose" : "fell";
    result.regressions.push(
      `${m.metric} ${dir} from ${m.base} to ${m.new}` +
        (m.ratio === null
          ? ""
          : m.interval
          ? ` (x${m.ratio.toFixed(2)}, 99 % interval x${m.interval.low.toFixed(2)}..x${
            m.interval.high.toFixed(2)
          } over the ${pct(m.limit)} threshold; spread of the repetitions ${
            pct(m.spread!.base)
          } in BASE, ${pct(m.spread!.new)} in NEW)`
          : ` (x${m.ratio.toFixed(2)}, noise limit ${pct(m.limit)})`),
    );
  }
  if ((next.integrity_failures ?? 0) > 0) {
    result.regressions.push(`${next.integrity_failures} integrity failures in NEW`);
  }
  if ((next.violations ?? 0) > (base.violations ?? 0)) {
    result.regressions.push(
      `violations rose from ${base.violations ?? 0} to ${next.violations}`,
    );
  }
  return result;
}

/**
 * Compares two runs cell by cell.
 *
 * @param base The reference run.
 * @param next The run to judge.
 * @param options Threshold and `force`.
 * @returns Per matched cell the metric ratios and regressions, and the unmatched cells.
 * @throws {UsageError} When the runs come from different machines or runtimes and `force` is not
 * set (the message names each differing field).
 * @example
 * ```ts ignore
 * import { compareRuns } from "./compare.ts";
 * const cmp = compareRuns(base, next, { threshold: 0.05 });
 * if (cmp.regressedCells > 0) console.log("regressed");
 * ```
 */
export function compareRuns(
  base: RunResults,
  next: RunResults,
  options: CompareOptions = {},
): Comparison {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const ratioThreshold = options.ratioThreshold ?? DEFAULT_RATIO_THRESHOLD;
  const diffs = machineDifferences(base, next);
  if (diffs.length > 0 && !options.force) {
    throw new UsageError(
      `Runs were made on different machines or runtimes, so their latencies do not compare: ` +
        `${diffs.join("; ")} (pass --force to compare anyway)`,
    );
  }
  const baseCells = new Map<string, CellResult>();
  for (const c of base.cells) if (!baseCells.has(c.cell)) baseCells.set(c.cell, c);
  const newNames = new Set(next.cells.map((c) => c.cell));
  const matched: CellComparison[] = [];
  const onlyNew: string[] = [];
  const seen = new Set<string>();
  for (const c of next.cells) {
    if (seen.has(c.cell)) continue;
    seen.add(c.cell);
    const b = baseCells.get(c.cell);
    if (b) matched.push(compareCell(b, c, { timing: threshold, ratio: ratioThreshold }));
    else onlyNew.push(c.cell);
  }
  return {
    threshold,
    ratioThreshold,
    matched,
    onlyBase: [...baseCells.keys()].filter((name) => !newNames.has(name)),
    onlyNew,
    machineDifferences: diffs,
    regressedCells: matched.filter((m) => m.regressions.length > 0).length,
  };
}

/** Short headers for the text table. */
const SHORT: Record<string, string> = {
  pool_ratio: "pool",
  compression_ratio: "compr",
  load_p50_ns: "load p50",
  load_p99_ns: "load p99",
  store_p50_ns: "store p50",
  store_p99_ns: "store p99",
  bytes_bounced: "bounced",
};

function cellText(m: MetricChange): string {
  if (m.change === "n/a") return "n/a";
  const r = m.ratio === null ? (m.new! > m.base! ? "new>0" : "0") : m.ratio.toFixed(2);
  const mark = m.change === "same" ? " " : m.regression ? "!" : m.change === "better" ? "+" : "-";
  const iv = m.interval ? ` (${m.interval.low.toFixed(2)}-${m.interval.high.toFixed(2)})` : "";
  return `${r}${iv}${m.test === "unrepeated" ? "?" : ""}${mark}`;
}

/** The noise the runs showed: the median spread of each latency's repetitions, per run. */
function noiseLines(cmp: Comparison): string[] {
  const lines: string[] = [];
  const machine = cmp.matched.flatMap((c) =>
    c.metrics.filter((m) => m.machine !== undefined).slice(0, 1).map((m) => m.machine!)
  ).sort((a, b) => a - b);
  if (machine.length > 0) {
    lines.push(
      `  machine   reference loop NEW / BASE x${
        machine[machine.length >> 1].toFixed(2)
      } (median over cells, x${machine[0].toFixed(2)}..x${
        machine[machine.length - 1].toFixed(2)
      }): above 1, the machine ran slower during NEW`,
    );
  }
  for (const def of METRICS.filter((d) => d.cv !== undefined)) {
    const ms = cmp.matched.flatMap((c) => c.metrics.filter((m) => m.metric === def.key));
    const spreads = ms.filter((m) => m.spread !== undefined);
    if (spreads.length === 0) continue;
    const med = (v: number[]) => {
      const s = [...v].sort((a, b) => a - b);
      return s[s.length >> 1];
    };
    const widths = spreads.map((m) => m.interval!.high / m.interval!.low);
    lines.push(
      `  ${(SHORT[def.key] ?? def.key).padEnd(9)} spread of repetitions (median over cells) ` +
        `${pct(med(spreads.map((m) => m.spread!.base)))} BASE, ${
          pct(med(spreads.map((m) => m.spread!.new)))
        } NEW; median interval width x${med(widths).toFixed(2)}`,
    );
  }
  return lines;
}

/**
 * Formats a comparison as text for the terminal: a table of NEW / BASE per matched cell, then the
 * regressions and the unmatched cells.
 *
 * @param cmp The comparison.
 * @param labels How to name the two runs (their paths).
 * @returns The text, ending with a newline.
 * @example
 * ```ts ignore
 * import { compareRuns, formatComparison } from "./compare.ts";
 * console.log(formatComparison(compareRuns(base, next), { base: "a/", new: "b/" }));
 * ```
 */
export function formatComparison(cmp: Comparison, labels: { base: string; new: string }): string {
  const out: string[] = [];
  out.push(`BASE ${labels.base}`, `NEW  ${labels.new}`);
  if (cmp.machineDifferences.length > 0) {
    out.push(`Warning: compared across machines (--force): ${cmp.machineDifferences.join("; ")}`);
  }
  const unrepeated = cmp.matched.some((c) => c.metrics.some((m) => m.test === "unrepeated"));
  out.push(
    `${cmp.matched.length} cells in both runs; NEW / BASE per metric. Latencies: the ratio of ` +
      `the geometric means of the repetitions with its ${
        CONFIDENCE * 100
      } % Welch interval (in brackets); a change counts when the whole interval lies beyond ` +
      `${pct(cmp.threshold)}. Ratios (deterministic): a change counts beyond ${
        pct(cmp.ratioThreshold)
      }.`,
    `Gated: pool ratio, load p50, store p50; the p99s are shown, not gated (one pause in a ` +
      `repetition moves them x2 between identical runs).`,
    `Marks: "!" regression, "-" worse beyond the noise, "+" better beyond the noise` +
      (unrepeated ? `, "?" one repetition: no noise to test against, never a regression` : "") +
      ".",
  );
  const noise = noiseLines(cmp);
  if (noise.length > 0) out.push("Noise seen:", ...noise);
  if (unrepeated) {
    out.push(
      "Warning: a run has a single repetition (--quick?): its latencies are not for comparison.",
    );
  }
  out.push("");
  const headers = ["cell", ...METRICS.map((m) => SHORT[m.key] ?? m.key)];
  const rows = cmp.matched.map((c) =>
    c.metrics.length === 0
      ? [c.cell, `status ${c.status.base} -> ${c.status.new}`]
      : [c.cell, ...c.metrics.map(cellText)]
  );
  const widths = headers.map((h, j) =>
    Math.max(h.length, ...rows.filter((r) => r.length === headers.length).map((r) => r[j].length))
  );
  const line = (r: string[]) =>
    r.length === headers.length
      ? r.map((v, j) => (j === 0 ? v.padEnd(widths[0]) : v.padStart(widths[j]))).join("  ")
      : `${r[0].padEnd(widths[0])}  ${r[1]}`;
  if (rows.length > 0) out.push(line(headers), ...rows.map(line), "");
  const regressed = cmp.matched.filter((c) => c.regressions.length > 0);
  if (regressed.length > 0) {
    out.push(`Regressions in ${regressed.length} cell${regressed.length === 1 ? "" : "s"}:`);
    for (const c of regressed) {
      for (const r of c.regressions) out.push(`  ${c.cell}: ${r}`);
    }
    out.push("");
  } else out.push("No regression.", "");
  if (cmp.onlyBase.length > 0) {
    out.push(`Only in BASE (${cmp.onlyBase.length}):`, ...cmp.onlyBase.map((c) => `  ${c}`), "");
  }
  if (cmp.onlyNew.length > 0) {
    out.push(`Only in NEW (${cmp.onlyNew.length}):`, ...cmp.onlyNew.map((c) => `  ${c}`), "");
  }
  return out.join("\n");
}

const USAGE = `Usage: deno task cli compare BASE NEW [options]

Compare two runs cell by cell, matched by cell name. BASE and NEW are results folders, or their
results.json or results.jsonl files.

Options:
  --threshold PCT        Smallest change that counts, in percent (default 10). A latency
                         counts when the 99 % Welch interval of NEW / BASE (from the
                         repetitions of each run) lies wholly beyond it; with one
                         repetition it is shown but never counts
  --ratio-threshold PCT  Smallest change of pool or compression ratio that counts
                         (default 1; they are deterministic for a seed)
  --fail-on-regression   Exit with status 1 when a cell regressed
  --force                Compare runs from different machines or runtimes
  --json                 Print the comparison as JSON
  -h, --help             Show this help

Exit status: 0, or 1 with --fail-on-regression when a cell regressed or the runs share no cell;
2 for a usage error. Runs
of different matrices share no cell ("0 cells in both runs") and then pass: check that line in CI.
`;

function parseThreshold(text: string, flag = "--threshold"): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const pctValue = m ? Number(m[1]) : NaN;
  if (!Number.isFinite(pctValue) || pctValue > 1000) {
    throw new UsageError(
      `Invalid ${flag} "${text}" (give a percentage from 0 to 1000, e.g. ${flag} 5)`,
    );
  }
  return pctValue / 100;
}

/**
 * Runs `compare`: prints the comparison and returns the exit status.
 *
 * @param args Command-line arguments after `compare`.
 * @returns 0, or 1 when `--fail-on-regression` and a cell regressed.
 * @throws {UsageError} For bad flags, unreadable or invalid results, or runs from different
 * machines without `--force`.
 * @example
 * ```ts ignore
 * import { main } from "./compare.ts";
 * Deno.exit(await main(["results/a", "results/b", "--fail-on-regression"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags("compare", args, {
    threshold: { type: "string" },
    "ratio-threshold": { type: "string" },
    "fail-on-regression": { type: "boolean" },
    force: { type: "boolean" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 2) {
    throw new UsageError(
      `compare takes two runs, BASE and NEW, got ${positionals.length} (see compare --help)`,
    );
  }
  const threshold = typeof values.threshold === "string"
    ? parseThreshold(values.threshold)
    : DEFAULT_THRESHOLD;
  const [basePath, newPath] = positionals;
  const base = await readRunResults(basePath);
  const next = await readRunResults(newPath);
  for (const w of [...base.warnings, ...next.warnings]) console.error(`Warning: ${w}`);
  const cmp = compareRuns(base.results, next.results, {
    threshold,
    ratioThreshold: typeof values["ratio-threshold"] === "string"
      ? parseThreshold(values["ratio-threshold"], "--ratio-threshold")
      : DEFAULT_RATIO_THRESHOLD,
    force: values.force === true,
  });
  if (values.json) {
    console.log(JSON.stringify({ base: base.path, new: next.path, ...cmp }, null, 2));
  } else {
    console.log(formatComparison(cmp, { base: base.path, new: next.path }));
  }
  if (cmp.matched.length === 0) {
    // Two runs with no cell in common compare nothing: a CI gate pointed at the wrong folders must
    // not pass silently.
    console.error(
      `Warning: ${base.path} and ${next.path} share no cell (match cells by name: same plugins, ` +
        `preset and params)`,
    );
    return values["fail-on-regression"] === true ? 1 : 0;
  }
  return values["fail-on-regression"] === true && cmp.regressedCells > 0 ? 1 : 0;
}
