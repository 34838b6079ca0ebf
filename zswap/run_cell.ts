/**
 * `runCellIn()`: run one cell of the matrix through the zswap frontend on the arena it is handed:
 * a fresh pool, a compressor instance, a workload stream, the load strategy and the kernel
 * preset's rules. The arena comes from the caller (the bench runner, or `runCell()` of
 * `builtins/`), so the frontend depends on the contracts only.
 *
 * @module
 */

import type { Arena, Compressor, StrategyPlugin, Workload } from "../registry/types.ts";
import type { CellParams, CellPlan, CellRun, OpRecorder } from "./cell_types.ts";
import { cryptoCompStrategy } from "./_crypto_comp.ts";
import { Frontend } from "./_frontend.ts";
import { getPreset, type KernelPreset } from "./presets.ts";
import { builtinStrategies } from "./strategies.ts";

/**
 * The objects of the cell that ran last. V8 throws away optimised code when the last object of a
 * hidden class it was specialised on is collected, and a cell makes one frontend, one pool, one
 * codec, one workload: a collection between two cells would send every cell back to unoptimised
 * code (`deno task perf` measured stores 30% slower with a full collection between 4096-page
 * cells). Holding the last cell's objects until the next cell has made its own keeps those hidden
 * classes alive. Its pool stays readable until then; its arena's memory is given back when the
 * next cell starts (or by {@linkcode releaseLastCell}).
 */
let lastCell: { arena: Arena; objects: unknown[] } | null = null;

/**
 * Give back the simulated RAM of the last cell `runCell()` ran, which it keeps (with the cell's
 * pool, codec and workload objects) until the next cell starts; its pool cannot be read after
 * this. Memory measurements call it before their baseline reading.
 *
 * @example
 * ```ts
 * import { releaseLastCell } from "./run_cell.ts";
 * releaseLastCell();
 * ```
 */
export function releaseLastCell(): void {
  lastCell?.arena.release?.();
}

/** Options of {@linkcode runCell}. */
export interface RunCellOptions {
  /** Aborts the cell: `runCell` rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Called every few hundred milliseconds with the operations done so far (between operations).
   *
   * @param opsDone Operations done in this run.
   */
  onProgress?(opsDone: number): void;
  /** Called after every op with the pool's pages and the entries stored (see `FrontendSetup`). */
  afterOp?: (poolPages: number, storedPages: number) => void;
}

/**
 * Run one cell on `arena`: execute the workload's operations through the zswap frontend with the
 * plan's allocator, compressor, load strategy (the preset's own when the plan has none) and kernel
 * preset, timing each store and load, and return the counters. For an allocator that lets the
 * preset set its classes (`presetSettable.classOptions`: zsmalloc) the preset's class rule and
 * chain size are merged under the plan's allocator options, and the preset's codec settings
 * (`codecOptions`) under the compressor options (the user's win).
 *
 * @param arena A fresh arena for the cell's pool (`createArena()` of `allocators/`), its page
 * limit the cell's RAM; the cell owns it from here on.
 * @param plan The cell, plugins resolved.
 * @param recorder Receives each store, load and writeback latency (ns) as it is measured.
 * @param options `signal` to abort.
 * @returns The strategy that ran, the counters, the first violation sites, allocator stats.
 * @throws {Error} An unknown preset; strict mode's first sleep in atomic context; an abort; bad
 * plugin options (from the plugins' `create()`).
 *
 * @example
 * ```ts ignore
 * import { runCellIn } from "./run_cell.ts";
 * const run = await runCellIn(arena, plan, { store() {}, load() {}, writeback() {} });
 * console.log(run.counters.pool_pages, run.counters.integrity_failures);
 * ```
 */
