/**
 * Access patterns shared by the content workloads: which offsets are stored, loaded and
 * invalidated, in which order. Contents come from the workload's `page()`; the pattern only says
 * which page id goes to which offset.
 *
 * Every pattern starts by storing page `i` at offset `i` for every `i` in `[0, pages)`. Then:
 *
 * - `store-load` (the default): load every offset once, in a seeded random order (`loadOrder:
 *   "random"`), in offset order (`"sequential"`), or not at all (`"none"`). `2 x pages` ops.
 * - `sequential`, `random`, `zipf`, `hotcold`, `shift`: `ops` more operations (default
 *   `2 x pages`). Each picks an offset by the pattern and an operation by `loadShare` (default 0.7)
 *   and `invalidateShare` (default 0.1); the rest (0.2) are re-stores.
 *   - `sequential`: offsets 0, 1, 2, ... wrapping around.
 *   - `random`: uniform over all offsets.
 *   - `zipf`: the offset of rank `r` (1-based) is drawn with probability proportional to
 *     `1 / r^theta` (default theta 0.99, YCSB's constant); ranks are scattered over the offsets by
 *     a seeded permutation, so hot offsets are not neighbours.
 *   - `hotcold`: a `hotFraction` (default 0.2) of the offsets gets a `hotShare` (default 0.8) of
 *     the accesses, uniform inside each set; the hot set is scattered like zipf's ranks.
 *   - `shift`: the ops run in `phases` (default 4) equal phases; in phase `k` accesses are uniform
 *     over a window of `windowFraction x pages` offsets (default 0.25) starting at offset
 *     `k x pages / phases` (wrapping), so the working set moves.
 *
 * Rules of the op stream, for consumers:
 *
 * - A re-store writes a new version of the page: its `pageId` is a fresh id, `pages`,
 *   `pages + 1`, ..., one per store after the first pass, so the content changes (workloads that
 *   replay a fixed set of pages map ids past their end back onto their pages, see each workload).
 * - `pageId` is `-1` for `load` and `invalidate` ops (it only names contents for `store`).
 * - Loads do not drop the entry (zswap's loads are not exclusive before 6.7's option); an
 *   invalidate does. The stream tracks stored offsets in a bitset (1 bit per offset), and a load
 *   or invalidate that falls on an offset that is not stored becomes a store of it, so no op is a
 *   miss.
 * - The iterator reuses one `Op` object and one result object: read each op before the next
 *   `next()`. Memory is O(1) for `store-load` and `pages / 8` bytes (the bitset) otherwise.
 *
 * @module
 */

import { z } from "zod";
import { UsageError } from "../registry/errors.ts";
import { parseOptions } from "./_options.ts";
import type { Op } from "../registry/types.ts";
import { hash32, Permutation, Rng, seed32, zipfZeta } from "./_random.ts";

export { zipfZeta } from "./_random.ts";

/** The access pattern names. */
export const PATTERN_NAMES = [
  "store-load",
  "sequential",
  "random",
  "zipf",
  "hotcold",
  "shift",
] as const;

/** An access pattern name. */
export type PatternName = typeof PATTERN_NAMES[number];

/** The order of the load pass of `store-load`. */
export type LoadOrder = "random" | "sequential" | "none";

/**
 * The zod fields of the pattern options, spread into each content workload's strict schema. Every
 * field is optional here so that {@linkcode resolvePattern} can tell a given option from a default
 * and refuse one that does not apply to the chosen pattern.
 */
export const patternOptionShape = {
  pattern: z.enum(PATTERN_NAMES).optional().meta({
    description: "The access pattern",
    default: "store-load",
  }),
  loadOrder: z.enum(["random", "sequential", "none"]).optional().meta({
    description: "store-load only: order of the load pass",
    default: "random",
  }),
  ops: z.number().int().min(0).max(2 ** 40).optional().meta({
    description: "Operations after the first store pass (not store-load)",
    default: "2 x pages",
  }),
  loadShare: z.number().min(0).max(1).optional().meta({
    description: "Share of those operations that are loads",
    default: 0.7,
  }),
  invalidateShare: z.number().min(0).max(1).optional().meta({
    description: "Share that are invalidates; the rest are re-stores",
    default: 0.1,
  }),
  theta: z.number().gt(0).lt(1).optional().meta({
    description: "zipf only: the skew, strictly between 0 and 1",
    default: 0.99,
  }),
  hotFraction: z.number().gt(0).lt(1).optional().meta({
    description: "hotcold only: the share of offsets that are hot",
    default: 0.2,
  }),
  hotShare: z.number().min(0).max(1).optional().meta({
    description: "hotcold only: the share of accesses that go to hot offsets",
    default: 0.8,
  }),
  phases: z.number().int().min(1).optional().meta({
    description: "shift only: the number of phases",
    default: 4,
  }),
  windowFraction: z.number().gt(0).max(1).optional().meta({
    description: "shift only: the window size as a share of the offsets",
    default: 0.25,
  }),
};

