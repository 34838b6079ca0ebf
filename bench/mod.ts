/**
 * The bench: config, matrix, runner, statistics, results files and reports.
 *
 * - {@linkcode resolveConfig} checks a config (zod, strict) and fills the defaults.
 * - {@linkcode expandMatrix} / {@linkcode selectCells} give the cells, with stable names and
 *   indices (for `--filter` and `--shard`).
 * - {@linkcode runMatrix} runs them; {@linkcode runCellByName} runs one cell from a serialisable
 *   {@linkcode CellSpec}. A {@linkcode CellExecutor} says where: {@linkcode inProcessExecutor},
 *   or {@linkcode createWorkerExecutor} (a Worker per cell with narrowed Deno permissions and a
 *   timeout; plugin modules loaded with {@linkcode loadPluginsIsolated} run only there).
 * - {@linkcode runSession} runs into a results directory (JSONL as cells finish, JSON, CSV,
 *   reports), resumable.
 * - {@linkcode Histogram}: the compact latency histogram behind every percentile.
 * - {@linkcode CellResult}, {@linkcode CSV_COLUMNS}, {@linkcode RunResults}: the result format
 *   (DESIGN §6); `bench/results/schema.ts` also holds their zod schemas.
 *
 * @example
 * ```ts ignore
 * import { createDefaultEngine, resolveConfig, runMatrix } from "./mod.ts";
 * import { createDefaultRegistry } from "../builtins/mod.ts";
 * const cells = await runMatrix(resolveConfig({ allocators: ["zsmalloc"] }, { quick: true }), {
 *   registry: createDefaultRegistry(),
 *   engine: createDefaultEngine(),
 * });
 * console.log(cells[0].pool_ratio);
 * ```
 *
 * @module
 */
export { configJsonSchema, readConfigFile } from "./run/config_file.ts";
export {
  checkConfig,
  compileFilter,
  ConfigError,
  type ConfigInput,
  type CostModelParam,
  DEFAULTS,
  MAX_CPUS,
  MAX_PAGES,
  MAX_TASKS,
  PAGE_SIZES,
  type ParamsInput,
  type PluginRef,
  type PluginRefInput,
  QUICK,
  resolveConfig,
  type ResolveConfigOptions,
  type ResolvedConfig,
  type ResolvedParams,
  type Shard,
} from "./run/config.ts";
export {
  type CellSpec,
  expandMatrix,
  label,
  type MatrixContext,
  paramCombinations,
  paramsLabel,
  parseShard,
  selectCells,
  type SelectOptions,
} from "./run/matrix.ts";
export { cv, median } from "./measure/stats.ts";
export { HistogramRecorder } from "./measure/recorder.ts";
export { measureTimerFloor, type TimerFloor } from "./measure/timer_floor.ts";
export { deriveRatios, notOkResult } from "./run/cell_result.ts";
export {
  type CellExecutor,
  type CellProgress,
  inProcessExecutor,
  runCellByName,
  type RunCellByNameOptions,
  runMatrix,
  type RunMatrixOptions,
} from "./run/runner.ts";
export {
  cellReadPaths,
  createWorkerExecutor,
  DEFAULT_CELL_TIMEOUT_S,
  loadPluginsIsolated,
  PLUGIN_LOAD_TIMEOUT_S,
  type WorkerExecutorOptions,
} from "./run/worker_pool.ts";
export { checkPluginOptions } from "./run/preflight.ts";
export {
  Histogram,
  HISTOGRAM_SUB_BUCKET_BITS,
  type HistogramSummary,
} from "./measure/histogram.ts";
export {
  type CellResult,
  type CellResultColumns,
  type CounterColumns,
  CSV_COLUMNS,
  type Environment,
  type Flat,
  type JsonlHeader,
  type LatencyCdf,
  type LatencyReps,
  OBJECT_COLUMNS,
  RESULTS_SCHEMA_VERSION,
  type RunPart,
  type RunResults,
  type Tool,
} from "./results/schema.ts";
export {
  csvField,
  formatSummaryTable,
  type JsonlContents,
  type JsonlPartLine,
  JsonlWriter,
  parseCsv,
  readJsonl,
  readResultsJson,
  RESULT_FILES,
  toCsv,
  writeAtomic,
  writeResultsFiles,
} from "./results/files.ts";
export { collectEnvironment, TOOL_NAME, TOOL_VERSION } from "./run/environment.ts";
export { formatDuration, Progress, type ProgressOptions } from "./run/progress.ts";
export {
  defaultOutDir,
  exitCodeOf,
  type ResumeState,
  runSession,
  type SessionOptions,
  type SessionOutcome,
} from "./run/session.ts";
export type { BenchEngine, RunCellOptions } from "./run/engine.ts";
export type {
  CellCounters,
  CellParams,
  CellPlan,
  CellRun,
  OpRecorder,
} from "../zswap/cell_types.ts";
export { createDefaultEngine } from "./run/default_engine.ts";
export { type MergeInput, type MergeOptions, mergeRuns, readRunDir } from "./cli/merge.ts";
export { UsageError } from "../registry/errors.ts";
export {
  type CellComparison,
  type CompareOptions,
  compareRuns,
  type Comparison,
  formatComparison,
  machineDifferences,
  type MetricChange,
} from "./cli/compare.ts";
export {
  type ReadRunResults,
  readRunResults,
  renderHtml,
  renderMarkdown,
  writeReports,
} from "./report/mod.ts";
