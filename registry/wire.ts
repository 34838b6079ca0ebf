/**
 * The one codec for errors that cross a thread boundary (the offload engine's Worker, cell
 * Workers): an error becomes plain data and comes back as the error the caller would have seen —
 * a `CompressError` with its code, a `RegistryError` with its code, a {@linkcode UsageError} for
 * a usage or config mistake, else an `Error` of the same name and message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { errorFromWire, errorToWire } from "./wire.ts";
 * import { UsageError } from "./errors.ts";
 * const back = errorFromWire(errorToWire(new UsageError("Unknown flag --x")));
 * assert.ok(back instanceof UsageError);
 * assert.equal(back.message, "Unknown flag --x");
 * ```
 *
 * @module
 */

import { UsageError } from "./errors.ts";
import { RegistryError } from "./registry.ts";
import { CompressError } from "./types.ts";

/** An error as plain data (structured-clone safe). */
export interface WireError {
  /** `Error.name`. */
  name: string;
  /** `Error.message`. */
  message: string;
  /** A string `code` member, if any (CompressError, RegistryError). */
  code?: string;
}

/**
 * An error as plain data.
 *
 * @param err What was thrown.
 * @returns Name, message and code.
 */
export function errorToWire(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return {
      name: err.name,
      message: err.message,
      ...(typeof code === "string" ? { code } : {}),
    };
  }
  return { name: "Error", message: String(err) };
}

/**
 * The error that `errorToWire()` turned into data, rebuilt on this side.
 *
 * @param e The data.
 * @returns An error of the matching class where one is known.
 */
export function errorFromWire(e: WireError): Error {
  if (e.name === "CompressError" && (e.code === "ENOSPC" || e.code === "EINVAL")) {
    return new CompressError(e.code, e.message);
  }
  if (e.name === "RegistryError") {
    return new RegistryError((e.code ?? "IMPORT_FAILED") as RegistryError["code"], e.message);
  }
  if (e.name === "UsageError" || e.name === "ConfigError") return new UsageError(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
