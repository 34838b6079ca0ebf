/**
 * Identity helpers for plugin authors: each returns its argument unchanged and exists only so
 * TypeScript infers and checks the plugin's shape at the definition site.
 *
 * @module
 */
import type { AllocatorPlugin, CompressorPlugin, StrategyPlugin, WorkloadPlugin } from "./types.ts";

/**
 * Define a zpool driver plugin.
 *
 * @param plugin The plugin.
 * @returns The same object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineAllocator } from "./define.ts";
 * const mine = defineAllocator({
 *   kind: "allocator",
 *   name: "mine",
 *   description: "My allocator",
 *   sleepMapped: true,
 *   create: () => {
 *     throw new Error("not shown");
 *   },
 * });
 * assert.equal(mine.name, "mine");
 * ```
 */
export function defineAllocator<T extends AllocatorPlugin>(plugin: T): T {
  return plugin;
}

/**
 * Define a compressor plugin.
 *
 * @param plugin The plugin.
 * @returns The same object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineCompressor } from "./define.ts";
 * const copy = defineCompressor({
 *   kind: "compressor",
 *   name: "copy",
 *   description: "Copies the page",
 *   async: false,
 *   create: () => ({
 *     compress: (src, dst) => (dst.set(src), src.length),
 *     decompress: (src, dst) => (dst.set(src), src.length),
 *   }),
 * });
 * assert.equal(copy.async, false);
 * ```
 */
export function defineCompressor<T extends CompressorPlugin>(plugin: T): T {
  return plugin;
}

/**
 * Define a workload plugin.
 *
 * @param plugin The plugin.
 * @returns The same object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineWorkload } from "./define.ts";
 * const zeros = defineWorkload({
 *   kind: "workload",
 *   name: "zeros",
 *   description: "Stores zero pages, then loads them",
 *   create: (env) => ({
 *     *ops() {
 *       for (let i = 0; i < env.pages; i++) yield { op: "store" as const, offset: i, pageId: i };
 *     },
 *     page: (_id, into) => into.fill(0),
 *   }),
 * });
 * assert.equal(zeros.kind, "workload");
 * ```
 */
export function defineWorkload<T extends WorkloadPlugin>(plugin: T): T {
  return plugin;
}

/**
 * Define a load-path strategy plugin.
 *
 * @param plugin The plugin.
 * @returns The same object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineStrategy } from "./define.ts";
 * const direct = defineStrategy({
 *   kind: "strategy",
 *   name: "direct",
 *   description: "Decompresses from the mapping",
 *   create: () => (ctx, entry, page) => {
 *     const src = ctx.map(entry.handle, "ro");
 *     try {
 *       return ctx.decompress(src.subarray(entry.headerBytes), page);
 *     } finally {
 *       ctx.unmap(entry.handle);
 *     }
 *   },
 * });
 * assert.equal(direct.name, "direct");
 * ```
 */
export function defineStrategy<T extends StrategyPlugin>(plugin: T): T {
  return plugin;
}
