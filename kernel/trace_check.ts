/**
 * The kernel side of a trace check: an op trace (the `trace` workload's format) replayed op by op
 * by a real kernel under QEMU (kernel/tracefeed.c in the guest), with zswap's counters after every
 * op.
 *
 * How the guest stays deterministic: one CPU (`-smp 1`), no transparent huge pages
 * (`transparent_hugepage=never` and `MADV_NOHUGEPAGE`), no swap readahead (`vm.page-cluster=0`),
 * nothing else swapping (the guest runs only init and the replay, with 512 MiB of RAM and
 * `mlockall` on the replay's own memory), and no op starts while the swap disk has a request in
 * flight (`/sys/block/<dev>/inflight`), so pages zswap rejects are on the disk first.
 *
 * @module
 */
import { UsageError } from "../registry/errors.ts";
import { readTrace, traceFormat } from "../workloads/trace.ts";
import {
  cellCmdline,
  createSwapImage,
  GUEST_PAGE_SIZE,
  type KernelCheckSetup,
  pageFileCount,
} from "./check.ts";
import { runQemu } from "./qemu.ts";
import { type KernelTraceRun, parseTraceConsole } from "./trace_console.ts";

/** Op codes of the guest's trace format. */
export const TRACE_OP_CODES: Readonly<Record<"store" | "load" | "invalidate", number>> = {
  store: 0,
  load: 1,
  invalidate: 2,
};

/** A trace read into memory: one entry per op in every array. */
export interface LoadedTrace {
  /** The trace file. */
  path: string;
  /** Op codes ({@link TRACE_OP_CODES}). */
  ops: Uint8Array;
  /** Offsets. */
  offsets: Uint32Array;
  /** Page ids of stores (-1 for the other ops). */
  pageIds: Int32Array;
  /** Largest offset + 1: the pages of the guest's mapping. */
  pages: number;
  /** Stores, loads and invalidations in the trace. */
  counts: { store: number; load: number; invalidate: number };
}

/** Most ops a trace check takes (the guest reads the whole trace into memory). */
export const MAX_TRACE_OPS = 1 << 22;

/**
 * Read a whole trace file.
 *
 * @param path A `.jsonl` or `.csv` trace.
 * @returns The ops.
 * @throws {UsageError} For a malformed, empty or too long trace, or a page id beyond 2^31.
 */
export function loadTrace(path: string): LoadedTrace {
  const format = traceFormat(path);
  const ops: number[] = [];
  const offsets: number[] = [];
  const pageIds: number[] = [];
  const counts = { store: 0, load: 0, invalidate: 0 };
  let pages = 0;
  for (const op of readTrace(path, format)) {
    if (ops.length >= MAX_TRACE_OPS) {
      throw new UsageError(`Trace "${path}" has more than ${MAX_TRACE_OPS} ops (cut it shorter)`);
    }
    if (op.offset >= 2 ** 24 || op.pageId >= 2 ** 31) {
      throw new UsageError(
        `Trace "${path}" op ${
          ops.length + 1
        }: offset ${op.offset} or page ${op.pageId} is too large for a kernel replay (offsets below 2^24)`,
      );
    }
    ops.push(TRACE_OP_CODES[op.op]);
    offsets.push(op.offset);
    pageIds.push(op.op === "store" ? op.pageId : -1);
    counts[op.op]++;
    if (op.offset + 1 > pages) pages = op.offset + 1;
  }
  if (ops.length === 0) throw new UsageError(`Trace "${path}" has no ops`);
  return {
    path,
    ops: Uint8Array.from(ops),
    offsets: Uint32Array.from(offsets),
    pageIds: Int32Array.from(pageIds),
    pages,
    counts,
  };
}

/**
 * The trace as the guest reads it from its trace disk: `ZSBTRACE`, u32 op count, u32 mapping
 * pages, then per op u32 op, offset, page id and page-file index (page id mod the file's pages,
 * the `pagefile` workload's rule), little-endian, padded to whole 512-byte sectors.
 *
 * @param trace The trace.
 * @param filePages Pages in the page file.
 * @returns The disk image.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeTrace } from "./trace_check.ts";
 * const t = { path: "t.csv", ops: new Uint8Array([0]), offsets: new Uint32Array([3]),
 *   pageIds: new Int32Array([5]), pages: 4, counts: { store: 1, load: 0, invalidate: 0 } };
 * const img = encodeTrace(t, 2);
 * assert.equal(img.length, 512);
 * assert.equal(new DataView(img.buffer).getUint32(28, true), 1); // page 5 is file page 1
 * ```
 */
