/**
 * One bench run into a results directory: run the selected cells, append each to
 * `results.jsonl` as it finishes, then write `results.json`, `results.csv` and the reports for
 * every finished cell — also when the run is aborted (Ctrl-C) or resumed.
 *
 * @module
 */
import { join, resolve } from "node:path";
import type { Registry } from "../../registry/registry.ts";
import { writeReports } from "../report/mod.ts";
import type { ResolvedConfig } from "./config.ts";
import type { BenchEngine } from "./engine.ts";
import { collectEnvironment, TOOL_NAME, TOOL_VERSION } from "./environment.ts";
import { UsageError } from "../../registry/errors.ts";
import { expandMatrix, selectCells } from "./matrix.ts";
import {
  formatSummaryTable,
  JsonlWriter,
  RESULT_FILES,
  writeResultsFiles,
} from "../results/files.ts";
import { Progress } from "./progress.ts";
import {
  type CellResult,
  type Environment,
  type JsonlHeader,
  RESULTS_SCHEMA_VERSION,
  type RunResults,
} from "../results/schema.ts";
import { type CellExecutor, inProcessExecutor, runMatrix } from "./runner.ts";
import { exists } from "../results/files.ts";

/** A run to continue: what its `results.jsonl` holds. */
export interface ResumeState {
  /** The header of the interrupted run (its environment is kept, `ended_at` updated). */
  header: JsonlHeader;
  /** Its finished cells. */
  cells: CellResult[];
}

/** Options of {@linkcode runSession}. */
export interface SessionOptions {
  /** The resolved config. */
  config: ResolvedConfig;
  /** Plugins (external modules already loaded). */
  registry: Registry;
  /** The frontend. */
  engine: BenchEngine;
  /** Where cells run (default: in this process; see `bench/run/worker_pool.ts` for Workers). */
  executor?: CellExecutor;
  /** Cells run at once (default 1; recorded in the environment, and the reports warn). */
  jobs?: number;
  /** The Worker timeout in seconds, recorded in the environment (null: none). */
  cellTimeoutS?: number | null;
  /** The results directory (created if needed). */
  outDir: string;
  /** Continue this run instead of starting one: its cells are skipped and kept. */
  resume?: ResumeState;
  /** Stop after the running cell (Ctrl-C); finished cells are kept and written. */
  signal?: AbortSignal;
  /** No progress line and no summary table. */
  quiet?: boolean;
  /** Show the progress line (default: stderr is a terminal, unless quiet). */
  progress?: boolean;
  /** Write `report.md` and `report.html` (default true). */
  reports?: boolean;
  /** Where the summary goes (default `console.log`). */
  print?: (text: string) => void;
}

/** What {@linkcode runSession} did. */
export interface SessionOutcome {
  /** Everything written to `results.json`. */
  results: RunResults;
  /** Cells run by this session (not counting resumed ones). */
  ran: number;
  /** True when the signal stopped the run early. */
  interrupted: boolean;
  /** 130 when interrupted, 1 when a cell failed or had integrity failures, else 0. */
  exitCode: number;
}

/**
 * Run a config into a results directory.
 *
 * @param options Config, plugins, engine, directory, resume state and output switches.
 * @returns The results and the exit code.
 * @throws {UsageError} When the filter selects no cell, a plugin refuses its options (checked
 *   before the first cell: `bench/run/preflight.ts`), or the directory already holds a run (and this
 *   is not a resume).
 *
 * @example
 * ```ts ignore
 * const { exitCode } = await runSession({ config, registry, engine, outDir: "results/x" });
 * ```
 */
