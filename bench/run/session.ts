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
import type { CellSpec } from "./matrix.ts";
import { userFileOp } from "../results/io.ts";
import { oneLine } from "../results/text.ts";
import { Progress } from "./progress.ts";
import {
  type CellResult,
  type Environment,
  type JsonlHeader,
  RESULTS_SCHEMA_VERSION,
  type RunPart,
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
  /** How its earlier parts ran (from `readJsonl`); default: one part from the header. */
  parts?: RunPart[];
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
  /** With `resume`: run the cells that crashed again (`--retry-crashed`). */
  retryCrashed?: boolean;
  /**
   * Content hashes of the tool and of each plugin module (`bench/run/hashes.ts`): recorded in the
   * header of a new run; a resume refuses a run whose hashes differ.
   */
  hashes?: { tool: string; plugins: Record<string, string> };
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
  const jsonlPath = join(outDir, RESULT_FILES.jsonl);
  if (resume) checkResume(resume, all, jsonlPath, options.hashes);
  // A crashed cell is finished unless asked again (--retry-crashed).
  const done = new Set(
    (resume?.cells ?? []).filter((c) => !(options.retryCrashed && c.status === "crashed"))
      .map((c) => c.cell),
  );
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
  const execution = {
    jobs,
    cell_isolation: executor.isolation,
    cell_timeout_s: options.cellTimeoutS ?? null,
  };
  const thisPart: RunPart = {
    started_at: new Date().toISOString(),
    jobs,
    cell_isolation: executor.isolation,
    cell_timeout_s: options.cellTimeoutS ?? null,
    cells: [],
  };
  let environment: Environment;
  let writer: JsonlWriter;
  if (resume) {
    environment = { ...resume.header.environment };
    writer = await JsonlWriter.openAppend(jsonlPath);
  } else {
    await userFileOp(`Cannot create results directory ${outDir}`, async () => {
      const stat = await Deno.stat(outDir).catch(() => null);
      if (stat !== null && !stat.isDirectory) {
        throw new UsageError(`--out ${outDir}: not a directory (name a directory for the results)`);
      }
      await Deno.mkdir(outDir, { recursive: true });
    });
    if (await exists(jsonlPath)) {
      throw new UsageError(
        `Directory ${outDir} already holds a run (use --resume ${outDir} to continue it, or another --out)`,
      );
    }
    environment = {
      ...await collectEnvironment(),
      ...execution,
      ...(options.hashes
        ? { tool_hash: options.hashes.tool, plugin_hashes: options.hashes.plugins }
        : {}),
    };
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
        // A resume starts a part line before its first cell: the cells after it ran this way.
        if (resume && fresh.length === 0) {
          const { cells: _c, ...line } = thisPart;
          await writer.appendPart({ type: "part", ...line });
        }
        fresh.push(result);
        thisPart.cells.push(result.index);
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
  const rerun = new Set(fresh.map((c) => c.index));
  const parts = [
    ...(resume
      ? earlierParts(resume).map((p) => ({ ...p, cells: p.cells.filter((i) => !rerun.has(i)) }))
      : []),
    thisPart,
  ].filter((p, i, a) => p.cells.length > 0 || i === a.length - 1);
  const results: RunResults = {
    schema_version: RESULTS_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    environment: { ...environment, ...summarizeParts(parts), ended_at: new Date().toISOString() },
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

/** The parts of a resumed run before this session. */
function earlierParts(resume: ResumeState): RunPart[] {
  if (resume.parts !== undefined) return resume.parts;
  const env = resume.header.environment;
  const iso = env.cell_isolation;
  return [{
    started_at: env.started_at,
    jobs: env.jobs ?? 1,
    cell_isolation: iso === "worker" || iso === "process" ? iso : "in-process",
    cell_timeout_s: env.cell_timeout_s ?? null,
    cells: resume.cells.map((c) => c.index),
  }];
}

/**
 * The environment's execution fields over every part: the largest job count (parallel cells in
 * any part disturb latencies), `mixed` isolation when the parts differ, no timeout when any part
 * had none, and the parts themselves.
 */
function summarizeParts(parts: RunPart[]): Partial<Environment> {
  const isolations = new Set(parts.map((p) => p.cell_isolation));
  const timeouts = parts.map((p) => p.cell_timeout_s);
  return {
    jobs: Math.max(...parts.map((p) => p.jobs)),
    cell_isolation: isolations.size === 1 ? parts[0].cell_isolation : "mixed",
    cell_timeout_s: timeouts.includes(null) ? null : Math.max(...(timeouts as number[])),
    ...(parts.length > 1 ? { parts } : {}),
  };
}

/**
 * What `--resume` joins must belong: each finished cell a cell of the run's config at its index,
 * and the tool and plugin modules those cells were made with unchanged.
 */
function checkResume(
  resume: ResumeState,
  all: readonly CellSpec[],
  file: string,
  hashes: SessionOptions["hashes"],
): void {
  const byName = new Map(all.map((c) => [c.cell, c.index]));
  for (const c of resume.cells) {
    const index = byName.get(c.cell);
    if (index === undefined) {
      throw new UsageError(
        `Results file ${file}: cell ${
          oneLine(c.cell, 200)
        } is not a cell of the run's config (was the file edited or joined with another run?)`,
      );
    }
    if (index !== c.index) {
      throw new UsageError(
        `Results file ${file}: cell ${
          oneLine(c.cell, 200)
        } has index ${c.index}, but the run's config puts it at ${index}`,
      );
    }
  }
  const env = resume.header.environment;
  if (hashes === undefined) return;
  if (env.tool_hash !== undefined && env.tool_hash !== hashes.tool) {
    throw new UsageError(
      `Results file ${file}: zswapbench's source changed since the run began (its content hash differs); its cells cannot be joined with new ones: start a new run`,
    );
  }
  for (const [spec, hash] of Object.entries(env.plugin_hashes ?? {})) {
    const now = hashes.plugins[spec];
    if (now !== undefined && now !== hash) {
      throw new UsageError(
        `Results file ${file}: plugin module ${spec} changed since the run began (its content hash differs); its cells cannot be joined with new ones: start a new run`,
      );
    }
  }
}
