/**
 * Parse the console of a trace replay (kernel/tracefeed.c): the `boot` record of kernel/init.sh,
 * `trace_start`, one `op` record per op of the trace, `trace_end`, `done`. Everything else on the
 * console is ignored.
 *
 * @module
 */
import { z } from "zod";
import { BootSchema, consoleLines, consoleRecords, tail } from "./_console_lines.ts";
import { KernelCheckError } from "./errors.ts";

const StartSchema = z.object({
  kind: z.literal("trace_start"),
  ops: z.number().int().nonnegative(),
  pages: z.number().int().nonnegative(),
  counters: z.array(z.string()),
  vmstat: z.array(z.string()),
  c: z.array(z.number()),
  vm: z.array(z.number()),
}).strict();

const OpSchema = z.object({
  kind: z.literal("op"),
  i: z.number().int().nonnegative(),
  out: z.number().int(),
  tries: z.number().int().nonnegative(),
  bad: z.number().int(),
  c: z.array(z.number()),
  vm: z.array(z.number()),
}).strict();

const EndSchema = z.object({
  kind: z.literal("trace_end"),
  ops: z.number().int(),
  mismatches: z.number().int(),
  resident: z.number().int(),
  idle_polls: z.number().int(),
  replay_ms: z.number(),
}).strict();

const ErrorSchema = z.object({ kind: z.literal("error"), message: z.string() }).strict();
const DoneSchema = z.object({ kind: z.literal("done") }).strict();

const RecordSchema = z.discriminatedUnion("kind", [
  BootSchema,
  StartSchema,
  OpSchema,
  EndSchema,
  ErrorSchema,
  DoneSchema,
]);

/** What the kernel reported after one op of the trace. */
export interface KernelTraceOp {
  /** debugfs counters after the op, in the order of {@link KernelTraceRun.counterNames}. */
  counters: number[];
  /** /proc/vmstat pswpin, pswpout, zswpin, zswpout after the op (-1 where the kernel lacks it). */
  vmstat: number[];
  /** Stores: 1 when the page was swapped out, 0 when it stayed resident; -1 for other ops. */
  out: number;
  /** Stores: madvise(MADV_PAGEOUT) calls it took. */
  tries: number;
  /** Loads: 1 when the page came back different from what was stored. */
  bad: number;
}

/** Everything a trace replay reported. */
export interface KernelTraceRun {
  /** `uname -r` in the guest. */
  kernel: string;
  /** The zpool zswap used. */
  zpool: string;
  /** The compressor zswap used. */
  compressor: string;
  /** MemTotal of the guest in KiB. */
  memTotalKb: number;
  /** Pages of the guest's mapping (the trace's largest offset + 1). */
  pages: number;
  /** The debugfs counter names, sorted. */
  counterNames: string[];
  /** Counters before the first op. */
  initial: KernelTraceOp;
  /** One record per op, in trace order. */
  ops: KernelTraceOp[];
  /** Loads whose page came back wrong (should be 0). */
  mismatches: number;
  /** Stores whose page stayed resident after the retries (should be 0). */
  resident: number;
  /** Milliseconds the replay took inside the guest (emulated time). */
  replayMs: number;
}

/**
 * The value of one debugfs counter after each op.
 *
 * @param run The replay.
 * @param name A counter, e.g. `stored_pages`.
 * @returns One number per op, or null when this kernel has no such counter.
 */
export function counterByOp(run: KernelTraceRun, name: string): number[] | null {
  const k = run.counterNames.indexOf(name);
  return k < 0 ? null : run.ops.map((o) => o.counters[k]);
}

/**
 * Parse a trace replay's console.
 *
 * @param text Everything QEMU wrote.
 * @returns The replay.
 * @throws {KernelCheckError} `guest` for a reported error, `malformed` for a bad or out-of-order
 *   record, `incomplete` when the replay stopped early.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTraceConsole } from "./trace_console.ts";
 * import { KernelCheckError } from "./errors.ts";
 * assert.throws(
 *   () => parseTraceConsole("Booting from ROM..\n"),
 *   (e) => e instanceof KernelCheckError && e.code === "incomplete",
 * );
 * ```
 */
export function parseTraceConsole(text: string): KernelTraceRun {
  const lines = consoleLines(text);
  let boot: z.infer<typeof BootSchema> | undefined;
  let start: z.infer<typeof StartSchema> | undefined;
  let end: z.infer<typeof EndSchema> | undefined;
  let done = false;
  const ops: KernelTraceOp[] = [];
  for (const [i, r] of consoleRecords(lines, RecordSchema)) {
    switch (r.kind) {
      case "boot":
        boot = r;
        break;
      case "trace_start":
        start = r;
        break;
      case "op":
        if (r.i !== ops.length || !start || r.c.length !== start.counters.length) {
          throw new KernelCheckError(
            "malformed",
            `Op record ${r.i} out of order or with ${r.c.length} counters (expected op ${ops.length})`,
            tail(lines.slice(0, i + 1)),
          );
        }
        ops.push({ counters: r.c, vmstat: r.vm, out: r.out, tries: r.tries, bad: r.bad });
        break;
      case "trace_end":
        end = r;
        break;
      case "error":
        throw new KernelCheckError("guest", `The guest reported: ${r.message}`, tail(lines));
      case "done":
        done = true;
        break;
    }
  }
  if (!done || !boot || !start || !end || ops.length !== start.ops) {
    throw new KernelCheckError(
      "incomplete",
      `The guest stopped after ${ops.length} of ${start?.ops ?? "?"} op records`,
      tail(lines),
    );
  }
  return {
    kernel: boot.kernel,
    zpool: boot.zpool,
    compressor: boot.compressor,
    memTotalKb: boot.mem_total_kb,
    pages: start.pages,
    counterNames: start.counters,
    initial: { counters: start.c, vmstat: start.vm, out: -1, tries: 0, bad: 0 },
    ops,
    mismatches: end.mismatches,
    resident: end.resident,
    replayMs: end.replay_ms,
  };
}
