/**
 * The `same-filled` workload: each page is one 8-byte word repeated (zswap stores such a page as
 * its value, with no pool memory, up to 6.11); the word is a hash of (seed, page id), so it varies
 * by page and is almost never zero.
 *
 * @module
 */

import { z } from "zod";
import type { Workload, WorkloadEnv, WorkloadPlugin } from "../registry/types.ts";
import { checkPageSize, contentWorkload, fillWord } from "./content.ts";
import { parseOptions } from "./_options.ts";
import { hash32, seed32 } from "./_random.ts";
import { patternOptionShape, resolvePattern } from "./patterns.ts";

/** Options of `same-filled`: only the pattern options (see `patterns.ts`). */
const SameFilledOptionsSchema = z.object({ ...patternOptionShape }).strict();

const SALT_LO = 0x5a3e;
const SALT_HI = 0x5a3f;

/** Pages of one repeated 8-byte word per page. */
export class SameFilledPages {
  readonly #seed: number;

  /**
   * Make the generator.
   *
   * @param seed The workload seed.
   */
  constructor(seed: number) {
    this.#seed = seed32(seed);
  }

  /**
   * Write page `pageId`: its word, little-endian, repeated.
   *
   * @param pageId The page id.
   * @param into The page (a multiple of 8 bytes).
   */
  fill(pageId: number, into: Uint8Array): void {
    fillWord(into, hash32(this.#seed, SALT_LO, pageId), hash32(this.#seed, SALT_HI, pageId));
  }
}

/**
 * The `same-filled` workload plugin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sameFilledWorkload } from "./same_filled.ts";
 * const w = await sameFilledWorkload.create({ pageSize: 4096, seed: 1, pages: 4, options: {} });
 * const page = new Uint8Array(4096);
 * w.page(0, page);
 * assert.ok(page[8] === page[0] && page[4095] === page[7]);
 * ```
 */
export const sameFilledWorkload: WorkloadPlugin = {
  kind: "workload",
  name: "same-filled",
  description: "Pages of one repeated 8-byte word, varied by page",
  optionsSchema: SameFilledOptionsSchema,
  create(env: WorkloadEnv): Workload {
    checkPageSize(env.pageSize);
    const o = parseOptions(SameFilledOptionsSchema, env.options, "same-filled");
    const pattern = resolvePattern(o, env.pages, "same-filled");
    return contentWorkload(env.pages, env.seed, pattern, new SameFilledPages(env.seed));
  },
};
