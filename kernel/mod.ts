/**
 * The kernel check: run the same pages through a real kernel's zswap under QEMU and through the
 * simulator, and compare (docs/kernel-check.md).
 *
 * A tour:
 * - {@link runKernelCheck} does it all: preflight, kernel (Debian's 6.1 by default, any Debian
 *   kernel by version with `kernelVersion`, cached),
 *   guest program and initramfs (cached by content hash), one boot per zpool x compressor, then
 *   the simulator's codec and replay runs, as {@link KernelCheckRow}s.
 * - {@link prepareKernelCheck} and {@link runKernelCell} are the kernel side alone.
 * - {@link parseConsole} reads the guest's `ZSWAPBENCH {...}` console records.
 * - {@link writeCpio} / {@link buildInitramfs} write the initramfs; {@link ModuleTree} finds
 *   modules and their dependencies; {@link preflight} names what is missing and how to install it.
 *
 * @example
 * ```ts ignore
 * import { runKernelCheck } from "./mod.ts";
 * const report = await runKernelCheck("text.pages", ["zbud", "zsmalloc"], ["lz4"]);
 * for (const r of report.rows) console.log(r.zpool, r.kernel_pool_pages, r.sim_pool_pages);
 * ```
 *
 * @module
 */
export {
  BASE_CMDLINE,
  defaultCacheDir,
  GUEST_MAX_POOL_PERCENT,
  GUEST_PAGE_SIZE,
  type KernelCellRun,
  type KernelCheckOptions,
  type KernelCheckSetup,
  pageFileCount,
  prepareKernelCheck,
  runKernelCell,
} from "./check.ts";
export {
  codecLengths,
  compareRow,
  failedRow,
  type KernelCheckRow,
  kernelCompressedBytes,
  kernelLengthsCsv,
  kernelPageCodes,
  lengthAgreement,
  PAGE_NOT_STORED,
  PAGE_SAME_FILLED,
  PAGE_ZERO,
  presetHeaderBytes,
  type SimFigures,
  type SimSettings,
  type SimSide,
  simulateCodec,
  simulateReplay,
} from "./compare.ts";
export {
  type KernelPage,
  type KernelRun,
  type PageOutcome,
  parseConsole,
  RECORD_PREFIX,
} from "./console.ts";
export { type KernelFeatures, kernelFeatures, parseKernelConfig } from "./config.ts";
export {
  aptOptions,
  type AptTools,
  cachedDebianKernel,
  DEBIAN_SUITES,
  debianAbi,
  debianKernel,
  debianKernelByVersion,
  debianSourcesList,
  imageParts,
  type KernelImage,
  pickDebianPackage,
  pickVersionPackage,
} from "./debian_kernel.ts";
export { type RecordedFiles, recordOracle, RESULTS_COLUMNS } from "./record.ts";
export { KernelCheckError, type KernelCheckErrorCode } from "./errors.ts";
export {
  contentHash,
  ensureInitramfs,
  ensurePagefeed,
  type GuestProgram,
  PAGEFEED_CFLAGS,
  pagefeedPath,
  readKernelAsset,
} from "./guest.ts";
export {
  buildInitramfs,
  type CpioEntry,
  type CpioMember,
  initramfsEntries,
  type InitramfsParts,
  readCpio,
  renderInit,
  S_IFCHR,
  S_IFDIR,
  S_IFLNK,
  S_IFREG,
  writeCpio,
} from "./initramfs.ts";
export { type KernelModule, moduleName, ModuleTree, readModule } from "./modules.ts";
export {
  findHostTools,
  findOnPath,
  findStaticBusybox,
  findStaticCompiler,
  type HostTools,
  INSTALL_SCRIPT,
  missingTools,
  preflight,
  type PreflightNeeds,
  type StaticCompiler,
} from "./preflight.ts";
export {
  type Accel,
  qemuArgs,
  type QemuDrive,
  type QemuRunOptions,
  type QemuRunResult,
  runQemu,
} from "./qemu.ts";
export { type KernelCheckReport, runKernelCheck, type RunKernelCheckOptions } from "./run.ts";
export {
  encodeTrace,
  firstDifferentRecord,
  type KernelTraceCellRun,
  type LoadedTrace,
  loadTrace,
  MAX_TRACE_OPS,
  runKernelTraceCell,
  TRACE_OP_CODES,
} from "./trace_check.ts";
export {
  counterByOp,
  type KernelTraceOp,
  type KernelTraceRun,
  parseTraceConsole,
} from "./trace_console.ts";
export {
  agreement,
  compareTraceRow,
  describeOp,
  failedTraceRow,
  kernelPoolPagesByOp,
  kernelStoredPagesByOp,
  type SimTrace,
  simulateTrace,
  type TraceCheckRow,
  type TraceDivergence,
} from "./trace_compare.ts";
export {
  formatTraceReport,
  runTraceCheck,
  type RunTraceCheckOptions,
  type TraceCheckReport,
  traceFailures,
} from "./trace_run.ts";
export type { LengthsEntry } from "../compressors/lengths.ts";
