/**
 * The composition root: the one place that puts the built-in plugin folders together, above them
 * all (docs/DESIGN.md, the dependency rule). {@linkcode createDefaultRegistry} holds every
 * allocator, compressor, workload and load-path strategy shipped with zswapbench (source
 * `built-in`); {@linkcode runCell} runs a cell on a fresh arena made here.
 *
 * @module
 */
import { builtinAllocators } from "../allocators/mod.ts";
import { builtinCompressors, createOffloadCompressor } from "../compressors/mod.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import { builtinStrategies } from "../zswap/mod.ts";
import { Registry } from "../registry/registry.ts";

export { createCellArena, runCell, type RunCellOptions } from "./run_cell.ts";

/**
 * A new registry holding every built-in plugin, `offload` included. This registry's offload
 * compressor is given the registry's own lookup when it is made, so it also finds compressors
 * loaded into this registry later from plugin modules (and no other registry's).
 *
 * @returns The registry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDefaultRegistry } from "./mod.ts";
 * const registry = createDefaultRegistry();
 * assert.ok(registry.has("allocator", "zsmalloc"));
 * ```
 */
export function createDefaultRegistry(): Registry {
  const registry = new Registry();
  for (const p of builtinAllocators) registry.register(p);
  for (const p of builtinCompressors) registry.register(p);
  // Not in builtinCompressors: it wraps them, and any codec loaded into this registry later.
  registry.register(
    createOffloadCompressor(builtinCompressors, (name) => registry.get("compressor", name)),
  );
  for (const p of builtinWorkloads) registry.register(p);
  for (const p of builtinStrategies) registry.register(p);
  return registry;
}
