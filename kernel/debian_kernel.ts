/**
 * Debian's kernels for the check. By default the 6.1 kernel the host's apt offers
 * (`linux-image-6.1.0-N-amd64`, what `linux-image-amd64` depends on in Debian 12); with a version
 * ({@link debianKernelByVersion}) any kernel Debian's archive carries (5.10 in bullseye, 6.1 in
 * bookworm, 6.12 in trixie and bookworm-backports, 6.16 to 7.x in trixie-backports and sid), found
 * with apt over the tool's own source list and package lists in the cache (never the system's).
 * From 7.x Debian splits the image into `linux-binary-*` (the bzImage), `linux-modules-*` and
 * `linux-base-*` (the config, modules.builtin); all three are fetched. Only what the check uses
 * (the bzImage, its config, and the mm/, crypto/, lib/ and virtio modules) is kept in the cache,
 * so a second run needs neither apt nor the network.
 *
 * @module
 */
import { UsageError } from "../registry/errors.ts";

/** A kernel to boot and, when it has any, its modules. */
export interface KernelImage {
  /** The bzImage (vmlinuz) to give QEMU's `-kernel`. */
  vmlinuz: string;
  /** `lib/modules/<version>`, or undefined when everything needed is built in. */
  modulesDir: string | undefined;
  /** Where it came from, e.g. `debian linux-image-6.1.0-56-amd64 6.1.192-2`. */
  label: string;
  /** The kernel's config file (`/boot/config-*` or `lib/modules/<version>/config`), if known. */
  config?: string;
}

/** What the cache keeps of a kernel package (GNU tar wildcards over the package's data). */
const MODULE_KEEP = [
  "modules.builtin",
  "modules.order",
  "kernel/mm/*",
  "kernel/crypto/*",
  "kernel/lib/*",
  "kernel/arch/x86/crypto/*",
  "kernel/drivers/virtio/*",
  "kernel/drivers/block/virtio_blk.ko*",
];
// Up to 6.x the files live in /boot and /lib/modules; the split 7.x packages use /usr/lib/modules
// (vmlinuz and config there too).
const KEEP = [
  "./boot/vmlinuz-*",
  "./boot/config-*",
  "./usr/lib/modules/*/vmlinuz",
  "./usr/lib/modules/*/config",
  ...MODULE_KEEP.flatMap((m) => [`./lib/modules/*/${m}`, `./usr/lib/modules/*/${m}`]),
];

const MARKER = ".zswapbench-complete.json";
const PKG_RE = /^linux-image-6\.1\.0-(\d+)-amd64$/;

/** Marker contents written once a package is fully extracted. */
interface Marker {
  package: string;
  version: string;
  /** The packages extracted (the image, or its binary, modules and base parts). */
  packages?: string[];
}

