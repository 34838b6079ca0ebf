/**
 * Errors the CLI reports as user mistakes: one line, exit status 2, no stack trace.
 *
 * @module
 */

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
