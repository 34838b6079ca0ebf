/**
 * The zswap frontend engine: executes a workload's operations over one pool, one compressor and
 * one load strategy, with the rules of a kernel preset, and counts what happens (DESIGN §5).
 *
 * Model:
 * - Tasks `0..T-1` run on CPUs `t mod C`; each is an async loop pulling ops from one shared
 *   iterator. They interleave only where something must wait: an asynchronous codec, a contended
 *   CPU mutex, an offset another task has in flight. With a synchronous codec nothing waits and
 *   the whole run is one synchronous loop.
 * - Ops on one offset keep their order: a task that pulls an op for an offset in flight queues on
 *   that offset (FIFO, `_offset_locks.ts`: the swap cache's part, not zswap's) before doing anything.
 * - Every store and every load served by zswap is timed alone (performance.now(), in ns);
 *   generating the page, the integrity check, shrinking and backing the arena's next pages with
 *   touched memory (page faults of the simulating process, not of the kernel) are outside it.
 * - Per-offset state (entries, LRU, zeromap, swap device) lives in one typed-array table
 *   (`_entries.ts`): no object per entry, about 21 bytes per offset.
 * - Pages a store rejects go to a simulated swap device (their page id is kept); writeback
 *   stores the page id and a hash of the bytes it decompressed, checked when the page is loaded
 *   from the device.
 * - LRU and writeback: one zswap-level LRU of entries for every preset. ≤ 6.4 the kernel's LRU
 *   was per allocator page and `zpool_shrink(pool, 1)` evicted one page's buddies; we write back
 *   entries from the LRU tail until the pool has one page fewer (at most 8 entries, else
 *   `reject_reclaim_fail`). zsmalloc ≤ 6.1 has no shrink: every shrink counts
 *   `reject_reclaim_fail` and writes nothing back. 6.5 on: write back until the pool can accept
 *   again, giving up after 16 failures; 6.12 on with the second-chance `referenced` bit (a
 *   rotation is one of those failures, as each shrink_memcg() call walks one entry). The
 *   shrink runs right after the store that queued it, in the task that queued it, as the
 *   shrink worker would run soon after.
 *
 * @module
 */

import {
  type AllocatorPresetSettable,
  AllocError,
  type Arena,
  CompressError,
  type Compressor,
  type LoadStrategy,
  type Op,
  type Workload,
  type Zpool,
} from "../registry/types.ts";
import type { CellCounters, CellParams, CellTimeline, OpRecorder } from "./cell_types.ts";
import { TimelineSampler } from "./_timeline.ts";
import { zeroCounters } from "./_counters.ts";
import { VirtualClock } from "./_clock.ts";
import { OffsetLocks } from "./_offset_locks.ts";
import {
  type ContextShared,
  type ContextTally,
  SleepInAtomicError,
  TaskContext,
  type TimeAccounting,
} from "./_context.ts";
import { EngineDevice } from "./_engine_model.ts";
import { codecCosts, type CostModel, resolveCostModel } from "./cost_model.ts";
import {
  EntryTable,
  KIND_DEVICE,
  KIND_EMPTY,
  KIND_POOL,
  KIND_RAW,
  KIND_SAME,
  KIND_ZERO,
} from "./_entries.ts";
import { CpuMutex } from "./_mutex.ts";
import {
  fillWord,
  hashPage,
  isSameFilled,
  isZeroFilled,
  pagesEqual,
  seededRandom,
} from "./_pages.ts";
import { canPoolAccept, type KernelPreset, type PoolLimits, poolLimits } from "./presets.ts";

/** mm/zswap.c (6.5 on): shrink_worker gives up after 16 failed reclaim attempts. */
const MAX_RECLAIM_RETRIES = 16;
/** ≤ 6.4 model: entries one shrink may write back while trying to free one page. */
const ONE_PAGE_MAX_ENTRIES = 8;
/** Pattern written over the load buffer before each load, so a load that writes nothing fails. */
const POISON = 0xdeadbeef;
/** Pages kept backed ahead of the arena's highest page (one zspage takes at most 16). */
const PREFAULT_PAGES = 64;
/** With an abort signal, yield to the event loop at least this often (ms) so timers can fire. */
const YIELD_MS = 50;
/**
 * Operations after which the pool back at the same high-water level counts as a new moment of it
 * for the stats snapshot: bounds the snapshots of a pool that sits at its peak.
 */
const HW_STATS_EVERY = 256;
/** How often a run reports its progress (ms). */
const PROGRESS_MS = 250;

const COMP_ENOSPC = -1;
const COMP_EINVAL = -2;

const DUP_FRONTSWAP = 0;
const DUP_INVALIDATE_FIRST = 1;
const DUP_REPLACE = 2;

/** What the engine needs: resolved plugins, instances and parameters. */
export interface FrontendSetup {
  /** The kernel preset. */
  preset: KernelPreset;
  /** Cell parameters. */
  params: CellParams;
  /** The pool. */
  pool: Zpool;
  /** The allocator's name (the preset's header bytes, violation sites). */
  allocatorName: string;
  /** What the preset may set on the allocator (`AllocatorPlugin.presetSettable`). */
  allocatorPresetSettable?: AllocatorPresetSettable;
  /** May the caller sleep while a handle is mapped? */
  poolSleepMapped: boolean;
  /** The compressor instance. */
  compressor: Compressor;
  /** Is it asynchronous? */
  compressorAsync: boolean;
  /**
   * The codec whose rules apply: the compressor's name, or the codec a `lengths` workload
   * replays (the preset's `unboundedCodecs`).
   */
  codecName?: string;
  /** The workload instance. */
  workload: Workload;
  /** The load strategy. */
  strategy: LoadStrategy;
  /** Its name (violation sites). */
  strategyName: string;
  /** Where latencies go. */
  recorder: OpRecorder;
  /** Aborts the run. */
  signal?: AbortSignal;
  /**
   * The pool's arena, if the engine made it: between operations, outside the timed regions, the
   * frontend has it back the next pages with memory the process has touched
   * (`Arena.prefault`), so page faults of fresh process memory are not timed as zswap work.
   */
  arena?: Arena;
  /** Called every {@linkcode PROGRESS_MS} or so with the operations done (between operations). */
  onProgress?: (opsDone: number) => void;
  /**
   * Called after every op (and the shrink it queued) with the pool's pages and the entries
   * stored at that moment: the pool op by op, as `kernel-check --trace` compares it.
   */
  afterOp?: (poolPages: number, storedPages: number) => void;
}