async function run(cmd: string, args: string[], cwd?: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join("; ");
    throw new UsageError(`"${cmd} ${args.join(" ")}" failed: ${err}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/**
 * The ABI number of a Debian 6.1 kernel package name.
 *
 * @param pkg e.g. `linux-image-6.1.0-56-amd64`.
 * @returns 56, or undefined for any other name.
 */
export function debianAbi(pkg: string): number | undefined {
  const m = PKG_RE.exec(pkg);
  return m ? Number(m[1]) : undefined;
}

/**
 * Choose the 6.1 kernel package: what `linux-image-amd64` depends on when that is a 6.1 kernel
 * (Debian 12), else the highest ABI among the package names apt knows.
 *
 * @param dependsOutput `apt-cache depends linux-image-amd64` output.
 * @param pkgnames `apt-cache pkgnames linux-image-6.1.0-` output.
 * @returns The package name, or undefined when apt knows none.
 */
export function pickDebianPackage(dependsOutput: string, pkgnames: string): string | undefined {
  for (const m of dependsOutput.matchAll(/Depends:\s*(\S+)/g)) {
    if (debianAbi(m[1]) !== undefined) return m[1];
  }
  const names = pkgnames.split("\n").map((s) => s.trim()).filter((s) => debianAbi(s) !== undefined);
  names.sort((a, b) => debianAbi(b)! - debianAbi(a)!);
  return names[0];
}

async function readMarker(dir: string): Promise<Marker | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(`${dir}/${MARKER}`)) as Marker;
  } catch {
    return undefined;
  }
}

async function entries(dir: string): Promise<Deno.DirEntry[]> {
  const out: Deno.DirEntry[] = [];
  try {
    for await (const e of Deno.readDir(dir)) out.push(e);
  } catch { /* missing */ }
  return out;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

async function imageIn(dir: string, marker: Marker): Promise<KernelImage> {
  let vmlinuz = "";
  let config: string | undefined;
  for (const e of await entries(`${dir}/boot`)) {
    if (e.name.startsWith("vmlinuz-")) vmlinuz = `${dir}/boot/${e.name}`;
    if (e.name.startsWith("config-")) config = `${dir}/boot/${e.name}`;
  }
  let modulesDir: string | undefined;
  for (const base of [`${dir}/lib/modules`, `${dir}/usr/lib/modules`]) {
    for (const e of await entries(base)) {
      if (!e.isDirectory) continue;
      modulesDir = `${base}/${e.name}`;
      if (!vmlinuz && await isFile(`${modulesDir}/vmlinuz`)) vmlinuz = `${modulesDir}/vmlinuz`;
      if (!config && await isFile(`${modulesDir}/config`)) config = `${modulesDir}/config`;
    }
  }
  if (!vmlinuz) {
    throw new UsageError(`No vmlinuz in the cached "${dir}" (delete it to fetch again)`);
  }
  return { vmlinuz, modulesDir, label: `debian ${marker.package} ${marker.version}`, config };
}

/** Where the extracted Debian kernels live in the cache. */
function debianDir(cacheDir: string): string {
  return `${cacheDir}/debian`;
}

/**
 * The newest Debian 6.1 kernel already in the cache.
 *
 * @param cacheDir The kernel-check cache.
 * @param pkg Only this package, when given.
 * @returns It, or undefined when none is cached.
 */
export async function cachedDebianKernel(
  cacheDir: string,
  pkg?: string,
): Promise<KernelImage | undefined> {
  const found: { dir: string; marker: Marker }[] = [];
  try {
    for await (const e of Deno.readDir(debianDir(cacheDir))) {
      if (!e.isDirectory || e.name.startsWith(".")) continue;
      const dir = `${debianDir(cacheDir)}/${e.name}`;
      const marker = await readMarker(dir);
      // Without a package: the default, a 6.1 kernel (other versions come by --kernel-version).
      const wanted = pkg ? marker?.package === pkg : debianAbi(marker?.package ?? "") !== undefined;
      if (marker && wanted) found.push({ dir, marker });
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  found.sort((a, b) =>
    (debianAbi(b.marker.package) ?? 0) - (debianAbi(a.marker.package) ?? 0) ||
    b.marker.version.localeCompare(a.marker.version)
  );
  return found[0] ? await imageIn(found[0].dir, found[0].marker) : undefined;
}

/** Tools used to fetch a package. */
export interface AptTools {
  /** apt-get. */
  aptGet: string;
  /** apt-cache. */
  aptCache: string;
  /** dpkg-deb. */
  dpkgDeb: string;
}

/**
 * Debian's 6.1 kernel from the cache, or downloaded and extracted into it.
 *
 * @param cacheDir The kernel-check cache.
 * @param apt apt tools (needed only when nothing is cached).
 * @param options `pkg` pins a package name; `log` receives progress lines.
 * @returns The kernel.
 * @throws {UsageError} When apt offers no 6.1 kernel or the download fails.
 */
export async function debianKernel(
  cacheDir: string,
  apt: AptTools | undefined,
  options: { pkg?: string; log?: (line: string) => void } = {},
): Promise<KernelImage> {
  const cached = await cachedDebianKernel(cacheDir, options.pkg);
  if (cached) return cached;
  if (!apt) {
    throw new UsageError(
      "No cached Debian kernel and no apt-get/dpkg-deb to fetch one (give --kernel PATH)",
    );
  }
  let pkg = options.pkg;
  if (!pkg) {
    const depends = await run(apt.aptCache, ["depends", "linux-image-amd64"]).catch(() => "");
    const names = await run(apt.aptCache, ["pkgnames", "linux-image-6.1.0-"]).catch(() => "");
    pkg = pickDebianPackage(depends, names);
    if (!pkg) {
      throw new UsageError(
        'apt knows no Debian 6.1 kernel package (run "apt-get update" on Debian 12, or give --kernel PATH)',
      );
    }
  }
  return await fetchPackages(cacheDir, apt, pkg, [pkg], [], options.log);
}

/**
 * Download `packages` with apt-get (extra options `aptArgs`), extract the kept files of each into
 * one tree and mark it complete under `debian/<pkg>_<version>` in the cache.
 */
async function fetchPackages(
  cacheDir: string,
  apt: AptTools,
  pkg: string,
  packages: readonly string[],
  aptArgs: readonly string[],
  log: ((line: string) => void) | undefined,
): Promise<KernelImage> {
  await Deno.mkdir(debianDir(cacheDir), { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: debianDir(cacheDir), prefix: ".fetch-" });
  try {
    log?.(`Fetching ${packages.join(", ")} with apt-get download (once; cached in ${cacheDir})`);
    await run(apt.aptGet, [...aptArgs, "download", ...packages], tmp);
    const debs: string[] = [];
    for await (const e of Deno.readDir(tmp)) {
      if (e.name.endsWith(".deb")) debs.push(`${tmp}/${e.name}`);
    }
    if (debs.length !== packages.length) {
      throw new UsageError(`apt-get download ${packages.join(" ")} left ${debs.length} .deb files`);
    }
    const root = `${tmp}/root`;
    await Deno.mkdir(root);
    let version = "";
    for (const deb of debs) {
      const name = (await run(apt.dpkgDeb, ["-f", deb, "Package"])).trim();
      if (name === packages[0]) version = (await run(apt.dpkgDeb, ["-f", deb, "Version"])).trim();
      await extractSome(apt.dpkgDeb, deb, root);
      await Deno.remove(deb);
    }
    const marker: Marker = { package: pkg, version, packages: [...packages] };
    await Deno.writeTextFile(`${root}/${MARKER}`, JSON.stringify(marker) + "\n");
    const dest = `${debianDir(cacheDir)}/${pkg}_${version}`;
    await Deno.remove(dest, { recursive: true }).catch(() => {});
    await Deno.rename(root, dest);
    return await imageIn(dest, marker);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
}

/**
 * Debian suites the tool's own apt lists cover, and which kernels they carry: bullseye 5.10,
 * bookworm 6.1, bookworm-backports and trixie 6.12, trixie-backports and sid 6.16 to 7.x.
 */
export const DEBIAN_SUITES: readonly string[] = [
  "bullseye",
  "bookworm",
  "bookworm-backports",
  "trixie",
  "trixie-backports",
  "sid",
];

const KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";

/** The source list the tool gives apt (one line per suite of {@link DEBIAN_SUITES}). */
export function debianSourcesList(keyring: string | undefined): string {
  const opt = keyring ? ` [signed-by=${keyring}]` : "";
  return DEBIAN_SUITES.map((s) => `deb${opt} http://deb.debian.org/debian ${s} main`).join("\n") +
    "\n";
}

/**
 * apt options that keep everything in `dir`: its own source list, package lists and cache; the
 * system's sources and dpkg status are not read.
 *
 * @param dir The tool's apt directory (in the kernel-check cache).
 * @returns Options for apt-get and apt-cache.
 */
export function aptOptions(dir: string): string[] {
  return [
    "-o",
    `Dir::Etc::sourcelist=${dir}/sources.list`,
    "-o",
    "Dir::Etc::sourceparts=-",
    "-o",
    `Dir::State::Lists=${dir}/lists`,
    "-o",
    `Dir::Cache=${dir}/cache`,
    "-o",
    "Dir::State::status=/dev/null",
    "-o",
    "APT::Get::List-Cleanup=0",
  ];
}

const IMAGE_RE = /^linux-image-(\d+(?:\.\d+)+)(?:-(\d+))?(?:\+deb(\d+))?-amd64$/;

/** Version numbers of a kernel image package name, for sorting; undefined if not one. */
function imageKey(pkg: string): number[] | undefined {
  const m = IMAGE_RE.exec(pkg);
  if (!m) return undefined;
  return [...m[1].split(".").map(Number), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

/**
 * The newest amd64 kernel image package of a version among package names.
 *
 * @param pkgnames `apt-cache pkgnames linux-image-` output (one name a line).
 * @param version e.g. `5.10`, `7.3` or `6.12.117`: the package's kernel version starts with it.
 * @returns The package name, or undefined when none matches.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pickVersionPackage } from "./debian_kernel.ts";
 * const names = "linux-image-7.3.4+deb13-amd64\nlinux-image-7.2.13+deb14-amd64\n" +
 *   "linux-image-7.3.4+deb13-cloud-amd64\nlinux-image-5.10.0-32-amd64";
 * assert.equal(pickVersionPackage(names, "7"), "linux-image-7.3.4+deb13-amd64");
 * assert.equal(pickVersionPackage(names, "5.10"), "linux-image-5.10.0-32-amd64");
 * assert.equal(pickVersionPackage(names, "7.1"), undefined);
 * ```
 */
export function pickVersionPackage(pkgnames: string, version: string): string | undefined {
  const want = version.split(".").map(Number);
  const found = pkgnames.split("\n").map((s) => s.trim()).map((name) => ({
    name,
    key: imageKey(name),
  })).filter((c): c is { name: string; key: number[] } =>
    c.key !== undefined && want.every((v, i) => c.key![i] === v)
  );
  found.sort((a, b) => {
    for (let i = 0; i < Math.max(a.key.length, b.key.length); i++) {
      const d = (b.key[i] ?? 0) - (a.key[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  });
  return found[0]?.name;
}

/**
 * The packages that make up a kernel image: the image itself, or from 7.x the `linux-binary-*`,
 * `linux-modules-*` and `linux-base-*` packages it depends on.
 *
 * @param pkg The image package.
 * @param showOutput `apt-cache show PKG` output.
 * @returns Package names to download, the image's part first.
 */
export function imageParts(pkg: string, showOutput: string): string[] {
  const depends = /^Depends:\s*(.*)$/m.exec(showOutput)?.[1] ?? "";
  const parts = ["binary", "modules", "base"].map((kind) =>
    new RegExp(`(?:^|[ ,|])(linux-${kind}-[^ ,|()]+)`).exec(depends)?.[1]
  );
  return parts.every((p) => p !== undefined) ? parts as string[] : [pkg];
}

/**
 * A Debian kernel by version, from the cache or fetched with the tool's own apt lists (an
 * `apt-get update` of {@link DEBIAN_SUITES} into the cache the first time, and again when the
 * version is not found).
 *
 * @param cacheDir The kernel-check cache.
 * @param apt apt tools (needed only when nothing is cached).
 * @param version e.g. `5.10` or `7.3`: the newest amd64 kernel whose version starts with it.
 * @param options `log` receives progress lines; `refresh` updates the lists first.
 * @returns The kernel.
 * @throws {UsageError} When no suite carries such a kernel or apt fails.
 */
export async function debianKernelByVersion(
  cacheDir: string,
  apt: AptTools | undefined,
  version: string,
  options: { log?: (line: string) => void; refresh?: boolean } = {},
): Promise<KernelImage> {
  if (!/^\d+(\.\d+)*$/.test(version)) {
    throw new UsageError(`--kernel-version "${version}" is not a version such as 5.10 or 7.3`);
  }
  if (!options.refresh) {
    const cached = await cachedByVersion(cacheDir, version);
    if (cached) return cached;
  }
  if (!apt) {
    throw new UsageError(
      `No cached Debian ${version} kernel and no apt-get/dpkg-deb to fetch one (give --kernel PATH)`,
    );
  }
  const dir = `${cacheDir}/apt`;
  await Deno.mkdir(`${dir}/lists/partial`, { recursive: true });
  await Deno.mkdir(`${dir}/cache/archives/partial`, { recursive: true });
  const keyring = await isFile(KEYRING) ? KEYRING : undefined;
  await Deno.writeTextFile(`${dir}/sources.list`, debianSourcesList(keyring));
  const opts = aptOptions(dir);
  const names = async () =>
    await run(apt.aptCache, [...opts, "pkgnames", "linux-image-"]).catch(() => "");
  let listed = (await entries(`${dir}/lists`)).some((e) => e.name.endsWith("_InRelease"));
  let pkg: string | undefined;
  for (let attempt = 0; attempt < 2 && !pkg; attempt++) {
    if (!listed || options.refresh || attempt > 0) {
      options.log?.(`apt-get update of ${DEBIAN_SUITES.join(", ")} (lists in ${dir})`);
      await run(apt.aptGet, [...opts, "update"]);
      listed = true;
    }
    pkg = pickVersionPackage(await names(), version);
  }
  if (!pkg) {
    throw new UsageError(
      `No Debian suite (${
        DEBIAN_SUITES.join(", ")
      }) carries an amd64 kernel ${version} (e.g. --kernel-version 5.10, 6.1, 6.12, 6.18 or 7.3)`,
    );
  }
  const cached = await cachedDebianKernel(cacheDir, pkg);
  if (cached) return cached;
  const parts = imageParts(pkg, await run(apt.aptCache, [...opts, "show", pkg]));
  return await fetchPackages(cacheDir, apt, pkg, parts, opts, options.log);
}

/** The newest cached kernel whose package is of `version`. */
async function cachedByVersion(
  cacheDir: string,
  version: string,
): Promise<KernelImage | undefined> {
  const markers = new Map<string, { dir: string; marker: Marker }>();
  for (const e of await entries(debianDir(cacheDir))) {
    if (!e.isDirectory || e.name.startsWith(".")) continue;
    const dir = `${debianDir(cacheDir)}/${e.name}`;
    const marker = await readMarker(dir);
    if (marker) markers.set(marker.package, { dir, marker });
  }
  const pkg = pickVersionPackage([...markers.keys()].join("\n"), version);
  if (!pkg) return undefined;
  const { dir, marker } = markers.get(pkg)!;
  return await imageIn(dir, marker);
}

/** `dpkg-deb --fsys-tarfile DEB | tar -x` of the {@link KEEP} patterns only. */
async function extractSome(dpkgDeb: string, deb: string, root: string): Promise<void> {
  const src = new Deno.Command(dpkgDeb, { args: ["--fsys-tarfile", deb], stdout: "piped" })
    .spawn();
  const tar = new Deno.Command("tar", {
    args: ["-x", "-C", root, "--wildcards", ...KEEP],
    stdin: "piped",
    stderr: "piped",
  }).spawn();
  await src.stdout.pipeTo(tar.stdin);
  const [a, b] = await Promise.all([src.status, tar.output()]);
  // tar exits 2 when a pattern matched nothing (e.g. no arch/x86/crypto): judged by what exists.
  if (!a.success) throw new UsageError(`dpkg-deb could not read "${deb}"`);
  if (!b.success && b.code !== 2) {
    throw new UsageError(`tar could not extract "${deb}": ${new TextDecoder().decode(b.stderr)}`);
  }
}