export async function runCellIn(
  arena: Arena,
  plan: CellPlan,
  recorder: OpRecorder,
  options: RunCellOptions = {},
): Promise<CellRun> {
  const signal = options.signal;
  signal?.throwIfAborted();
  const preset = getPreset(plan.preset);
  const params = plan.params;
  checkParams(params);

  const strategyPlugin = plan.strategy ?? presetStrategy(preset);
  const strategy = strategyPlugin.create(
    mergeOptions(
      preset.strategyOptions[strategyPlugin.name],
      plan.strategy ? plan.strategyOptions : undefined,
    ),
  );

  if (arena.pageSize !== params.pageSize) {
    throw new RangeError(
      `The arena has ${arena.pageSize}-byte pages, the cell ${params.pageSize}-byte pages`,
    );
  }
  // mm/z3fold.c: compaction after a free runs from a workqueue (`queued`, drained by the store).
  const allocatorOptions = plan.allocator.presetSettable?.classOptions === true
    ? mergeOptions(preset.zsmallocOptions, plan.allocatorOptions)
    : plan.allocator.name === "z3fold"
    ? mergeOptions({ compaction: "queued" }, plan.allocatorOptions)
    : plan.allocatorOptions;
  const pool = plan.allocator.create({
    arena,
    pageSize: params.pageSize,
    cpus: params.cpus,
    options: allocatorOptions,
  });

  let compressor: Compressor | undefined;
  let workload: Workload | undefined;
  try {
    // The kernel's codec settings (e.g. zstd's parameters from 6.15), under the user's options.
    compressor = await plan.compressor.create(
      mergeOptions(preset.codecOptions[plan.compressor.name], plan.compressorOptions),
    );
    workload = await plan.workload.create({
      pageSize: params.pageSize,
      seed: params.seed,
      pages: params.pages,
      options: plan.workloadOptions,
    });
    const frontend = new Frontend({
      preset,
      params,
      pool,
      allocatorName: plan.allocator.name,
      allocatorPresetSettable: plan.allocator.presetSettable,
      poolSleepMapped: plan.allocator.sleepMapped,
      compressor,
      compressorAsync: plan.compressor.async,
      codecName: workload.codec ?? plan.compressor.name,
      workload,
      strategy,
      strategyName: strategyPlugin.name,
      recorder,
      signal,
      arena,
      onProgress: options.onProgress,
      afterOp: options.afterOp,
    });
    releaseLastCell();
    lastCell = null; // this cell's objects now keep the hidden classes alive
    await frontend.run();
    const { counters, violationSites } = frontend.result();
    const { timeline, allocatorStatsAtHw } = frontend.shape();
    const allocatorStats = pool.stats();
    frontend.release();
    lastCell = { arena, objects: [frontend, pool, compressor, workload, recorder] };
    return {
      strategy: strategyPlugin.name,
      timeModel: frontend.timeModel,
      counters,
      violationSites,
      allocatorStats,
      allocatorStatsAtHw,
      timeline,
    };
  } finally {
    workload?.close?.();
    await compressor?.close?.();
  }
}

/** The plugin of a preset's default strategy. */
function presetStrategy(preset: KernelPreset): StrategyPlugin {
  if (preset.strategy === cryptoCompStrategy.name) return cryptoCompStrategy;
  const found = builtinStrategies.find((s) => s.name === preset.strategy);
  if (found === undefined) {
    throw new Error(`Kernel preset "${preset.name}" names unknown strategy "${preset.strategy}"`);
  }
  return found;
}

/** Defaults under the user's options when both are plain objects; else the user's as given. */
function mergeOptions(defaults: object | undefined, user: unknown): unknown {
  if (defaults === undefined) return user;
  if (user === undefined || user === null) return { ...defaults };
  if (typeof user !== "object" || Array.isArray(user)) return user;
  return { ...defaults, ...user };
}

function checkParams(p: CellParams): void {
  const positive: [string, number][] = [
    ["cpus", p.cpus],
    ["tasks", p.tasks],
    ["pageSize", p.pageSize],
    ["totalRamPages", p.totalRamPages],
  ];
  for (const [name, value] of positive) {
    if (!Number.isInteger(value) || value < 1) {
      throw new RangeError(`Cell parameter ${name} is ${value}, not a positive integer`);
    }
  }
  if (!(p.bounceFailRate >= 0 && p.bounceFailRate <= 1)) {
    throw new RangeError(`Cell parameter bounceFailRate is ${p.bounceFailRate}, not within 0..1`);
  }
  if (!(p.maxPoolPercent >= 0) || !(p.acceptThresholdPercent >= 0)) {
    throw new RangeError(
      `Pool percentages must not be negative (max ${p.maxPoolPercent}, accept ${p.acceptThresholdPercent})`,
    );
  }
}
