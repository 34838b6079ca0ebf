/**
 * zswapbench: try zswap designs without building or booting a kernel.
 *
 * zswapbench runs zswap's store and load paths in TypeScript over a simulated physical memory, with
 * real compressors, real page contents and faithful re-implementations of the kernel's zpool
 * allocators (zbud, z3fold, zsmalloc). A matrix of cells (allocator x compressor x workload x
 * load-path strategy x kernel preset x parameters) is run and written as JSON, CSV and reports.
 *
 * This entry point gathers what a script needs:
 * - the plugin contracts ({@linkcode AllocatorPlugin}, {@linkcode CompressorPlugin},
 *   {@linkcode WorkloadPlugin}, {@linkcode StrategyPlugin}) and their `define*` helpers;
 * - {@linkcode createDefaultRegistry} with every built-in plugin, and {@linkcode Registry};
 * - {@linkcode resolveConfig} and {@linkcode runMatrix} to run a matrix, {@linkcode runSession} to
 *   run one into a results folder with reports;
 * - {@linkcode runCell} to run one resolved cell through the zswap frontend;
 * - {@linkcode createArena} and the built-in plugin lists, for tests of your own plugins.
 *
 * Subpaths (`./registry`, `./allocators`, `./compressors`, `./workloads`, `./zswap`, `./bench`,
 * `./cli`) export each folder in full.
 *
 * @example Run a small matrix and print each cell's pool ratio
 * ```ts
 * import { createDefaultRegistry, resolveConfig, runMatrix } from "./mod.ts";
 *
 * const registry = createDefaultRegistry();
 * const config = resolveConfig({
 *   allocators: ["zsmalloc", "zbud"],
 *   compressors: ["lz4"],
 *   workloads: ["mixed"],
 *   params: { pages: 256 },
 *   repetitions: 1,
 *   warmup: 0,
 * });
 * const cells = await runMatrix(config, { registry });
 * for (const cell of cells) console.log(cell.cell, cell.status, cell.pool_ratio);
 * ```
 *
 * @module
 */
export type {
  AllocatorEnv,
  AllocatorPlugin,
  Arena,
  Compressor,
  CompressorPlugin,
  EntryRef,
  Handle,
  LoadContext,
  LoadStrategy,
  MapMode,
  Op,
  Plugin,
  PluginKind,
  PluginPermissions,
  StrategyPlugin,
  Workload,
  WorkloadEnv,
  WorkloadPlugin,
  Zpool,
} from "./registry/types.ts";
export { AllocError, CompressError } from "./registry/types.ts";
export { createDefaultRegistry } from "./builtins/mod.ts";
export {
  defineAllocator,
  defineCompressor,
  defineStrategy,
  defineWorkload,
  Registry,
  RegistryError,
} from "./registry/mod.ts";
export { builtinAllocators, createArena } from "./allocators/mod.ts";
export { builtinCompressors, offloadCompressor } from "./compressors/mod.ts";
export { builtinWorkloads } from "./workloads/mod.ts";
export { builtinStrategies, getPreset, PRESETS } from "./zswap/mod.ts";
export { runCell } from "./builtins/mod.ts";
export type {
  CellCounters,
  CellParams,
  CellPlan,
  CellRun,
  CellTimeline,
  OpRecorder,
} from "./zswap/mod.ts";
export {
  type CellResult,
  compareRuns,
  type LatencyCdf,
  type LatencyReps,
  renderHtml,
  renderMarkdown,
  resolveConfig,
  type ResolvedConfig,
  runMatrix,
  type RunResults,
  runSession,
  writeReports,
} from "./bench/mod.ts";
export { UsageError } from "./registry/errors.ts";
