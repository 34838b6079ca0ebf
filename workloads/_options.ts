/**
 * Option parsing shared by the workloads: a zod schema, and its errors turned into one-line
 * {@linkcode UsageError}s that name the workload and the option.
 *
 * @module
 */

import type { z } from "zod";
import { UsageError } from "../registry/errors.ts";

/**
 * Parse a workload's options with its schema (`undefined` means no options).
 *
 * @param schema The workload's zod schema (strict, defaults inside).
 * @param options The raw options.
 * @param workload The workload's name, for the message.
 * @returns The parsed options.
 * @throws {UsageError} naming each bad option.
 */
export function parseOptions<T extends z.ZodType>(
  schema: T,
  options: unknown,
  workload: string,
): z.output<T> {
  const result = schema.safeParse(options ?? {});
  if (result.success) return result.data;
  const what = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join(".");
    return path === "" ? issue.message : `${path}: ${issue.message}`;
  }).join("; ");
  throw new UsageError(`Invalid options for workload "${workload}": ${what}`, {
    cause: result.error,
  });
}
