/**
 * The zswap frontend: store, load, invalidate and writeback over a simulated pool, with the
 * load-path strategies the kernel went through and presets for each kernel version.
 *
 * - {@linkcode runCellIn} runs one cell of the matrix on the arena it is handed and returns its
 *   counters (`runCell()` of the package makes the arena too).
 * - {@linkcode builtinStrategies}: `sleep-mapped`, `bounce-alloc`, `trylock-bounce`,
 *   `percpu-buffer`, `async-only-copy`, `read-begin`, `sg-read`.
 * - {@linkcode PRESETS} / {@linkcode getPreset}: `5.10`, `5.11`, `5.12`, `6.1`, `6.8`, `6.12`,
 *   `6.18`, `latest`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { builtinStrategies, getPreset } from "./mod.ts";
 * assert.ok(builtinStrategies.some((s) => s.name === getPreset("6.8").strategy));
 * ```
 *
 * @module
 */

export { runCellIn } from "./run_cell.ts";
export type { RunCellOptions } from "./run_cell.ts";
export {
  asyncOnlyCopyStrategy,
  bounceAllocStrategy,
  builtinStrategies,
  percpuBufferStrategy,
  readBeginStrategy,
  sgReadStrategy,
  sleepMappedStrategy,
  trylockBounceStrategy,
} from "./strategies.ts";
export type { BounceAllocOptions } from "./strategies.ts";
export { canPoolAccept, getPreset, isPoolFull, poolLimits, PRESETS } from "./presets.ts";
export type {
  DuplicateRule,
  KernelPreset,
  LimitRule,
  PoolLimits,
  PresetZsmallocOptions,
  ShrinkGoal,
} from "./presets.ts";
export type {
  CellCounters,
  CellParams,
  CellPlan,
  CellRun,
  CellTimeline,
  CounterName,
  OpRecorder,
} from "./cell_types.ts";
export {
  ATOMIC_COUNTERS,
  COUNTER_NAMES,
  KERNEL_COUNTERS,
  OP_COUNTERS,
  SIZE_COUNTERS,
} from "./cell_types.ts";
export {
  callCostNs,
  type CodecCost,
  type CodecCosts,
  codecCosts,
  type CostModel,
  type CostModelInput,
  type CostTable,
  DEFAULT_COST_TABLE,
  resolveCostModel,
} from "./cost_model.ts";
