/**
 * The real bench engine: the zswap frontend of `zswap/`.
 *
 * @module
 */
import { getPreset, PRESETS, runCell } from "../../zswap/mod.ts";
import type { BenchEngine } from "./engine.ts";

/**
 * The engine backed by the zswap frontend and its kernel presets.
 *
 * @returns The engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDefaultEngine } from "./default_engine.ts";
 * assert.ok(createDefaultEngine().presetNames.includes("latest"));
 * ```
 */
export function createDefaultEngine(): BenchEngine {
  return {
    presetNames: Object.keys(PRESETS),
    presetStrategy: (preset: string): string => getPreset(preset).strategy,
    runCell,
  };
}