/** Pattern options as a user gives them (every field optional; see the module doc). */
export interface PatternOptions {
  /** The access pattern (default `store-load`). */
  pattern?: PatternName;
  /** `store-load` only: order of the load pass (default `random`). */
  loadOrder?: LoadOrder;
  /** Operations after the first store pass (default 2 x pages). */
  ops?: number;
  /** Share of those operations that are loads (default 0.7). */
  loadShare?: number;
  /** Share that are invalidates (default 0.1); the rest are re-stores. */
  invalidateShare?: number;
  /** `zipf` only: the skew, strictly between 0 and 1 (default 0.99). */
  theta?: number;
  /** `hotcold` only: the share of offsets that are hot (default 0.2). */
  hotFraction?: number;
  /** `hotcold` only: the share of accesses that go to hot offsets (default 0.8). */
  hotShare?: number;
  /** `shift` only: the number of phases (default 4). */
  phases?: number;
  /** `shift` only: the window size as a share of the offsets (default 0.25). */
  windowFraction?: number;
}

/** Pattern options with the defaults filled in. */
export interface ResolvedPatternOptions {
  /** The access pattern. */
  pattern: PatternName;
  /** Order of the load pass (`store-load`). */
  loadOrder: LoadOrder;
  /** Operations after the first store pass (0 for `store-load`). */
  ops: number;
  /** Share of loads. */
  loadShare: number;
  /** Share of invalidates. */
  invalidateShare: number;
  /** Zipf skew. */
  theta: number;
  /** Share of offsets that are hot. */
  hotFraction: number;
  /** Share of accesses to hot offsets. */
  hotShare: number;
  /** Phases of `shift`. */
  phases: number;
  /** Window of `shift`, as a share of the offsets. */
  windowFraction: number;
}

const APPLIES: Record<string, readonly PatternName[]> = {
  loadOrder: ["store-load"],
  ops: ["sequential", "random", "zipf", "hotcold", "shift"],
  loadShare: ["sequential", "random", "zipf", "hotcold", "shift"],
  invalidateShare: ["sequential", "random", "zipf", "hotcold", "shift"],
  theta: ["zipf"],
  hotFraction: ["hotcold"],
  hotShare: ["hotcold"],
  phases: ["shift"],
  windowFraction: ["shift"],
};

/**
 * Fill in pattern defaults and refuse options that do not apply to the chosen pattern.
 *
 * @param options The parsed (but not defaulted) pattern options.
 * @param pages The number of offsets.
 * @param workload The workload's name, for messages.
 * @param defaults Per-workload defaults (the `lengths` workload loads in order).
 * @returns The resolved options.
 * @throws {UsageError} for an option that does not apply, or shares that add up to more than 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolvePattern } from "./patterns.ts";
 * const p = resolvePattern({ pattern: "zipf" }, 1000, "text");
 * assert.ok(p.theta === 0.99 && p.ops === 2000);
 * ```
 */
export function resolvePattern(
  options: PatternOptions,
  pages: number,
  workload: string,
  defaults: { loadOrder?: LoadOrder } = {},
): ResolvedPatternOptions {
  const pattern = options.pattern ?? "store-load";
  for (const [key, patterns] of Object.entries(APPLIES)) {
    if (options[key as keyof PatternOptions] !== undefined && !patterns.includes(pattern)) {
      throw new UsageError(
        `Invalid options for workload "${workload}": "${key}" applies only to pattern ${
          patterns.map((p) => `"${p}"`).join(", ")
        } (pattern is "${pattern}")`,
      );
    }
  }
  const loadShare = options.loadShare ?? 0.7;
  const invalidateShare = options.invalidateShare ?? 0.1;
  if (loadShare + invalidateShare > 1 + 1e-12) {
    throw new UsageError(
      `Invalid options for workload "${workload}": loadShare ${loadShare} plus invalidateShare ${invalidateShare} exceeds 1 (the rest are re-stores)`,
    );
  }
  return {
    pattern,
    loadOrder: options.loadOrder ?? defaults.loadOrder ?? "random",
    ops: pattern === "store-load" ? 0 : options.ops ?? 2 * pages,
    loadShare,
    invalidateShare,
    theta: options.theta ?? 0.99,
    hotFraction: options.hotFraction ?? 0.2,
    hotShare: options.hotShare ?? 0.8,
    phases: options.phases ?? 4,
    windowFraction: options.windowFraction ?? 0.25,
  };
}

