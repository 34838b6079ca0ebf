// Seeded random malloc/free sequences against every allocator, checking the invariants:
// live objects never overlap in arena memory, every byte written is read back (also after
// compaction moved objects), the pool's page count equals the arena's pages in use, and freeing
// an unknown or already freed handle throws a RangeError.

import assert from "node:assert/strict";
import type { AllocatorPlugin, Zpool } from "../../registry/types.ts";
import { z3foldAllocator, zbudAllocator, zsmallocAllocator } from "../../allocators/mod.ts";
import {
  assertNoOverlap,
  badPattern,
  fillPattern,
  liveSegments,
  makePool,
  oracleLengths,
  prng,
} from "./_helpers.ts";

interface FuzzCase {
  plugin: AllocatorPlugin;
  options: unknown;
  pageSize: number;
  ops: number;
  seed: number;
  /** Bytes the frontend would add (the zswap header for zbud and z3fold). */
  header: number;
}

const CASES: FuzzCase[] = [
  { plugin: zbudAllocator, options: {}, pageSize: 4096, ops: 100_000, seed: 0x5eed01, header: 8 },
  { plugin: z3foldAllocator, options: {}, pageSize: 4096, ops: 100_000, seed: 0x5eed02, header: 8 },
  {
    plugin: zsmallocAllocator,
    options: { rule: "new", chain: 8 },
    pageSize: 4096,
    ops: 100_000,
    seed: 0x5eed03,
    header: 0,
  },
  {
    plugin: zsmallocAllocator,
    options: { rule: "old" },
    pageSize: 4096,
    ops: 100_000,
    seed: 0x5eed04,
    header: 0,
  },
  { plugin: zbudAllocator, options: {}, pageSize: 16384, ops: 20_000, seed: 0x5eed05, header: 8 },
  { plugin: z3foldAllocator, options: {}, pageSize: 65536, ops: 20_000, seed: 0x5eed06, header: 8 },
  {
    plugin: zsmallocAllocator,
    options: { chain: 16 },
    pageSize: 16384,
    ops: 20_000,
    seed: 0x5eed07,
    header: 0,
  },
];

const LZ4 = oracleLengths("lz4");

function readBack(
  pool: Zpool,
  h: number,
  size: number,
  local: Uint8Array,
  way: number,
): Uint8Array {
  if (way === 1 && pool.readBegin) {
    const view = pool.readBegin(h, local);
    const copy = view.slice();
    pool.readEnd!(h);
    return copy;
  }
  if (way === 2 && pool.readSegments) {
    const out = new Uint8Array(size);
    let at = 0;
    for (const s of pool.readSegments(h)) {
      out.set(s, at);
      at += s.length;
    }
    assert.equal(at, size);
    return out;
  }
  const view = pool.map(h, way === 3 ? "rw" : "ro");
  const copy = view.slice();
  pool.unmap(h);
  return copy;
}

function run(c: FuzzCase): void {
  const { arena, pool } = makePool(c.plugin, c.pageSize, c.options);
  const rand = prng(c.seed);
  const limit = c.plugin === zbudAllocator ? c.pageSize - 2 * (c.pageSize >> 6) : c.pageSize;
  const scale = c.pageSize / 4096;
  const handles: number[] = [];
  const tags = new Map<number, { size: number; tag: number; at: number }>();
  const dead: number[] = [];
  const local = new Uint8Array(c.pageSize);
  let nextTag = 1;
  let pagesCompacted = 0;
  let foreignSeen = 0;
  const size = (): number => {
    const r = rand();
    let s: number;
    if (r < 0.6) s = Math.round(LZ4[Math.floor(rand() * LZ4.length)] * scale) + c.header;
    else if (r < 0.8) s = 1 + Math.floor(rand() * 96);
    else s = 1 + Math.floor(rand() * limit);
    return Math.min(s, limit);
  };
  const check = (): void => {
    assert.equal(pool.totalPages(), arena.pagesInUse(), "pool pages differ from arena pages");
    let n = 0;
    for (const [h, view] of pool.liveObjects!()) {
      const t = tags.get(h);
      assert.ok(t, `liveObjects() yields unknown handle ${h}`);
      assert.equal(view.length, t.size);
      assert.equal(badPattern(view, t.tag), -1, `object ${h} changed`);
      n++;
    }
    assert.equal(n, tags.size);
    assertNoOverlap(liveSegments(pool), c.pageSize);
    foreignSeen += Number(pool.stats().foreignObjects ?? 0);
  };
  for (let i = 0; i < c.ops; i++) {
    // Phases of growth and shrinkage, so pages fill, empty and get compacted.
    const pMalloc = 0.5 + 0.35 * Math.sin(i / 3000);
    const r = rand();
    if (handles.length === 0 || r < pMalloc) {
      const s = size();
      const h = pool.malloc(s);
      assert.ok(!tags.has(h), `handle ${h} handed out twice`);
      const tag = nextTag++;
      const view = pool.map(h, rand() < 0.5 ? "wo" : "rw");
      assert.equal(view.length, s);
      fillPattern(view, tag);
      pool.unmap(h);
      tags.set(h, { size: s, tag, at: handles.length });
      handles.push(h);
    } else {
      const k = Math.floor(rand() * handles.length);
      const h = handles[k];
      const t = tags.get(h)!;
      const bytes = readBack(pool, h, t.size, local, Math.floor(rand() * 4));
      assert.equal(badPattern(bytes, t.tag), -1, `object ${h} of ${t.size} bytes changed`);
      pool.free(h);
      tags.delete(h);
      const last = handles.pop()!;
      if (k < handles.length) {
        handles[k] = last;
        tags.get(last)!.at = k;
      }
      dead.push(h);
      if (dead.length > 64) dead.shift();
    }
    if (rand() < 0.02 && dead.length > 0) {
      const h = dead[Math.floor(rand() * dead.length)];
      if (!tags.has(h)) assert.throws(() => pool.free(h), RangeError);
    }
    if (rand() < 0.005) {
      const bogus = [0, -1, 1.5, 2 ** 31, Math.floor(rand() * 2 ** 31)][Math.floor(rand() * 5)];
      if (!tags.has(bogus)) assert.throws(() => pool.free(bogus), RangeError);
    }
    if (pool.compact && i % 7919 === 7918) {
      const before = pool.totalPages();
      const freed = pool.compact();
      assert.equal(pool.totalPages(), before - freed);
      pagesCompacted += freed;
    }
    if (i % 10_007 === 10_006) check();
  }
  check();
  // The paths that move objects ran: zsmalloc compaction, z3fold's lone-buddy migration.
  if (c.plugin === zsmallocAllocator) {
    assert.ok(pagesCompacted > 0, "compaction never freed a page");
  }
  if (c.plugin === z3foldAllocator) assert.ok(foreignSeen > 0, "no object ever moved page");
  for (const h of handles) pool.free(h);
  assert.equal(pool.totalPages(), 0);
  assert.equal(arena.pagesInUse(), 0);
}

for (const c of CASES) {
  Deno.test(
    `${c.plugin.name}.malloc()/free() keep objects intact and apart (${c.ops} ops, ${c.pageSize} B pages, ${
      JSON.stringify(c.options)
    })`,
    () => run(c),
  );
}
