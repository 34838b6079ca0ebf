/**
 * The `random` workload: uniformly random bytes, which no compressor can shrink (zswap rejects
 * them, or stores them raw from 6.18).
 *
 * @module
 */

import { z } from "zod";
import type { Workload, WorkloadEnv, WorkloadPlugin } from "../registry/types.ts";
import { checkPageSize, contentWorkload } from "./content.ts";
import { parseOptions } from "./_options.ts";
import { Rng, seed32 } from "./_random.ts";
import { patternOptionShape, resolvePattern } from "./patterns.ts";

/** Options of `random`: only the pattern options (see `patterns.ts`). */
const RandomOptionsSchema = z.object({ ...patternOptionShape }).strict();

const SALT_RANDOM = 0x7a4d;

/** Pages of random bytes (sfc32 output, seeded by (seed, page id)). */
export class RandomPages {
  readonly #seed: number;
  readonly #rng: Rng;
  readonly #bytes: Uint8Array;
  readonly #words: Uint32Array;

  /**
   * Make the generator.
   *
   * @param seed The workload seed.
   * @param pageSize Bytes per page (a multiple of 4).
   */
  constructor(seed: number, pageSize: number) {
    this.#seed = seed32(seed);
    this.#rng = new Rng(this.#seed, SALT_RANDOM, 0);
    this.#words = new Uint32Array(pageSize >>> 2);
    this.#bytes = new Uint8Array(this.#words.buffer);
  }

  /**
   * Write page `pageId`'s random bytes.
   *
   * @param pageId The page id.
   * @param into The page.
   */
  fill(pageId: number, into: Uint8Array): void {
    const rng = this.#rng;
    rng.reseed(this.#seed, SALT_RANDOM, pageId);
    const words = this.#words;
    for (let i = 0; i < words.length; i++) words[i] = rng.nextU32();
    into.set(this.#bytes);
  }
}

/**
 * The `random` workload plugin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomWorkload } from "./random.ts";
 * const w = await randomWorkload.create({ pageSize: 4096, seed: 1, pages: 4, options: {} });
 * const a = new Uint8Array(4096), b = new Uint8Array(4096);
 * w.page(0, a);
 * w.page(1, b);
 * assert.ok(a.some((x, i) => x !== b[i]));
 * ```
 */
export const randomWorkload: WorkloadPlugin = {
  kind: "workload",
  name: "random",
  description: "Uniformly random bytes (incompressible)",
  optionsSchema: RandomOptionsSchema,
  create(env: WorkloadEnv): Workload {
    checkPageSize(env.pageSize);
    const o = parseOptions(RandomOptionsSchema, env.options, "random");
    const pattern = resolvePattern(o, env.pages, "random");
    return contentWorkload(env.pages, env.seed, pattern, new RandomPages(env.seed, env.pageSize));
  },
};