const PatternOptionsSchema = z.object(patternOptionShape).strict();

/**
 * Validate pattern options given as unknown input (for workload plugins that keep their own
 * options apart), then resolve them like {@linkcode resolvePattern}.
 *
 * @param options The raw pattern options (`undefined` for none); unknown keys are errors.
 * @param pages The number of offsets.
 * @param workload The workload's name, for messages.
 * @param defaults Per-workload defaults.
 * @returns The resolved options.
 * @throws {UsageError} naming each bad option.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePatternOptions } from "./patterns.ts";
 * const p = parsePatternOptions({ pattern: "hotcold" }, 100, "mine");
 * assert.equal(p.hotShare, 0.8);
 * ```
 */
export function parsePatternOptions(
  options: unknown,
  pages: number,
  workload: string,
  defaults: { loadOrder?: LoadOrder } = {},
): ResolvedPatternOptions {
  const parsed = parseOptions(PatternOptionsSchema, options, workload);
  return resolvePattern(parsed, pages, workload, defaults);
}

/**
 * The number of ops a pattern yields for `pages` offsets.
 *
 * @param pages The number of offsets.
 * @param p Resolved pattern options.
 * @returns The op count.
 */
export function patternOpCount(pages: number, p: ResolvedPatternOptions): number {
  if (pages === 0) return 0;
  if (p.pattern === "store-load") return p.loadOrder === "none" ? pages : 2 * pages;
  return pages + p.ops;
}

/**
 * The op stream of a pattern over `pages` offsets. Each `[Symbol.iterator]()` call starts the same
 * sequence again (same seed, same ops).
 *
 * @param pages The number of offsets (and of pages stored in the first pass), 0 to 2^31.
 * @param seed The workload seed.
 * @param p Resolved pattern options.
 * @returns A re-iterable op stream that reuses one `Op` object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { patternOps, resolvePattern } from "./patterns.ts";
 * const p = resolvePattern({ loadOrder: "sequential" }, 3, "zero");
 * const ops = [...patternOps(3, 1, p)].length; // objects are reused: copy fields to keep them
 * assert.equal(ops, 6);
 * ```
 */
export function patternOps(pages: number, seed: number, p: ResolvedPatternOptions): Iterable<Op> {
  if (!Number.isInteger(pages) || pages < 0 || pages > 2 ** 31) {
    throw new RangeError(`Page count ${pages} is not an integer from 0 to 2^31`);
  }
  const s = seed32(seed);
  const zeta = p.pattern === "zipf" && pages > 0 ? zipfZeta(pages, p.theta) : 0;
  return {
    [Symbol.iterator]: (): Iterator<Op> => new PatternIterator(pages, s, p, zeta),
  };
}

// Salts: keep each use of the seed independent.
const SALT_LOAD_ORDER = 0x10ad;
const SALT_OPS = 0x0b5;
const SALT_HOT = 0x407;

const KIND_LOAD = 0;
const KIND_INVALIDATE = 1;
const KIND_STORE = 2;

const PATTERN_SEQUENTIAL = 1;
const PATTERN_RANDOM = 2;
const PATTERN_ZIPF = 3;
const PATTERN_HOTCOLD = 4;
const PATTERN_SHIFT = 5;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/** A hand-written iterator: no closures or allocations per op. */
class PatternIterator implements Iterator<Op> {
  readonly #op: Op = { op: "store", offset: 0, pageId: 0 };
  readonly #result: IteratorYieldResult<Op> = { done: false, value: this.#op };
  readonly #pages: number;
  readonly #total: number;
  readonly #storeLoad: boolean;
  readonly #loadPerm: Permutation | null;
  readonly #kind: number;
  readonly #loadShare: number;
  readonly #loadInvShare: number;
  readonly #rng: Rng;
  readonly #stored: Uint32Array | null;
  readonly #perm: Permutation | null;
  // zipf (Gray et al., "Quickly generating billion-record synthetic databases", SIGMOD 1994, as YCSB)
  readonly #zetan: number;
  readonly #zeta2: number;
  readonly #alpha: number;
  readonly #eta: number;
  // hotcold
  readonly #hot: number;
  readonly #hotShare: number;
  // shift
  readonly #phases: number;
  readonly #window: number;
  #i = 0;
  #nextId: number;

