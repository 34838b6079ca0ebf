/**
 * The registry with every built-in plugin: the allocators, compressors, workloads and load-path
 * strategies shipped with zswapbench, each registered with source `built-in`.
 *
 * @module
 */
import { builtinAllocators } from "../allocators/mod.ts";
import { builtinCompressors } from "../compressors/mod.ts";
import { offloadCompressor, setOffloadCodecResolver } from "../compressors/offload.ts";
import { builtinWorkloads } from "../workloads/mod.ts";
import { builtinStrategies } from "../zswap/mod.ts";
import { Registry } from "../registry/registry.ts";
import type { CompressorPlugin } from "../registry/types.ts";

/**
 * A new registry holding every built-in plugin, `offload` included. The offload compressor
 * resolves the codec it wraps through this registry, so it also finds compressors loaded later from plugin modules
 * (the most recently created default registry wins).
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
  // Not in builtinCompressors: it resolves the codec it wraps by name, through the resolver below.
  if (!registry.has("compressor", offloadCompressor.name)) registry.register(offloadCompressor);
  for (const p of builtinWorkloads) registry.register(p);
  for (const p of builtinStrategies) registry.register(p);
  setOffloadCodecResolver((name: string): CompressorPlugin => registry.get("compressor", name));
  return registry;
}
