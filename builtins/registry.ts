/**
 * The `./registry` entry point of the package: everything of `registry/` (the plugin contracts,
 * their zod schemas, the {@linkcode Registry}) plus {@linkcode createDefaultRegistry}, the registry
 * holding every built-in plugin. It lives here, above the plugin folders, because `registry/`
 * itself imports no plugin folder (docs/DESIGN.md, the dependency rule).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createDefaultRegistry, Registry } from "./registry.ts";
 * assert.ok(createDefaultRegistry() instanceof Registry);
 * ```
 *
 * @module
 */
export * from "../registry/mod.ts";
export { createDefaultRegistry } from "./mod.ts";
