// Helpers shared by the allocator tests: pool factories, placement of a view, the oracle files,
// a seeded PRNG and the invariant checks the fuzzers run.

import assert from "node:assert/strict";
import type { AllocatorPlugin, Arena, Zpool } from "../../registry/types.ts";
import { createArena } from "../../allocators/mod.ts";

/** A pool with its own arena. */
export interface PoolUnderTest {
  arena: Arena;
  pool: Zpool;
}

/** Make an arena and a pool of `plugin` over it. */
export function makePool(
  plugin: AllocatorPlugin,
  pageSize = 4096,
  options: unknown = {},
  cpus = 1,
  limitPages?: number,
): PoolUnderTest {
  const arena = createArena(pageSize, { limitPages });
  return { arena, pool: plugin.create({ arena, pageSize, cpus, options }) };
}

/** Where a view lies: its backing buffer, its page within that buffer, its offset in the page. */
export function placement(
  view: Uint8Array,
  pageSize: number,
): { buffer: ArrayBufferLike; page: number; offset: number } {
  return {
    buffer: view.buffer,
    page: Math.floor(view.byteOffset / pageSize),
    offset: view.byteOffset % pageSize,
  };
}

/** Names pages "page0", "page1", ... in order of first appearance. */
export class PageNamer {
  #names = new Map<ArrayBufferLike, Map<number, string>>();
  #count = 0;
  /** The name of the page `view` lies in. */
  name(view: Uint8Array, pageSize: number): string {
    const p = placement(view, pageSize);
    let byPage = this.#names.get(p.buffer);
    if (!byPage) this.#names.set(p.buffer, byPage = new Map());
    let n = byPage.get(p.page);
    if (n === undefined) byPage.set(p.page, n = `page${this.#count++}`);
    return n;
  }
}

const ORACLE = new URL("../oracle/", import.meta.url);

/** Rows of an oracle CSV (CRLF or LF), header first. */
export function readOracleCsv(name: string): string[][] {
  return Deno.readTextFileSync(new URL(name, ORACLE))
    .split(/\r?\n/)
    .filter((line) => line.length > 0)
    .map((line) => line.split(","));
}

/** The kernel 6.1 compressed lengths of `text.pages` for one compressor column. */
export function oracleLengths(compressor: string): number[] {
  const [header, ...rows] = readOracleCsv("kernel-6.1-text-lengths.csv");
  const col = header.indexOf(compressor);
  assert.ok(col >= 0, `no column ${compressor}`);
  return rows.map((r) => {
    const n = Number(r[col]);
    assert.ok(
      Number.isInteger(n),
      `length ${r[col]} is not a plain length (same-filled or rejected)`,
    );
    return n;
  });
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The byte pattern object `tag` holds at position k. */
export function patternByte(tag: number, k: number): number {
  return (tag + k * 131 + (k >> 8)) & 255;
}

/** Fill `view` with the pattern of `tag`. */
export function fillPattern(view: Uint8Array, tag: number): void {
  for (let k = 0; k < view.length; k++) view[k] = (tag + k * 131 + (k >> 8)) & 255;
}

/** Check `bytes` holds the pattern of `tag`; returns the first bad position or -1. */
export function badPattern(bytes: Uint8Array, tag: number): number {
  for (let k = 0; k < bytes.length; k++) {
    if (bytes[k] !== ((tag + k * 131 + (k >> 8)) & 255)) return k;
  }
  return -1;
}

/** Every segment of every live object, as a view into arena memory. */
export function liveSegments(pool: Zpool): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const [h, view] of pool.liveObjects!()) {
    if (pool.readSegments) out.push(...pool.readSegments(h));
    else out.push(view);
  }
  return out;
}

/**
 * Assert that no two segments overlap in arena memory and that each lies inside one page.
 * @returns The number of segments checked.
 */
export function assertNoOverlap(segments: Uint8Array[], pageSize: number): number {
  const byBuffer = new Map<ArrayBufferLike, [number, number][]>();
  for (const s of segments) {
    const inPage = s.byteOffset % pageSize;
    assert.ok(inPage + s.length <= pageSize, `segment at ${s.byteOffset} crosses a page`);
    let list = byBuffer.get(s.buffer);
    if (!list) byBuffer.set(s.buffer, list = []);
    list.push([s.byteOffset, s.byteOffset + s.length]);
  }
  for (const list of byBuffer.values()) {
    list.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < list.length; i++) {
      assert.ok(
        list[i][0] >= list[i - 1][1],
        `objects overlap: [${list[i - 1]}) and [${list[i]})`,
      );
    }
  }
  return segments.length;
}
