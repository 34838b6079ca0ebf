/**
 * The 5.10 load path, used only by the `5.10` preset (not a registered strategy): map, disable
 * preemption for the per-CPU crypto_comp transform, decompress in place, re-enable, unmap
 * (mm/zswap.c (D5.10) zswap_frontswap_load). No mutex: crypto_comp never sleeps, so with a
 * synchronous codec this is atomic-safe on every pool; an asynchronous codec sleeps with
 * preemption off, a violation on every pool.
 *
 * @module
 */

import type { EntryRef, LoadContext, LoadStrategy, StrategyPlugin } from "../registry/types.ts";
import type { TaskContext } from "./_context.ts";

function cryptoComp(ctx: LoadContext, entry: EntryRef, page: Uint8Array): number | Promise<number> {
  const task = ctx as TaskContext;
  const obj = task.map(entry.handle, "ro");
  const hb = entry.headerBytes;
  const src = hb === 0 && obj.length === entry.length ? obj : obj.subarray(hb, hb + entry.length);
  task.preemptDisable(); // get_cpu_ptr(entry->pool->tfm)
  const n = task.decompress(src, page);
  if (typeof n !== "number") return finish(task, entry.handle, n);
  task.preemptEnable();
  task.unmap(entry.handle);
  return n;
}

async function finish(
  task: TaskContext,
  handle: number,
  pending: Promise<number>,
): Promise<number> {
  const n = await pending;
  task.preemptEnable();
  task.unmap(handle);
  return n;
}

/** The 5.10 `crypto-comp` path (frontend-internal: it needs the frontend's preempt count). */
export const cryptoCompStrategy: StrategyPlugin = {
  kind: "strategy",
  name: "crypto-comp",
  description: "5.10: decompress from the mapping with preemption off, no mutex",
  create(): LoadStrategy {
    return cryptoComp;
  },
};
