/**
 * An example workload plugin to start your own from: "stripe" pages, made of runs (stripes) of
 * one byte value each, `width` bytes wide, the values drawn from a palette of `colors` values.
 * Wide stripes and few colours compress well; narrow stripes and many colours do not.
 *
 * What a workload plugin needs (registry/types.ts):
 * - `create()` validates its options (zod, defaults inside; unknown keys refused) and throws a
 *   `UsageError` before any op;
 * - `page(id, into)` writes the same bytes for the same (seed, id), whatever was asked before,
 *   and is fast: it runs once per store and once per load check;
 * - `ops()` never holds every page: here the shared access patterns of `workloads/patterns.ts`
 *   (`pattern`, `theta`, `hotShare`, ...) do the ops, and `contentWorkload()` glues them on.
 *
 * Run it:
 * ```sh
 * deno task bench --plugin examples/stripe_workload.ts --workloads 'stripe:{"width":32}'
 * ```
 *
 * @module
 */
import { z } from "zod";
import { defineWorkload, parsePluginOptions } from "../registry/mod.ts";
import type { Workload, WorkloadEnv, WorkloadPlugin } from "../registry/types.ts";
import { contentWorkload, parsePatternOptions } from "../workloads/mod.ts";

/** The stripe options; the pattern options go through `parsePatternOptions()`. */
const StripeOptionsSchema = z.looseObject({
  /** Bytes per stripe (default 64). */
  width: z.number().int().min(1).max(65536).default(64),
  /** Byte values in the palette (default 4). */
  colors: z.number().int().min(1).max(256).default(4),
});

/** A 32-bit mix of (seed, id, index): the only randomness a page needs. */
function mix(seed: number, id: number, index: number): number {
  let x = (seed ^ Math.imul(id, 0x9e3779b1) ^ Math.imul(index, 0x85ebca77)) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Write page `pageId` of the stripe workload.
 *
 * @param into The page.
 * @param seed The workload seed.
 * @param pageId The page id.
 * @param width Bytes per stripe.
 * @param palette The byte values stripes take.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fillStripes } from "./stripe_workload.ts";
 * const page = new Uint8Array(4096);
 * fillStripes(page, 1, 0, 64, new Uint8Array([0, 255]));
 * assert.equal(page[0], page[63]);
 * ```
 */
export function fillStripes(
  into: Uint8Array,
  seed: number,
  pageId: number,
  width: number,
  palette: Uint8Array,
): void {
  // typed-array fill per stripe: one call per `width` bytes, no per-byte work
  for (let at = 0, stripe = 0; at < into.length; at += width, stripe++) {
    const value = palette[mix(seed, pageId, stripe) % palette.length];
    into.fill(value, at, Math.min(into.length, at + width));
  }
}

/**
 * The `stripe` workload plugin (the module's default export, as plugin modules need).
 *
 * @example
 * ```ts
 * import stripe from "./stripe_workload.ts";
 * const w = await stripe.create({ pageSize: 4096, seed: 1, pages: 8, options: { width: 128 } });
 * const page = new Uint8Array(4096);
 * w.page(3, page);
 * ```
 */
export const stripeWorkload: WorkloadPlugin = defineWorkload({
  kind: "workload",
  name: "stripe",
  description: "Example plugin: pages of one-byte stripes (options width, colors)",
  create(env: WorkloadEnv): Workload {
    // One line naming the plugin and each bad option, as every built-in says it.
    const { width, colors, ...patternOptions } = parsePluginOptions(
      "workload",
      "stripe",
      StripeOptionsSchema,
      env.options,
    );
    // the rest must be pattern options: unknown keys are refused there
    const pattern = parsePatternOptions(patternOptions, env.pages, "stripe");
    const seed = env.seed >>> 0;
    // the palette depends on the seed only, made once
    const palette = new Uint8Array(colors);
    for (let i = 0; i < colors; i++) palette[i] = mix(seed, 0x7fffffff, i) & 0xff;
    return contentWorkload(env.pages, env.seed, pattern, {
      fill: (pageId: number, into: Uint8Array): void =>
        fillStripes(into, seed, pageId, width, palette),
    });
  },
});

export default stripeWorkload;
