/**
 * The `mixed` workload, the default of `deno task bench`: each page is zero, same-filled, text,
 * binary-like (datagen) or random, its kind picked by a hash of (seed, page id) with the given
 * weights. The default weights, `zero` 0.1, `same-filled` 0.05, `text` 0.35, `datagen` 0.3 and
 * `random` 0.2, are a plausible picture of anonymous memory, not a measured one: a sixth of the
 * pages same-filled, most compressing 2 to 3 times, a fifth incompressible. Each datagen page gets
 * its own target lz4 ratio, uniform in `datagenRatio` (default 2.5 to 3.5).
 *
 * Giving `weights` replaces the defaults: kinds left out get weight 0. Weights need not add to 1.
 *
 * @module
 */

import { z } from "zod";
import { UsageError } from "../registry/errors.ts";
import type { Workload, WorkloadEnv, WorkloadPlugin } from "../registry/types.ts";
import { checkPageSize, contentWorkload } from "./content.ts";
import { parseOptions } from "./_options.ts";
import { hash32, seed32, unit } from "./_random.ts";
import { DatagenPages } from "./datagen.ts";
import { patternOptionShape, resolvePattern } from "./patterns.ts";
import { RandomPages } from "./random.ts";
import { SameFilledPages } from "./same_filled.ts";
import { TextPages } from "./text.ts";
import { ZeroPages } from "./zero.ts";

/** The kinds of page `mixed` draws from, in the order weights are laid out. */
export const MIXED_KINDS = ["zero", "same-filled", "text", "datagen", "random"] as const;

/** A kind of page in the mix. */
export type MixedKind = typeof MIXED_KINDS[number];

/** The default weights of `mixed`. */
export const DEFAULT_MIXED_WEIGHTS: Readonly<Record<MixedKind, number>> = Object.freeze({
  zero: 0.1,
  "same-filled": 0.05,
  text: 0.35,
  datagen: 0.3,
  random: 0.2,
});

const weight = z.number().min(0).finite();
const ratio = z.number().min(1).max(50);

/** Options of `mixed`: weights, the datagen ratio range and the pattern options. */
const MixedOptionsSchema = z.object({
  /** Weight of each kind; when given, kinds left out get 0. */
  weights: z.object({
    zero: weight.optional(),
    "same-filled": weight.optional(),
    text: weight.optional(),
    datagen: weight.optional(),
    random: weight.optional(),
  }).strict().optional().meta({
    description: "Weight of each page kind (zero, same-filled, text, datagen, random); when " +
      "given, kinds left out get 0",
    default: { ...DEFAULT_MIXED_WEIGHTS },
  }),
  /** The range of datagen pages' target lz4 ratios, [low, high] (default [2.5, 3.5]). */
  datagenRatio: z.tuple([ratio, ratio]).default([2.5, 3.5]).describe(
    "The range [low, high] of the datagen pages' target lz4 ratios",
  ),
  ...patternOptionShape,
}).strict();

const SALT_KIND = 0x3c1d;
const SALT_RATIO = 0x3c1e;

/** A weighted mix of page kinds. */
export class MixedPages {
  readonly #seed: number;
  /** Cumulative weights, normalised to end at 1. */
  readonly #cumulative: Float64Array;
  readonly #zero = new ZeroPages();
  readonly #same: SameFilledPages;
  readonly #text: TextPages;
  readonly #datagen: DatagenPages;
  readonly #random: RandomPages;
  readonly #ratioLow: number;
  readonly #ratioSpan: number;

