/**
 * Parse the guest's serial console: every line that holds `ZSWAPBENCH ` is followed by one JSON
 * record (kernel/init.sh and kernel/pagefeed.c write them); everything else (BIOS, kernel messages)
 * is ignored.
 *
 * @module
 */
import { z } from "zod";
import { BootSchema, consoleLines, consoleRecords, tail } from "./_console_lines.ts";
import { KernelCheckError } from "./errors.ts";

export { RECORD_PREFIX } from "./_console_lines.ts";

const StartSchema = z.object({
  kind: z.literal("start"),
  pages: z.number().int(),
  stored_pages: z.number(),
  pool_total_size: z.number(),
  zswap_current: z.number(),
  pswpout: z.number(),
  kprobe: z.string(),
}).strict();

const PageSchema = z.object({
  kind: z.literal("page"),
  index: z.number().int().nonnegative(),
  outcome: z.enum(["stored", "same", "raw", "zero", "reject", "resident"]),
  length: z.number().int().nonnegative(),
  pool_total_size: z.number().int().nonnegative(),
  tries: z.number().int().positive(),
}).strict();

const DebugfsSchema = z.object({
  kind: z.literal("debugfs"),
  counters: z.record(z.string(), z.number()),
}).strict();

const StatsSchema = z.object({
  kind: z.literal("stats"),
  zswap_current: z.number(),
  pswpout: z.number(),
  zswpout: z.number(),
  memcg_zswapped: z.number(),
  memcg_zswap: z.number(),
}).strict();

const VerifySchema = z.object({
  kind: z.literal("verify"),
  pages: z.number().int(),
  mismatches: z.number().int(),
  first_mismatch: z.number().int(),
  zswpin: z.number(),
  pswpin: z.number(),
}).strict();

const AllocSchema = z.object({
  kind: z.literal("alloc"),
  index: z.number().int().nonnegative(),
  size: z.number().int(),
  count: z.number().int().positive(),
}).strict();

const ErrorSchema = z.object({ kind: z.literal("error"), message: z.string() }).strict();
const DoneSchema = z.object({ kind: z.literal("done") }).strict();

const RecordSchema = z.discriminatedUnion("kind", [
  BootSchema,
  StartSchema,
  PageSchema,
  DebugfsSchema,
  StatsSchema,
  VerifySchema,
  AllocSchema,
  ErrorSchema,
  DoneSchema,
]);

/** What happened to one page on `madvise(MADV_PAGEOUT)`. */
export type PageOutcome =
  /** Compressed and stored in zswap; `length` is its compressed length. */
  | "stored"
  /** Stored as a same-filled value (no pool memory, `length` 0). */
  | "same"
  /** Did not compress below a page and was stored as it is (6.18 on). */
  | "raw"
  /** All zero: never reached zswap (6.12 on, the swap zeromap). */
  | "zero"
  /** Swapped out but refused by zswap: written to the swap disk. */
  | "reject"
  /** Still resident after the retries: never reached zswap. */
  | "resident";

/** One page as the kernel handled it. */
export interface KernelPage {
  /** Page index in the page file. */
  index: number;
  /** What happened to it. */
  outcome: PageOutcome;
  /**
   * Compressed length charged to the cgroup (`memory.zswap.current` step, exact in 6.1 only); 0
   * unless stored or when the kernel has no such file.
   */
  length: number;
  /** Size zswap asked the allocator for while storing this page (kprobe), -1 when none. */
  alloc: number;
  /** Allocation calls seen for this page (0 without the kprobe). */
  allocs: number;
  /** debugfs `pool_total_size` right after this page was paged out. */
  pool_total_size: number;
  /** madvise calls it took to page the page out. */
  tries: number;
}

