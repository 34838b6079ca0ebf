/**
 * The errors every layer may raise, at the bottom of the dependency rule (docs/DESIGN.md): a
 * {@linkcode UsageError} is a mistake the user can fix, reported as one line with exit status 2,
 * and {@linkcode parsePluginOptions} is the one way a plugin checks its options, so bad options
 * give the same one-line error whichever plugin they were meant for.
 *
 * @module
 */

import { formatZodIssues, type ZodIssueLike } from "./schemas.ts";
import type { PluginKind } from "./types.ts";

/**
 * A mistake the user can fix (bad flag, unknown plugin, malformed file). The CLI prints its message
 * alone and exits with status 2; `--debug` adds the stack.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsageError } from "./errors.ts";
 * const err = new UsageError('Unknown flag "--pgaes" (did you mean --pages?)');
 * assert.equal(err.name, "UsageError");
 * ```
 */
export class UsageError extends Error {
  /**
   * Make a usage error.
   *
   * @param message What is wrong and how to fix it: sentence case, no final period.
   * @param options The underlying cause, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/**
 * What {@linkcode parsePluginOptions} needs of a schema: zod's `safeParse` (any zod schema has
 * it), so the signature names no zod type.
 */
export interface OptionsSchema<T> {
  /** Check `input`; on success `data` holds the options with defaults filled. */
  safeParse(
    input: unknown,
  ):
    | { success: true; data: T }
    | { success: false; error: { issues: readonly ZodIssueLike[] } };
}

/**
 * Parse a plugin's options with its zod schema; on failure, one {@linkcode UsageError}:
 * `Invalid options for <kind> "<name>": <each bad option>[ (<hint>)]`. `undefined` means no
 * options (`{}`).
 *
 * @param kind The plugin's kind, for the message.
 * @param name The plugin's name, for the message.
 * @param schema The options' zod schema (strict, defaults inside).
 * @param input The raw options.
 * @param hint Appended in parentheses, e.g. the known options.
 * @returns The parsed options.
 * @throws {UsageError} naming each bad option, with the `ZodError` as its cause.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { parsePluginOptions, UsageError } from "./errors.ts";
 * const schema = z.strictObject({ level: z.number().int().default(3) });
 * assert.equal(parsePluginOptions("compressor", "zstd", schema, undefined).level, 3);
 * assert.throws(() => parsePluginOptions("compressor", "zstd", schema, { levle: 1 }), UsageError);
 * ```
 */
export function parsePluginOptions<T>(
  kind: PluginKind,
  name: string,
  schema: OptionsSchema<T>,
  input: unknown,
  hint?: string,
): T {
  const value = input ?? {};
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new UsageError(
    `Invalid options for ${kind} "${name}": ${formatZodIssues(parsed.error.issues, value)}${
      hint === undefined ? "" : ` (${hint})`
    }`,
    { cause: parsed.error },
  );
}
