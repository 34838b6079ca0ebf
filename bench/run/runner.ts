/**
 * The runner: expands a config into cells and runs each one on a fresh arena and pool, timing
 * every store, load and writeback into compact histograms, and turns what the frontend returns
 * into {@linkcode CellResult}s (`cell_result.ts`). Measuring only: formatting is `bench/report/`'s
 * job; the recorder, the timer floor and the statistics are in `bench/measure/`.
 *
 * One cell runs from a serialisable {@linkcode CellSpec} with {@linkcode runCellByName}, so a
 * Worker can run cells too: a {@linkcode CellExecutor} says where cells run (in this process, or
 * in Workers with `bench/run/worker_pool.ts`). A cell that throws becomes `status: "failed"` and the
 * run goes on; a cell whose loads returned wrong bytes (`integrity_failures` > 0) is `failed`
 * too, with its counters kept so the count shows; an aborted run (Ctrl-C) stops after the
 * running cells are abandoned and keeps every finished one.
 *
 * @module
 */
import type { Registry } from "../../registry/registry.ts";
import type { CellPlan } from "../../zswap/cell_types.ts";
import type { ResolvedConfig } from "./config.ts";
import type { BenchEngine } from "./engine.ts";
import { HistogramRecorder } from "../measure/recorder.ts";
import { referenceLoopNs } from "../measure/noise.ts";
import { notOkResult, okResult, type Repetition } from "./cell_result.ts";
import { dataLoss } from "./data_loss.ts";
import type { CellCounters } from "../../zswap/cell_types.ts";
import { type CellSpec, expandMatrix, selectCells } from "./matrix.ts";
import { checkPluginOptions } from "./preflight.ts";
import type { CellResult } from "../results/schema.ts";
import { formatZodIssues, type ZodIssueLike } from "../../registry/schemas.ts";

/** Options of {@linkcode runCellByName}. */
export interface RunCellByNameOptions {
  /** The frontend (default: the zswap frontend of `zswap/`). */
  engine?: BenchEngine;
  /** Abort the cell: the call then rejects with the signal's reason instead of returning. */
  signal?: AbortSignal;
  /** Progress inside the cell, every few hundred milliseconds. */
  onProgress?: (progress: CellProgress) => void;
}

/** How far a running cell is, for the progress line. */
export interface CellProgress {
  /** Operations done over every run of the cell so far (warm-up included). */
  opsDone: number;
  /** Operations of all its runs, once the first run told how many one has; else null. */
  opsTotal: number | null;
}

/**
 * Run one cell from its names, options and params: resolve the plugins, run the warm-up runs
 * (discarded) and the measured repetitions, and summarise. Never throws for a failing cell: a
 * plugin that is unknown or refuses its options, or a frontend error, gives `status: "failed"`.
 *
 * @param spec The cell.
 * @param registry Where the plugin names are looked up.
 * @param options The engine (default the real frontend) and an abort signal.
 * @returns The cell's result.
 * @throws The signal's reason when aborted.
 *
 * @example
 * ```ts ignore
 * const result = await runCellByName(cells[0], createDefaultRegistry());
 * ```
 */
