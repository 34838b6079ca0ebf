/**
 * The plugin registry and the plugin contracts.
 *
 * - {@linkcode Registry}: plugins by kind and name, external module loading, typo suggestions.
 * - {@linkcode defineAllocator}, {@linkcode defineCompressor}, {@linkcode defineWorkload},
 *   {@linkcode defineStrategy}: identity helpers that give plugin authors type inference.
 * - The contracts themselves (`AllocatorPlugin`, `Zpool`, `CompressorPlugin`, …) and the zod
 *   schemas that check external modules.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { defineStrategy, Registry } from "./mod.ts";
 * const registry = new Registry();
 * registry.register(defineStrategy({
 *   kind: "strategy",
 *   name: "noop",
 *   description: "Does nothing",
 *   create: () => () => 0,
 * }));
 * assert.equal(registry.list("strategy").length, 1);
 * ```
 *
 * @module
 */
export {
  closestName,
  editDistance,
  type ListOptions,
  type LoadOptions,
  Registry,
  type RegistryEntry,
  RegistryError,
  type RegistryErrorCode,
  resolveSpecifier,
  unknownNameMessage,
} from "./registry.ts";
export { type OptionsSchema, parsePluginOptions, UsageError } from "./errors.ts";
export { errorFromWire, errorToWire, type WireError } from "./wire.ts";
export { defineAllocator, defineCompressor, defineStrategy, defineWorkload } from "./define.ts";
export {
  checkPlugin,
  describeValue,
  type FormatIssuesOptions,
  formatZodIssues,
  PLUGIN_KINDS,
  PLUGIN_NAME_PATTERN,
  type ZodIssueLike,
} from "./schemas.ts";
export {
  type AllocatorEnv,
  type AllocatorPlugin,
  type AllocatorPresetSettable,
  AllocError,
  type AllocErrorCode,
  type Arena,
  CompressError,
  type CompressErrorCode,
  type Compressor,
  type CompressorPlugin,
  type EngineModel,
  type EntryRef,
  type Handle,
  type LoadContext,
  type LoadStrategy,
  type MapMode,
  type Op,
  type Plugin,
  type PluginByKind,
  type PluginKind,
  type PluginPermissions,
  type StrategyPlugin,
  type Workload,
  type WorkloadEnv,
  type WorkloadPlugin,
  type Zpool,
} from "./types.ts";