/** The engine of one cell. Use once: `await run()`, then `result()`. */
export class Frontend {
  readonly #counters: CellCounters = zeroCounters();
  readonly #tally: ContextTally;
  readonly #pool: Zpool;
  readonly #workload: Workload;
  readonly #strategy: LoadStrategy;
  readonly #recorder: OpRecorder;
  readonly #signal: AbortSignal | undefined;
  readonly #arena: Arena | undefined;
  readonly #afterOp: ((poolPages: number, storedPages: number) => void) | undefined;
  readonly #ctxs: TaskContext[] = [];
  readonly #ops: Iterator<Op>;
  readonly #pageSize: number;
  readonly #concurrent: boolean;
  /** Virtual time (a modelled engine), or null. */
  readonly #clock: VirtualClock | null;
  /** Operations timed by the model rather than the wall clock. */
  readonly #accounted: boolean;
  readonly #timeModel: string;
  /** Mean think time between a task's operations (ns), 0 for none. */
  readonly #thinkNs: number;
  readonly #thinkRandom: () => number;

  // Preset rules, read once.
  readonly #zeroPages: boolean;
  readonly #sameFilled: boolean;
  readonly #storeMutex: boolean;
  readonly #storeMapMode: "rw" | "wo";
  readonly #storeIncompressible: boolean;
  readonly #unbounded: boolean;
  readonly #headerBytes: number;
  readonly #dupRule: number;
  readonly #compressFailCounter: boolean;
  readonly #enospcPoor: boolean;
  readonly #zsmallocTooBigAllocFail: boolean;
  readonly #exclusive: boolean;
  readonly #slotsBatch: number;
  readonly #orphanOnRewrite: boolean;
  readonly #rotateOnLoad: boolean;
  readonly #secondChance: boolean;
  readonly #newLimitRule: boolean;
  readonly #shrinkOnThreshold: boolean;
  readonly #shrinkOnePage: boolean;
  readonly #canWriteback: boolean;
  readonly #limits: PoolLimits;

  // State: each offset's entry (tree and LRU), zeromap bit or device page, in one table.
  readonly #table: EntryTable;
  readonly #locks = new OffsetLocks();
  #zeroCount = 0;
  #deviceCount = 0;
  /** Entries whose swap slot was freed into the slots cache: kind, handle, length, flattened. */
  #parked: number[] = [];
  #parkedSlots = 0;
  #reachedFull = false;
  #shrinkRequested = false;
  #shrinking = false;
  #failure: unknown = undefined;
  #opsSinceCheck = 0;
  #lastYield = 0;

  // Live totals and their snapshot at the pool's high-water mark.
  #storedNow = 0;
  #sameNow = 0;
  #rawNow = 0;
  #compressedNow = 0;
  #hwPages = 0;
  #hwStored = 0;
  #hwSame = 0;
  #hwRaw = 0;
  #hwCompressed = 0;
  // The pool along the run, and the allocator's stats at its high-water mark (bench/ charts).
  readonly #timeline = new TimelineSampler();
  #opsDone = 0;
  #hwOp = 0;
  #hwStats: Record<string, unknown> | undefined = undefined;
  #hwStale = false;
  #hwStatsPages = -1;
  #hwStatsOp = 0;
  /** Time spent taking stats snapshots inside timed operations, subtracted from them (ms). */
  #untimedMs = 0;
  readonly #onProgress: ((opsDone: number) => void) | undefined;
  #lastProgress = 0;

