/**
 * An example allocator plugin to start your own from: "bucket", a slab of power-of-two buckets.
 *
 * Every object goes in the smallest bucket that holds it (64, 128, 256, ... bytes up to a page),
 * and each page is cut into slots of one bucket size: a 1000-byte object takes a 1024-byte slot,
 * four to a 4 KiB page. Simple and predictable, but a 2100-byte object wastes almost half a page,
 * which is exactly what zbud, z3fold and zsmalloc try to avoid. Compare them:
 *
 * ```sh
 * deno task bench --plugin examples/bucket_alloc.ts --allocators bucket,zsmalloc
 * ```
 *
 * What an allocator plugin must do (the `Zpool` contract in registry/types.ts):
 * - take pages only from `env.arena` (one at a time; they are not contiguous) and give them back
 *   when empty: `totalPages()` is what zswap reports as pool_total_size;
 * - return small integer handles from `malloc()`, throw `AllocError` with `EINVAL` (size 0),
 *   `ENOSPC` (too big: zswap counts it as reject_compress_poor) or `ENOMEM` (no page);
 * - throw a `RangeError` when asked to free a handle it does not know;
 * - `map()` returns exactly the object's bytes. Here that is a view into the page, so the caller
 *   may sleep while it holds the mapping: `sleepMapped: true`. A pool that hands out a shared
 *   per-CPU copy (as zsmalloc does) must say `false`;
 * - validate options with zod in `create()`, so a typo fails before the first store.
 *
 * This one keeps its bookkeeping in plain objects and Maps for clarity; see allocators/zbud.ts
 * for the typed-array layout that keeps a million objects small and fast.
 *
 * @module
 */
import { z } from "zod";
import { defineAllocator } from "../registry/mod.ts";
import {
  type AllocatorEnv,
  type AllocatorPlugin,
  AllocError,
  type Arena,
  type Handle,
  type MapMode,
  type Zpool,
} from "../registry/types.ts";

// Options: the smallest bucket, a power of two (default 64 bytes). Unknown keys are refused.
const BucketOptionsSchema = z
  .object({
    /** Smallest slot size in bytes: a power of two from 16 up to the page size. */
    minBucket: z
      .number()
      .int()
      .min(16)
      .refine((n) => (n & (n - 1)) === 0, { message: "minBucket must be a power of two" })
      .default(64),
  })
  .strict();

/** One page cut into slots of one bucket size. */
interface BucketPage {
  /** The arena page. */
  pfn: number;
  /** Slot size in bytes. */
  bucket: number;
  /** Free slot numbers; the last one is handed out next. */
  freeSlots: number[];
  /** Slots in use. */
  used: number;
}

/** Where a live object is. */
interface Placement {
  page: BucketPage;
  slot: number;
  size: number;
}

/** The pool. */
class BucketPool implements Zpool {
  readonly #arena: Arena;
  readonly #pageSize: number;
  readonly #minBucket: number;
  /** Pages with at least one free slot, by bucket size. */
  readonly #partial = new Map<number, BucketPage[]>();
  /** Live objects by handle. */
  readonly #objects = new Map<Handle, Placement>();
  #nextHandle = 1;
  #pages = 0;

  constructor(arena: Arena, pageSize: number, minBucket: number) {
    this.#arena = arena;
    this.#pageSize = pageSize;
    this.#minBucket = minBucket;
  }

