/**
 * One simulated task's {@linkcode LoadContext}: the primitives load strategies compose, with the
 * atomic-context bookkeeping of the frontend (the preempt count, CONFIG_DEBUG_ATOMIC_SLEEP).
 *
 * Lock order (kernel-zswap.md §1): take the CPU mutex before `map()`; never call anything that may
 * sleep (mutex lock, an asynchronous codec, a GFP_KERNEL kmalloc) while a handle of a pool that
 * cannot sleep mapped is mapped, or while preemption is off. Such a call is a violation, counted
 * whether or not it actually waits.
 *
 * @module
 */

import type { Compressor, Handle, LoadContext, MapMode, Zpool } from "../registry/types.ts";
import type { VirtualClock } from "./_clock.ts";
import type { EngineDevice } from "./_engine_model.ts";
import { EntryView } from "./_entries.ts";
import type { CpuMutex } from "./_mutex.ts";
import { callCostNs, type CodecCosts, type CostModel } from "./cost_model.ts";
import { wordsOf } from "./_pages.ts";

let clockRead = -1;

/** What one performance.now() costs here (ns): the median gap of back-to-back reads. */
function clockReadNs(): number {
  if (clockRead >= 0) return clockRead;
  const gaps: number[] = [];
  let prev = performance.now();
  for (let i = 0; i < 301; i++) {
    const t = performance.now();
    gaps.push((t - prev) * 1e6);
    prev = t;
  }
  gaps.sort((a, b) => a - b);
  clockRead = gaps[150];
  return clockRead;
}

/** A sleep while atomic, in strict mode: fails the cell. */
export class SleepInAtomicError extends Error {
  /** @param site Where it happened. */
  constructor(site: string) {
    super(`Sleeping function called from invalid context (strict mode): ${site}`);
    this.name = "SleepInAtomicError";
  }
}

/** What the contexts of one cell share: counters, the violation log and the random source. */
export interface ContextShared {
  /** The allocator's name, for violation sites. */
  readonly allocatorName: string;
  /** The strategy's name, for violation sites. */
  readonly strategyName: string;
  /** Fail at the first violation. */
  readonly strict: boolean;
  /** Probability that a GFP_ATOMIC kmalloc fails. */
  readonly bounceFailRate: number;
  /** Uniform [0, 1). */
  readonly random: () => number;
  /** Counters the contexts move. */
  readonly tally: ContextTally;
}

/** The counters contexts move (a subset of CellCounters, same names). */
export interface ContextTally {
  /** Bytes copied into bounce buffers. */
  bytes_bounced: number;
  /** Failed trylocks. */
  trylock_failed: number;
  /** Sleeps while atomic. */
  violations: number;
  /** Sum of returned lengths. */
  keepalive: number;
  /** lock() calls that found the CPU mutex taken and slept. */
  mutex_waits: number;
  /** The first few distinct violation sites. */
  readonly sites: string[];
}

/**
 * Virtual-time accounting of a cell (absent: operations are timed by the wall clock, as before).
 * `clock` and `device` are set when the compressor is a modelled engine.
 */
export interface TimeAccounting {
  /** The cost model. */
  readonly model: CostModel;
  /** The codec's costs in that model. */
  readonly codec: CodecCosts;
  /** The CPU clocks and the scheduler, or null when nothing sleeps in virtual time. */
  readonly clock: VirtualClock | null;
  /** The modelled engine, or null. */
  readonly device: EngineDevice | null;
}

/** How many distinct violation sites a cell keeps. */
export const MAX_VIOLATION_SITES = 5;

/** What the task is doing: names the violation site. */
export type Phase = "store" | "load" | "writeback";

const PHASE_INDEX: Readonly<Record<Phase, number>> = { store: 0, load: 1, writeback: 2 };

/** Calls that may sleep, by index. */
const SLEEP_CALLS = ["mutex_lock", "async decompress", "async compress", "kmalloc(GFP_KERNEL)"];
const SLEEP_MUTEX = 0;
const SLEEP_DECOMPRESS = 1;
const SLEEP_COMPRESS = 2;
const SLEEP_KMALLOC = 3;

