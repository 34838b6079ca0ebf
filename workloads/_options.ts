/**
 * Option parsing of the workloads: `parsePluginOptions()` of `registry/errors.ts` (one-line
 * `UsageError`s that name the workload and the option), with the workload's name last.
 *
 * @module
 */

import type { z } from "zod";
import { parsePluginOptions } from "../registry/errors.ts";

/**
 * Parse a workload's options with its schema (`undefined` means no options).
 *
 * @param schema The workload's zod schema (strict, defaults inside).
 * @param options The raw options.
 * @param workload The workload's name, for the message.
 * @returns The parsed options.
 * @throws {UsageError} naming each bad option (`registry/errors.ts`).
 */
export function parseOptions<T extends z.ZodType>(
  schema: T,
  options: unknown,
  workload: string,
): z.output<T> {
  return parsePluginOptions("workload", workload, schema, options);
}