  /** @param s The cell's setup. */
  constructor(s: FrontendSetup) {
    const p = s.params;
    const preset = s.preset;
    this.#pool = s.pool;
    this.#workload = s.workload;
    this.#strategy = s.strategy;
    this.#recorder = s.recorder;
    this.#signal = s.signal;
    this.#arena = s.arena;
    this.#onProgress = s.onProgress;
    this.#afterOp = s.afterOp;
    this.#pageSize = p.pageSize;
    this.#table = new EntryTable(p.pages);
    this.#concurrent = p.tasks > 1;
    this.#zeroPages = preset.zeroPages;
    this.#sameFilled = preset.sameFilled;
    this.#storeMutex = preset.storeLock === "mutex";
    this.#storeMapMode = preset.storeMapMode;
    this.#storeIncompressible = preset.storeIncompressible;
    this.#unbounded = s.codecName !== undefined && preset.bufferPages === 2 &&
      preset.unboundedCodecs.includes(s.codecName);
    this.#headerBytes = Object.hasOwn(preset.headerBytes, s.allocatorName)
      ? preset.headerBytes[s.allocatorName]
      : 0;
    this.#dupRule = preset.duplicates === "frontswap"
      ? DUP_FRONTSWAP
      : preset.duplicates === "invalidate-first"
      ? DUP_INVALIDATE_FIRST
      : DUP_REPLACE;
    this.#compressFailCounter = preset.compressFailCounter;
    this.#enospcPoor = preset.compressEnospcPoor;
    const settable = s.allocatorPresetSettable ?? {};
    this.#zsmallocTooBigAllocFail = settable.tooBigCounter === true &&
      preset.zsmallocTooBig === "reject_alloc_fail";
    this.#exclusive = preset.exclusiveLoads;
    this.#slotsBatch = preset.swapSlotsBatch;
    this.#orphanOnRewrite = preset.loadedRewrite === "orphan";
    this.#rotateOnLoad = preset.loadRotatesLru;
    this.#secondChance = preset.secondChance;
    this.#newLimitRule = preset.limitRule === "new";
    this.#shrinkOnThreshold = preset.shrinkOnThreshold;
    this.#shrinkOnePage = preset.shrinkGoal === "one-page";
    this.#canWriteback = settable.writeback !== true || preset.zsmallocWriteback;
    this.#limits = poolLimits(
      preset.limitRule,
      p.totalRamPages,
      p.maxPoolPercent,
      p.acceptThresholdPercent,
    );
    this.#tally = {
      bytes_bounced: 0,
      trylock_failed: 0,
      violations: 0,
      keepalive: 0,
      mutex_waits: 0,
      sites: [],
    };
    const costModel: CostModel = resolveCostModel(p.costModel);
    const engine = s.compressor.engine;
    this.#clock = engine !== undefined ? new VirtualClock(p.cpus) : null;
    const time: TimeAccounting | null = engine !== undefined || costModel.kind === "calibrated"
      ? {
        model: costModel,
        codec: codecCosts(costModel, engine?.codecName ?? s.codecName ?? "lz4"),
        clock: this.#clock,
        device: engine !== undefined ? new EngineDevice(engine, p.seed) : null,
      }
      : null;
    this.#accounted = time !== null;
    this.#thinkNs = this.#clock !== null ? (p.thinkUs ?? 0) * 1000 : 0;
    this.#thinkRandom = seededRandom((p.seed ^ 0x7417_c0de) >>> 0);
    this.#timeModel = timeModelName(costModel, engine !== undefined, s.compressorAsync);
    const shared: ContextShared = {
      allocatorName: s.allocatorName,
      strategyName: s.strategyName,
      strict: p.strict,
      bounceFailRate: p.bounceFailRate,
      random: seededRandom(p.seed),
      tally: this.#tally,
    };
    const mutexes: CpuMutex[] = [];
    const buffers: Uint8Array[] = [];
    for (let c = 0; c < p.cpus; c++) {
      mutexes.push(new CpuMutex(c));
      // Each CPU buffer owns its ArrayBuffer, so read-begin can tell a copy from a page view.
      buffers.push(new Uint8Array(preset.bufferPages * p.pageSize));
    }
    for (let t = 0; t < p.tasks; t++) {
      const cpu = t % p.cpus;
      this.#ctxs.push(
        new TaskContext({
          task: t,
          cpu,
          pool: s.pool,
          poolSleepMapped: s.poolSleepMapped,
          compressor: s.compressor,
          compressorAsync: s.compressorAsync,
          mutex: mutexes[cpu],
          buffer: buffers[cpu],
          pageSize: p.pageSize,
          rawCopy: preset.storeIncompressible,
          shared,
          time,
        }),
      );
      this.#clock?.register(t, cpu);
    }
    this.#ops = s.workload.ops()[Symbol.iterator]();
  }

  /**
   * Run every operation of the workload.
   * @throws The first error of any task: a strict-mode violation, an abort, a bug.
   */
  async run(): Promise<void> {
    this.#lastYield = performance.now();
    const tasks: Promise<void>[] = [];
    for (const ctx of this.#ctxs) tasks.push(this.#taskLoop(ctx));
    if (this.#clock !== null) await this.#clock.run();
    await Promise.all(tasks);
    if (this.#failure !== undefined) throw this.#failure;
  }

  /**
   * What made the latency figures: `measured` (in-process work timed by the wall clock; nothing
   * sleeps), `wall` (a Worker engine: real round trips and timers), `virtual/measured` (virtual time, own work as measured),
   * `virtual/calibrated` (virtual time, every cost from the calibrated table).
   */
  get timeModel(): string {
    return this.#timeModel;
  }

  /**
   * The pool sampled along the run and the allocator's stats at its high-water mark, after
   * `run()` (and before `release()`).
   */
  shape(): { timeline: CellTimeline; allocatorStatsAtHw: Record<string, unknown> } {
    const pages = this.#pool.totalPages();
    if (this.#hwStats === undefined || (this.#hwStale && pages === this.#hwPages)) {
      this.#hwStats = this.#pool.stats();
    }
    return {
      timeline: this.#timeline.finish(this.#opsDone, pages, this.#storedNow, this.#compressedNow, {
        pages: this.#hwPages,
        op: this.#hwOp,
      }),
      allocatorStatsAtHw: this.#hwStats,
    };
  }

  /** The counters and the first violation sites, after `run()`. */
  result(): { counters: CellCounters; violationSites: string[] } {
    const c = this.#counters;
    const t = this.#tally;
    c.bytes_bounced = t.bytes_bounced;
    c.trylock_failed = t.trylock_failed;
    c.violations = t.violations;
    c.mutex_waits = t.mutex_waits;
    c.keepalive = t.keepalive;
    c.pool_pages = this.#hwPages;
    c.pool_total_size = this.#hwPages * this.#pageSize;
    c.stored_pages = this.#hwStored;
    c.same_filled_pages = this.#hwSame;
    c.stored_incompressible_pages = this.#hwRaw;
    c.compressed_bytes = this.#hwCompressed;
    c.original_bytes = this.#hwStored * this.#pageSize;
    c.pool_pages_end = this.#pool.totalPages();
    c.stored_pages_end = this.#storedNow;
    return { counters: { ...c }, violationSites: [...t.sites] };
  }

  /** Drop the per-offset table (after `result()`): the cell is over. */
  release(): void {
    this.#table.release();
    this.#locks.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Tasks

  async #taskLoop(ctx: TaskContext): Promise<void> {
    const concurrent = this.#concurrent;
    const signal = this.#signal;
    const arena = this.#arena;
    arena?.prefault?.(PREFAULT_PAGES);
    const ops = this.#ops;
    const clock = this.#clock;
    try {
      for (;;) {
        // Virtual time: between operations the task gives its CPU up, so the task whose CPU is
        // free earliest pulls the next op.
        if (clock !== null) {
          const think = this.#thinkNs;
          if (think > 0) {
            const gap = -Math.log(1 - this.#thinkRandom()) * think;
            await clock.sleepUntil(ctx.task, clock.timeOf(ctx.task) + gap);
          } else {
            await clock.yield(ctx.task);
          }
        }
        if (this.#failure !== undefined) return;
        if (signal !== undefined && (++this.#opsSinceCheck & 255) === 0) {
          await this.#checkpoint(signal);
        }
        const next = ops.next();
        if (next.done === true) return;
        const op = next.value;
        // Workloads may reuse the op object: read it before anything can interleave.
        const kind = op.op;
        const offset = op.offset;
        const pageId = op.pageId;
        if (concurrent) {
          const wait = this.#locks.acquire(
            offset,
            clock !== null ? () => clock.block(ctx.task) : undefined,
          );
          if (wait !== undefined) await wait;
          ctx.held.push(offset);
        }
        if (kind === "store") {
          const r = this.#timedStore(ctx, offset, pageId);
          if (r !== undefined) await r;
        } else if (kind === "load") {
          const r = this.#timedLoad(ctx, offset);
          if (r !== undefined) await r;
        } else if (kind === "invalidate") {
          this.#invalidate(offset);
        } else {
          throw new TypeError(
            `Unknown op ${
              JSON.stringify(kind)
            } at offset ${offset} (expected store, load or invalidate)`,
          );
        }
        if (concurrent) this.#releaseHeld(ctx, offset);
        if (this.#onProgress !== undefined && (this.#opsDone & 1023) === 1023) this.#progress();
        this.#timeline.tick(
          ++this.#opsDone,
          this.#pool.totalPages(),
          this.#storedNow,
          this.#compressedNow,
        );
        arena?.prefault?.(PREFAULT_PAGES);
        if (this.#shrinkRequested && !this.#shrinking) await this.#shrink(ctx);
        if (this.#afterOp !== undefined) this.#afterOp(this.#pool.totalPages(), this.#storedNow);
      }
    } catch (err) {
      if (this.#failure === undefined) this.#failure = err;
      ctx.releaseAll();
      while (ctx.held.length > 0) this.#locks.release(ctx.held.pop()!);
    } finally {
      clock?.finish(ctx.task);
    }
  }

  async #checkpoint(signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (performance.now() - this.#lastYield < YIELD_MS) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    this.#lastYield = performance.now();
    signal.throwIfAborted();
  }

  #releaseHeld(ctx: TaskContext, offset: number): void {
    const i = ctx.held.lastIndexOf(offset);
    if (i >= 0) ctx.held.splice(i, 1);
    this.#locks.release(offset);
  }

  // -------------------------------------------------------------------------------------------
  // Store

  #timedStore(ctx: TaskContext, offset: number, pageId: number): Promise<void> | undefined {
    this.#workload.page(pageId, ctx.page);
    this.#counters.stores++;
    // Accounted cells are timed by the context (no extra clock read inside the window); the
    // high-water snapshot's time is left out either way.
    const u0 = this.#untimedMs;
    if (this.#accounted) ctx.opBegin();
    const t0 = this.#accounted ? 0 : performance.now();
    const r = this.#store(ctx, offset, pageId);
    if (r !== undefined) return this.#storeTimedAsync(ctx, r, t0, u0);
    this.#recorder.store(this.#opNs(ctx, t0, u0));
    return undefined;
  }

  async #storeTimedAsync(
    ctx: TaskContext,
    pending: Promise<void>,
    t0: number,
    u0: number,
  ): Promise<void> {
    await pending;
    this.#recorder.store(this.#opNs(ctx, t0, u0));
  }

  /**
   * zswap_store (plus the swap code's zero-page check from 6.12). An entry the store replaces
   * (6.12 on) stays in its slot until the new one is in, or the store fails and erases it.
   */
  #store(ctx: TaskContext, offset: number, pageId: number): Promise<void> | undefined {
    const table = this.#table;
    const s = table.slot(offset);
    let kind = table.kind(s);
    if (this.#zeroPages) {
      // mm/page_io.c (D6.12): zero-filled folios go to the swap zeromap, never to zswap.
      if (isZeroFilled(ctx.pageWords)) {
        this.#storeZero(s, kind, pageId);
        return undefined;
      }
      if (kind === KIND_ZERO) {
        this.#zeroCount--;
        table.markEmpty(s);
        kind = KIND_EMPTY;
      }
    }
    if (this.#exclusive && isStored(kind)) {
      // mm/memory.c, mm/zswap.c (D6.12): writing a swapped-out page faults it in first, and the
      // exclusive load erases its entry; the page-out then stores the new one.
      this.#dropStored(s);
      kind = KIND_EMPTY;
    }
    if (this.#slotsBatch > 0 && kind !== KIND_EMPTY) {
      if (!table.inSwapCache(s)) {
        // mm/memory.c (D5.10, D6.1): writing a swapped-out page faults it in and frees its slot;
        // the swap-out takes a new one. The old slot waits in the slots cache, its entry stored.
        this.#freeSlot(s);
        kind = KIND_EMPTY;
      } else if (this.#orphanOnRewrite) {
        // mm/memory.c (D5.10): the write copied the page; the old one keeps slot and entry.
        this.#orphan(s);
        kind = KIND_EMPTY;
      } // else (D6.1): same slot, the store below replaces the entry (frontswap's dup rule)
    }
    if (kind === KIND_DEVICE) {
      // The page goes to zswap or is written to the device again: the old device copy is stale.
      this.#deviceCount--;
      table.markEmpty(s);
      kind = KIND_EMPTY;
    }
    if (kind !== KIND_EMPTY && this.#dupRule !== DUP_REPLACE) {
      // mm/frontswap.c (≤ 6.5) invalidates a dup before zswap sees the store; mm/zswap.c (6.6-6.8)
      // invalidates it first and counts duplicate_entry.
      this.#dropStored(s);
      if (this.#dupRule === DUP_INVALIDATE_FIRST) this.#counters.duplicate_entry++;
    }
    if (this.#limitRejects()) {
      this.#reject(s, pageId);
      return undefined;
    }
    // Work the pool queued (z3fold's compaction after a free, mm/z3fold.c D5.10, D6.1) runs at
    // the store's first sleeping allocation (mm/zswap.c: zswap_entry_cache_alloc(GFP_KERNEL)),
    // before the object is allocated: the 5.10 and 6.1 trace records show it done after the next
    // store (a duplicate's invalidation included), and not after loads or invalidations.
    this.#pool.drain?.();
    if (this.#sameFilled && isSameFilled(ctx.pageWords)) {
      // mm/zswap.c (D6.1): a page of one repeated word is stored as the word.
      this.#insert(s, KIND_SAME, pageId, ctx.pageWords[0], 0);
      table.next[s] = ctx.pageWords[1];
      return undefined;
    }
    ctx.phase = "store";
    ctx.opSlot = s;
    ctx.opPageId = pageId;
    if (this.#storeMutex) {
      const wait = ctx.lock();
      if (wait instanceof Promise) return this.#storeAfterLock(ctx, wait);
    } else {
      ctx.preemptDisable(); // mm/zswap.c (D5.10): get_cpu_var(zswap_dstmem)
    }
    return this.#storeLocked(ctx);
  }

  async #storeAfterLock(ctx: TaskContext, wait: Promise<void>): Promise<void> {
    await wait;
    const r = this.#storeLocked(ctx);
    if (r !== undefined) await r;
  }

  #storeLocked(ctx: TaskContext): Promise<void> | undefined {
    let dlen: number | Promise<number>;
    try {
      // An unbounded codec (5.10's lzo) may fill the whole 2-page buffer.
      dlen = ctx.compress(ctx.page, this.#unbounded ? ctx.buffer : ctx.dst);
    } catch (err) {
      dlen = compressErrorCode(err);
    }
    if (typeof dlen !== "number") return this.#storeAfterCompress(ctx, dlen);
    this.#storeCompressed(ctx, dlen);
    return undefined;
  }

  async #storeAfterCompress(ctx: TaskContext, pending: Promise<number>): Promise<void> {
    let dlen: number;
    try {
      dlen = await pending;
    } catch (err) {
      dlen = compressErrorCode(err);
    }
    this.#storeCompressed(ctx, dlen);
  }

  #storeUnlock(ctx: TaskContext): void {
    if (this.#storeMutex) ctx.unlock();
    else ctx.preemptEnable();
  }

  /** After compression (dlen >= 0) or a compressor error (COMP_ENOSPC, COMP_EINVAL). */
  #storeCompressed(ctx: TaskContext, dlen: number): void {
    const s = ctx.opSlot;
    const pageId = ctx.opPageId;
    const pageSize = this.#pageSize;
    let kind = KIND_POOL;
    if (dlen === COMP_ENOSPC && this.#unbounded) {
      // A replayed "R" of an unbounded codec: lzo1x_worst_compress(PAGE_SIZE) bytes for the
      // allocator to refuse (crypto/lzo.c, D5.10); a real unbounded codec returns its length.
      dlen = pageSize + (pageSize >>> 4) + 64 + 3;
    }
    let len = dlen;
    if (dlen < 0 || (this.#storeIncompressible && (dlen === 0 || dlen >= pageSize))) {
      if (this.#storeIncompressible) {
        // mm/zswap.c (D7.2): comp_ret != 0 || dlen == 0 || dlen >= PAGE_SIZE -> store the page.
        kind = KIND_RAW;
        len = pageSize;
      } else {
        this.#storeUnlock(ctx);
        if (dlen === COMP_ENOSPC && this.#enospcPoor) {
          this.#counters.reject_compress_poor++; // mm/zswap.c (D6.12): -ENOSPC is "poor"
        } else if (this.#compressFailCounter) {
          this.#counters.reject_compress_fail++; // mm/zswap.c (≈6.6 on)
        } // mm/zswap.c (D5.10, D6.1): a compressor error rejects with no counter
        this.#reject(s, pageId);
        return;
      }
    } else {
      this.#tally.keepalive += dlen;
    }
    const hb = this.#headerBytes;
    let handle: number;
    try {
      handle = this.#pool.malloc(hb + len);
    } catch (err) {
      this.#storeUnlock(ctx);
      if (!(err instanceof AllocError)) throw err;
      this.#countAllocError(err.code);
      this.#reject(s, pageId);
      return;
    }
    // mm/zswap.c: ZPOOL_MM_RW up to 5.12 (D5.10), ZPOOL_MM_WO from 2021 on (D6.1).
    const obj = ctx.map(handle, this.#storeMapMode);
    if (hb !== 0) writeHeader(obj, this.#table.offsetOf(s), hb);
    obj.set(kind === KIND_RAW ? ctx.page : ctx.buffer.subarray(0, len), hb);
    if (this.#accounted) ctx.copied(len);
    ctx.unmap(handle);
    this.#storeUnlock(ctx);
    this.#insert(s, kind, pageId, handle, len);
  }

  #countAllocError(code: string): void {
    if (code === "ENOSPC" || code === "E2BIG") {
      // Too big for the allocator: reject_compress_poor, except zsmalloc in 5.10/6.1 where
      // zs_malloc's error reached zswap as -1 / -EINVAL (mm/zsmalloc.c D5.10, D6.1).
      if (this.#zsmallocTooBigAllocFail) this.#counters.reject_alloc_fail++;
      else this.#counters.reject_compress_poor++;
    } else {
      this.#counters.reject_alloc_fail++;
    }
  }

  /** The pool-limit checks of the preset's era; true means reject. */
  #limitRejects(): boolean {
    const pages = this.#pool.totalPages();
    const limits = this.#limits;
    if (this.#newLimitRule) {
      // mm/zswap.c (D6.12) zswap_check_limits
      if (pages >= limits.maxPages) {
        this.#counters.pool_limit_hit++;
        this.#reachedFull = true;
      } else if (this.#reachedFull && pages <= limits.thresholdPages) {
        this.#reachedFull = false;
      }
      return this.#reachedFull;
    }
    // mm/zswap.c (D6.1): zswap_is_full, then zswap_can_accept while reached_full
    if (limits.maxPages < pages) {
      this.#counters.pool_limit_hit++;
      this.#reachedFull = true;
      this.#shrinkRequested = true;
      return true;
    }
    if (this.#reachedFull) {
      if (!canPoolAccept(limits, pages)) {
        if (this.#shrinkOnThreshold) this.#shrinkRequested = true;
        return true;
      }
      this.#reachedFull = false;
    }
    return false;
  }

  /** A refused store: the page is written to the swap device; a stale entry is erased. */
  #reject(s: number, pageId: number): void {
    // mm/zswap.c (D6.12): on failure, erase the stale entry at the offset.
    if (isStored(this.#table.kind(s))) this.#dropStored(s);
    this.#table.set(s, KIND_DEVICE, pageId);
    this.#deviceCount++;
    // mm/zswap.c (D6.12): a failed store queues the shrink worker while reached_full.
    if (this.#newLimitRule && this.#reachedFull) this.#shrinkRequested = true;
  }

  #storeZero(s: number, kind: number, pageId: number): void {
    if (kind === KIND_ZERO) this.#zeroCount--;
    else if (kind === KIND_DEVICE) this.#deviceCount--;
    else if (kind !== KIND_EMPTY) this.#dropStored(s);
    this.#table.set(s, KIND_ZERO, pageId);
    this.#zeroCount++;
    this.#counters.zero_pages++;
  }

  /**
   * Put a new entry in slot `s`; an entry still there (replaced, 6.12 on) is freed after the new
   * one's object was allocated, as the kernel frees the entry xa_store() returns.
   */
  #insert(s: number, kind: number, pageId: number, handle: number, length: number): void {
    const table = this.#table;
    if (isStored(table.kind(s))) this.#dropStored(s); // replaced (xarray): free the stale entry
    table.set(s, kind, pageId);
    table.handles[s] = handle;
    if (kind === KIND_POOL) table.lengths[s] = length;
    if (kind !== KIND_SAME) {
      // mm/zswap.c (D6.12): new entries go on the LRU with referenced set.
      table.setReferenced(s, true);
      table.pushHead(s);
    }
    this.#storedNow++;
    if (kind === KIND_SAME) this.#sameNow++;
    else if (kind === KIND_RAW) {
      this.#rawNow++;
      this.#compressedNow += this.#pageSize;
    } else this.#compressedNow += length;
    const pages = this.#pool.totalPages();
    if (pages >= this.#hwPages) {
      // The latest moment the pool was at its largest.
      this.#hwPages = pages;
      this.#hwStored = this.#storedNow;
      this.#hwSame = this.#sameNow;
      this.#hwRaw = this.#rawNow;
      this.#hwCompressed = this.#compressedNow;
      this.#hwOp = this.#opsDone;
      // A new level, or the same one a while later: snapshot the stats before the pool next
      // shrinks (#dropStored). Ties within HW_STATS_EVERY operations keep the earlier snapshot.
      if (pages > this.#hwStatsPages || this.#opsDone - this.#hwStatsOp >= HW_STATS_EVERY) {
        this.#hwStale = true;
      }
    }
  }

  /** Free the entry in slot `s` (pool object, LRU) and mark the slot empty; it stays in use. */
  #dropStored(s: number): void {
    const table = this.#table;
    const kind = table.kind(s);
    this.#storedNow--;
    if (kind === KIND_SAME) {
      this.#sameNow--;
    } else {
      if (this.#hwStale && this.#pool.totalPages() === this.#hwPages) this.#snapshotHw();
      this.#pool.free(table.handles[s]);
      table.remove(s);
      if (kind === KIND_RAW) {
        this.#rawNow--;
        this.#compressedNow -= this.#pageSize;
      } else {
        this.#compressedNow -= table.lengths[s];
      }
    }
    table.markEmpty(s);
  }

  #progress(): void {
    const now = performance.now();
    if (now - this.#lastProgress < PROGRESS_MS) return;
    this.#lastProgress = now;
    this.#onProgress!(this.#opsDone + 1);
  }

  /** Take the allocator's stats at the high-water mark; its time is not charged to the op. */
  #snapshotHw(): void {
    const t0 = performance.now();
    this.#hwStats = this.#pool.stats();
    this.#hwStale = false;
    this.#hwStatsPages = this.#hwPages;
    this.#hwStatsOp = this.#opsDone;
    this.#untimedMs += performance.now() - t0;
  }

  /**
   * The latency of the operation begun at `t0` (wall clock) or by `ctx.opBegin()` (accounted), in
   * ns, leaving out the harness's own work inside it (the high-water snapshot since `u0`).
   */
  #opNs(ctx: TaskContext, t0: number, u0: number): number {
    const untimedMs = this.#untimedMs - u0;
    if (this.#accounted) return ctx.opEnd(untimedMs);
    return (performance.now() - t0 - untimedMs) * 1e6;
  }

  // -------------------------------------------------------------------------------------------
  // Load and invalidate

  #timedLoad(ctx: TaskContext, offset: number): Promise<void> | undefined {
    this.#counters.loads++;
    ctx.pageWords.fill(POISON);
    const table = this.#table;
    const u0 = this.#untimedMs;
    const t0 = this.#accounted ? 0 : performance.now();
    const s = table.find(offset);
    const kind = table.kind(s);
    if (this.#accounted && kind !== KIND_EMPTY && kind < KIND_DEVICE) ctx.opBegin();
    if (kind === KIND_EMPTY || kind >= KIND_DEVICE) {
      this.#loadElsewhere(ctx, s, kind);
      return undefined;
    }
    const expectedId = table.pageId(s);
    let n: number | Promise<number>;
    if (kind === KIND_SAME) {
      fillWord(ctx.pageWords, table.handles[s], table.next[s]); // mm/zswap.c (D6.1): memset_l
      n = this.#pageSize;
    } else {
      ctx.phase = "load";
      ctx.kmallocFailed = false;
      const view = ctx.view;
      view.handle = table.handles[s];
      view.length = kind === KIND_RAW ? this.#pageSize : table.lengths[s];
      view.headerBytes = this.#headerBytes;
      try {
        n = this.#strategy(ctx, view, ctx.page);
      } catch (err) {
        this.#loadFailed(ctx, err);
        return undefined;
      }
      if (typeof n !== "number") return this.#loadTimedAsync(ctx, s, expectedId, n, t0, u0);
    }
    if (n === this.#pageSize) this.#afterLoad(s);
    this.#loadDone(ctx, expectedId, n, this.#opNs(ctx, t0, u0) / 1e6);
    return undefined;
  }

  async #loadTimedAsync(
    ctx: TaskContext,
    s: number,
    expectedId: number,
    pending: Promise<number>,
    t0: number,
    u0: number,
  ): Promise<void> {
    let n: number;
    try {
      n = await pending;
    } catch (err) {
      this.#loadFailed(ctx, err);
      return;
    }
    if (n === this.#pageSize) this.#afterLoad(s);
    this.#loadDone(ctx, expectedId, n, this.#opNs(ctx, t0, u0) / 1e6);
  }

  /** A load whose strategy threw: count it if it is a decompression or bounce failure. */
  #loadFailed(ctx: TaskContext, err: unknown): void {
    if (err instanceof SleepInAtomicError) throw err;
    const decompressError = err instanceof CompressError;
    if (!decompressError && !ctx.kmallocFailed) throw err;
    ctx.releaseAll();
    if (decompressError) this.#counters.decompress_fail++;
    this.#counters.load_failed++;
  }

  /** Exclusive loads erase the entry (D6.12); 6.8 moves it to the LRU head (T ≈6.7). */
  #afterLoad(s: number): void {
    if (this.#exclusive) {
      this.#dropStored(s);
      this.#table.clear(s);
      return;
    }
    // mm/memory.c (D6.1): do_swap_page keeps a read-faulted page in the swap cache, slot and
    // entry with it (vm_swap_full() aside).
    this.#table.setSwapCache(s);
    if (this.#rotateOnLoad && this.#table.onLru(s)) this.#table.moveToHead(s);
  }

  #loadDone(ctx: TaskContext, expectedId: number, n: number, ms: number): void {
    if (n !== this.#pageSize) {
      this.#counters.decompress_fail++;
      this.#counters.load_failed++;
      return;
    }
    this.#recorder.load(ms * 1e6);
    this.#counters.load_hits++;
    this.#tally.keepalive += n;
    this.#workload.page(expectedId, ctx.expect);
    if (!pagesEqual(ctx.pageWords, ctx.expectWords)) this.#counters.integrity_failures++;
  }

  /** A load zswap does not serve: the zeromap (6.12 on), the swap device, or nothing (a miss). */
  #loadElsewhere(ctx: TaskContext, s: number, kind: number): void {
    const table = this.#table;
    if (kind === KIND_ZERO) {
      ctx.page.fill(0);
      this.#workload.page(table.pageId(s), ctx.expect);
      if (!pagesEqual(ctx.pageWords, ctx.expectWords)) this.#counters.integrity_failures++;
      return;
    }
    if (kind !== KIND_DEVICE) return;
    if (!this.#exclusive) table.setSwapCache(s);
    this.#workload.page(table.pageId(s), ctx.page);
    if (table.hasHash(s) && hashPage(ctx.pageWords) !== table.handles[s] >>> 0) {
      this.#counters.integrity_failures++;
    }
  }

  #invalidate(offset: number): void {
    this.#counters.invalidates++;
    const table = this.#table;
    const s = table.find(offset);
    const kind = table.kind(s);
    if (kind === KIND_EMPTY) return;
    if (this.#slotsBatch > 0) {
      this.#freeSlot(s);
      table.clear(s);
      return;
    }
    if (kind === KIND_DEVICE) this.#deviceCount--;
    else if (kind === KIND_ZERO) this.#zeroCount--;
    else this.#dropStored(s);
    table.clear(s);
  }

  /**
   * Free the swap slot of offset slot `s` into the per-CPU slots cache (mm/swap_slots.c, D5.10,
   * D6.1 free_swap_slot): the cache holds `swapSlotsBatch` slots; the one after that returns
   * them all, oldest first, and only then are their zswap entries invalidated
   * (swapcache_free_entries -> swap_range_free -> frontswap invalidate). Until then a parked
   * entry stays in the pool and in stored_pages but belongs to no offset (and is not written
   * back). The slot `s` is left empty.
   */
  #freeSlot(s: number): void {
    if (this.#parkedSlots >= this.#slotsBatch) this.#returnSlots();
    this.#parkedSlots++;
    const table = this.#table;
    const kind = table.kind(s);
    if (isStored(kind)) {
      table.remove(s);
      this.#parked.push(kind, table.handles[s], kind === KIND_POOL ? table.lengths[s] : 0);
    } else if (kind === KIND_DEVICE) this.#deviceCount--;
    else if (kind === KIND_ZERO) this.#zeroCount--;
    table.markEmpty(s);
  }

  /**
   * The page at slot `s` left its offset but stays in the swap cache, slot and entry with it
   * (5.10's copy on write of a swap-cache page): the entry stays stored and in the pool, belongs
   * to no offset and is never freed (only reclaim would free that page).
   */
  #orphan(s: number): void {
    const table = this.#table;
    const kind = table.kind(s);
    if (isStored(kind)) table.remove(s);
    else if (kind === KIND_DEVICE) this.#deviceCount--;
    table.markEmpty(s);
  }

  /** Give the parked slots back: their entries are freed in the order their slots were. */
  #returnSlots(): void {
    const parked = this.#parked;
    for (let i = 0; i < parked.length; i += 3) {
      const kind = parked[i];
      this.#storedNow--;
      if (kind === KIND_SAME) {
        this.#sameNow--;
        continue;
      }
      this.#pool.free(parked[i + 1]);
      if (kind === KIND_RAW) {
        this.#rawNow--;
        this.#compressedNow -= this.#pageSize;
      } else this.#compressedNow -= parked[i + 2];
    }
    parked.length = 0;
    this.#parkedSlots = 0;
  }

  // -------------------------------------------------------------------------------------------
  // Shrink and writeback

  async #shrink(ctx: TaskContext): Promise<void> {
    this.#shrinkRequested = false;
    this.#shrinking = true;
    try {
      if (!this.#canWriteback) {
        // mm/zswap.c (D6.1): zsmalloc has no zpool shrink; the worker counts a failure.
        this.#counters.reject_reclaim_fail++;
        return;
      }
      const counters = this.#counters;
      const table = this.#table;
      const pool = this.#pool;
      const start = pool.totalPages();
      let failures = 0;
      let written = 0;
      for (;;) {
        const pages = pool.totalPages();
        if (this.#shrinkOnePage ? pages < start : canPoolAccept(this.#limits, pages)) return;
        if (this.#shrinkOnePage && written >= ONE_PAGE_MAX_ENTRIES) {
          counters.reject_reclaim_fail++;
          return;
        }
        const s = table.tail;
        if (s < 0) {
          counters.reject_reclaim_fail++; // nothing left to write back
          return;
        }
        if (this.#secondChance && table.referenced(s)) {
          // mm/zswap.c (D6.12) shrink_memcg_cb: referenced -> clear, rotate, skip once. The
          // worker walks one entry per shrink_memcg() call, and a call that wrote nothing back
          // counts as a failure (no debugfs counter).
          table.setReferenced(s, false);
          table.moveToHead(s);
          if (++failures >= MAX_RECLAIM_RETRIES) return;
          continue;
        }
        if (this.#concurrent && this.#locks.held(table.offsetOf(s))) {
          // The page is in the swap cache (a load or store in flight): -EEXIST.
          counters.reject_reclaim_fail++;
          table.moveToHead(s);
          if (++failures >= MAX_RECLAIM_RETRIES) return;
          continue;
        }
        if (await this.#writeback(ctx, s)) written++;
        else if (++failures >= MAX_RECLAIM_RETRIES) return;
      }
    } finally {
      this.#shrinking = false;
    }
  }

  /** Decompress an entry through the load strategy, write it to the device, free it. */
  async #writeback(ctx: TaskContext, s: number): Promise<boolean> {
    const table = this.#table;
    const offset = table.offsetOf(s);
    table.remove(s);
    if (this.#concurrent) {
      this.#locks.take(offset);
      ctx.held.push(offset);
    }
    ctx.phase = "writeback";
    ctx.kmallocFailed = false;
    const view = ctx.wbView;
    view.handle = table.handles[s];
    view.length = table.kind(s) === KIND_RAW ? this.#pageSize : table.lengths[s];
    view.headerBytes = this.#headerBytes;
    let n: number;
    if (this.#accounted) ctx.opBegin();
    const t0 = this.#accounted ? 0 : performance.now();
    try {
      const r = this.#strategy(ctx, view, ctx.wbPage);
      n = typeof r === "number" ? r : await r;
    } catch (err) {
      if (err instanceof SleepInAtomicError) throw err;
      if (!(err instanceof CompressError) && !ctx.kmallocFailed) throw err;
      ctx.releaseAll();
      if (err instanceof CompressError) this.#counters.decompress_fail++;
      n = -1;
    }
    const wbNs = this.#accounted ? ctx.opEnd() : (performance.now() - t0) * 1e6;
    const ok = n === this.#pageSize;
    if (ok) {
      this.#recorder.writeback(wbNs);
      this.#tally.keepalive += n;
      const pageId = table.pageId(s);
      this.#dropStored(s);
      table.set(s, KIND_DEVICE, pageId);
      table.setHash(s, hashPage(ctx.wbWords));
      this.#deviceCount++;
      this.#counters.written_back_pages++;
    } else {
      if (n >= 0) this.#counters.decompress_fail++;
      this.#counters.reject_reclaim_fail++;
      table.pushHead(s);
    }
    if (this.#concurrent) this.#releaseHeld(ctx, offset);
    return ok;
  }
}

/** The `time_model` of a cell's figures (see `Frontend.timeModel`). */
function timeModelName(model: CostModel, engine: boolean, async: boolean): string {
  if (engine || model.kind === "calibrated") return `virtual/${model.kind}`;
  return async ? "wall" : "measured";
}

/** Is a slot of this kind a zswap entry (in the tree)? */
function isStored(kind: number): boolean {
  return kind === KIND_POOL || kind === KIND_SAME || kind === KIND_RAW;
}

function compressErrorCode(err: unknown): number {
  if (err instanceof CompressError) return err.code === "ENOSPC" ? COMP_ENOSPC : COMP_EINVAL;
  throw err;
}

/** mm/zswap.c (D6.1): struct zswap_header { swp_entry_t swpentry; } in front of the data. */
function writeHeader(obj: Uint8Array, offset: number, hb: number): void {
  let v = offset;
  for (let i = 0; i < hb; i++) {
    obj[i] = i < 8 ? v & 0xff : 0;
    v = Math.floor(v / 256);
  }
}
