// `deno task perf`, part 1: the frontend against the bare codec on the same pages (private to
// bench/perf/main.ts).
//
// Both sides run the same op stream of the same pages: store every page once, then load every
// page once in a seeded random order. Both time every call alone with a pair of
// performance.now() reads and record (t1 - t0) x 1e6 ns after the second read, so each sample
// holds the same timer cost and the ratio compares like with like:
// - bare: lz4 compress of the page into a preallocated page-sized buffer; lz4 decompress of the
//   stored block (a view made before the first clock read) into a preallocated page.
// - frontend: runCell() exactly as `deno task bench` runs a cell (zsmalloc, percpu-buffer, preset
//   6.8, one CPU, one task), timed by the frontend itself: the whole zswap_store path (limit
//   checks, same-filled check, mutex, compress, zs_malloc, map, copy, unmap, tree and LRU) and
//   the whole zswap_load path (tree lookup, mutex, map, memcpy into the per-CPU buffer, unmap,
//   decompress, LRU rotation).
// The two sides run interleaved, op by op, on the same set of pages (see PairedWorkload), so load
// from other processes on the machine falls on both alike. Generating pages
// and checking what a load gave back happen outside the timed regions. The first round is a
// warm-up; each figure is the median over the measured rounds.

import { zsmallocAllocator } from "../../allocators/zsmalloc.ts";
import { lz4Compressor } from "../../compressors/lz4.ts";
import type { Compressor, Op, Workload, WorkloadPlugin } from "../../registry/types.ts";
import { mixedWorkload } from "../../workloads/mixed.ts";
import type { CellPlan, OpRecorder } from "../../zswap/cell_types.ts";
import { runCell } from "../../builtins/run_cell.ts";
import { fullGc, median } from "./util.ts";

/** The pages of the overhead comparison: the compressible kinds of `mixed`, in its proportions. */
export const OVERHEAD_WORKLOAD_OPTIONS = { weights: { text: 0.35, datagen: 0.3 } } as const;
/** The kernel preset of the frontend side. */
export const OVERHEAD_PRESET = "6.8";

/** What the overhead comparison found. */
export interface OverheadResult {
  /** The pool of the frontend side. */
  allocator: string;
  /** The load strategy of the frontend side. */
  strategy: string;
  /** The kernel preset of the frontend side. */
  preset: string;
  /** The codec of both sides. */
  compressor: string;
  /** The pages: workload and options. */
  workload: string;
  /** Pages per round (each stored once and loaded once). */
  pages: number;
  /** Measured rounds (after one warm-up round). */
  rounds: number;
  /** How each side is timed. */
  timing: string;
  /**
   * Median over rounds of (sum of frontend store times / sum of bare compress times), over the
   * op pairs neither side of which took 20 times its median (interference: see dropped_*).
   */
  store_ratio: number;
  /** The same for frontend loads against bare decompressions. */
  load_ratio: number;
  /** As store_ratio with every pair kept (interference included). */
  store_ratio_all: number;
  /** As load_ratio with every pair kept. */
  load_ratio_all: number;
  /** Pairs dropped per round (stores and loads; median over rounds). */
  dropped_pairs: number;
  /** Frontend time in dropped pairs, all rounds (ms). */
  dropped_frontend_ms: number;
  /** Bare time in dropped pairs, all rounds (ms). */
  dropped_bare_ms: number;
  /** Median over rounds of (median frontend store / median bare compress). */
  store_ratio_p50: number;
  /** Median over rounds of (median frontend load / median bare decompress). */
  load_ratio_p50: number;
  /** Bare compress, mean ns per page (median over rounds). */
  bare_compress_ns: number;
  /** Frontend store, mean ns per page (median over rounds). */
  frontend_store_ns: number;
  /** Bare decompress, mean ns per page (median over rounds). */
  bare_decompress_ns: number;
  /** Frontend load, mean ns per page (median over rounds). */
  frontend_load_ns: number;
  /** Frontend store minus bare compress, ns per page (median over rounds). */
  store_extra_ns: number;
  /** Frontend load minus bare decompress, ns per page (median over rounds). */
  load_extra_ns: number;
  /** Store ratio of each measured round. */
  store_ratio_rounds: number[];
  /** Load ratio of each measured round. */
  load_ratio_rounds: number[];
  /** Loads that gave back other bytes than were stored, both sides, every round. */
  integrity_failures: number;
}

