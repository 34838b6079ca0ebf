/**
 * The steps the load-path strategies are made of (`strategies.ts`): decompress then unlock, unlock
 * and unmap in the order each kernel version did, the same steps after a mutex wait or an
 * asynchronous codec, and the copy out of a mapping. Each step stays synchronous until it must
 * wait, so a strategy returns a Promise only from that point.
 *
 * @module
 */

import type { EntryRef, LoadContext, LoadStrategy } from "../registry/types.ts";

/** The stored data inside an object view: skip the zswap header, if any. */
export function dataOf(obj: Uint8Array, entry: EntryRef): Uint8Array {
  const hb = entry.headerBytes;
  if (hb === 0 && obj.length === entry.length) return obj;
  return obj.subarray(hb, hb + entry.length);
}

/** Decompress, then unlock. */
export function decompressUnlock(
  ctx: LoadContext,
  src: Uint8Array,
  page: Uint8Array,
): number | Promise<number> {
  const n = ctx.decompress(src, page);
  if (typeof n !== "number") return unlockAfter(ctx, n);
  ctx.unlock();
  return n;
}

async function unlockAfter(ctx: LoadContext, pending: Promise<number>): Promise<number> {
  const n = await pending;
  ctx.unlock();
  return n;
}

/**
 * Decompress from a mapping, then unlock and unmap: the order of mm/zswap.c from 5.11
 * (1ec3b5fe6eec) to 6.8 (c75f5c1e0f1d), fc6697a89f56 (5.12) included, for objects read in place.
 */
export function decompressUnlockUnmap(
  ctx: LoadContext,
  src: Uint8Array,
  page: Uint8Array,
  handle: number,
): number | Promise<number> {
  const n = ctx.decompress(src, page);
  if (typeof n !== "number") return unlockUnmapAfter(ctx, n, handle);
  ctx.unlock();
  ctx.unmap(handle);
  return n;
}

async function unlockUnmapAfter(
  ctx: LoadContext,
  pending: Promise<number>,
  handle: number,
): Promise<number> {
  const n = await pending;
  ctx.unlock();
  ctx.unmap(handle);
  return n;
}

/**
 * Decompress from a mapping, then unmap and unlock: the order of mm/zswap.c (D6.12)
 * zswap_decompress, whose acomp_ctx_put_unlock() comes after zpool_unmap_handle().
 */
function decompressUnmapUnlock(
  ctx: LoadContext,
  src: Uint8Array,
  page: Uint8Array,
  handle: number,
): number | Promise<number> {
  const n = ctx.decompress(src, page);
  if (typeof n !== "number") return unmapUnlockAfter(ctx, n, handle);
  ctx.unmap(handle);
  ctx.unlock();
  return n;
}

async function unmapUnlockAfter(
  ctx: LoadContext,
  pending: Promise<number>,
  handle: number,
): Promise<number> {
  const n = await pending;
  ctx.unmap(handle);
  ctx.unlock();
  return n;
}

/** Wait for the mutex, then run `locked`. */
async function afterLock(
  wait: Promise<void>,
  locked: LoadStrategy,
  ctx: LoadContext,
  entry: EntryRef,
  page: Uint8Array,
): Promise<number> {
  await wait;
  return await locked(ctx, entry, page);
}

/** Take the mutex, then run `locked` (synchronously when the mutex is free). */
export function withLock(
  locked: LoadStrategy,
  ctx: LoadContext,
  entry: EntryRef,
  page: Uint8Array,
): number | Promise<number> {
  const wait = ctx.lock();
  if (wait instanceof Promise) return afterLock(wait, locked, ctx, entry, page);
  return locked(ctx, entry, page);
}

/** Map, lock, decompress from the mapping, unlock, unmap: the 5.11 path (mm/zswap.c 5.11). */
export function mapLockDecompress(
  ctx: LoadContext,
  entry: EntryRef,
  page: Uint8Array,
): number | Promise<number> {
  const src = dataOf(ctx.map(entry.handle, "ro"), entry);
  const wait = ctx.lock();
  if (wait instanceof Promise) return mappedAfterLock(ctx, entry, page, src, wait);
  return decompressUnlockUnmap(ctx, src, page, entry.handle);
}

async function mappedAfterLock(
  ctx: LoadContext,
  entry: EntryRef,
  page: Uint8Array,
  src: Uint8Array,
  wait: Promise<void>,
): Promise<number> {
  await wait;
  return await decompressUnlockUnmap(ctx, src, page, entry.handle);
}

/** Copy the object's data into `into`, count it as bounced, unmap. Returns the copy. */
export function copyOut(
  ctx: LoadContext,
  entry: EntryRef,
  obj: Uint8Array,
  into: Uint8Array,
): Uint8Array {
  const copy = into.length === entry.length ? into : into.subarray(0, entry.length);
  copy.set(dataOf(obj, entry));
  ctx.bounced(entry.length);
  ctx.unmap(entry.handle);
  return copy;
}

/**
 * With the mutex held: map; copy into the CPU buffer and unmap when `copy` is true; decompress;
 * then, if still mapped, unmap before unlocking (`unmapFirst`, D6.12) or after it (6.8).
 */
export function lockedMapMaybeCopy(
  ctx: LoadContext,
  entry: EntryRef,
  page: Uint8Array,
  copy: boolean,
  unmapFirst: boolean,
): number | Promise<number> {
  const obj = ctx.map(entry.handle, "ro");
  if (copy) return decompressUnlock(ctx, copyOut(ctx, entry, obj, ctx.buffer), page);
  return unmapFirst
    ? decompressUnmapUnlock(ctx, dataOf(obj, entry), page, entry.handle)
    : decompressUnlockUnmap(ctx, dataOf(obj, entry), page, entry.handle);
}
