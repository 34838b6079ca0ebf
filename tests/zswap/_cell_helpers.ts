// Page contents, op scripts and a one-call cell runner shared by the runCell() tests.
import type { Op } from "../../registry/types.ts";
import type { CellCounters, CellPlan, CellRun } from "../../zswap/cell_types.ts";
import { runCell } from "../../builtins/run_cell.ts";
import {
  collectRecorder,
  fakeAllocator,
  type FakePoolOptions,
  prefixPage,
  testPlan,
} from "./_fakes.ts";

/** Page ids with special contents. */
export const ZERO = 2000;
export const SAME = 1000; // SAME + k: one 8-byte word repeated
export const FULL = 3000; // FULL + k: every byte non-zero: the prefix codec needs 4098 bytes (ENOSPC)
export const BIG = 4000; // BIG + k: 3990 non-zero bytes: a 3992-byte object, one per page
/** Length of an ordinary page's non-zero prefix (the prefix codec adds 2 bytes). */
export const lenOf = (id: number): number => 100 + ((id * 37) % 900);

export function pageFor(id: number, into: Uint8Array): void {
  if (id === ZERO) {
    into.fill(0);
  } else if (id >= SAME && id < SAME + 100) {
    const w = new Uint32Array(into.buffer, into.byteOffset, into.length >>> 2);
    for (let i = 0; i < w.length; i += 2) {
      w[i] = 0x5a5a0000 + id;
      w[i + 1] = id;
    }
  } else if (id >= FULL && id < FULL + 100) {
    prefixPage(id, into.length, into);
  } else if (id >= BIG && id < BIG + 100) {
    prefixPage(id, 3990, into);
  } else {
    prefixPage(id, lenOf(id), into);
  }
}

export function ops(...list: [Op["op"], number, number?][]): () => Iterable<Op> {
  return () => list.map(([op, offset, pageId]) => ({ op, offset, pageId: pageId ?? 0 }));
}

export async function cell(
  over: Partial<Omit<CellPlan, "params">> & { params?: Partial<CellPlan["params"]> },
): Promise<CellRun & { rec: ReturnType<typeof collectRecorder> }> {
  const rec = collectRecorder();
  const run = await runCell(testPlan(over), rec);
  return { ...run, rec };
}

export function counters(run: CellRun, keys: (keyof CellCounters)[]): Partial<CellCounters> {
  return Object.fromEntries(keys.map((k) => [k, run.counters[k]]));
}

export const sleepable = (o: Partial<FakePoolOptions> = {}) =>
  fakeAllocator({ sleepMapped: true, ...o });
