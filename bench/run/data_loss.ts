/**
 * A cell is as bad as its worst run (issue 16): every run of a cell, warm-up runs included, is
 * checked for data loss, and a cell that lost data in any of them is `failed`.
 *
 * Data loss is a load (or writeback) of a stored entry that did not give back the page that was
 * stored: its decompression failed or gave the wrong length (`decompress_fail`), or it gave
 * other bytes (`integrity_failures`). A load that failed for another reason, e.g. an injected
 * bounce-buffer allocation failure (`--bounce-fail-rate`), lost nothing: the entry is still
 * stored.
 *
 * @module
 */
import type { CellCounters } from "../../zswap/cell_types.ts";

/** What {@linkcode dataLoss} found over the runs of one cell. */
export interface DataLossVerdict {
  /** Index of the worst run (most entries lost; the last one on a tie or when none lost any). */
  worst: number;
  /** The worst run's counters. */
  counters: CellCounters;
  /** One line for the cell's `error`, or null when no run lost data. */
  error: string | null;
}

/**
 * Judge the runs of a cell: the worst one, and the error line when any run lost data.
 *
 * @param runs The counters of every run, warm-up runs first, in the order they ran.
 * @param warmup How many of them were warm-up runs.
 * @returns The worst run and the error line.
 *
 * @example
 * ```ts ignore
 * const { worst, error } = dataLoss(runs.map((r) => r.counters), 1);
 * ```
 */
export function dataLoss(runs: readonly CellCounters[], warmup: number): DataLossVerdict {
  let worst = runs.length - 1;
  let worstLost = -1;
  let bad = 0;
  let failed = 0;
  let wrong = 0;
  for (let i = 0; i < runs.length; i++) {
    const lost = runs[i].decompress_fail + runs[i].integrity_failures;
    if (lost > 0) bad++;
    failed += runs[i].decompress_fail;
    wrong += runs[i].integrity_failures;
    if (lost >= worstLost) {
      worst = i;
      worstLost = lost;
    }
  }
  if (bad === 0) return { worst: runs.length - 1, counters: runs[runs.length - 1], error: null };
  const parts: string[] = [];
  if (failed > 0) {
    parts.push(
      `${failed} load${
        failed === 1 ? "" : "s"
      } of stored entries failed to decompress or gave the wrong length`,
    );
  }
  if (wrong > 0) {
    parts.push(
      `${wrong} load${wrong === 1 ? "" : "s"} returned bytes that differ from what was stored`,
    );
  }
  const which = runName(worst, warmup);
  return {
    worst,
    counters: runs[worst],
    error: `Data loss: ${parts.join(", ")} (${bad} of ${runs.length} run${
      runs.length === 1 ? "" : "s"
    } lost data; the columns are the worst run's, ${which})`,
  };
}

function runName(i: number, warmup: number): string {
  return i < warmup ? `warm-up run ${i + 1}` : `repetition ${i - warmup + 1}`;
}