/**
 * A task's context. Also carries the task's page buffers so the frontend allocates nothing per
 * operation. The internal `preemptDisable()`/`preemptEnable()` model 5.10's `get_cpu_var()`.
 */
export class TaskContext implements LoadContext {
  readonly pageSize: number;
  readonly poolSleepMapped: boolean;
  readonly compressorAsync: boolean;
  readonly pool: Zpool;
  readonly buffer: Uint8Array;
  /** The task number. */
  readonly task: number;
  /** The CPU the task runs on. */
  readonly cpu: number;
  /** Compression destination: the first PAGE_SIZE bytes of the CPU buffer (dlen = PAGE_SIZE). */
  readonly dst: Uint8Array;
  /** The task's page: what a store compresses and where a load decompresses. */
  readonly page: Uint8Array;
  /** 32-bit view of `page`. */
  readonly pageWords: Uint32Array;
  /** Where the integrity check regenerates the expected page. */
  readonly expect: Uint8Array;
  /** 32-bit view of `expect`. */
  readonly expectWords: Uint32Array;
  /** Where writeback decompresses. */
  readonly wbPage: Uint8Array;
  /** 32-bit view of `wbPage`. */
  readonly wbWords: Uint32Array;
  /** The preempt count: > 0 means atomic. */
  preempt = 0;
  /** Handles mapped now on a pool that cannot sleep mapped. */
  atomicMaps = 0;
  /** What the task is doing. */
  phase: Phase = "load";
  /** Set when a GFP_ATOMIC kmalloc failed (by injection) during the current strategy call. */
  kmallocFailed = false;
  /** Entries stored raw are copied, not decompressed (6.18 on). */
  readonly rawCopy: boolean;
  /** The store in progress: its entry slot (read by the store's asynchronous continuation). */
  opSlot = 0;
  /** The store in progress: its page id. */
  opPageId = 0;
  /** The entry a load hands its strategy (refilled for each load). */
  readonly view: EntryView = new EntryView();
  /** The entry a writeback hands its strategy. */
  readonly wbView: EntryView = new EntryView();
  /** Offsets this task holds in flight (several tasks only). */
  readonly held: number[] = [];

  #mutex: CpuMutex;
  #compressor: Compressor;
  #shared: ContextShared;
  #tally: ContextTally;
  #mapped: Handle[] = [];
  #scratch: Uint8Array[];
  #scratchNext = 0;
  #seenSites = new Uint8Array(64);
  #time: TimeAccounting | null;
  #calibrated: boolean;
  /** Own modelled work (CPU charges, codec-bound engine occupancy) of the current operation. */
  #nominalNs = 0;
  /** Own measured work of the current operation (wall time while running). */
  #measuredNs = 0;
  #wallMark = 0;
  #startNs = 0;
  /** Where the engine's codec writes; copied into the caller's buffer at completion. */
  #engineOut: Uint8Array | null = null;

  /**
   * @param init Everything the context needs; the CPU buffer is shared by the tasks of a CPU.
   */
  constructor(init: {
    task: number;
    cpu: number;
    pool: Zpool;
    poolSleepMapped: boolean;
    compressor: Compressor;
    compressorAsync: boolean;
    mutex: CpuMutex;
    buffer: Uint8Array;
    pageSize: number;
    rawCopy: boolean;
    shared: ContextShared;
    time?: TimeAccounting | null;
  }) {
    this.task = init.task;
    this.cpu = init.cpu;
    this.pool = init.pool;
    this.poolSleepMapped = init.poolSleepMapped;
    this.compressorAsync = init.compressorAsync;
    this.pageSize = init.pageSize;
    this.buffer = init.buffer;
    this.dst = init.buffer.subarray(0, init.pageSize);
    this.rawCopy = init.rawCopy;
    this.#mutex = init.mutex;
    this.#compressor = init.compressor;
    this.#shared = init.shared;
    this.#tally = init.shared.tally;
    this.#time = init.time ?? null;
    this.#calibrated = this.#time?.model.kind === "calibrated";
    this.page = new Uint8Array(init.pageSize);
    this.pageWords = wordsOf(this.page);
    this.expect = new Uint8Array(init.pageSize);
    this.expectWords = wordsOf(this.expect);
    this.wbPage = new Uint8Array(init.pageSize);
    this.wbWords = wordsOf(this.wbPage);
    this.#scratch = [new Uint8Array(2 * init.pageSize), new Uint8Array(2 * init.pageSize)];
  }