  malloc(size: number): Handle {
    if (!Number.isInteger(size) || size <= 0) {
      throw new AllocError("EINVAL", `Cannot allocate ${size} bytes (sizes are integers from 1)`);
    }
    if (size > this.#pageSize) {
      throw new AllocError(
        "ENOSPC",
        `Object of ${size} bytes exceeds the bucket limit of ${this.#pageSize}`,
      );
    }
    // The smallest power-of-two bucket that holds `size`.
    let bucket = this.#minBucket;
    while (bucket < size) bucket *= 2;
    const partial = this.#partial.get(bucket) ?? [];
    this.#partial.set(bucket, partial);
    // Reuse a page with a free slot, else take a new page (allocPage throws ENOMEM at the limit).
    let page = partial.at(-1);
    if (page === undefined) {
      const slots = Math.max(1, this.#pageSize / bucket);
      page = {
        pfn: this.#arena.allocPage(),
        bucket,
        // Reversed, so slot 0 is handed out first.
        freeSlots: Array.from({ length: slots }, (_, i) => slots - 1 - i),
        used: 0,
      };
      partial.push(page);
      this.#pages++;
    }
    const slot = page.freeSlots.pop()!;
    page.used++;
    if (page.freeSlots.length === 0) partial.pop(); // full: no longer a candidate
    const handle = this.#nextHandle++;
    this.#objects.set(handle, { page, slot, size });
    return handle;
  }

  free(handle: Handle): void {
    const o = this.#lookup(handle);
    this.#objects.delete(handle);
    const { page } = o;
    const partial = this.#partial.get(page.bucket)!;
    if (page.freeSlots.length === 0) partial.push(page); // was full: a candidate again
    page.freeSlots.push(o.slot);
    page.used--;
    if (page.used === 0) {
      // An empty page goes back to the arena at once.
      partial.splice(partial.indexOf(page), 1);
      this.#arena.freePage(page.pfn);
      this.#pages--;
    }
  }

  map(handle: Handle, _mode: MapMode): Uint8Array {
    const o = this.#lookup(handle);
    const start = o.slot * o.page.bucket;
    return this.#arena.page(o.page.pfn).subarray(start, start + o.size);
  }

  unmap(handle: Handle): void {
    this.#lookup(handle); // nothing to undo: map() gave a view into the page
  }

  totalPages(): number {
    return this.#pages;
  }

  stats(): Record<string, unknown> {
    const pagesByBucket: Record<string, number> = {};
    const seen = new Set<BucketPage>();
    for (const { page } of this.#objects.values()) {
      if (seen.has(page)) continue;
      seen.add(page);
      pagesByBucket[page.bucket] = (pagesByBucket[page.bucket] ?? 0) + 1;
    }
    return { pages: this.#pages, objects: this.#objects.size, pagesByBucket };
  }

  *liveObjects(): Generator<[Handle, Uint8Array]> {
    for (const handle of this.#objects.keys()) yield [handle, this.map(handle, "ro")];
  }

  #lookup(handle: Handle): Placement {
    const o = this.#objects.get(handle);
    if (o === undefined) {
      throw new RangeError(`Handle ${handle} is not a live handle of this bucket pool`);
    }
    return o;
  }
}

/**
 * The "bucket" allocator plugin: power-of-two slots, one bucket size per page.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import bucket from "./bucket_alloc.ts";
 * import { createArena } from "../allocators/mod.ts";
 * const arena = createArena(4096);
 * const pool = bucket.create({ arena, pageSize: 4096, cpus: 1, options: {} });
 * for (let i = 0; i < 4; i++) pool.malloc(1000); // four 1024-byte slots
 * assert.equal(pool.totalPages(), 1);
 * ```
 */
const bucketAllocator: AllocatorPlugin = defineAllocator({
  kind: "allocator",
  name: "bucket",
  description: "Example: power-of-two slots, one bucket size per page (examples/bucket_alloc.ts)",
  sleepMapped: true,
  create(env: AllocatorEnv): Zpool {
    const { minBucket } = BucketOptionsSchema.parse(env.options ?? {});
    if (minBucket > env.pageSize) {
      throw new RangeError(
        `minBucket ${minBucket} is larger than the ${env.pageSize}-byte page (use at most ${env.pageSize})`,
      );
    }
    return new BucketPool(env.arena, env.pageSize, minBucket);
  },
});

export default bucketAllocator;
