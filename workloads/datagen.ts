/**
 * The `datagen` workload: synthetic pages with a target lz4 compression ratio, in the spirit of the
 * lz4/zstd test-data generators (`programs/datagen.c`): a page is a chain of literal runs and
 * back-references. Literal bytes come from a skewed 64-symbol alphabet (so entropy coders such as
 * zstd and deflate gain a little more than lz4, as on real binary data); run and match lengths are
 * drawn uniformly around means chosen from the target ratio by a cost model of lz4's block format
 * (one token and a 2-byte offset per sequence), then corrected by a table measured with lz4.
 *
 * Measured with `lz4-wasm` 0.9.2 over 400 pages of 4096 bytes (seed 12345): the mean ratio is
 * within 1% of the target from 1.1 to 20 and within 3% up to 50; on 16 KiB pages within 3% at 1.5,
 * 3 and 5. A target of 1 gives incompressible pages (0.997: lz4 expands them slightly).
 * tests/workloads/datagen_test.ts checks 1.5, 2, 3 and 5.
 *
 * @module
 */

import { z } from "zod";
import type { Workload, WorkloadEnv, WorkloadPlugin } from "../registry/types.ts";
import { checkPageSize, contentWorkload } from "./content.ts";
import { parseOptions } from "./_options.ts";
import { Rng, seed32 } from "./_random.ts";
import { patternOptionShape, resolvePattern } from "./patterns.ts";

/** Options of `datagen`: the target ratio and the pattern options (see `patterns.ts`). */
const DatagenOptionsSchema = z.object({
  /** Target lz4 compression ratio (page size / compressed length), 1 to 50 (default 3). */
  ratio: z.number().min(1).max(50).default(3).describe(
    "Target lz4 compression ratio (page size / compressed length), 1 to 50",
  ),
  ...patternOptionShape,
}).strict();

const SALT_DATAGEN = 0xda7a;

/** Literal alphabet: 64 byte values with weights 0.93^k, spread over a 256-entry lookup table. */
const LITERALS: Uint8Array = buildLiteralTable();

function buildLiteralTable(): Uint8Array {
  const symbols = 64;
  const weights = Array.from({ length: symbols }, (_, k) => Math.pow(0.93, k));
  const total = weights.reduce((a, b) => a + b, 0);
  const table = new Uint8Array(256);
  let at = 0;
  for (let k = 0; k < symbols; k++) {
    // byte values spread over 0..255 (0x00 is the most common, as in real binary data)
    const value = (k * 181) & 0xff;
    const slots = k === symbols - 1
      ? 256 - at
      : Math.max(1, Math.round((weights[k] / total) * 256));
    for (let j = 0; j < slots && at < 256; j++) table[at++] = value;
  }
  return table;
}

/**
 * lz4 ratio correction: [target, model ratio that gives it], linear in between. The cost model
 * overestimates compressibility (literal runs of 15 or more and long matches take extra length
 * bytes, and lz4's one-entry hash table misses or shortens some back-references); measured with
 * lz4-wasm 0.9.2: the mean ratio of 600 pages of 4096 bytes (seed 11) at 69 model ratios from 1
 * to 140, inverted by linear interpolation.
 */
const CORRECTION: ReadonlyArray<readonly [number, number]> = [
  [1, 1.01],
  [1.1, 1.162],
  [1.25, 1.348],
  [1.5, 1.641],
  [1.75, 1.987],
  [2, 2.323],
  [2.5, 3.048],
  [3, 3.77],
  [3.5, 4.531],
  [4, 5.281],
  [5, 6.849],
  [6, 8.393],
  [8, 11.514],
  [10, 14.631],
  [13, 19.267],
  [16, 24.029],
  [20, 30.555],
  [25, 38.892],
  [30, 47.689],
  [40, 67.051],
  [50, 89.813],
];

function corrected(ratio: number): number {
  for (let i = 1; i < CORRECTION.length; i++) {
    const [r1, m1] = CORRECTION[i];
    if (ratio <= r1) {
      const [r0, m0] = CORRECTION[i - 1];
      return m0 + ((ratio - r0) * (m1 - m0)) / (r1 - r0);
    }
  }
  return ratio;
}

/** Pages with a target lz4 ratio; the ratio can vary by page (the `mixed` workload does that). */
export class DatagenPages {
  readonly #seed: number;
  readonly #rng: Rng;
  readonly #ratio: number;
  #litMin = 0;
  #litSpan = 0;
  #matchMin = 0;
  #matchSpan = 0;
  #paramsFor = -1;

