/**
 * What the plain and the trace console parsers share: the record prefix, the `boot` record of
 * kernel/init.sh, and the scan that finds each record line and checks it against a schema.
 *
 * @module
 */
import { z } from "zod";
import { KernelCheckError } from "./errors.ts";

/** The prefix of every result line. */
export const RECORD_PREFIX = "ZSWAPBENCH ";

/** The `boot` record kernel/init.sh writes before any program runs. */
export const BootSchema = z.object({
  kind: z.literal("boot"),
  kernel: z.string(),
  zpool: z.string(),
  compressor: z.string(),
  max_pool_percent: z.number(),
  same_filled_pages_enabled: z.string(),
  mem_total_kb: z.number(),
}).strict();

/** The last `n` lines, joined: the context an error carries. */
export function tail(lines: readonly string[], n = 40): string {
  return lines.slice(-n).join("\n");
}

/** The console split into lines, carriage returns dropped. */
export function consoleLines(text: string): string[] {
  return text.replaceAll("\r", "").split("\n");
}

/**
 * Each record line, in order, parsed with `schema`, with its 0-based line index. Lazy: a line that
 * is not JSON or not a known record throws `malformed` when the scan reaches it.
 */
export function* consoleRecords<S extends z.ZodType>(
  lines: readonly string[],
  schema: S,
): Generator<[number, z.infer<S>]> {
  for (const [i, line] of lines.entries()) {
    const at = line.indexOf(RECORD_PREFIX);
    if (at < 0) continue;
    const body = line.slice(at + RECORD_PREFIX.length).trim();
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch (e) {
      throw new KernelCheckError(
        "malformed",
        `Console line ${i + 1} is not a JSON record: "${body.slice(0, 120)}"`,
        tail(lines.slice(0, i + 1)),
        { cause: e },
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new KernelCheckError(
        "malformed",
        `Console line ${i + 1} is not a known record (${parsed.error.issues[0]?.message}): "${
          body.slice(0, 120)
        }"`,
        tail(lines.slice(0, i + 1)),
      );
    }
    yield [i, parsed.data];
  }
}
