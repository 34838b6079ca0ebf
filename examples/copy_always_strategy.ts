/**
 * An example load-path strategy plugin to start your own from: "copy-always", which copies every
 * object out of the pool before decompressing it, whatever the pool and the codec. It is the
 * simplest strategy that is safe on every pool with every codec, and the most expensive in bytes
 * copied: compare it with the kernel's own choices (`bytes_bounced`, `load_p50_ns`):
 *
 * ```sh
 * deno task bench --plugin examples/copy_always_strategy.ts --allocators zbud,zsmalloc \
 *   --strategies copy-always,percpu-buffer,sg-read
 * deno task bench --quick --plugin examples/copy_always_strategy.ts --allocators zsmalloc \
 *   --strategies 'copy-always:{"buffer":"kmalloc"}' --bounce-fail-rate 0.01
 * ```
 *
 * Option `buffer`:
 * - `percpu` (default): lock the CPU mutex, map, copy into the CPU's context buffer, unmap,
 *   decompress, unlock (the 6.8 order, but copying even when the pool could sleep mapped);
 * - `kmalloc`: allocate a temporary buffer with GFP_ATOMIC, map, copy, unmap, then lock and
 *   decompress from the copy (the 5.12 order). The allocation can fail (`--bounce-fail-rate`):
 *   the load then fails and counts in `load_failed`.
 *
 * What a strategy plugin must do (`LoadStrategy` and `LoadContext` in registry/types.ts):
 * - bring the entry back into `page` through the context's primitives only (`lock`, `map`,
 *   `decompress`, `kmalloc`, ...), so the frontend sees every map, lock and copy;
 * - skip the zswap header: the data is `entry.length` bytes after `entry.headerBytes`;
 * - call `ctx.bounced(n)` for every byte it copies, so `bytes_bounced` is honest;
 * - use `ctx.buffer` only while holding the CPU mutex: another task on the CPU owns it otherwise;
 * - never sleep (`lock()`, an asynchronous `decompress()`, a GFP_KERNEL `kmalloc`) while a handle
 *   of a pool with `poolSleepMapped` false is mapped: the frontend counts each such call in
 *   `violations` (and `--strict` fails the cell);
 * - stay synchronous while nothing waits, and return a Promise only when `lock()` or
 *   `decompress()` returned one: an `async` function would make every load await;
 * - leave cleanup to the frontend: when a call throws, it unmaps what is still mapped and
 *   releases the mutex.
 *
 * @module
 */
import { z } from "zod";
import { defineStrategy, parsePluginOptions } from "../registry/mod.ts";
import type { EntryRef, LoadContext, LoadStrategy, StrategyPlugin } from "../registry/types.ts";

/** Options of `copy-always`. */
export interface CopyAlwaysOptions {
  /** Where the copy goes: the CPU's context buffer (`percpu`, default) or a GFP_ATOMIC kmalloc. */
  buffer?: "percpu" | "kmalloc";
}

// The same options as a zod schema: defaults inside, unknown keys refused.
const CopyAlwaysOptionsSchema = z.strictObject({
  buffer: z.enum(["percpu", "kmalloc"]).default("percpu"),
});

/** The stored data inside a mapped object: after the zswap header, `entry.length` bytes. */
function dataOf(obj: Uint8Array, entry: EntryRef): Uint8Array {
  return obj.subarray(entry.headerBytes, entry.headerBytes + entry.length);
}

/** Map, copy the data into `into`, unmap: the task is atomic only between map and unmap. */
function copyOut(ctx: LoadContext, entry: EntryRef, into: Uint8Array): Uint8Array {
  const copy = into.subarray(0, entry.length);
  copy.set(dataOf(ctx.map(entry.handle, "ro"), entry));
  ctx.unmap(entry.handle);
  ctx.bounced(entry.length);
  return copy;
}

/** Decompress `src` into `page`, then unlock; a Promise only when the codec is asynchronous. */
function decompressUnlock(
  ctx: LoadContext,
  src: Uint8Array,
  page: Uint8Array,
): number | Promise<number> {
  const n = ctx.decompress(src, page);
  if (typeof n === "number") {
    ctx.unlock();
    return n;
  }
  return n.then((len) => {
    ctx.unlock();
    return len;
  });
}

/** `percpu`, with the mutex held: map, copy into the CPU buffer, unmap, decompress, unlock. */
function percpuLocked(
  ctx: LoadContext,
  entry: EntryRef,
  page: Uint8Array,
): number | Promise<number> {
  return decompressUnlock(ctx, copyOut(ctx, entry, ctx.buffer), page);
}

/** `percpu`: lock first (the mutex guards `ctx.buffer`), then copy and decompress. */
function viaPercpuBuffer(
  ctx: LoadContext,
  entry: EntryRef,
  page: Uint8Array,
): number | Promise<number> {
  const wait = ctx.lock(); // nothing is mapped yet: sleeping here is legal
  if (wait instanceof Promise) return wait.then(() => percpuLocked(ctx, entry, page));
  return percpuLocked(ctx, entry, page);
}

/** `kmalloc`: a GFP_ATOMIC buffer, map, copy, unmap, then lock and decompress from the copy. */
function viaKmalloc(ctx: LoadContext, entry: EntryRef, page: Uint8Array): number | Promise<number> {
  const tmp = ctx.kmalloc(entry.length, true);
  if (tmp === null) {
    // The frontend knows the allocation failed: the load counts in load_failed, the cell goes on.
    throw new Error(`Bounce allocation of ${entry.length} bytes failed (GFP_ATOMIC)`);
  }
  const src = copyOut(ctx, entry, tmp);
  const wait = ctx.lock(); // unmapped again: sleeping is legal
  if (wait instanceof Promise) return wait.then(() => decompressUnlock(ctx, src, page));
  return decompressUnlock(ctx, src, page);
}

/**
 * The `copy-always` strategy plugin (the module's default export, as plugin modules need).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import copyAlways from "./copy_always_strategy.ts";
 * const load = copyAlways.create({ buffer: "kmalloc" });
 * assert.equal(typeof load, "function");
 * ```
 */
export const copyAlwaysStrategy: StrategyPlugin = defineStrategy({
  kind: "strategy",
  name: "copy-always",
  description: "Example: copy every object out before decompressing (option buffer)",
  create(options: unknown): LoadStrategy {
    const o = parsePluginOptions("strategy", "copy-always", CopyAlwaysOptionsSchema, options);
    // Decide once, here: the returned function never branches on the options.
    return o.buffer === "percpu" ? viaPercpuBuffer : viaKmalloc;
  },
});

export default copyAlwaysStrategy;
