/**
 * The real bench engine: the zswap frontend of `zswap/`, each cell on a fresh arena made here
 * (`createCellArena()` of `builtins/`) and handed in. The one place that picks the engine when
 * none is given: {@linkcode engineOrDefault}.
 *
 * @module
 */
import { createCellArena } from "../../builtins/run_cell.ts";
import { getPreset, PRESETS, runCellIn } from "../../zswap/mod.ts";
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
    runCell: (plan, recorder, options) =>
      runCellIn(createCellArena(plan.params), plan, recorder, options),
  };
}

/**
 * The engine to run with: `engine` when given (tests give fakes), else
 * {@linkcode createDefaultEngine}'s.
 *
 * @param engine The caller's engine, if any.
 * @returns The engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { engineOrDefault } from "./default_engine.ts";
 * assert.ok(engineOrDefault().presetNames.includes("6.8"));
 * ```
 */
export function engineOrDefault(engine?: BenchEngine): BenchEngine {
  return engine ?? createDefaultEngine();
}
