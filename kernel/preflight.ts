/**
 * What the kernel check needs on the host, found before anything runs: QEMU, a static busybox, a C
 * compiler with a static libc (only while the guest program is not cached yet), and apt/dpkg-deb to
 * fetch Debian's 6.1 kernel (only when no `--kernel` is given and none is cached). A missing piece
 * is a {@link UsageError} that names the exact install command.
 *
 * @module
 */
import { UsageError } from "../registry/errors.ts";
import { isStaticElf } from "./_elf.ts";

/** The script that installs everything the kernel check needs on Debian 12. */
export const INSTALL_SCRIPT = "scripts/install_kernel_check_deps.sh";

/** A C compiler that can link static programs. */
export interface StaticCompiler {
  /** Executable to run, e.g. `/usr/bin/gcc` or `/usr/bin/musl-gcc`. */
  path: string;
  /** Which libc it links: musl (smaller) or glibc. */
  libc: "musl" | "glibc";
}

/** Host tools the kernel check found. */
export interface HostTools {
  /** qemu-system-x86_64. */
  qemu: string;
  /** A static busybox binary. */
  busybox: string;
  /** A compiler for kernel/pagefeed.c, when one is installed. */
  compiler: StaticCompiler | undefined;
  /** apt-get and dpkg-deb, when both are installed (to fetch the Debian kernel). */
  apt: { aptGet: string; aptCache: string; dpkgDeb: string } | undefined;
  /** /dev/kvm exists and can be opened for reading and writing. */
  kvm: boolean;
}

/** What the caller will need beyond QEMU and busybox. */
export interface PreflightNeeds {
  /** The guest program must be compiled (it is not cached). */
  compiler: boolean;
  /** The Debian kernel package must be downloaded (no `--kernel`, none cached). */
  apt: boolean;
}

/**
 * The first executable called `name` on `PATH` (or `name` itself when it is a path).
 *
 * @param name Command name, e.g. `qemu-system-x86_64`.
 * @returns Its absolute path, or undefined when there is none.
 */
export function findOnPath(name: string): string | undefined {
  const candidates = name.includes("/")
    ? [name]
    : (Deno.env.get("PATH") ?? "/usr/local/bin:/usr/bin:/bin").split(":").filter((d) => d)
      .concat(["/usr/sbin", "/sbin"]).map((d) => `${d}/${name}`);
  for (const c of candidates) {
    try {
      const st = Deno.statSync(c);
      if (st.isFile && ((st.mode ?? 0o111) & 0o111) !== 0) return c;
    } catch { /* not here */ }
  }
  return undefined;
}

/**
 * A static busybox: `$ZSWAPBENCH_BUSYBOX`, then the usual places (busybox-static installs
 * /bin/busybox).
 *
 * @returns Its path, or undefined when only a dynamic busybox (or none) is installed.
 */
export function findStaticBusybox(): string | undefined {
  const env = Deno.env.get("ZSWAPBENCH_BUSYBOX");
  const candidates = [env, findOnPath("busybox"), "/bin/busybox", "/usr/bin/busybox"]
    .filter((c): c is string => !!c);
  for (const c of candidates) {
    try {
      if (isStaticElf(Deno.readFileSync(c))) return c;
    } catch { /* missing or unreadable */ }
  }
  return undefined;
}

/**
 * A C compiler that links static programs: musl-gcc when present, else gcc (or cc) with glibc's
 * libc.a installed (libc6-dev).
 *
 * @returns The compiler, or undefined.
 */
export function findStaticCompiler(): StaticCompiler | undefined {
  const musl = findOnPath("musl-gcc");
  if (musl) return { path: musl, libc: "musl" };
  for (const name of ["gcc", "cc"]) {
    const path = findOnPath(name);
    if (!path) continue;
    try {
      const out = new Deno.Command(path, { args: ["-print-file-name=libc.a"], stderr: "null" })
        .outputSync();
      const file = new TextDecoder().decode(out.stdout).trim();
      if (out.success && file.startsWith("/") && Deno.statSync(file).isFile) {
        return { path, libc: "glibc" };
      }
    } catch { /* no libc.a */ }
  }
  return undefined;
}

function kvmUsable(): boolean {
  try {
    Deno.openSync("/dev/kvm", { read: true, write: true }).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Look for every host tool (never throws).
 *
 * @returns What was found.
 */
export function findHostTools(): HostTools {
  const aptGet = findOnPath("apt-get");
  const aptCache = findOnPath("apt-cache");
  const dpkgDeb = findOnPath("dpkg-deb");
  return {
    qemu: findOnPath("qemu-system-x86_64") ?? "",
    busybox: findStaticBusybox() ?? "",
    compiler: findStaticCompiler(),
    apt: aptGet && aptCache && dpkgDeb ? { aptGet, aptCache, dpkgDeb } : undefined,
    kvm: kvmUsable(),
  };
}

/**
 * What is missing for a run, as `[what, Debian package]` pairs.
 *
 * @param tools What was found.
 * @param needs What this run needs beyond QEMU and busybox.
 * @returns The missing pieces; empty when the run can go ahead.
 */
export function missingTools(tools: HostTools, needs: PreflightNeeds): [string, string][] {
  const missing: [string, string][] = [];
  if (!tools.qemu) missing.push(["qemu-system-x86_64", "qemu-system-x86"]);
  if (!tools.busybox) missing.push(["a static busybox", "busybox-static"]);
  if (needs.compiler && !tools.compiler) {
    missing.push(["a C compiler with a static libc", "gcc libc6-dev"]);
  }
  if (needs.apt && !tools.apt) missing.push(["apt-get and dpkg-deb", "apt dpkg"]);
  return missing;
}

/**
 * Check the host, or throw one {@link UsageError} naming everything missing and the command that
 * installs it.
 *
 * @param needs What this run needs beyond QEMU and busybox.
 * @param tools What was found (default: look now).
 * @returns The tools.
 * @throws {UsageError} When something is missing.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { preflight } from "./preflight.ts";
 * // A host without QEMU: the error names the command that installs it.
 * const none = { qemu: "", busybox: "/bin/busybox", compiler: undefined, apt: undefined, kvm: false };
 * assert.throws(() => preflight({ compiler: false, apt: false }, none), {
 *   name: "UsageError",
 *   message: /apt-get install -y .*qemu-system-x86/,
 * });
 * ```
 */
export function preflight(needs: PreflightNeeds, tools: HostTools = findHostTools()): HostTools {
  const missing = missingTools(tools, needs);
  if (missing.length > 0) {
    const what = missing.map(([w]) => w).join(", ");
    const pkgs = missing.map(([, p]) => p).join(" ");
    const apt = needs.apt && !tools.apt
      ? " (no apt here: give --kernel PATH to a bzImage and --modules DIR)"
      : "";
    throw new UsageError(
      `The kernel check needs ${what}: run "apt-get install -y ${pkgs}" as root, or ${INSTALL_SCRIPT}${apt}`,
    );
  }
  return tools;
}