  lock(): void | Promise<void> {
    if (this.preempt > 0) this.#mightSleep(SLEEP_MUTEX);
    const clock = this.#time?.clock ?? null;
    if (clock === null) {
      const wait = this.#mutex.lock(this);
      if (wait !== undefined) this.#tally.mutex_waits++;
      return wait;
    }
    if (this.#mutex.trylock(this)) return undefined;
    // Contended in virtual time: sleep until unlock() hands the mutex over.
    this.#tally.mutex_waits++;
    const { promise, wake } = clock.block(this.task);
    this.#mutex.lock(this, wake);
    return this.#sleeping(promise);
  }

  trylock(): boolean {
    if (this.#mutex.trylock(this)) return true;
    this.#tally.trylock_failed++;
    return false;
  }

  unlock(): void {
    this.#mutex.unlock(this);
  }

  /** Does this task hold its CPU's mutex? */
  holdsMutex(): boolean {
    return this.#mutex.owner === this;
  }

  map(handle: Handle, mode: MapMode): Uint8Array {
    const view = this.pool.map(handle, mode, this.cpu);
    this.#mapped.push(handle);
    if (!this.poolSleepMapped) {
      this.preempt++;
      this.atomicMaps++;
    }
    return view;
  }

  unmap(handle: Handle): void {
    const mapped = this.#mapped;
    const last = mapped.length - 1;
    if (last >= 0 && mapped[last] === handle) {
      mapped.pop();
    } else {
      const i = mapped.lastIndexOf(handle);
      if (i < 0) throw new Error(`Task ${this.task} unmapped handle ${handle} it had not mapped`);
      mapped.splice(i, 1);
    }
    this.pool.unmap(handle, this.cpu);
    if (!this.poolSleepMapped) {
      this.preempt--;
      this.atomicMaps--;
    }
  }

  decompress(src: Uint8Array, dst: Uint8Array): number | Promise<number> {
    // mm/zswap.c (D7.2): an entry of length PAGE_SIZE was stored raw and is copied back.
    if (this.rawCopy && src.length === this.pageSize) {
      dst.set(src);
      if (this.#time !== null) this.copied(src.length);
      return src.length;
    }
    if (this.compressorAsync && this.preempt > 0) this.#mightSleep(SLEEP_DECOMPRESS);
    const time = this.#time;
    if (time === null) return this.#compressor.decompress(src, dst);
    if (time.device !== null) return this.#engineCall(time, "decompress", src, dst);
    const n = this.#compressor.decompress(src, dst);
    if (typeof n === "number") {
      this.charge(callCostNs(time.codec.decompress, n, src.length));
    }
    return n;
  }

  /** Compress for the store path; an asynchronous codec sleeps (a violation if atomic). */
  compress(src: Uint8Array, dst: Uint8Array): number | Promise<number> {
    if (this.compressorAsync && this.preempt > 0) this.#mightSleep(SLEEP_COMPRESS);
    const time = this.#time;
    if (time === null) return this.#compressor.compress(src, dst);
    if (time.device !== null) return this.#engineCall(time, "compress", src, dst);
    let n: number | Promise<number>;
    try {
      n = this.#compressor.compress(src, dst);
    } catch (err) {
      this.charge(callCostNs(time.codec.compress, src.length, dst.length));
      throw err;
    }
    if (typeof n === "number") this.charge(callCostNs(time.codec.compress, src.length, n));
    return n;
  }

  // -------------------------------------------------------------------------------------------
  // Virtual time

  /** Is this cell timed by the model (virtual time or the calibrated table)? */
  get accounted(): boolean {
    return this.#time !== null;
  }

  /** Charge `ns` of modelled CPU work to this task's CPU (and to the operation's own work). */
  charge(ns: number): void {
    this.#nominalNs += ns;
    this.#time?.clock?.advance(this.task, ns);
  }

  /** Charge a memcpy of `bytes` (a bounce or a copy into the pool). */
  copied(bytes: number): void {
    const time = this.#time;
    if (time !== null) this.charge(bytes * time.model.table.copy_ns_per_byte);
  }

  /** Start timing one store, load or writeback (accounted cells only). */
  opBegin(): void {
    const time = this.#time!;
    this.#nominalNs = 0;
    this.#measuredNs = 0;
    this.#startNs = time.clock !== null ? time.clock.timeOf(this.task) : 0;
    this.charge(time.model.table.op_ns);
    this.#wallMark = performance.now();
  }

  /**
   * End timing the operation begun by `opBegin()`.
   * @param untimedMs Wall time inside the operation spent on the harness's own work, left out.
   * @returns Its latency in ns: calibrated, the modelled end-to-end time; measured, the modelled
   * end-to-end time with the task's own modelled work replaced by what it measurably cost.
   */
  opEnd(untimedMs = 0): number {
    // The harness's own work inside the window (`untimedMs`) is no part of the task's cost.
    this.#measuredNs += (performance.now() - this.#wallMark - untimedMs) * 1e6;
    const clock = this.#time!.clock;
    const elapsed = clock !== null ? clock.timeOf(this.task) - this.#startNs : this.#nominalNs;
    if (this.#calibrated) return elapsed;
    return Math.max(0, elapsed - this.#nominalNs + this.#measuredNs);
  }

  /** Run the codec now, then sleep until the engine would have completed the request. */
  #engineCall(
    time: TimeAccounting,
    dir: "compress" | "decompress",
    src: Uint8Array,
    dst: Uint8Array,
  ): Promise<number> {
    const device = time.device!;
    const codec = device.model.codec;
    // Timing the codec costs two clock reads: only when the engine's time is all modelled.
    const t0 = device.model.throughputMBps[dir] === null ? 0 : performance.now();
    // The engine reads the source now but its output lands in `dst` only at completion (a
    // DMA write): until then another task of this CPU may use the same per-CPU buffer, the
    // compression destination. A load decompresses into the task's own page: no one else reads
    // it, so the codec writes it at once.
    let into = dst;
    if (dir === "compress") {
      let out = this.#engineOut;
      if (out === null || out.length < dst.length) {
        out = this.#engineOut = new Uint8Array(dst.length);
      }
      into = out.subarray(0, dst.length);
    }
    let n: number | Promise<number> | undefined;
    let failure: unknown = undefined;
    try {
      n = dir === "compress" ? codec.compress(src, into) : codec.decompress(src, into);
    } catch (err) {
      failure = err;
    }
    if (n instanceof Promise) return this.#engineAsyncCodec(time, dir, src, dst, n, t0);
    return this.#engineComplete(time, dir, src, dst, n, failure, t0);
  }

  async #engineAsyncCodec(
    time: TimeAccounting,
    dir: "compress" | "decompress",
    src: Uint8Array,
    dst: Uint8Array,
    pending: Promise<number>,
    t0: number,
  ): Promise<number> {
    let n: number | undefined;
    let failure: unknown = undefined;
    try {
      n = await pending;
    } catch (err) {
      failure = err;
    }
    return await this.#engineComplete(time, dir, src, dst, n, failure, t0);
  }

  #engineComplete(
    time: TimeAccounting,
    dir: "compress" | "decompress",
    src: Uint8Array,
    dst: Uint8Array,
    n: number | undefined,
    failure: unknown,
    t0: number,
  ): Promise<number> {
    const ok = n !== undefined;
    const pageBytes = dir === "compress" ? src.length : ok ? n : dst.length;
    const compressedBytes = dir === "compress" ? (ok ? n : dst.length) : src.length;
    const codecNs = callCostNs(time.codec[dir], pageBytes, compressedBytes);
    const clock = time.clock!;
    const done = time.device!.submit(clock.timeOf(this.task), dir, pageBytes, codecNs);
    if (done.codecBound) {
      this.#nominalNs += codecNs; // the engine runs at the codec's speed, as measured here
    } else {
      // The engine's time is all modelled: take the codec's run (and one clock read) out.
      this.#measuredNs -= (performance.now() - t0) * 1e6 + clockReadNs();
    }
    const wait = clock.sleepUntil(this.task, done.doneNs);
    return this.#engineWait(wait, dst, n, failure, dir === "compress");
  }

  async #engineWait(
    wait: Promise<void>,
    dst: Uint8Array,
    n: number | undefined,
    failure: unknown,
    copyOut: boolean,
  ): Promise<number> {
    this.#pauseWall();
    await wait;
    this.#resumeWall();
    if (failure !== undefined) throw failure;
    if (copyOut) {
      const len = Math.min(n!, dst.length);
      if (len > 0) dst.set(this.#engineOut!.subarray(0, len));
    }
    return n!;
  }

  /** Sleep in virtual time: the wall clock of the operation stops meanwhile. */
  async #sleeping(wait: Promise<void>): Promise<void> {
    this.#pauseWall();
    await wait;
    this.#resumeWall();
  }

  #pauseWall(): void {
    // The two clock reads around a sleep are simulator work: one read's cost is taken out (the
    // in-process figure, timed by two reads, carries one as well).
    this.#measuredNs += (performance.now() - this.#wallMark) * 1e6 - clockReadNs();
  }