export function encodeTrace(trace: LoadedTrace, filePages: number): Uint8Array {
  const n = trace.ops.length;
  const bytes = Math.ceil((16 + 16 * n) / 512) * 512;
  const out = new Uint8Array(bytes);
  out.set(new TextEncoder().encode("ZSBTRACE"), 0);
  const v = new DataView(out.buffer);
  v.setUint32(8, n, true);
  v.setUint32(12, trace.pages, true);
  for (let i = 0; i < n; i++) {
    const at = 16 + 16 * i;
    const id = trace.pageIds[i];
    v.setUint32(at, trace.ops[i], true);
    v.setUint32(at + 4, trace.offsets[i], true);
    v.setUint32(at + 8, id < 0 ? 0xffffffff : id, true);
    v.setUint32(at + 12, id < 0 ? 0 : id % filePages, true);
  }
  return out;
}

/** One replay's kernel figures. */
export interface KernelTraceCellRun {
  /** What the guest reported. */
  run: KernelTraceRun;
  /** Wall time of the boot, milliseconds. */
  wallMs: number;
}

/**
 * Boot the kernel once for one zpool x compressor and replay the trace.
 *
 * @param setup From `prepareKernelCheck` (its initramfs holds tracefeed).
 * @param pagesPath The page file the trace's page ids index.
 * @param trace The trace.
 * @param cell The zpool and compressor.
 * @returns The guest's records.
 * @throws {KernelCheckError} When the boot fails or the guest reports an error.
 * @throws {UsageError} When the guest would need more memory than it has.
 */
export async function runKernelTraceCell(
  setup: KernelCheckSetup,
  pagesPath: string,
  trace: LoadedTrace,
  cell: { zpool: string; compressor: string },
): Promise<KernelTraceCellRun> {
  const filePages = await pageFileCount(pagesPath);
  // The mapping, the page disk's cache and the pool, next to the kernel and busybox.
  const needMb = Math.ceil((2 * trace.pages + filePages) * GUEST_PAGE_SIZE / 2 ** 20) + 160;
  if (needMb > setup.memoryMb) {
    throw new UsageError(
      `A trace over ${trace.pages} pages needs about ${needMb} MiB of guest memory (give --memory ${needMb})`,
    );
  }
  const tmp = await Deno.makeTempDir({ prefix: "zswapbench-trace-" });
  try {
    // Every page may hold a slot, and freed slots wait in per-CPU caches: room to spare.
    const swap = await createSwapImage(tmp, trace.pages + 2048);
    const traceImg = `${tmp}/trace.img`;
    await Deno.writeFile(traceImg, encodeTrace(trace, filePages));
    const append = cellCmdline(cell, filePages);
    const boot = () =>
      runQemu({
        qemu: setup.tools.qemu,
        kernel: setup.image.vmlinuz,
        initrd: setup.initramfs,
        append,
        drives: [
          { file: pagesPath, serial: "zsbpages", readonly: true },
          { file: swap, serial: "zsbswap", readonly: false },
          { file: traceImg, serial: "zsbtrace", readonly: true },
        ],
        memoryMb: setup.memoryMb,
        accel: setup.accel,
        timeoutMs: setup.timeoutMs,
      });
    let res = await boot();
    if (setup.accel === "kvm" && res.code !== 0 && !res.console.includes("ZSWAPBENCH ")) {
      // KVM that cannot run this guest (kernel/check.ts falls back the same way).
      setup.log(`KVM did not work here (QEMU exited with status ${res.code}); using TCG`);
      setup.accel = "tcg";
      res = await boot();
    }
    return { run: parseTraceConsole(res.console), wallMs: res.wallMs };
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/**
 * Do two replays give the same records? Every counter and vmstat figure after every op.
 *
 * @param a One replay.
 * @param b Another of the same trace and cell.
 * @returns The first op (0-based) whose records differ, -1 before the first op, or null when they
 *   are identical.
 */
export function firstDifferentRecord(a: KernelTraceRun, b: KernelTraceRun): number | null {
  const same = (x: number[], y: number[]) => x.length === y.length && x.every((v, i) => v === y[i]);
  if (a.counterNames.join() !== b.counterNames.join()) return -1;
  if (!same(a.initial.counters, b.initial.counters)) return -1;
  const n = Math.max(a.ops.length, b.ops.length);
  for (let i = 0; i < n; i++) {
    const x = a.ops[i];
    const y = b.ops[i];
    if (!x || !y || !same(x.counters, y.counters) || !same(x.vmstat, y.vmstat) || x.out !== y.out) {
      return i;
    }
  }
  return null;
}
