/**
 * File errors on the user's side (issue 16): a results directory that is a file, `/dev/null`, a
 * read-only mount, a full disk, a missing permission. Each becomes a {@linkcode UsageError}: one
 * line naming the path and the cause (exit status 2), never an "internal error".
 *
 * @module
 */
import { UsageError } from "../../registry/errors.ts";

/**
 * Is this error the file system's answer (not a bug)?
 *
 * @param err What was thrown.
 * @returns True for Deno's file errors and any error carrying an OS error number.
 */
export function isFileError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const e = Deno.errors;
  return err instanceof e.PermissionDenied || err instanceof e.NotFound ||
    err instanceof e.AlreadyExists || err instanceof e.NotADirectory ||
    err instanceof e.IsADirectory || err instanceof e.NotCapable ||
    err instanceof e.FilesystemLoop || err instanceof e.WriteZero ||
    /\(os error \d+\)/.test(err.message);
}

/**
 * The cause of a file error without Deno's trailing "mkdir '/x'" (the caller names the path).
 *
 * @param err A file error.
 * @returns E.g. "No space left on device (os error 28)".
 */
export function fileErrorCause(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.replace(/:\s*\w+ '[^']*'(?: -> '[^']*')?$/, "").split("\n")[0];
}

/**
 * Run a file operation; a file error becomes a one-line {@linkcode UsageError}.
 *
 * @param what What was being done, with the path, e.g. `Cannot write results/x/results.json`.
 * @param fn The operation.
 * @returns What it returns.
 * @throws {UsageError} For a file error; anything else is rethrown.
 *
 * @example
 * ```ts ignore
 * await userFileOp(`Cannot create ${dir}`, () => Deno.mkdir(dir, { recursive: true }));
 * ```
 */
export async function userFileOp<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UsageError || !isFileError(err)) throw err;
    throw new UsageError(`${what}: ${fileErrorCause(err)}`, { cause: err });
  }
}
