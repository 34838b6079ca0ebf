// `deno task perf`, part 2: malloc+free pairs per second of each allocator (private to
// bench/perf/main.ts).
//
// Object sizes are the lz4 lengths of the pages of `mixed` (default weights) that zswap would put
// in a pool: those lz4 compresses below the page size and that are not same-filled, capped at
// zbud's largest object so every allocator takes every size. Each allocator gets a fresh arena
// and pool filled with `live` objects; a pair frees a random live object and allocates one of
// the next size in its place. Pairs are timed in bulk: one performance.now() pair around a batch
// (a clock read per pair would cost more than the pair); pairs per second is the median batch.

import { createArena } from "../../allocators/arena.ts";
import { builtinAllocators } from "../../allocators/mod.ts";
import { zbudGeometry } from "../../allocators/zbud.ts";
import { lz4Compressor } from "../../compressors/lz4.ts";
import type { Compressor, Workload, Zpool } from "../../registry/types.ts";
import { mixedWorkload } from "../../workloads/mixed.ts";
import { fullGc, median, seededUnit } from "./util.ts";

/** Pair rate of one allocator. */
export interface AllocatorPairs {
  /** malloc+free pairs per second (median batch). */
  pairs_per_sec: number;
  /** Nanoseconds per pair (of the median batch). */
  ns_per_pair: number;
  /** Pairs per second of each measured batch. */
  batches: number[];
  /** Pool pages at the end. */
  pool_pages: number;
}

/** The object sizes the pairs draw from. */
export interface SizeDistribution {
  /** Where they come from. */
  source: string;
  /** Distinct pages sampled. */
  pages: number;
  /** Mean size (bytes). */
  mean: number;
  /** Median size. */
  p50: number;
  /** Smallest. */
  min: number;
  /** Largest. */
  max: number;
}

/** Options of {@linkcode measureAllocators}. */
export interface AllocOptions {
  /** Live objects in each pool while pairs run. */
  live: number;
  /** Pairs per timed batch. */
  pairs: number;
  /** Measured batches (after one warm-up batch). */
  rounds: number;
  /** Seed of the pages and of the draws. */
  seed: number;
  /** Bytes per page. */
  pageSize: number;
}

/** What {@linkcode measureAllocators} found. */
export interface AllocResult {
  /** The sizes. */
  sizes: SizeDistribution;
  /** Live objects per pool. */
  live: number;
  /** Pairs per batch. */
  pairs: number;
  /** Measured batches. */
  rounds: number;
  /** By allocator name. */
  allocators: Record<string, AllocatorPairs>;
}

const SAMPLES = 1 << 16;

/** lz4 lengths of the pages of `mixed` that a pool would hold. */
export function pooledLengths(pages: number, seed: number, pageSize: number): Int32Array {
  const w = mixedWorkload.create({ pageSize, seed, pages, options: {} }) as Workload;
  const codec = lz4Compressor.create({}) as Compressor;
  const page = new Uint8Array(pageSize);
  const dst = new Uint8Array(pageSize);
  const words = new Uint32Array(page.buffer);
  const cap = zbudGeometry(pageSize).maxObjectBytes;
  const out: number[] = [];
  for (let id = 0; id < pages; id++) {
    w.page(id, page);
    if (sameFilled(words)) continue; // stored as a value, never in the pool
    let n: number;
    try {
      n = codec.compress(page, dst) as number;
    } catch {
      continue; // incompressible: rejected
    }
    if (n > 0 && n <= cap) out.push(n);
  }
  return Int32Array.from(out);
}

function sameFilled(words: Uint32Array): boolean {
  for (let i = 2; i < words.length; i += 2) {
    if (words[i] !== words[0] || words[i + 1] !== words[1]) return false;
  }
  return true;
}

function batch(
  pool: Zpool,
  live: Int32Array,
  sizes: Int32Array,
  victims: Int32Array,
  start: number,
  pairs: number,
): number {
  let c = start;
  for (let i = 0; i < pairs; i++) {
    const k = victims[c];
    pool.free(live[k]);
    live[k] = pool.malloc(sizes[c]);
    c = (c + 1) & (SAMPLES - 1);
  }
  return c;
}

/**
 * Measure malloc+free pairs per second of each built-in allocator.
 *
 * @param o Live objects, pairs per batch, batches, seed, page size.
 * @returns Pairs per second by allocator and the size distribution.
 */
export function measureAllocators(o: AllocOptions): AllocResult {
  const lengths = pooledLengths(4096, o.seed, o.pageSize);
  if (lengths.length === 0) throw new Error("No page of the mixed workload compressed");
  const rand = seededUnit(o.seed ^ 0x5eed);
  const sizes = Int32Array.from(
    { length: SAMPLES },
    () => lengths[Math.floor(rand() * lengths.length)],
  );
  const victims = Int32Array.from({ length: SAMPLES }, () => Math.floor(rand() * o.live));
  const sorted = Array.from(lengths).sort((a, b) => a - b);
  const result: AllocResult = {
    sizes: {
      source: "lz4 lengths of the pooled pages of mixed (default weights)",
      pages: lengths.length,
      mean: sorted.reduce((s, v) => s + v, 0) / sorted.length,
      p50: median(sorted),
      min: sorted[0],
      max: sorted[sorted.length - 1],
    },
    live: o.live,
    pairs: o.pairs,
    rounds: o.rounds,
    allocators: {},
  };
  for (const plugin of builtinAllocators) {
    fullGc();
    const arena = createArena(o.pageSize);
    const pool = plugin.create({ arena, pageSize: o.pageSize, cpus: 1, options: undefined });
    const live = new Int32Array(o.live);
    for (let i = 0; i < o.live; i++) live[i] = pool.malloc(sizes[i & (SAMPLES - 1)]);
    let cursor = batch(pool, live, sizes, victims, 0, o.pairs); // warm-up
    const rates: number[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const t0 = performance.now();
      cursor = batch(pool, live, sizes, victims, cursor, o.pairs);
      const t1 = performance.now();
      rates.push(o.pairs / ((t1 - t0) / 1000));
    }
    const rate = median(rates);
    result.allocators[plugin.name] = {
      pairs_per_sec: rate,
      ns_per_pair: 1e9 / rate,
      batches: rates,
      pool_pages: pool.totalPages(),
    };
  }
  return result;
}