export async function runCellByName(
  spec: CellSpec,
  registry: Registry,
  options: RunCellByNameOptions = {},
): Promise<CellResult> {
  const { signal, onProgress } = options;
  const engine = (await import("./default_engine.ts")).engineOrDefault(options.engine);
  const started = performance.now();
  const reps: Repetition[] = [];
  const runCounters: CellCounters[] = [];
  try {
    const plan: CellPlan = {
      allocator: registry.get("allocator", spec.allocator.name),
      allocatorOptions: spec.allocator.options,
      compressor: registry.get("compressor", spec.compressor.name),
      compressorOptions: spec.compressor.options,
      workload: registry.get("workload", spec.workload.name),
      workloadOptions: spec.workload.options,
      strategy: spec.strategy === null ? undefined : registry.get("strategy", spec.strategy.name),
      strategyOptions: spec.strategy === null ? {} : spec.strategy.options,
      preset: spec.preset,
      params: { ...spec.params },
    };
    const runs = spec.warmup + spec.repetitions;
    let before = 0; // operations of the finished runs
    let perRun: number | null = null; // every run of a cell issues the same operations
    const progress = onProgress === undefined
      ? undefined
      : (ops: number) =>
        onProgress({ opsDone: before + ops, opsTotal: perRun === null ? null : perRun * runs });
    for (let i = 0; i < runs; i++) {
      signal?.throwIfAborted();
      const recorder = new HistogramRecorder();
      // The machine's speed just before the repetition (bench/measure/noise.ts): shown by compare.
      const machineNs = i >= spec.warmup ? referenceLoopNs() : 0;
      const run = await engine.runCell(plan, recorder, { signal, onProgress: progress });
      // Every run counts for data loss (bench/run/data_loss.ts), warm-up runs included.
      runCounters.push(run.counters);
      if (i >= spec.warmup) reps.push({ run, recorder, machineNs });
      perRun ??= run.counters.stores + run.counters.loads + run.counters.invalidates;
      before += perRun;
      progress?.(0);
    }
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    return notOkResult(spec, "failed", errorMessage(err), performance.now() - started);
  }
  return okResult(spec, reps, performance.now() - started, dataLoss(runCounters, spec.warmup));
}

/** Where cells run: in this process ({@linkcode inProcessExecutor}) or in Workers. */
export interface CellExecutor {
  /** How cells are isolated, as the results' environment records it. */
  readonly isolation: "in-process" | "worker" | "process";
  /**
   * Check the options of the cells' plugins before any cell runs (`bench/run/preflight.ts`).
   *
   * @param cells The cells about to run.
   * @returns One line per user mistake; empty when all is well.
   */
  preflight(cells: readonly CellSpec[]): Promise<string[]>;
  /**
   * Run one cell. Never throws for a failing cell (`status` says so).
   *
   * @param spec The cell.
   * @param signal Abandons the cell: the call then rejects with the signal's reason.
   * @returns The cell's result.
   */
  run(
    spec: CellSpec,
    signal?: AbortSignal,
    onProgress?: (progress: CellProgress) => void,
  ): Promise<CellResult>;
}

/**
 * The executor that runs cells in this process with {@linkcode runCellByName}. Fastest (no
 * Worker start-up), but a plugin that hangs hangs the run: for built-in plugins only.
 *
 * @param registry Resolves plugin names.
 * @param engine The frontend (default: the zswap frontend of `zswap/`).
 * @returns The executor.
 *
 * @example
 * ```ts ignore
 * const executor = inProcessExecutor(createDefaultRegistry());
 * const result = await executor.run(cells[0]);
 * ```
 */
export function inProcessExecutor(registry: Registry, engine?: BenchEngine): CellExecutor {
  return {
    isolation: "in-process",
    preflight: (cells) => checkPluginOptions(cells, registry),
    run: (spec, signal, onProgress) =>
      runCellByName(spec, registry, { engine, signal, onProgress }),
  };
}

