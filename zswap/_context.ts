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
import { EntryView } from "./_entries.ts";
import type { CpuMutex } from "./_mutex.ts";
import { wordsOf } from "./_pages.ts";

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
  /** The first few distinct violation sites. */
  readonly sites: string[];
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
    return this.#mutex.lock(this);
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
      return src.length;
    }
    if (this.compressorAsync && this.preempt > 0) this.#mightSleep(SLEEP_DECOMPRESS);
    return this.#compressor.decompress(src, dst);
  }

  /** Compress for the store path; an asynchronous codec sleeps (a violation if atomic). */
  compress(src: Uint8Array, dst: Uint8Array): number | Promise<number> {
    if (this.compressorAsync && this.preempt > 0) this.#mightSleep(SLEEP_COMPRESS);
    return this.#compressor.compress(src, dst);
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
