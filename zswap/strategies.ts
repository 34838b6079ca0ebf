/**
 * The seven built-in load-path strategies, in the order the kernel went through them
 * (kernel-zswap.md §1, DESIGN §5). Each composes only {@linkcode LoadContext} primitives, so the
 * frontend sees every map, lock and copy and can count bounced bytes and sleeps while atomic.
 *
 * Each strategy stays synchronous while nothing can sleep (a synchronous codec, a free mutex) and
 * returns a Promise only from the point where it must wait. When a call throws, the frontend
 * unmaps what is still mapped and releases the mutex, so strategies carry no cleanup code.
 *
 * @module
 */

import { z } from "zod";
import { parsePluginOptions } from "../registry/errors.ts";
import type { EntryRef, LoadContext, LoadStrategy, StrategyPlugin } from "../registry/types.ts";
import {
  copyOut,
  dataOf,
  decompressUnlock,
  decompressUnlockUnmap,
  lockedMapMaybeCopy,
  mapLockDecompress,
  withLock,
} from "./_load_steps.ts";

const NoOptionsSchema = z.strictObject({});

/** A strategy without options: `create()` checks that none are given and returns `load`. */
function noOptionsStrategy(name: string, description: string, load: LoadStrategy): StrategyPlugin {
  return {
    kind: "strategy",
    name,
    description,
    optionsSchema: NoOptionsSchema,
    create(options: unknown): LoadStrategy {
      parsePluginOptions("strategy", name, NoOptionsSchema, options);
      return load;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// sleep-mapped (5.11)

/**
 * `sleep-mapped`: map, lock, decompress from the mapping, unlock, unmap (mm/zswap.c 5.11,
 * 1ec3b5fe6eec, the acomp switch). Legal only for pools that can sleep mapped: on zsmalloc the
 * mutex lock (and an asynchronous codec) sleeps while the handle is mapped, the bug of the 2020
 * linux-mm thread "[PATCH] zsmalloc: do not use bit_spin_lock".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sleepMappedStrategy } from "./strategies.ts";
 * const load = sleepMappedStrategy.create({});
 * assert.equal(typeof load, "function");
 * ```
 */
export const sleepMappedStrategy: StrategyPlugin = noOptionsStrategy(
  "sleep-mapped",
  "5.11: decompress from the mapping under the CPU mutex (bug on zsmalloc)",
  mapLockDecompress,
);

// ---------------------------------------------------------------------------------------------
// bounce-alloc (5.12 - 6.7)

/** Options of `bounce-alloc`. */
export interface BounceAllocOptions {
  /**
   * GFP flag of the temporary buffer: `atomic` (GFP_ATOMIC, can fail: `bounceFailRate`) as in
   * 5.12 to 6.1, or `kernel` (GFP_KERNEL, may sleep) from 6.2. Kernel presets fill it in;
   * default `atomic`.
   */
  gfp?: "atomic" | "kernel";
}

const BounceAllocOptionsSchema = z.strictObject({
  gfp: z.enum(["atomic", "kernel"]).default("atomic").describe(
    "GFP flags of the bounce kmalloc: atomic (may fail, see --bounce-fail-rate) or kernel",
  ),
});

function makeBounceAlloc(atomic: boolean): LoadStrategy {
  const gfp = atomic ? "GFP_ATOMIC" : "GFP_KERNEL";
  return (ctx: LoadContext, entry: EntryRef, page: Uint8Array): number | Promise<number> => {
    if (ctx.poolSleepMapped) return mapLockDecompress(ctx, entry, page);
    // mm/zswap.c (D6.1): tmp = kmalloc(entry->length) before the map, then map, copy, unmap.
    const tmp = ctx.kmalloc(entry.length, atomic);
    if (tmp === null) {
      throw new Error(`Bounce allocation of ${entry.length} bytes failed (${gfp})`);
    }
    const src = copyOut(ctx, entry, ctx.map(entry.handle, "ro"), tmp);
    const wait = ctx.lock();
    if (wait instanceof Promise) return decompressAfterLock(ctx, src, page, wait);
    return decompressUnlock(ctx, src, page);
  };
}

// One function object per strategy for the whole process (not one per create()): the frontend's
// call site then sees the same target in every cell, and its optimised code survives the
// collection of a finished cell.
const bounceAllocAtomic = makeBounceAlloc(true);
const bounceAllocKernel = makeBounceAlloc(false);

async function decompressAfterLock(
  ctx: LoadContext,
  src: Uint8Array,
  page: Uint8Array,
  wait: Promise<void>,
): Promise<number> {
  await wait;
  return await decompressUnlock(ctx, src, page);
}

/**
 * `bounce-alloc`: when the pool cannot sleep mapped, kmalloc a temporary buffer of the entry's
 * length, map, copy, unmap, then lock and decompress from the copy (mm/zswap.c 5.12, fc6697a89f56,
 * to 6.7). Pools that can sleep mapped are decompressed in place. Option `gfp`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bounceAllocStrategy } from "./strategies.ts";
 * const load = bounceAllocStrategy.create({ gfp: "kernel" });
 * assert.equal(typeof load, "function");
 * ```
 */
export const bounceAllocStrategy: StrategyPlugin = {
  kind: "strategy",
  name: "bounce-alloc",
  description: "5.12-6.7: kmalloc a bounce buffer per load when the pool cannot sleep mapped",
  optionsSchema: BounceAllocOptionsSchema,
  create(options: unknown): LoadStrategy {
    const o = parsePluginOptions("strategy", "bounce-alloc", BounceAllocOptionsSchema, options);
    return o.gfp === "atomic" ? bounceAllocAtomic : bounceAllocKernel;
  },
};

// ---------------------------------------------------------------------------------------------
// trylock-bounce (the 2020 thread's first idea)

function trylockBounce(
  ctx: LoadContext,
  entry: EntryRef,
  page: Uint8Array,
): number | Promise<number> {
  if (ctx.poolSleepMapped) return mapLockDecompress(ctx, entry, page);
  const obj = ctx.map(entry.handle, "ro");
  // "if it's not set, and mutex_trylock fails, copy data from src to a temporary buffer"; the
  // patch kept the 5.11 tail: decompress, unlock, then unmap.
  if (ctx.trylock()) return decompressUnlockUnmap(ctx, dataOf(obj, entry), page, entry.handle);
  const tmp = ctx.kmalloc(entry.length, true); // kmemdup(src, length, GFP_ATOMIC) in the patch
  if (tmp === null) {
    throw new Error(`Bounce allocation of ${entry.length} bytes failed (GFP_ATOMIC)`);
  }
  const src = copyOut(ctx, entry, obj, tmp);
  const wait = ctx.lock();
  if (wait instanceof Promise) return decompressAfterLock(ctx, src, page, wait);
  return decompressUnlock(ctx, src, page);
}

/**
 * `trylock-bounce`: the first idea of the 2020 linux-mm thread (Vitaly Wool, 22 Dec 2020): map;
 * if the pool can sleep mapped, lock and decompress in place; else try the mutex, and only when
 * the trylock fails copy the object into a GFP_ATOMIC buffer, unmap, lock and decompress the copy.
 * As in the patch, a successful trylock decompresses from the mapping: with an asynchronous codec
 * that still sleeps while a zsmalloc handle is mapped, and the frontend counts it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trylockBounceStrategy } from "./strategies.ts";
 * assert.equal(trylockBounceStrategy.name, "trylock-bounce");
 * ```
 */
export const trylockBounceStrategy: StrategyPlugin = noOptionsStrategy(
  "trylock-bounce",
  "2020 thread idea: copy only when the pool cannot sleep mapped and trylock fails",
  trylockBounce,
);

// ---------------------------------------------------------------------------------------------
// percpu-buffer (6.8)

function percpuLocked(
  ctx: LoadContext,
  entry: EntryRef,
  page: Uint8Array,
): number | Promise<number> {
  // mm/zswap.c (6.8, c75f5c1e0f1d) __zswap_load: a pool that can sleep mapped is unmapped after
  // mutex_unlock().
  return lockedMapMaybeCopy(ctx, entry, page, !ctx.poolSleepMapped, false);
}

const percpuBuffer: LoadStrategy = (ctx, entry, page) => withLock(percpuLocked, ctx, entry, page);

/**
 * `percpu-buffer`: lock first, map, copy into the CPU's 2 x PAGE_SIZE buffer when the pool cannot
 * sleep mapped, unmap, decompress, unlock (mm/zswap.c 6.8, c75f5c1e0f1d "reuse dstmem when
 * decompress"). A pool that can sleep mapped is decompressed in place, unlocked, then unmapped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { percpuBufferStrategy } from "./strategies.ts";
 * assert.equal(percpuBufferStrategy.name, "percpu-buffer");
 * ```
 */
export const percpuBufferStrategy: StrategyPlugin = noOptionsStrategy(
  "percpu-buffer",
  "6.8: copy into the per-CPU buffer under the mutex when the pool cannot sleep mapped",
  percpuBuffer,
);

// ---------------------------------------------------------------------------------------------
// async-only-copy (6.10)

function asyncOnlyLocked(
  ctx: LoadContext,
  entry: EntryRef,
  page: Uint8Array,
): number | Promise<number> {
  // mm/zswap.c (D6.12): copy only if acomp_ctx->is_sleepable && !zpool_can_sleep_mapped; an
  // object decompressed in place is unmapped before the unlock.
  return lockedMapMaybeCopy(ctx, entry, page, ctx.compressorAsync && !ctx.poolSleepMapped, true);
}

const asyncOnlyCopy: LoadStrategy = (ctx, entry, page) =>
  withLock(asyncOnlyLocked, ctx, entry, page);

/**
 * `async-only-copy`: as `percpu-buffer`, but copy only when the codec is asynchronous and the pool
 * cannot sleep mapped; a synchronous codec decompresses zsmalloc objects in place again, atomic
 * but without sleeping (mm/zswap.c 6.10, 270700dd06ca).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { asyncOnlyCopyStrategy } from "./strategies.ts";
 * assert.equal(asyncOnlyCopyStrategy.name, "async-only-copy");
 * ```
 */
export const asyncOnlyCopyStrategy: StrategyPlugin = noOptionsStrategy(
  "async-only-copy",
  "6.10: copy into the per-CPU buffer only for an async codec on a no-sleep pool",
  asyncOnlyCopy,
);

// ---------------------------------------------------------------------------------------------
// read-begin (6.15)

function readBeginLocked(
  ctx: LoadContext,
  entry: EntryRef,
  page: Uint8Array,
): number | Promise<number> {
  const pool = ctx.pool;
  // Pools without the read API (zbud, z3fold: removed in 6.15) use the 6.8 path.
  if (pool.readBegin === undefined) return percpuLocked(ctx, entry, page);
  // mm/zsmalloc.c (6.15, 44f76413496e) zs_obj_read_begin: copies only an object spanning pages.
  const view = pool.readBegin(entry.handle, ctx.buffer);
  if (view.buffer === ctx.buffer.buffer) ctx.bounced(view.length);
  let n: number | Promise<number>;
  try {
    n = ctx.decompress(dataOf(view, entry), page);
  } catch (err) {
    pool.readEnd?.(entry.handle);
    throw err;
  }
  if (typeof n !== "number") return readEndUnlockAfter(ctx, entry, n);
  pool.readEnd?.(entry.handle);
  ctx.unlock();
  return n;
}

async function readEndUnlockAfter(
  ctx: LoadContext,
  entry: EntryRef,
  pending: Promise<number>,
): Promise<number> {
  try {
    return await pending;
  } finally {
    ctx.pool.readEnd?.(entry.handle);
    ctx.unlock();
  }
}

const readBegin: LoadStrategy = (ctx, entry, page) => withLock(readBeginLocked, ctx, entry, page);

/**
 * `read-begin`: lock, `pool.readBegin(handle, buffer)`, decompress, `readEnd`, unlock
 * (mm/zswap.c 6.15, 7d4c9629b74f). The pool copies only objects that span two pages into the CPU
 * buffer (counted as bounced); its reader lock may be held across a sleep. Pools without
 * `readBegin` take the `percpu-buffer` path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBeginStrategy } from "./strategies.ts";
 * assert.equal(readBeginStrategy.name, "read-begin");
 * ```
 */
export const readBeginStrategy: StrategyPlugin = noOptionsStrategy(
  "read-begin",
  "6.15: the pool's read API copies only objects that span two pages",
  readBegin,
);

// ---------------------------------------------------------------------------------------------
// sg-read (after 6.18)

function sgReadLocked(
  ctx: LoadContext,
  entry: EntryRef,
  page: Uint8Array,
): number | Promise<number> {
  const pool = ctx.pool;
  if (pool.readSegments === undefined) return readBeginLocked(ctx, entry, page);
  // mm/zsmalloc.c (D7.2, dc2e4982cb01) zs_obj_read_sg_begin: one or two page segments, no copy.
  const segs = pool.readSegments(entry.handle);
  const hb = entry.headerBytes;
  const len = entry.length;
  const first = segs[0];
  let src: Uint8Array;
  if (segs.length === 1 || first.length >= hb + len) {
    src = hb === 0 && first.length === len ? first : first.subarray(hb, hb + len);
  } else if (first.length <= hb) {
    src = segs[1].subarray(hb - first.length, hb - first.length + len);
  } else {
    // The kernel's scatterlist decompression reads both pages in place. A Compressor takes one
    // contiguous source, so the halves are joined in the CPU buffer here; that join stands for
    // the SG walk and is not a bounce copy in the kernel, so it is not counted in bytes_bounced.
    const head = first.subarray(hb);
    const buf = ctx.buffer;
    buf.set(head, 0);
    buf.set(segs[1].subarray(0, len - head.length), head.length);
    src = buf.subarray(0, len);
  }
  return decompressUnlock(ctx, src, page);
}

const sgRead: LoadStrategy = (ctx, entry, page) => withLock(sgReadLocked, ctx, entry, page);

/**
 * `sg-read`: lock, `pool.readSegments(handle)`, decompress straight from the one or two page
 * segments, unlock (mm/zswap.c after 6.18, dc2e4982cb01): no bounce copy at all. Pools without
 * `readSegments` fall back to `read-begin`, then to `percpu-buffer`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sgReadStrategy } from "./strategies.ts";
 * assert.equal(sgReadStrategy.name, "sg-read");
 * ```
 */
export const sgReadStrategy: StrategyPlugin = noOptionsStrategy(
  "sg-read",
  "after 6.18: decompress from the object's one or two pages, no copy",
  sgRead,
);

/**
 * The seven built-in load strategies, oldest first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { builtinStrategies } from "./strategies.ts";
 * assert.equal(builtinStrategies.length, 7);
 * ```
 */
export const builtinStrategies: StrategyPlugin[] = [
  sleepMappedStrategy,
  bounceAllocStrategy,
  trylockBounceStrategy,
  percpuBufferStrategy,
  asyncOnlyCopyStrategy,
  readBeginStrategy,
  sgReadStrategy,
];