/** Options of {@linkcode measureOverhead}. */
export interface OverheadOptions {
  /** Pages per round. */
  pages: number;
  /** Measured rounds. */
  rounds: number;
  /** Workload seed. */
  seed: number;
  /** Bytes per page. */
  pageSize: number;
}

interface SideTimes {
  store: Float64Array;
  stores: number;
  load: Float64Array;
  loads: number;
}

function newTimes(pages: number): SideTimes {
  return { store: new Float64Array(pages), stores: 0, load: new Float64Array(pages), loads: 0 };
}

/** Keeps each frontend latency in an array, as fast as a recorder can be. */
class ArrayRecorder implements OpRecorder {
  constructor(readonly t: SideTimes) {}
  store(ns: number): void {
    this.t.store[this.t.stores++] = ns;
  }
  load(ns: number): void {
    this.t.load[this.t.loads++] = ns;
  }
  writeback(): void {}
}

const KIND_NONE = 0;
const KIND_STORE = 1;
const KIND_LOAD = 2;

/**
 * The workload of the frontend side, with the bare side inside it. It passes the ops and pages
 * of `mixed` through and watches which op the frontend is on. Each time the frontend asks for a
 * page to store (just before its timed store), the bare codec compresses a page of its own (timed);
 * each time the frontend asks for the expected page after a load (just after its timed load), the
 * bare codec decompresses a block (timed) and checks it. The bare side walks the same stores and
 * loads, half a pass ahead (store `i + n/2 mod n` beside the frontend's store `i`), so both sides
 * see every page once, side by side in time, and never the same page back to back: a codec run
 * right after another on the same bytes finds the branch predictor and caches trained for it and
 * takes half the time, which would favour whichever side came second.
 */
class PairedWorkload implements Workload {
  readonly #inner: Workload;
  readonly #codec: Compressor;
  readonly #bare: SideTimes;
  readonly #pageSize: number;
  readonly #slab: Uint8Array;
  readonly #views: (Uint8Array | undefined)[];
  readonly #dst: Uint8Array;
  readonly #back: Uint8Array;
  readonly #page: Uint8Array;
  // The op stream's stores (offset, page id) and loads (offset), in order.
  readonly #storeOffsets: Float64Array;
  readonly #storeIds: Float64Array;
  readonly #loadOffsets: Float64Array;
  readonly #idAt: Map<number, number> = new Map();
  #kind = KIND_NONE;
  #storeStep = 0;
  #loadStep = 0;
  failures = 0;

  constructor(
    inner: Workload,
    codec: Compressor,
    bare: SideTimes,
    slab: Uint8Array,
    o: OverheadOptions,
  ) {
    this.#inner = inner;
    this.#codec = codec;
    this.#bare = bare;
    this.#pageSize = o.pageSize;
    this.#slab = slab;
    this.#views = new Array<Uint8Array | undefined>(o.pages).fill(undefined);
    this.#dst = new Uint8Array(o.pageSize);
    this.#back = new Uint8Array(o.pageSize);
    this.#page = new Uint8Array(o.pageSize);
    const stores: number[] = [];
    const ids: number[] = [];
    const loads: number[] = [];
    for (const op of inner.ops()) {
      if (op.op === "store") {
        stores.push(op.offset);
        ids.push(op.pageId);
      } else if (op.op === "load") {
        loads.push(op.offset);
      } else {
        throw new Error(`The overhead workload has a ${op.op} op (expected stores, then loads)`);
      }
    }
    this.#storeOffsets = Float64Array.from(stores);
    this.#storeIds = Float64Array.from(ids);
    this.#loadOffsets = Float64Array.from(loads);
  }

  *ops(): Iterable<Op> {
    for (const op of this.#inner.ops()) {
      this.#kind = op.op === "store" ? KIND_STORE : op.op === "load" ? KIND_LOAD : KIND_NONE;
      yield op;
    }
  }

  page(pageId: number, into: Uint8Array): void {
    const kind = this.#kind;
    this.#kind = KIND_NONE; // one bare op per frontend op
    // Each codec call right after the page it works on was made, on both sides: the bare
    // compress after making its page, the frontend's after this call makes its page.
    if (kind === KIND_STORE) this.#bareStore();
    this.#inner.page(pageId, into);
    if (kind === KIND_LOAD) this.#bareLoad();
  }