/** Everything one guest run reported. */
export interface KernelRun {
  /** `uname -r` in the guest. */
  kernel: string;
  /** The zpool zswap used (read back from /sys/module/zswap/parameters). */
  zpool: string;
  /** The compressor zswap used (read back). */
  compressor: string;
  /** zswap.max_pool_percent in the guest. */
  maxPoolPercent: number;
  /** MemTotal of the guest in KiB (the base of the pool limit). */
  memTotalKb: number;
  /** Per page, in index order. */
  pages: KernelPage[];
  /** Every /sys/kernel/debug/zswap counter after all pages were paged out. */
  debugfs: Record<string, number>;
  /** Sum of stored lengths (`memory.zswap.current`) after the page-out; -1 where it is missing. */
  zswapCurrent: number;
  /** The function the allocation kprobe was set on (`zpool_malloc`, `zs_malloc`), "" if none. */
  kprobe: string;
  /** Pages written to the swap disk during the page-out (/proc/vmstat pswpout difference). */
  pswpout: number;
  /** zswap stores counted by vmstat (zswpout). */
  zswpout: number;
  /** Pages read back. */
  verifiedPages: number;
  /** Pages whose bytes differed from the page file when read back. */
  mismatches: number;
}

/**
 * Parse a guest's console output.
 *
 * @param text Everything QEMU wrote (serial console).
 * @returns The run's records, checked for completeness.
 * @throws {KernelCheckError} `guest` when the guest reported an error, `malformed` for a record
 *   that does not parse, `incomplete` when the run stopped before the `done` record.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConsole } from "./console.ts";
 * import { KernelCheckError } from "./errors.ts";
 * assert.throws(
 *   () => parseConsole("Booting from ROM..\n"),
 *   (e) => e instanceof KernelCheckError && e.code === "incomplete",
 * );
 * ```
 */
export function parseConsole(text: string): KernelRun {
  const lines = consoleLines(text);
  let boot: z.infer<typeof BootSchema> | undefined;
  let start: z.infer<typeof StartSchema> | undefined;
  let debugfs: z.infer<typeof DebugfsSchema> | undefined;
  let stats: z.infer<typeof StatsSchema> | undefined;
  let verify: z.infer<typeof VerifySchema> | undefined;
  let done = false;
  const pages: KernelPage[] = [];
  for (const [i, r] of consoleRecords(lines, RecordSchema)) {
    switch (r.kind) {
      case "boot":
        boot = r;
        break;
      case "start":
        start = r;
        break;
      case "page": {
        if (r.index !== pages.length) {
          throw new KernelCheckError(
            "malformed",
            `Page record ${r.index} out of order (expected ${pages.length})`,
            tail(lines.slice(0, i + 1)),
          );
        }
        const { kind: _, ...page } = r;
        pages.push({ ...page, alloc: -1, allocs: 0 });
        break;
      }
      case "alloc": {
        const page = pages[r.index];
        if (!page) {
          throw new KernelCheckError(
            "malformed",
            `Allocation record for page ${r.index}, which has no page record`,
            tail(lines.slice(0, i + 1)),
          );
        }
        page.alloc = r.size;
        page.allocs = r.count;
        break;
      }
      case "debugfs":
        debugfs = r;
        break;
      case "stats":
        stats = r;
        break;
      case "verify":
        verify = r;
        break;
      case "error":
        throw new KernelCheckError("guest", `The guest reported: ${r.message}`, tail(lines));
      case "done":
        done = true;
        break;
    }
  }
  if (!done || !boot || !start || !debugfs || !stats || !verify) {
    const missing = [
      ["boot", boot],
      ["start", start],
      ["debugfs", debugfs],
      ["stats", stats],
      ["verify", verify],
      ["done", done || undefined],
    ].filter(([, v]) => v === undefined).map(([k]) => k);
    throw new KernelCheckError(
      "incomplete",
      `The guest stopped before reporting ${missing.join(", ")} (${pages.length} page records)`,
      tail(lines),
    );
  }
  if (pages.length !== start.pages) {
    throw new KernelCheckError(
      "incomplete",
      `The guest reported ${pages.length} of ${start.pages} pages`,
      tail(lines),
    );
  }
  return {
    kernel: boot.kernel,
    zpool: boot.zpool,
    compressor: boot.compressor,
    maxPoolPercent: boot.max_pool_percent,
    memTotalKb: boot.mem_total_kb,
    pages,
    debugfs: debugfs.counters,
    zswapCurrent: start.zswap_current < 0 ? -1 : stats.zswap_current - start.zswap_current,
    kprobe: start.kprobe,
    pswpout: stats.pswpout - start.pswpout,
    zswpout: stats.zswpout,
    verifiedPages: verify.pages,
    mismatches: verify.mismatches,
  };
}
