/**
 * Run pages through a real kernel's zswap: prepare once (host tools, kernel, guest program,
 * initramfs, all cached), then boot once per zpool x compressor cell and parse what the guest
 * reports.
 *
 * @module
 */
import { UsageError } from "../registry/errors.ts";
import { type KernelRun, parseConsole } from "./console.ts";
import { type KernelFeatures, kernelFeatures, parseKernelConfig } from "./config.ts";
import { debianKernel, debianKernelByVersion, type KernelImage } from "./debian_kernel.ts";
import { KernelCheckError } from "./errors.ts";
import { ensureInitramfs, ensurePagefeed, pagefeedPath } from "./guest.ts";
import { type KernelModule, ModuleTree } from "./modules.ts";
import { cachedDebianKernel, pickVersionPackage } from "./debian_kernel.ts";
import { findHostTools, type HostTools, preflight } from "./preflight.ts";
import { type Accel, runQemu } from "./qemu.ts";

/** The guest's page size: the check runs x86_64 with 4 KiB pages. */
export const GUEST_PAGE_SIZE = 4096;

/** zswap.max_pool_percent in the guest: high, so the pool limit never interferes. */
export const GUEST_MAX_POOL_PERCENT = 90;

/** Kernel command line of every cell (the cell's own `zsb.*` words are appended). */
export const BASE_CMDLINE = [
  "console=ttyS0",
  "quiet",
  "transparent_hugepage=never",
  "zswap.enabled=1",
  `zswap.max_pool_percent=${GUEST_MAX_POOL_PERCENT}`,
  "panic=-1",
];

/** The whole kernel command line of one cell over a page file of `pages` pages. */
export function cellCmdline(cell: { zpool: string; compressor: string }, pages: number): string {
  return [
    ...BASE_CMDLINE,
    `zsb.zpool=${cell.zpool}`,
    `zsb.compressor=${cell.compressor}`,
    `zsb.pages=${pages}`,
  ].join(" ");
}

/**
 * Create `dir`/swap.img, an empty sparse swap disk with room for `slots` pages (at least 64 MiB,
 * whole MiB).
 */
export async function createSwapImage(dir: string, slots: number): Promise<string> {
  const swapBytes = Math.max(
    64 * 2 ** 20,
    Math.ceil((slots * GUEST_PAGE_SIZE) / 2 ** 20) * 2 ** 20,
  );
  const swap = `${dir}/swap.img`;
  await Deno.writeFile(swap, new Uint8Array(0));
  await Deno.truncate(swap, swapBytes);
  return swap;
}

/** Modules the guest needs whatever the cell: the virtio disks. */
const BASE_MODULES = ["virtio_pci", "virtio_blk"];

/** Options of a kernel check. */
export interface KernelCheckOptions {
  /** Cache directory (default {@link defaultCacheDir}). */
  cacheDir?: string;
  /** A bzImage to boot instead of Debian's 6.1 kernel. */
  kernel?: string;
  /** Its modules (`lib/modules/<version>`); without it everything is taken as built in. */
  modules?: string;
  /** Pin the Debian package, e.g. `linux-image-6.1.0-56-amd64`. */
  kernelPackage?: string;
  /**
   * A Debian kernel by version, e.g. `5.10` or `7.3`: the newest amd64 kernel of that version in
   * any suite Debian's archive carries (fetched with the tool's own apt lists, cached).
   */
  kernelVersion?: string;
  /** `auto` (default): KVM when /dev/kvm works, else TCG. */
  accel?: Accel | "auto";
  /** Guest RAM in MiB (default 512). */
  memoryMb?: number;
  /** Per-boot time limit in milliseconds (default 300 000). */
  timeoutMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** Everything a cell's boot needs, prepared once. */
export interface KernelCheckSetup {
  /** Host tools. */
  tools: HostTools;
  /** The kernel. */
  image: KernelImage;
  /** The initramfs (cached cpio). */
  initramfs: string;
  /** Modules loaded at boot, in order. */
  modules: KernelModule[];
  /** zpools of the cells (given, or every one the kernel's config has). */
  zpools: string[];
  /** Compressors of the cells. */
  compressors: string[];
  /** What the kernel's config enables, when its config is known. */
  features: KernelFeatures | undefined;
  /** The accelerator to try first. */
  accel: Accel;
  /** The cache directory. */
  cacheDir: string;
  /** Guest RAM in MiB. */
  memoryMb: number;
  /** Per-boot time limit. */
  timeoutMs: number;
  /** Progress lines. */
  log: (line: string) => void;
}

/** One cell's kernel figures. */
export interface KernelCellRun {
  /** What the guest reported. */
  run: KernelRun;
  /** Wall time of the boot, milliseconds (meaningless as a zswap timing under emulation). */
  wallMs: number;
  /** The accelerator the boot used. */
  accel: Accel;
}

/**
 * The default cache: `$XDG_CACHE_HOME/zswapbench/kernel`, else `~/.cache/zswapbench/kernel`, else
 * `.cache/zswapbench/kernel` under the working directory.
 *
 * @returns The directory (not created).
 */
export function defaultCacheDir(): string {
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  if (xdg) return `${xdg}/zswapbench/kernel`;
  const home = Deno.env.get("HOME");
  return home ? `${home}/.cache/zswapbench/kernel` : `${Deno.cwd()}/.cache/zswapbench/kernel`;
}

const NAME_RE = /^[a-z0-9][a-z0-9_-]*$/;

function checkName(kind: string, name: string): void {
  if (!NAME_RE.test(name)) {
    throw new UsageError(`Bad ${kind} name "${name}" (use lower-case names such as lz4, zsmalloc)`);
  }
}

async function fileExists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

const KVM_PROBE = "kvm-probe.json";

/** Is a Debian kernel of this version in the cache (so apt is not needed)? */
async function cachedVersion(cacheDir: string, version: string): Promise<boolean> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(`${cacheDir}/debian`)) {
      if (!e.isDirectory || e.name.startsWith(".")) continue;
      try {
        await Deno.stat(`${cacheDir}/debian/${e.name}/.zswapbench-complete.json`);
        names.push(e.name.split("_")[0]);
      } catch { /* incomplete */ }
    }
  } catch { /* no cache */ }
  return pickVersionPackage(names.join("\n"), version) !== undefined;
}

