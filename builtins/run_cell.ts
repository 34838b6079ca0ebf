/**
 * `runCell()`: one cell of the matrix as the bench runs it. It makes the cell's arena (simulated
 * RAM of `totalRamPages` pages, from `allocators/`) and hands it to the frontend's
 * `runCellIn()`; the frontend itself knows only the `Arena` contract.
 *
 * @module
 */

import { createArena } from "../allocators/arena.ts";
import type { Arena } from "../registry/types.ts";
import type { CellParams, CellPlan, CellRun, OpRecorder } from "../zswap/cell_types.ts";
import { runCellIn, type RunCellOptions } from "../zswap/run_cell.ts";

/**
 * The arena of one cell: pages of the cell's size, at most its RAM. The pool limit is zswap's;
 * the arena only stops a pool from outgrowing RAM.
 *
 * @param params The cell's parameters (`pageSize`, `totalRamPages`).
 * @returns A fresh, empty arena.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createCellArena } from "./run_cell.ts";
 * assert.equal(createCellArena({ pageSize: 4096, totalRamPages: 8 }).limitPages, 8);
 * ```
 */
export function createCellArena(params: Pick<CellParams, "pageSize" | "totalRamPages">): Arena {
  return createArena(params.pageSize, { limitPages: Math.max(1, params.totalRamPages) });
}

/**
 * Run one cell on a fresh arena ({@linkcode createCellArena}): the workload's operations through
 * the zswap frontend with the plan's plugins and kernel preset, each store and load timed; see
 * `runCellIn()` of `zswap/` for the rules.
 *
 * @param plan The cell, plugins resolved.
 * @param recorder Receives each store, load and writeback latency (ns) as it is measured.
 * @param options `signal` to abort.
 * @returns The strategy that ran, the counters, the first violation sites, allocator stats.
 * @throws {Error} An unknown preset; strict mode's first sleep in atomic context; an abort; bad
 * plugin options (from the plugins' `create()`).
 *
 * @example
 * ```ts ignore
 * import { runCell } from "./run_cell.ts";
 * const run = await runCell(plan, { store() {}, load() {}, writeback() {} });
 * console.log(run.counters.pool_pages, run.counters.integrity_failures);
 * ```
 */
export function runCell(
  plan: CellPlan,
  recorder: OpRecorder,
  options: RunCellOptions = {},
): Promise<CellRun> {
  return runCellIn(createCellArena(plan.params), plan, recorder, options);
}

export type { RunCellOptions };
