import assert from "node:assert/strict";
import bucket from "../../examples/bucket_alloc.ts";
import { Registry } from "../../registry/registry.ts";
import { checkPlugin } from "../../registry/schemas.ts";
import {
  assertNoOverlap,
  badPattern,
  fillPattern,
  makePool,
  prng,
} from "../allocators/_helpers.ts";

Deno.test("bucketAllocator is a valid plugin the registry loads", async () => {
  assert.equal(checkPlugin(bucket), null);
  const registry = new Registry();
  const loaded = await registry.load(
    new URL("../../examples/bucket_alloc.ts", import.meta.url).href,
  );
  assert.deepEqual(loaded.map((p) => `${p.kind}:${p.name}`), ["allocator:bucket"]);
  assert.equal(registry.get("allocator", "bucket").sleepMapped, true);
});

Deno.test("bucket.malloc() puts objects in power-of-two slots, one size per page", () => {
  const { pool, arena } = makePool(bucket);
  const a = Array.from({ length: 4 }, () => pool.malloc(1000)); // 1024-byte slots
  assert.equal(pool.totalPages(), 1);
  const offsets = a.map((h) => pool.map(h, "ro").byteOffset % 4096);
  assert.deepEqual(offsets, [0, 1024, 2048, 3072]);
  pool.malloc(1000); // the page is full: a second one
  pool.malloc(20); // 64-byte bucket: a page of its own
  assert.equal(pool.totalPages(), 3);
  assert.equal(arena.pagesInUse(), 3);
  assert.deepEqual(pool.stats().pagesByBucket, { 64: 1, 1024: 2 });
});

Deno.test("bucket.free() gives an empty page back at once", () => {
  const { pool, arena } = makePool(bucket);
  const a = pool.malloc(3000);
  const b = pool.malloc(100);
  pool.free(a);
  assert.equal(pool.totalPages(), 1);
  pool.free(b);
  assert.equal(pool.totalPages(), 0);
  assert.equal(arena.pagesInUse(), 0);
  assert.throws(() => pool.free(b), RangeError);
});

Deno.test("bucket.malloc() refuses bad sizes and options", () => {
  const { pool } = makePool(bucket);
  assert.throws(() => pool.malloc(0), { name: "AllocError", code: "EINVAL" });
  assert.throws(() => pool.malloc(4097), { name: "AllocError", code: "ENOSPC" });
  assert.throws(() => makePool(bucket, 4096, { minBucket: 100 }), /power of two/);
  assert.throws(() => makePool(bucket, 4096, { minbucket: 64 }), /Unrecognized key/);
  assert.throws(() => makePool(bucket, 4096, { minBucket: 8192 }), RangeError);
  const small = makePool(bucket, 4096, { minBucket: 16 }).pool;
  small.malloc(10);
  assert.equal(small.map(small.malloc(10), "ro").byteOffset % 4096, 16);
});

Deno.test("bucket.malloc()/free() keep objects intact and apart (20000 ops)", () => {
  const { pool, arena } = makePool(bucket, 16384, {}, 1);
  const rand = prng(99);
  const live = new Map<number, number>();
  const handles: number[] = [];
  for (let i = 0; i < 20_000; i++) {
    if (handles.length === 0 || rand() < 0.55) {
      const h = pool.malloc(1 + Math.floor(rand() * 16384));
      fillPattern(pool.map(h, "wo"), i);
      pool.unmap(h);
      live.set(h, i);
      handles.push(h);
    } else {
      const k = Math.floor(rand() * handles.length);
      const h = handles[k];
      handles[k] = handles[handles.length - 1];
      handles.pop();
      assert.equal(badPattern(pool.map(h, "ro"), live.get(h)!), -1);
      pool.free(h);
      live.delete(h);
    }
  }
  assert.equal(pool.totalPages(), arena.pagesInUse());
  assertNoOverlap([...pool.liveObjects!()].map(([, v]) => v), 16384);
  for (const [h, tag] of live) assert.equal(badPattern(pool.map(h, "ro"), tag), -1);
});
