/**
 * The whole kernel check: for each zpool x compressor, boot the kernel once over the page file,
 * then run the simulator (codec and replay) on the same pages, and put the figures side by side.
 *
 * @module
 */
import {
  type KernelCheckOptions,
  type KernelCheckSetup,
  pageFileCount,
  prepareKernelCheck,
  runKernelCell,
} from "./check.ts";
import {
  codecLengths,
  compareRow,
  failedRow,
  type KernelCheckRow,
  presetHeaderBytes,
  type SimSide,
  simulateCodec,
  simulateReplay,
} from "./compare.ts";
import type { KernelRun } from "./console.ts";
import { KernelCheckError } from "./errors.ts";
import { presetForKernel } from "../zswap/presets.ts";

/** Options of {@link runKernelCheck}. */
export interface RunKernelCheckOptions extends KernelCheckOptions {
  /** Simulator preset (default: the one for the booted kernel's version, else `6.1`). */
  preset?: string;
  /** Skip the simulator: kernel figures only. */
  kernelOnly?: boolean;
  /** Called as each cell finishes. */
  onRow?: (row: KernelCheckRow) => void;
}

/** The result of a kernel check. */
export interface KernelCheckReport {
  /** Where the kernel came from, e.g. `debian linux-image-6.1.0-56-amd64 6.1.192-2`. */
  kernelSource: string;
  /** The page file. */
  pagesPath: string;
  /** Pages in it. */
  pages: number;
  /** Simulator preset (of the first cell; every cell of one kernel has the same). */
  preset: string;
  /** One row per zpool x compressor, zpools outer. */
  rows: KernelCheckRow[];
  /** What each row's guest reported (per-page lengths and pool sizes), null where it failed. */
  kernelRuns: (KernelRun | null)[];
}

/**
 * Run the kernel check over a page file.
 *
 * @param pagesPath A flat file of 4096-byte pages.
 * @param zpools zpools to check, e.g. `["zbud", "zsmalloc"]`; undefined: every one the kernel has.
 * @param compressors Compressors to check, e.g. `["lz4"]`; undefined: lz4.
 * @param options Kernel, cache, QEMU and simulator settings.
 * @returns The rows. A cell whose boot failed has `status: "failed"`; the others still run.
 * @throws {UsageError} For a missing tool, kernel, module or a bad page file (before any boot).
 * @example
 * ```ts ignore
 * import { runKernelCheck } from "./run.ts";
 * const r = await runKernelCheck("text.pages", ["zsmalloc"], ["lz4"]);
 * console.log(r.rows[0].kernel_pool_pages, r.rows[0].sim_pool_pages);
 * ```
 */
export async function runKernelCheck(
  pagesPath: string,
  zpoolsWanted: readonly string[] | undefined,
  compressorsWanted: readonly string[] | undefined,
  options: RunKernelCheckOptions = {},
): Promise<KernelCheckReport> {
  const pages = await pageFileCount(pagesPath);
  const setup: KernelCheckSetup = await prepareKernelCheck(
    zpoolsWanted,
    compressorsWanted,
    options,
  );
  const { zpools, compressors } = setup;
  let preset = options.preset;
  const rows: KernelCheckRow[] = [];
  const kernelRuns: (KernelRun | null)[] = [];
  const lengthsByCodec = new Map<string, Int32Array | Error>();
  for (const zpool of zpools) {
    for (const compressor of compressors) {
      const cell = { zpool, compressor };
      setup.log(`Booting ${setup.image.label} for ${zpool} x ${compressor} (${setup.accel})`);
      let row: KernelCheckRow;
      let kernelRun: KernelRun | null = null;
      try {
        const kernel = await runKernelCell(setup, pagesPath, cell);
        kernelRun = kernel.run;
        preset ??= presetForKernel(kernel.run.kernel) ?? "6.1";
        if (options.kernelOnly) {
          row = compareRow(
            cell,
            kernel,
            { errors: ["skipped (--kernel-only)"] },
            presetHeaderBytes(preset, zpool),
          );
        } else {
          const sim = { preset, totalRamPages: Math.floor(kernel.run.memTotalKb / 4) };
          const side: SimSide = { errors: [] };
          const attempt = async (what: string, f: () => Promise<void>) => {
            try {
              await f();
            } catch (e) {
              side.errors.push(`${what}: ${(e as Error).message}`);
            }
          };
          await attempt("codec run", async () => {
            let lengths = lengthsByCodec.get(compressor);
            if (!lengths) {
              lengths = await codecLengths(pagesPath, compressor, sim.preset).catch((e) =>
                e as Error
              );
              lengthsByCodec.set(compressor, lengths);
            }
            if (lengths instanceof Error) throw lengths;
            side.lengths = lengths;
            side.codec = await simulateCodec(pagesPath, pages, cell, sim);
          });
          await attempt("replay", async () => {
            side.replay = await simulateReplay(kernel.run, zpool, sim);
          });
          row = compareRow(cell, kernel, side, presetHeaderBytes(sim.preset, zpool));
        }
      } catch (e) {
        if (!(e instanceof KernelCheckError)) throw e;
        const tail = e.consoleTail.trim().split("\n").slice(-12).join("\n");
        setup.log(
          `${zpool} x ${compressor}: ${e.message}${tail ? `\n--- console tail ---\n${tail}` : ""}`,
        );
        row = failedRow(cell, pages, e.message);
      }
      rows.push(row);
      kernelRuns.push(kernelRun);
      options.onRow?.(row);
    }
  }
  return {
    kernelSource: setup.image.label,
    pagesPath,
    pages,
    preset: preset ?? options.preset ?? "6.1",
    rows,
    kernelRuns,
  };
}
