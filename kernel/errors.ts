/**
 * The error a kernel-check run throws when the guest, QEMU or the console output goes wrong.
 *
 * @module
 */

/** Why a kernel run failed. */
export type KernelCheckErrorCode =
  /** The guest reported an error record (a module, a parameter, a device was missing). */
  | "guest"
  /** The console output ended before the `done` record (a panic, a crash). */
  | "incomplete"
  /** A `ZSWAPBENCH` line did not parse. */
  | "malformed"
  /** QEMU did not finish in time and was killed. */
  | "timeout"
  /** QEMU could not start or exited with an error. */
  | "qemu";

/**
 * A kernel run that did not produce results. `consoleTail` holds the last lines of the serial
 * console, which usually say why (a panic, an `insmod` error).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { KernelCheckError } from "./errors.ts";
 * const err = new KernelCheckError("guest", "insmod zsmalloc.ko failed", "...");
 * assert.equal(err.code, "guest");
 * ```
 */
export class KernelCheckError extends Error {
  /** Why the run failed. */
  readonly code: KernelCheckErrorCode;
  /** The last lines of the console output (may be empty). */
  readonly consoleTail: string;
  /**
   * Make the error.
   *
   * @param code Why the run failed.
   * @param message What happened, in one sentence.
   * @param consoleTail The last console lines.
   * @param options The underlying cause, if any.
   */
  constructor(
    code: KernelCheckErrorCode,
    message: string,
    consoleTail = "",
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "KernelCheckError";
    this.code = code;
    this.consoleTail = consoleTail;
  }
}