async function kvmKnownBroken(cacheDir: string, qemu: string): Promise<boolean> {
  try {
    const p = JSON.parse(await Deno.readTextFile(`${cacheDir}/${KVM_PROBE}`));
    return p.qemu === qemu && p.ok === false;
  } catch {
    return false;
  }
}

/**
 * Check the host and build (or find in the cache) everything the boots need.
 *
 * @param zpools zpools the cells will use (their modules go into the initramfs); undefined: every
 * zpool the kernel's config has (zbud and zsmalloc when the config is unknown).
 * @param compressors Compressors the cells will use (undefined: lz4).
 * @param options Kernel, cache and QEMU settings.
 * @returns The setup.
 * @throws {UsageError} For a missing tool, kernel or module, with the way out.
 */
export async function prepareKernelCheck(
  zpoolsWanted: readonly string[] | undefined,
  compressorsWanted: readonly string[] | undefined,
  options: KernelCheckOptions = {},
): Promise<KernelCheckSetup> {
  for (const z of zpoolsWanted ?? []) checkName("zpool", z);
  for (const c of compressorsWanted ?? []) checkName("compressor", c);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const log = options.log ?? (() => {});
  if (options.kernel && !(await fileExists(options.kernel))) {
    throw new UsageError(`Kernel image "${options.kernel}" does not exist`);
  }
  if (options.modules && !options.kernel) {
    throw new UsageError("--modules goes with --kernel (the Debian kernel brings its own)");
  }
  const picked = [options.kernel, options.kernelPackage, options.kernelVersion].filter((x) => x);
  if (picked.length > 1) {
    throw new UsageError("Give one of --kernel, --kernel-package and --kernel-version");
  }
  const needApt = !options.kernel &&
    !(options.kernelVersion
      ? await cachedVersion(cacheDir, options.kernelVersion)
      : await cachedDebianKernel(cacheDir, options.kernelPackage));
  const needCompiler = !(await fileExists(await pagefeedPath(cacheDir))) ||
    !(await fileExists(await pagefeedPath(cacheDir, "tracefeed.c")));
  const tools = preflight({ compiler: needCompiler, apt: needApt }, findHostTools());
  const image: KernelImage = options.kernel
    ? { vmlinuz: options.kernel, modulesDir: options.modules, label: options.kernel }
    : options.kernelVersion
    ? await debianKernelByVersion(cacheDir, tools.apt, options.kernelVersion, { log })
    : await debianKernel(cacheDir, tools.apt, { pkg: options.kernelPackage, log });
  const features = image.config
    ? kernelFeatures(parseKernelConfig(await Deno.readTextFile(image.config)))
    : undefined;
  const zpools = [...(zpoolsWanted ?? features?.zpools ?? ["zbud", "zsmalloc"])];
  const compressors = [...(compressorsWanted ?? ["lz4"])];
  if (features) {
    const missing = [
      ...zpools.filter((z) => !features.zpools.includes(z)).map((z) => `zpool ${z}`),
      ...compressors.filter((c) => !features.compressors.includes(c)).map((c) => `compressor ${c}`),
    ];
    if (missing.length > 0) {
      throw new UsageError(
        `${image.label} has no ${missing.join(", ")} (its config has zpools ${
          features.zpools.join(", ") || "none"
        }; compressors ${features.compressors.join(", ") || "none"})`,
      );
    }
  }
  const wanted = [...BASE_MODULES, ...zpools, ...compressors];
  const modules = image.modulesDir
    ? await (await ModuleTree.open(image.modulesDir)).resolve(wanted)
    : [];
  const pagefeed = await ensurePagefeed(cacheDir, tools.compiler);
  const tracefeed = await ensurePagefeed(cacheDir, tools.compiler, "tracefeed.c");
  const initramfs = await ensureInitramfs(cacheDir, {
    busybox: tools.busybox,
    pagefeed,
    tracefeed,
    modules,
  });
  const wantKvm = options.accel === "kvm" ||
    ((options.accel ?? "auto") === "auto" && tools.kvm &&
      !(await kvmKnownBroken(cacheDir, tools.qemu)));
  if (options.accel === "kvm" && !tools.kvm) {
    throw new UsageError("--accel kvm needs a /dev/kvm this user can open (or use --accel tcg)");
  }
  return {
    tools,
    image,
    initramfs,
    modules,
    zpools,
    compressors,
    features,
    accel: wantKvm ? "kvm" : "tcg",
    cacheDir,
    memoryMb: options.memoryMb ?? 512,
    timeoutMs: options.timeoutMs ?? 300_000,
    log,
  };
}

