/**
 * `deno task cli schema`: print the JSON Schema of config files, for editors
 * (`deno task cli schema > zswapbench.schema.json`).
 *
 * @module
 */
import { parseFlags } from "./args.ts";
import { configJsonSchema } from "../run/config_file.ts";

/** Help text of `schema`. */
export const SCHEMA_HELP = `Usage: deno task cli schema > zswapbench.schema.json

Print the JSON Schema (draft 2020-12) of zswapbench config files. Point an editor at it, or add
"$schema": "./zswapbench.schema.json" to a config file.`;

/**
 * Run the `schema` subcommand.
 *
 * @param args Arguments after `schema`.
 * @returns 0.
 * @throws {UsageError} For a bad flag.
 */
export function main(args: string[]): Promise<number> {
  const { values } = parseFlags("schema", args, {
    debug: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  console.log(values.help ? SCHEMA_HELP : JSON.stringify(configJsonSchema(), null, 2));
  return Promise.resolve(0);
}