export async function runSession(options: SessionOptions): Promise<SessionOutcome> {
  const { config, registry, engine, outDir, resume, signal } = options;
  const executor = options.executor ?? inProcessExecutor(registry, engine);
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
  const print = options.print ?? ((t: string) => console.log(t));
  const all = expandMatrix(config, { registry, engine });
  const done = new Set((resume?.cells ?? []).map((c) => c.cell));
  const selected = selectCells(all, { filter: config.filter, shard: config.shard });
  if (selected.length === 0 && config.filter !== null && all.length > 0) {
    throw new UsageError(
      `Filter "${config.filter}" matches none of the ${all.length} cells (cell names look like "${
        all[0].cell
      }")`,
    );
  }
  const problems = await executor.preflight(selected.filter((c) => !done.has(c.cell)));
  if (problems.length > 0) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : "";
    throw new UsageError(`${problems[0]}${more}`);
  }
  const jsonlPath = join(outDir, RESULT_FILES.jsonl);
  const execution = {
    jobs,
    cell_isolation: executor.isolation,
    cell_timeout_s: options.cellTimeoutS ?? null,
  };
  let environment: Environment;
  let writer: JsonlWriter;
  if (resume) {
    // Parallel cells in either part of the run disturb latencies: keep the larger job count.
    const before = resume.header.environment.jobs ?? 1;
    environment = { ...resume.header.environment, ...execution, jobs: Math.max(before, jobs) };
    writer = await JsonlWriter.openAppend(jsonlPath);
  } else {
    await Deno.mkdir(outDir, { recursive: true });
    if (await exists(jsonlPath)) {
      throw new UsageError(
        `Directory ${outDir} already holds a run (use --resume ${outDir} to continue it, or another --out)`,
      );
    }
    environment = { ...await collectEnvironment(), ...execution };
    writer = await JsonlWriter.create(jsonlPath, {
      type: "header",
      schema_version: RESULTS_SCHEMA_VERSION,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      environment,
      config: config as unknown as Record<string, unknown>,
    });
  }

  const todo = selected.filter((c) => !done.has(c.cell)).length;
  const progress = new Progress(todo, {
    enabled: options.quiet ? false : options.progress,
  });
  const fresh: CellResult[] = [];
  try {
    await runMatrix(config, {
      registry,
      engine,
      executor,
      jobs,
      signal,
      skip: done,
      matrix: all,
      onCellStart: (spec) => progress.start(spec.cell),
      onCellProgress: (spec, p) => progress.inCell(spec.cell, p.opsDone, p.opsTotal),
      onCell: async (result) => {
        fresh.push(result);
        progress.done();
        await writer.append(result);
      },
    });
  } finally {
    progress.clear();
    writer.close();
  }

  const byName = new Map<string, CellResult>();
  for (const c of [...(resume?.cells ?? []), ...fresh]) byName.set(c.cell, c);
  const cells = [...byName.values()].sort((a, b) => a.index - b.index);
  const results: RunResults = {
    schema_version: RESULTS_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    environment: { ...environment, ended_at: new Date().toISOString() },
    config: config as unknown as Record<string, unknown>,
    cells,
  };
  await writeResultsFiles(outDir, results);
  if (options.reports !== false) await writeReports(outDir, results);

  const interrupted = signal?.aborted === true && cells.length < selected.length;
  if (!options.quiet) {
    if (cells.length > 0) print(formatSummaryTable(cells));
    const skipped = resume ? `, ${resume.cells.length} from the earlier run` : "";
    print(
      `\n${cells.length} of ${selected.length} cells${skipped}${
        interrupted ? " (interrupted)" : ""
      }; results in ${resolve(outDir)}/ (results.json, results.csv, results.jsonl${
        options.reports !== false ? ", report.md, report.html" : ""
      })`,
    );
    if (interrupted) print(`Continue with: deno task bench --resume ${resolve(outDir)}`);
  }
  return { results, ran: fresh.length, interrupted, exitCode: exitCodeOf(cells, interrupted) };
}

/**
 * The exit status of a run: 130 interrupted, 1 when a cell is not ok or had integrity failures,
 * else 0.
 *
 * @param cells The run's cells.
 * @param interrupted Whether Ctrl-C stopped it.
 * @returns The status.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exitCodeOf } from "./session.ts";
 * assert.equal(exitCodeOf([], false), 0);
 * ```
 */
export function exitCodeOf(cells: readonly CellResult[], interrupted: boolean): number {
  if (interrupted) return 130;
  const bad = cells.some((c) => c.status !== "ok" || (c.integrity_failures ?? 0) > 0);
  return bad ? 1 : 0;
}

/**
 * The default results directory: `results/<UTC timestamp>/`, e.g.
 * `results/2026-03-01T12-30-05Z`.
 *
 * @param now The time (default now).
 * @returns The path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defaultOutDir } from "./session.ts";
 * assert.equal(defaultOutDir(new Date(0)), "results/1970-01-01T00-00-00Z");
 * ```
 */
export function defaultOutDir(now: Date = new Date()): string {
  return `results/${now.toISOString().replace(/\.\d+Z$/, "Z").replaceAll(":", "-")}`;
}