/**
 * The number of pages in a page file (raw 4096-byte pages back to back).
 *
 * @param path The page file.
 * @returns Its page count.
 * @throws {UsageError} When it is missing, empty or not a whole number of pages.
 */
export async function pageFileCount(path: string): Promise<number> {
  let size: number;
  try {
    size = (await Deno.stat(path)).size;
  } catch (e) {
    throw new UsageError(`Page file "${path}" cannot be read (${(e as Error).message})`);
  }
  if (size === 0 || size % GUEST_PAGE_SIZE !== 0) {
    throw new UsageError(
      `Page file "${path}" has ${size} bytes, not a whole number of ${GUEST_PAGE_SIZE}-byte pages`,
    );
  }
  return size / GUEST_PAGE_SIZE;
}

/**
 * Boot the kernel once for one zpool x compressor over a page file.
 *
 * @param setup From {@link prepareKernelCheck}.
 * @param pagesPath The page file.
 * @param cell The zpool and compressor.
 * @returns The guest's report.
 * @throws {KernelCheckError} When the boot fails or the guest reports an error.
 * @throws {UsageError} For a page file that is not whole pages or too large for the guest.
 */
export async function runKernelCell(
  setup: KernelCheckSetup,
  pagesPath: string,
  cell: { zpool: string; compressor: string },
): Promise<KernelCellRun> {
  checkName("zpool", cell.zpool);
  checkName("compressor", cell.compressor);
  const pages = await pageFileCount(pagesPath);
  // The pages live twice in the guest (the mapping and the page disk's cache) next to the pool.
  const needMb = Math.ceil((2 * pages * GUEST_PAGE_SIZE) / 2 ** 20) + 160;
  if (needMb > setup.memoryMb) {
    throw new UsageError(
      `${pages} pages need about ${needMb} MiB of guest memory (give --memory ${needMb} or fewer pages)`,
    );
  }
  const tmp = await Deno.makeTempDir({ prefix: "zswapbench-kernel-" });
  try {
    // Every page needs a swap slot (zswap keys entries by slot), plus room for a few spares.
    const swap = await createSwapImage(tmp, pages + 1024);
    const append = cellCmdline(cell, pages);
    const boot = async (accel: Accel, timeoutMs: number): Promise<KernelCellRun> => {
      const res = await runQemu({
        qemu: setup.tools.qemu,
        kernel: setup.image.vmlinuz,
        initrd: setup.initramfs,
        append,
        drives: [
          { file: pagesPath, serial: "zsbpages", readonly: true },
          { file: swap, serial: "zsbswap", readonly: false },
        ],
        memoryMb: setup.memoryMb,
        accel,
        timeoutMs,
      });
      try {
        return { run: parseConsole(res.console), wallMs: res.wallMs, accel };
      } catch (e) {
        if (!(e instanceof KernelCheckError) || e.code !== "incomplete" || res.code === 0) throw e;
        const why = res.stderr.trim().split("\n").filter((l) => l.trim()).at(-1) ??
          "no message";
        throw new KernelCheckError(
          "qemu",
          `QEMU (${accel}) exited with status ${res.code}: ${why}`,
          e.consoleTail,
        );
      }
    };
    if (setup.accel === "kvm") {
      try {
        return await boot("kvm", Math.min(setup.timeoutMs, 60_000));
      } catch (e) {
        if (!(e instanceof KernelCheckError) || e.code === "guest") throw e;
        if (e.consoleTail.includes("ZSWAPBENCH ")) throw e;
        setup.log(`KVM did not work here (${e.message}); using TCG from now on`);
        setup.accel = "tcg";
        await Deno.mkdir(setup.cacheDir, { recursive: true });
        await Deno.writeTextFile(
          `${setup.cacheDir}/${KVM_PROBE}`,
          JSON.stringify({ qemu: setup.tools.qemu, ok: false, reason: e.message }) + "\n",
        );
      }
    }
    return await boot("tcg", setup.timeoutMs);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}