  close(): void {
    this.#inner.close?.();
  }

  #bareStore(): void {
    const n = this.#storeOffsets.length;
    const k = (this.#storeStep++ + (n >> 1)) % n;
    const offset = this.#storeOffsets[k];
    const pageId = this.#storeIds[k];
    const page = this.#page;
    const dst = this.#dst;
    this.#inner.page(pageId, page);
    let len: number;
    const t0 = performance.now();
    try {
      len = this.#codec.compress(page, dst) as number;
    } catch {
      len = -1;
    }
    const t1 = performance.now();
    this.#bare.store[this.#bare.stores++] = (t1 - t0) * 1e6;
    this.#idAt.set(offset, pageId);
    const ps = this.#pageSize;
    if (len > 0 && len < ps) {
      const at = offset * ps;
      this.#slab.set(dst.subarray(0, len), at);
      this.#views[offset] = this.#slab.subarray(at, at + len);
    } else {
      this.#views[offset] = undefined;
    }
  }

  #bareLoad(): void {
    const n = this.#loadOffsets.length;
    const offset = this.#loadOffsets[(this.#loadStep++ + (n >> 1)) % n];
    const src = this.#views[offset];
    if (src === undefined) return;
    const back = this.#back;
    const t0 = performance.now();
    const len = this.#codec.decompress(src, back) as number;
    const t1 = performance.now();
    this.#bare.load[this.#bare.loads++] = (t1 - t0) * 1e6;
    this.#inner.page(this.#idAt.get(offset)!, this.#page);
    if (len !== this.#pageSize || !sameBytes(back, this.#page)) this.failures++;
  }
}

/** A workload plugin whose instance is one made beforehand. */
function fixedWorkload(w: Workload): WorkloadPlugin {
  return {
    kind: "workload",
    name: "mixed",
    description: "mixed pages with a bare-codec twin of each store and load",
    create: () => w,
  };
}

