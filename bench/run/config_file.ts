/**
 * Config files: reading one (with the line and column of a JSON syntax error) and the JSON Schema
 * editors check them with (`deno task cli schema`).
 *
 * @module
 */
import { z } from "zod";
import { parseJsonOrThrow } from "../results/json.ts";
import { checkConfig, ConfigError, type ConfigInput, ConfigSchema } from "./config.ts";

/**
 * Read and check a config file. Relative plugin paths inside it stay relative to the current
 * directory.
 *
 * @param path The JSON file.
 * @returns The checked input, to pass to {@linkcode resolveConfig}.
 * @throws {ConfigError} When the file is missing, not JSON (with line and column), or invalid.
 *
 * @example
 * ```ts ignore
 * import { readConfigFile, resolveConfig } from "./config_file.ts";
 * const config = resolveConfig(await readConfigFile("bench.json"));
 * ```
 */
export async function readConfigFile(path: string): Promise<ConfigInput> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound ? "no such file" : (err as Error).message;
    throw new ConfigError(`Config file ${path}: cannot read it: ${why}`, { cause: err });
  }
  const source = `Config file ${path}`;
  const value = parseJsonOrThrow(text, source);
  return checkConfig(value, source);
}

/**
 * The JSON Schema of config files, for editors (`deno task cli schema > zswapbench.schema.json`).
 *
 * @returns A JSON Schema (draft 2020-12) object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { configJsonSchema } from "./config_file.ts";
 * assert.equal(configJsonSchema().type, "object");
 * ```
 */
export function configJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ConfigSchema, { io: "input" }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    title: "zswapbench config",
    description:
      "A zswapbench run: plugins, presets and params to sweep. Any list entry may be a name or { name, options }; any param may be a value or an array of values",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  };
}