/** Options of {@linkcode runMatrix}. */
export interface RunMatrixOptions {
  /** Resolves plugin names. */
  registry: Registry;
  /** The frontend (default: the zswap frontend of `zswap/`). */
  engine?: BenchEngine;
  /** Where cells run (default: in this process, with `registry` and `engine`). */
  executor?: CellExecutor;
  /**
   * Cells run at once (default 1). More than one only helps with an executor that runs cells in
   * Workers; parallel cells disturb each other's latencies.
   */
  jobs?: number;
  /** Stop after abandoning the running cells (Ctrl-C). */
  signal?: AbortSignal;
  /** Cell names to skip (already finished, for `--resume`). */
  skip?: ReadonlySet<string>;
  /**
   * The config's whole matrix when the caller has expanded it already (`runSession` has), so it
   * is expanded once per run; default: expanded here.
   */
  matrix?: readonly CellSpec[];
  /**
   * Called with the cells about to run, once, before the first.
   *
   * @param cells The selected cells.
   */
  onPlan?(cells: readonly CellSpec[]): void;
  /**
   * Called before each cell.
   *
   * @param spec The cell.
   * @param position 0-based position among the selected cells.
   */
  onCellStart?(spec: CellSpec, position: number): void;
  /**
   * Called every few hundred milliseconds while a cell runs (in-process executor only).
   *
   * @param spec The cell.
   * @param progress Operations done and, once known, in total.
   */
  onCellProgress?(spec: CellSpec, progress: CellProgress): void;
  /**
   * Called as each cell finishes (write its JSONL line here). Calls never overlap, and each is
   * awaited before its lane takes the next cell.
   *
   * @param result The result.
   * @param spec The cell.
   */
  onCell?(result: CellResult, spec: CellSpec): void | Promise<void>;
}

/**
 * Run every selected cell of a config: one after the other, or `jobs` at a time.
 *
 * @param config The resolved config (its filter and shard select the cells).
 * @param options Registry, engine, executor, jobs, abort signal, skip list and callbacks.
 * @returns The results of the cells that finished, in matrix order (fewer than selected when
 *   aborted: check `options.signal.aborted`).
 * @throws {RegistryError} Or {@linkcode ConfigError} for unknown names, before any cell runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDefaultRegistry } from "../../builtins/mod.ts";
 * import { resolveConfig } from "./config.ts";
 * import { runMatrix } from "./runner.ts";
 * const config = resolveConfig({ allocators: ["zbud"], params: { pages: 64 }, repetitions: 1 });
 * const cells = await runMatrix(config, { registry: createDefaultRegistry() });
 * assert.ok(cells.every((c) => c.integrity_failures === 0));
 * ```
 */
export async function runMatrix(
  config: ResolvedConfig,
  options: RunMatrixOptions,
): Promise<CellResult[]> {
  const { registry, signal } = options;
  const engine = (await import("./default_engine.ts")).engineOrDefault(options.engine);
  const all = options.matrix ?? expandMatrix(config, { registry, engine });
  const cells = selectCells(all, {
    filter: config.filter,
    shard: config.shard,
    skip: options.skip,
  });
  options.onPlan?.(cells);
  const executor = options.executor ?? inProcessExecutor(registry, engine);
  const jobs = Math.max(1, Math.floor(options.jobs ?? 1));
  const results: CellResult[] = [];
  let next = 0;
  let stop = false;
  let callbacks: Promise<void> = Promise.resolve();
  const lane = async (): Promise<void> => {
    while (!stop && next < cells.length) {
      if (signal?.aborted) break;
      const i = next++;
      const spec = cells[i];
      options.onCellStart?.(spec, i);
      let result: CellResult;
      try {
        result = await executor.run(
          spec,
          signal,
          options.onCellProgress && ((p) => options.onCellProgress!(spec, p)),
        );
      } catch (err) {
        stop = true;
        if (signal?.aborted) break;
        throw err;
      }
      results.push(result);
      // One callback at a time, in the order cells finish: JSONL lines never interleave.
      callbacks = callbacks.then(() => options.onCell?.(result, spec));
      await callbacks;
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, cells.length) }, lane));
  return results.sort((a, b) => a.index - b.index);
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const issues = (err as { issues?: unknown }).issues;
    if (err.name === "ZodError" && Array.isArray(issues)) {
      // The options are not at hand here: name what is wrong, not the value.
      return `Invalid options: ${
        formatZodIssues(issues as ZodIssueLike[], undefined, { quoteValues: false })
      }`;
    }
    const generic = err.name === "Error" || err.message.startsWith(err.name);
    return generic ? err.message : `${err.name}: ${err.message}`;
  }
  return String(err);
}