  /**
   * Make the generator.
   *
   * @param seed The workload seed.
   * @param ratio The default target ratio, 1 to 50.
   */
  constructor(seed: number, ratio: number) {
    this.#seed = seed32(seed);
    this.#rng = new Rng(this.#seed, SALT_DATAGEN, 0);
    this.#ratio = ratio;
  }

  /**
   * Write page `pageId` with the default ratio.
   *
   * @param pageId The page id.
   * @param into The page.
   */
  fill(pageId: number, into: Uint8Array): void {
    this.fillRatio(pageId, into, this.#ratio);
  }

  /**
   * Write page `pageId` with a given target ratio.
   *
   * @param pageId The page id.
   * @param into The page.
   * @param ratio Target lz4 ratio, 1 to 50.
   */
  fillRatio(pageId: number, into: Uint8Array, ratio: number): void {
    if (ratio !== this.#paramsFor) this.#setParams(ratio);
    const rng = this.#rng;
    rng.reseed(this.#seed, SALT_DATAGEN, pageId);
    const n = into.length;
    const litMin = this.#litMin, litSpan = this.#litSpan;
    const matchMin = this.#matchMin, matchSpan = this.#matchSpan;
    let pos = 0;
    while (pos < n) {
      // literal run: four literals per 32-bit draw
      let end = pos + litMin + Math.floor(rng.nextFloat() * litSpan);
      if (end > n) end = n;
      while (pos < end) {
        let r = rng.nextU32();
        for (let j = 0; j < 4 && pos < end; j++) {
          into[pos++] = LITERALS[r & 0xff];
          r >>>= 8;
        }
      }
      if (pos >= n || matchSpan === 0) continue;
      // back-reference to anywhere earlier in the page
      let len = matchMin + Math.floor(rng.nextFloat() * matchSpan);
      if (len > n - pos) len = n - pos;
      const dist = 1 + Math.floor(rng.nextFloat() * pos);
      if (dist >= len) {
        into.copyWithin(pos, pos - dist, pos - dist + len);
        pos += len;
      } else {
        for (const stop = pos + len; pos < stop; pos++) into[pos] = into[pos - dist];
      }
    }
  }

  #setParams(ratio: number): void {
    this.#paramsFor = ratio;
    const r = corrected(ratio);
    // lz4 cost model: a sequence of `lit` literals and a `match`-byte back-reference costs about
    // lit + 3 bytes (token and 2-byte offset), so ratio = (lit + match) / (lit + 3)
    let lit = 16;
    let match = r * (lit + 3) - lit;
    if (match < 8) {
      // near-incompressible: longer literal runs between minimal matches
      match = 8;
      lit = r > 1 ? (match - 3 * r) / (r - 1) : Infinity;
    }
    if (!Number.isFinite(lit) || lit > 1 << 20) {
      this.#litMin = 1 << 30;
      this.#litSpan = 1;
      this.#matchMin = 0;
      this.#matchSpan = 0;
      return;
    }
    this.#litMin = Math.max(1, Math.round(lit / 2));
    this.#litSpan = Math.max(1, Math.round(lit));
    this.#matchMin = Math.max(4, Math.round(match / 2));
    this.#matchSpan = Math.max(1, Math.round(2 * match - 2 * this.#matchMin));
  }
}

/**
 * The `datagen` workload plugin.
 *
 * @example
 * ```ts
 * import { datagenWorkload } from "./datagen.ts";
 * const w = await datagenWorkload.create({ pageSize: 4096, seed: 1, pages: 4, options: { ratio: 2 } });
 * const page = new Uint8Array(4096);
 * w.page(0, page);
 * ```
 */
export const datagenWorkload: WorkloadPlugin = {
  kind: "workload",
  name: "datagen",
  description: "Synthetic binary-like pages with a target lz4 ratio (option ratio, default 3)",
  optionsSchema: DatagenOptionsSchema,
  create(env: WorkloadEnv): Workload {
    checkPageSize(env.pageSize);
    const { ratio, ...rest } = parseOptions(DatagenOptionsSchema, env.options, "datagen");
    const pattern = resolvePattern(rest, env.pages, "datagen");
    return contentWorkload(env.pages, env.seed, pattern, new DatagenPages(env.seed, ratio));
  },
};