  /**
   * Make the generator.
   *
   * @param seed The workload seed.
   * @param pageSize Bytes per page.
   * @param weights Weight of each kind (at least one positive).
   * @param datagenRatio The range of datagen target ratios.
   */
  constructor(
    seed: number,
    pageSize: number,
    weights: Readonly<Record<MixedKind, number>>,
    datagenRatio: readonly [number, number],
  ) {
    this.#seed = seed32(seed);
    const total = MIXED_KINDS.reduce((sum, k) => sum + weights[k], 0);
    if (!(total > 0)) throw new RangeError("Mixed weights must include a positive weight");
    this.#cumulative = new Float64Array(MIXED_KINDS.length);
    let sum = 0;
    MIXED_KINDS.forEach((k, i) => {
      sum += weights[k];
      this.#cumulative[i] = sum / total;
    });
    this.#cumulative[MIXED_KINDS.length - 1] = 1;
    this.#same = new SameFilledPages(seed);
    this.#text = new TextPages(seed);
    this.#datagen = new DatagenPages(seed, datagenRatio[0]);
    this.#random = new RandomPages(seed, pageSize);
    this.#ratioLow = datagenRatio[0];
    this.#ratioSpan = datagenRatio[1] - datagenRatio[0];
  }

  /**
   * The kind of page `pageId`.
   *
   * @param pageId The page id.
   * @returns Its kind.
   */
  kindOf(pageId: number): MixedKind {
    return MIXED_KINDS[this.#kindIndex(pageId)];
  }

  /**
   * Write page `pageId` as its kind's generator makes it.
   *
   * @param pageId The page id.
   * @param into The page.
   */
  fill(pageId: number, into: Uint8Array): void {
    switch (this.#kindIndex(pageId)) {
      case 0:
        return this.#zero.fill(pageId, into);
      case 1:
        return this.#same.fill(pageId, into);
      case 2:
        return this.#text.fill(pageId, into);
      case 3: {
        const r = this.#ratioLow + this.#ratioSpan * unit(hash32(this.#seed, SALT_RATIO, pageId));
        return this.#datagen.fillRatio(pageId, into, r);
      }
      default:
        return this.#random.fill(pageId, into);
    }
  }

  #kindIndex(pageId: number): number {
    const u = unit(hash32(this.#seed, SALT_KIND, pageId));
    const c = this.#cumulative;
    let i = 0;
    while (i < c.length - 1 && u >= c[i]) i++;
    return i;
  }
}

/**
 * The `mixed` workload plugin.
 *
 * @example
 * ```ts
 * import { mixedWorkload } from "./mixed.ts";
 * const w = await mixedWorkload.create({
 *   pageSize: 4096,
 *   seed: 1,
 *   pages: 100,
 *   options: { weights: { text: 1, zero: 1 } },
 * });
 * const page = new Uint8Array(4096);
 * w.page(0, page);
 * ```
 */
export const mixedWorkload: WorkloadPlugin = {
  kind: "workload",
  name: "mixed",
  description: "A weighted mix of zero, same-filled, text, datagen and random pages (the default)",
  optionsSchema: MixedOptionsSchema,
  create(env: WorkloadEnv): Workload {
    checkPageSize(env.pageSize);
    const { weights, datagenRatio, ...rest } = parseOptions(
      MixedOptionsSchema,
      env.options,
      "mixed",
    );
    const resolved: Record<MixedKind, number> = weights === undefined
      ? { ...DEFAULT_MIXED_WEIGHTS }
      : Object.fromEntries(MIXED_KINDS.map((k) => [k, weights[k] ?? 0])) as Record<
        MixedKind,
        number
      >;
    if (!MIXED_KINDS.some((k) => resolved[k] > 0)) {
      throw new UsageError(
        `Invalid options for workload "mixed": weights must give some kind a positive weight (kinds: ${
          MIXED_KINDS.join(", ")
        })`,
      );
    }
    if (datagenRatio[0] > datagenRatio[1]) {
      throw new UsageError(
        `Invalid options for workload "mixed": datagenRatio [${
          datagenRatio.join(", ")
        }] is not [low, high]`,
      );
    }
    const pattern = resolvePattern(rest, env.pages, "mixed");
    const source = new MixedPages(env.seed, env.pageSize, resolved, datagenRatio);
    return contentWorkload(env.pages, env.seed, pattern, source);
  },
};