/** One round: the frontend cell with the bare codec paired op by op. Returns integrity failures. */
async function pairedRound(
  o: OverheadOptions,
  front: SideTimes,
  bare: SideTimes,
  slab: Uint8Array,
): Promise<number> {
  const inner = mixedWorkload.create({
    pageSize: o.pageSize,
    seed: o.seed,
    pages: o.pages,
    options: OVERHEAD_WORKLOAD_OPTIONS,
  }) as Workload;
  const paired = new PairedWorkload(inner, lz4Compressor.create({}) as Compressor, bare, slab, o);
  const plan: CellPlan = {
    allocator: zsmallocAllocator,
    allocatorOptions: undefined,
    compressor: lz4Compressor,
    compressorOptions: undefined,
    workload: fixedWorkload(paired),
    workloadOptions: undefined,
    strategy: undefined, // the preset's: percpu-buffer for 6.8
    strategyOptions: undefined,
    preset: OVERHEAD_PRESET,
    params: {
      pages: o.pages,
      seed: o.seed,
      cpus: 1,
      tasks: 1,
      pageSize: o.pageSize,
      totalRamPages: 5 * (o.pages + 4096), // 20% of it holds every page: the limit never bites
      maxPoolPercent: 20,
      acceptThresholdPercent: 90,
      strict: false,
      bounceFailRate: 0,
    },
  };
  const run = await runCell(plan, new ArrayRecorder(front));
  return run.counters.integrity_failures + paired.failures;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A pair taking this many times its side's median is dropped as interference. */
export const OUTLIER_FACTOR = 20;

/** Sums over the kept pairs, and what was dropped. */
interface PairSums {
  front: number;
  bare: number;
  kept: number;
  droppedFront: number;
  droppedBare: number;
}

/**
 * Sum both sides over the pairs (frontend op i, the bare op run beside it) in which neither op
 * took more than OUTLIER_FACTOR times its side's median: such an op was preempted by another
 * process or caught a collection; dropping the pair keeps the two sides' page sets equal.
 */
function pairSums(front: Float64Array, bare: Float64Array, n: number): PairSums {
  const capF = OUTLIER_FACTOR * p50(front, n);
  const capB = OUTLIER_FACTOR * p50(bare, n);
  const r: PairSums = { front: 0, bare: 0, kept: 0, droppedFront: 0, droppedBare: 0 };
  for (let i = 0; i < n; i++) {
    const f = front[i];
    const b = bare[i];
    if (f > capF || b > capB) {
      r.droppedFront += f;
      r.droppedBare += b;
    } else {
      r.front += f;
      r.bare += b;
      r.kept++;
    }
  }
  return r;
}

function p50(a: Float64Array, n: number): number {
  return median(Array.from(a.subarray(0, n)));
}

/**
 * Measure the frontend's store and load paths against the bare codec on the same pages.
 *
 * @param o Pages, rounds, seed, page size.
 * @returns The ratios and the times behind them.
 */
export async function measureOverhead(o: OverheadOptions): Promise<OverheadResult> {
  const slab = new Uint8Array(o.pages * o.pageSize);
  const bare = newTimes(o.pages);
  const front = newTimes(o.pages);
  const storeRatios: number[] = [];
  const loadRatios: number[] = [];
  const storeP50: number[] = [];
  const loadP50: number[] = [];
  const bareStore: number[] = [];
  const bareLoad: number[] = [];
  const frontStore: number[] = [];
  const frontLoad: number[] = [];
  const rawStore: number[] = [];
  const rawLoad: number[] = [];
  const dropped: number[] = [];
  let droppedFrontMs = 0;
  let droppedBareMs = 0;
  let failures = 0;
  for (let r = 0; r <= o.rounds; r++) {
    bare.stores =
      bare.loads =
      front.stores =
      front.loads =
        0;
    fullGc();
    failures += await pairedRound(o, front, bare, slab);
    if (r === 0) continue; // warm-up
    if (bare.stores !== front.stores || bare.loads !== front.loads) {
      throw new Error(
        `Overhead sides disagree: bare ${bare.stores} stores and ${bare.loads} loads, frontend ${front.stores} and ${front.loads}`,
      );
    }
    const st = pairSums(front.store, bare.store, front.stores);
    const ld = pairSums(front.load, bare.load, front.loads);
    const bs = st.bare / st.kept;
    const bl = ld.bare / ld.kept;
    const fs = st.front / st.kept;
    const fl = ld.front / ld.kept;
    dropped.push(front.stores - st.kept + front.loads - ld.kept);
    droppedFrontMs += (st.droppedFront + ld.droppedFront) / 1e6;
    droppedBareMs += (st.droppedBare + ld.droppedBare) / 1e6;
    rawStore.push(
      (st.front + st.droppedFront) / (st.bare + st.droppedBare),
    );
    rawLoad.push((ld.front + ld.droppedFront) / (ld.bare + ld.droppedBare));
    bareStore.push(bs);
    bareLoad.push(bl);
    frontStore.push(fs);
    frontLoad.push(fl);
    storeRatios.push(fs / bs);
    loadRatios.push(fl / bl);
    storeP50.push(p50(front.store, front.stores) / p50(bare.store, bare.stores));
    loadP50.push(p50(front.load, front.loads) / p50(bare.load, bare.loads));
  }
  return {
    allocator: "zsmalloc",
    strategy: "percpu-buffer",
    preset: OVERHEAD_PRESET,
    compressor: "lz4",
    workload: `mixed ${JSON.stringify(OVERHEAD_WORKLOAD_OPTIONS)}`,
    pages: o.pages,
    rounds: o.rounds,
    timing:
      "every call timed alone with a pair of performance.now() reads on both sides, run interleaved op by op (each frontend op next to a bare op on another page of the same set); page generation and integrity checks outside",
    store_ratio: median(storeRatios),
    load_ratio: median(loadRatios),
    store_ratio_p50: median(storeP50),
    load_ratio_p50: median(loadP50),
    bare_compress_ns: median(bareStore),
    frontend_store_ns: median(frontStore),
    bare_decompress_ns: median(bareLoad),
    frontend_load_ns: median(frontLoad),
    store_extra_ns: median(frontStore.map((f, i) => f - bareStore[i])),
    load_extra_ns: median(frontLoad.map((f, i) => f - bareLoad[i])),
    store_ratio_all: median(rawStore),
    load_ratio_all: median(rawLoad),
    dropped_pairs: median(dropped),
    dropped_frontend_ms: droppedFrontMs,
    dropped_bare_ms: droppedBareMs,
    store_ratio_rounds: storeRatios,
    load_ratio_rounds: loadRatios,
    integrity_failures: failures,
  };
}
