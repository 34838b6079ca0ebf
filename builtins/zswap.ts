/**
 * The `./zswap` entry point of the package: everything of `zswap/` (the frontend, the load-path
 * strategies, the kernel presets) plus {@linkcode runCell}, which makes the cell's arena. It lives
 * here because `zswap/` itself depends on the plugin contracts only (docs/DESIGN.md).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getPreset, runCell } from "./zswap.ts";
 * assert.equal(typeof runCell, "function");
 * assert.equal(getPreset("6.8").strategy, "percpu-buffer");
 * ```
 *
 * @module
 */
export * from "../zswap/mod.ts";
export { runCell, type RunCellOptions } from "./run_cell.ts";
