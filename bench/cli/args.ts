/**
 * Flag parsing shared by the subcommands: `node:util` parseArgs in strict mode, with its errors
 * turned into one-line {@linkcode UsageError}s that suggest the closest flag.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { closestName } from "../../registry/registry.ts";
import { UsageError } from "../../registry/errors.ts";

/** A flag definition for parseArgs. */
export interface FlagSpec {
  /** `string` flags take a value, `boolean` flags do not. */
  type: "string" | "boolean";
  /** May be given more than once (values collected in an array). */
  multiple?: boolean;
  /** One-letter alias. */
  short?: string;
}

/** Parsed flags and positionals. */
export interface ParsedArgs {
  /** Flag values by name. */
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  /** Positional arguments. */
  positionals: string[];
}

/**
 * Parse a subcommand's arguments.
 *
 * @param command The subcommand, for messages (e.g. `run`).
 * @param args The arguments after the subcommand.
 * @param options The flags.
 * @param allowPositionals Whether positional arguments are allowed.
 * @returns Values and positionals.
 * @throws {UsageError} For an unknown flag (with the closest known one), a missing value, or a
 *   positional argument where none is taken.
 */
export function parseFlags(
  command: string,
  args: string[],
  options: Record<string, FlagSpec>,
  allowPositionals = false,
): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(args, options),
      options,
      strict: true,
      allowPositionals,
    });
    return { values: values as ParsedArgs["values"], positionals };
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = (err as Error).message;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const flag = /'([^']+)'/.exec(message)?.[1] ?? "";
      const guess = closestName(flag.replace(/^-+/, "").split("=")[0], Object.keys(options));
      throw new UsageError(
        `Unknown flag "${flag}" for "${command}"${
          guess ? ` (did you mean --${guess}?)` : ""
        }; see "${command} --help"`,
      );
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
      const flag = /'(--?[\w-]+)/.exec(message)?.[1] ?? "";
      if (message.includes("does not take an argument")) {
        throw new UsageError(`Flag ${flag} takes no value`);
      }
      throw new UsageError(`Flag ${flag} needs a value; see "${command} --help"`);
    }
    if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
      const arg = /'([^']*)'/.exec(message)?.[1] ?? "";
      throw new UsageError(
        `Unexpected argument "${arg}" for "${command}" (flags take the form --name value)`,
      );
    }
    throw new UsageError(message);
  }
}

/**
 * `--pages -5` as `--pages=-5`: parseArgs takes a value that starts with "-" for a flag, which
 * would hide the real mistake (a negative number) behind "needs a value".
 */
function joinNegativeValues(args: string[], options: Record<string, FlagSpec>): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.startsWith("--") && !a.includes("=") ? a.slice(2) : undefined;
    const next = args[i + 1];
    if (
      name !== undefined && options[name]?.type === "string" && next !== undefined &&
      /^-(\d|\.\d)/.test(next)
    ) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/**
 * Split a comma-separated flag value, keeping commas inside `{...}`, `[...]` and quotes, so
 * `zsmalloc:{"a":1,"b":2},zbud` gives two entries.
 *
 * @param text The flag value.
 * @returns The entries, trimmed, empty ones dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitList } from "./args.ts";
 * assert.equal(splitList('a:{"x":1,"y":2},b').length, 2);
 * ```
 */
export function splitList(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === "\\") {
        cur += ch + (text[i + 1] ?? "");
        i++;
        continue;
      }
      if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "{" || ch === "[") depth++;
    else if (ch === "}" || ch === "]") depth--;
    else if (ch === "," && depth === 0) {
      if (cur.trim() !== "") out.push(cur.trim());
      cur = "";
      continue;
    }
    cur += ch;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}