  #resumeWall(): void {
    this.#wallMark = performance.now();
  }

  kmalloc(size: number, atomic: boolean): Uint8Array | null {
    if (!atomic) {
      if (this.preempt > 0) this.#mightSleep(SLEEP_KMALLOC);
    } else if (
      this.#shared.bounceFailRate > 0 && this.#shared.random() < this.#shared.bounceFailRate
    ) {
      this.kmallocFailed = true;
      return null;
    }
    // Two rotating scratch buffers: a strategy may hold two allocations at once.
    if (size > 2 * this.pageSize) return new Uint8Array(size);
    const buf = this.#scratch[this.#scratchNext];
    this.#scratchNext ^= 1;
    return buf.subarray(0, size);
  }

  bounced(bytes: number): void {
    this.#tally.bytes_bounced += bytes;
    if (this.#time !== null) this.copied(bytes);
  }

  /** get_cpu_var()/get_cpu_ptr(): preemption off (5.10's per-CPU buffer and tfm). */
  preemptDisable(): void {
    this.preempt++;
  }

  /** put_cpu_var(): preemption back on. */
  preemptEnable(): void {
    this.preempt--;
  }

  /**
   * Undo what a failed operation left behind: unmap every handle the task still has mapped,
   * release the CPU mutex if it holds it, and clear the preempt count.
   */
  releaseAll(): void {
    while (this.#mapped.length > 0) {
      const h = this.#mapped.pop()!;
      this.pool.unmap(h, this.cpu);
    }
    if (this.#mutex.owner === this) this.#mutex.unlock(this);
    this.preempt = 0;
    this.atomicMaps = 0;
  }

  #mightSleep(what: number): void {
    this.#tally.violations++;
    // Build the site string only the first time this (phase, call, cause) is seen.
    const key = (PHASE_INDEX[this.phase] * SLEEP_CALLS.length + what) * 2 +
      (this.atomicMaps > 0 ? 1 : 0);
    if (this.#seenSites[key] === 0) {
      this.#seenSites[key] = 1;
      const cause = this.atomicMaps > 0
        ? `${this.#shared.allocatorName} handle mapped`
        : "preemption disabled";
      const site = this.phase === "store"
        ? `store: ${SLEEP_CALLS[what]} while ${cause}`
        : `${this.phase}/${this.#shared.strategyName}: ${SLEEP_CALLS[what]} while ${cause}`;
      const sites = this.#tally.sites;
      if (sites.length < MAX_VIOLATION_SITES && !sites.includes(site)) sites.push(site);
      if (this.#shared.strict) throw new SleepInAtomicError(site);
    } else if (this.#shared.strict) {
      throw new SleepInAtomicError(`${this.phase}: ${SLEEP_CALLS[what]}`);
    }
  }
}
