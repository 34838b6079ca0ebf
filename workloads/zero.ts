/**
 * The `zero` workload: every page is all zero bytes (what zswap stores as a same-filled value, or
 * skips as a zero page from 6.12).
 *
 * @module
 */

import { z } from "zod";
import type { Workload, WorkloadEnv, WorkloadPlugin } from "../registry/types.ts";
import { checkPageSize, contentWorkload } from "./content.ts";
import { parseOptions } from "./_options.ts";
import { patternOptionShape, resolvePattern } from "./patterns.ts";

/** Options of `zero`: only the pattern options (see `patterns.ts`). */
const ZeroOptionsSchema = z.object({ ...patternOptionShape }).strict();

/** Zero pages. */
export class ZeroPages {
  /**
   * Write a zero page.
   *
   * @param _pageId Ignored: every page is the same.
   * @param into The page.
   */
  fill(_pageId: number, into: Uint8Array): void {
    into.fill(0);
  }
}

/**
 * The `zero` workload plugin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zeroWorkload } from "./zero.ts";
 * const w = await zeroWorkload.create({ pageSize: 4096, seed: 1, pages: 4, options: {} });
 * const page = new Uint8Array(4096).fill(7);
 * w.page(0, page);
 * assert.ok(page.every((b) => b === 0));
 * ```
 */
export const zeroWorkload: WorkloadPlugin = {
  kind: "workload",
  name: "zero",
  description: "All-zero pages (same-filled with value 0)",
  optionsSchema: ZeroOptionsSchema,
  create(env: WorkloadEnv): Workload {
    checkPageSize(env.pageSize);
    const o = parseOptions(ZeroOptionsSchema, env.options, "zero");
    const pattern = resolvePattern(o, env.pages, "zero");
    return contentWorkload(env.pages, env.seed, pattern, new ZeroPages());
  },
};
