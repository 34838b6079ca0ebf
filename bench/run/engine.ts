/**
 * The bench engine: what the runner needs from the zswap frontend (run one cell, know the kernel
 * presets). The default one is the real frontend of `zswap/`; tests pass fakes.
 *
 * @module
 */
import type { CellPlan, CellRun, OpRecorder } from "../../zswap/cell_types.ts";

/** Options of {@linkcode BenchEngine.runCell}. */
export interface RunCellOptions {
  /** Abort the cell (Ctrl-C); the frontend stops at its next operation and throws. */
  signal?: AbortSignal;
  /**
   * Called every few hundred milliseconds inside a run with the operations done so far, between
   * operations (never inside a timed one).
   *
   * @param opsDone Operations (stores, loads, invalidates) done in this run.
   */
  onProgress?(opsDone: number): void;
}

/** The frontend as the runner sees it. */
export interface BenchEngine {
  /** Known kernel preset names, in version order. */
  readonly presetNames: readonly string[];
  /**
   * The load-path strategy a preset runs when none is asked for.
   *
   * @param preset A name from `presetNames`.
   * @returns The strategy's name.
   */
  presetStrategy(preset: string): string;
  /**
   * Execute one cell: a fresh arena and pool, the workload's ops through zswap.
   *
   * @param plan The cell with its plugins resolved.
   * @param recorder Receives each operation's latency.
   * @param options Abort signal.
   * @returns The counters and what ran.
   */
  runCell(plan: CellPlan, recorder: OpRecorder, options?: RunCellOptions): Promise<CellRun>;
}