  constructor(pages: number, seed: number, p: ResolvedPatternOptions, zeta: number) {
    this.#pages = pages;
    this.#total = patternOpCount(pages, p);
    this.#storeLoad = p.pattern === "store-load";
    this.#loadPerm = this.#storeLoad && p.loadOrder === "random" && pages > 0
      ? new Permutation(pages, hash32(seed, SALT_LOAD_ORDER, 0))
      : null;
    this.#kind =
      [0, PATTERN_SEQUENTIAL, PATTERN_RANDOM, PATTERN_ZIPF, PATTERN_HOTCOLD, PATTERN_SHIFT][
        PATTERN_NAMES.indexOf(p.pattern)
      ];
    this.#loadShare = p.loadShare;
    this.#loadInvShare = p.loadShare + p.invalidateShare;
    this.#rng = new Rng(seed, SALT_OPS, 0);
    this.#stored = this.#storeLoad ? null : new Uint32Array(Math.ceil(pages / 32));
    this.#perm = (this.#kind === PATTERN_ZIPF || this.#kind === PATTERN_HOTCOLD) && pages > 0
      ? new Permutation(pages, hash32(seed, SALT_HOT, 0))
      : null;
    this.#zetan = zeta;
    this.#zeta2 = 1 + Math.pow(0.5, p.theta);
    this.#alpha = 1 / (1 - p.theta);
    this.#eta = pages > 2 ? (1 - Math.pow(2 / pages, 1 - p.theta)) / (1 - this.#zeta2 / zeta) : 0;
    this.#hot = Math.min(pages, Math.max(1, Math.round(p.hotFraction * pages)));
    this.#hotShare = p.hotShare;
    this.#phases = p.phases;
    this.#window = Math.min(pages, Math.max(1, Math.round(p.windowFraction * pages)));
    this.#nextId = pages;
  }

  next(): IteratorResult<Op> {
    const i = this.#i;
    if (i >= this.#total) return DONE;
    this.#i = i + 1;
    const op = this.#op;
    const pages = this.#pages;
    if (i < pages) {
      op.op = "store";
      op.offset = i;
      op.pageId = i;
      if (this.#stored !== null) this.#stored[i >>> 5] |= 1 << (i & 31);
      return this.#result;
    }
    const k = i - pages;
    if (this.#storeLoad) {
      op.op = "load";
      op.offset = this.#loadPerm === null ? k : this.#loadPerm.at(k);
      op.pageId = -1;
      return this.#result;
    }
    const rng = this.#rng;
    const u = rng.nextFloat();
    let kind = u < this.#loadShare
      ? KIND_LOAD
      : u < this.#loadInvShare
      ? KIND_INVALIDATE
      : KIND_STORE;
    const offset = this.#offset(k, rng);
    const stored = this.#stored!;
    const word = offset >>> 5;
    const bit = 1 << (offset & 31);
    if (kind !== KIND_STORE && (stored[word] & bit) === 0) kind = KIND_STORE;
    op.offset = offset;
    if (kind === KIND_LOAD) {
      op.op = "load";
      op.pageId = -1;
    } else if (kind === KIND_INVALIDATE) {
      op.op = "invalidate";
      op.pageId = -1;
      stored[word] &= ~bit;
    } else {
      op.op = "store";
      op.pageId = this.#nextId++;
      stored[word] |= bit;
    }
    return this.#result;
  }

  /** The offset of the `k`th op after the store pass. */
  #offset(k: number, rng: Rng): number {
    const n = this.#pages;
    switch (this.#kind) {
      case PATTERN_SEQUENTIAL:
        return k % n;
      case PATTERN_RANDOM:
        return rng.below(n);
      case PATTERN_ZIPF: {
        const u = rng.nextFloat();
        const uz = u * this.#zetan;
        let rank: number;
        if (uz < 1) rank = 0;
        else if (uz < this.#zeta2) rank = 1;
        else {
          rank = Math.floor(n * Math.pow(this.#eta * u - this.#eta + 1, this.#alpha));
          if (rank >= n) rank = n - 1;
        }
        return this.#perm!.at(rank);
      }
      case PATTERN_HOTCOLD: {
        const hot = this.#hot;
        const rank = rng.nextFloat() < this.#hotShare || hot === n
          ? rng.below(hot)
          : hot + rng.below(n - hot);
        return this.#perm!.at(rank);
      }
      default: {
        // shift: phase k of `phases` equal parts of the ops
        const total = this.#total - n;
        const phase = Math.min(this.#phases - 1, Math.floor((k * this.#phases) / total));
        const start = Math.floor((phase * n) / this.#phases);
        return (start + rng.below(this.#window)) % n;
      }
    }
  }

  [Symbol.iterator](): Iterator<Op> {
    return this;
  }
}
