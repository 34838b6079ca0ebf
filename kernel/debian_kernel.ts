/**
 * Debian's 6.1 kernel for the check: find the package apt offers (`linux-image-6.1.0-N-amd64`,
 * what `linux-image-amd64` depends on in Debian 12), download it with `apt-get download`, and keep
 * only what the check uses (the bzImage, its config, and the mm/, crypto/, lib/ and virtio modules)
 * in the cache, so a second run needs neither apt nor the network.
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
}

/** What the cache keeps of a kernel package (GNU tar wildcards over the package's data). */
const KEEP = [
  "./boot/vmlinuz-*",
  "./boot/config-*",
  "./lib/modules/*/modules.builtin",
  "./lib/modules/*/modules.order",
  "./lib/modules/*/kernel/mm/*",
  "./lib/modules/*/kernel/crypto/*",
  "./lib/modules/*/kernel/lib/*",
  "./lib/modules/*/kernel/arch/x86/crypto/*",
  "./lib/modules/*/kernel/drivers/virtio/*",
  "./lib/modules/*/kernel/drivers/block/virtio_blk.ko*",
];

const MARKER = ".zswapbench-complete.json";
const PKG_RE = /^linux-image-6\.1\.0-(\d+)-amd64$/;

/** Marker contents written once a package is fully extracted. */
interface Marker {
  package: string;
  version: string;
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

async function imageIn(dir: string, marker: Marker): Promise<KernelImage> {
  let vmlinuz = "";
  for await (const e of Deno.readDir(`${dir}/boot`)) {
    if (e.name.startsWith("vmlinuz-")) vmlinuz = `${dir}/boot/${e.name}`;
  }
  let modulesDir: string | undefined;
  try {
    for await (const e of Deno.readDir(`${dir}/lib/modules`)) {
      if (e.isDirectory) modulesDir = `${dir}/lib/modules/${e.name}`;
    }
  } catch { /* no modules */ }
  if (!vmlinuz) {
    throw new UsageError(`No vmlinuz in the cached "${dir}" (delete it to fetch again)`);
  }
  return { vmlinuz, modulesDir, label: `debian ${marker.package} ${marker.version}` };
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
      if (marker && (!pkg || marker.package === pkg)) found.push({ dir, marker });
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
  await Deno.mkdir(debianDir(cacheDir), { recursive: true });
  const tmp = await Deno.makeTempDir({ dir: debianDir(cacheDir), prefix: ".fetch-" });
  try {
    options.log?.(`Fetching ${pkg} with apt-get download (once; cached in ${cacheDir})`);
    await run(apt.aptGet, ["download", pkg], tmp);
    let deb = "";
    for await (const e of Deno.readDir(tmp)) if (e.name.endsWith(".deb")) deb = `${tmp}/${e.name}`;
    if (!deb) throw new UsageError(`apt-get download ${pkg} left no .deb file`);
    const version = (await run(apt.dpkgDeb, ["-f", deb, "Version"])).trim();
    const root = `${tmp}/root`;
    await Deno.mkdir(root);
    await extractSome(apt.dpkgDeb, deb, root);
    await Deno.remove(deb);
    const marker: Marker = { package: pkg, version };
    await Deno.writeTextFile(`${root}/${MARKER}`, JSON.stringify(marker) + "\n");
    const dest = `${debianDir(cacheDir)}/${pkg}_${version}`;
    await Deno.remove(dest, { recursive: true }).catch(() => {});
    await Deno.rename(root, dest);
    return await imageIn(dest, marker);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
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
