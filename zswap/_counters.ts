/**
 * A fresh set of cell counters, shared by the zswap frontend and the bench test fakes.
 *
 * @module
 */
import { type CellCounters, COUNTER_NAMES } from "./cell_types.ts";

/** New counters, all zero: one per name of {@linkcode COUNTER_NAMES}, in its order. */
export function zeroCounters(): CellCounters {
  const c = {} as CellCounters;
  for (const name of COUNTER_NAMES) c[name] = 0;
  return c;
}
