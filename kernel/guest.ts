/**
 * The guest side of the kernel check, built on the host and cached by content hash: the static
 * `pagefeed` program (kernel/pagefeed.c, compiled here) and the initramfs (busybox, pagefeed, the
 * init script, the modules). A second run with the same pieces reuses both files.
 *
 * @module
 */
import { UsageError } from "../registry/errors.ts";
import { isStaticElf } from "./_elf.ts";
import { buildInitramfs } from "./initramfs.ts";
import { type KernelModule, readModule } from "./modules.ts";
import type { StaticCompiler } from "./preflight.ts";

/** Compiler flags for pagefeed: static, small, stripped. */
export const PAGEFEED_CFLAGS: readonly string[] = ["-static", "-Os", "-s", "-Wall"];

/**
 * A text file shipped next to this module (kernel/pagefeed.c, kernel/init.sh).
 *
 * @param name File name in kernel/.
 * @returns Its contents.
 */
export async function readKernelAsset(name: string): Promise<string> {
  const url = new URL(`./${name}`, import.meta.url);
  if (url.protocol === "file:") return await Deno.readTextFile(url);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`Cannot fetch ${url}: ${res.status}`);
  return await res.text();
}

/** A view WebCrypto accepts (it refuses views of a SharedArrayBuffer). */
function bufferSource(p: Uint8Array): Uint8Array<ArrayBuffer> {
  return p.buffer instanceof ArrayBuffer ? p as Uint8Array<ArrayBuffer> : p.slice();
}

/**
 * Hex SHA-256 of several byte strings taken together (each hashed, then the hashes).
 *
 * @param parts The pieces, in a fixed order.
 * @returns 64 hex digits.
 */
export async function contentHash(parts: readonly (Uint8Array | string)[]): Promise<string> {
  const enc = new TextEncoder();
  const digests = await Promise.all(
    parts.map(async (p) =>
      new Uint8Array(
        await crypto.subtle.digest(
          "SHA-256",
          typeof p === "string" ? enc.encode(p) : bufferSource(p),
        ),
      )
    ),
  );
  const all = new Uint8Array(digests.length * 32);
  digests.forEach((d, i) => all.set(d, i * 32));
  const h = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(h, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Write a file so a concurrent reader never sees it half written. */
async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.${Deno.pid}.tmp`;
  await Deno.writeFile(tmp, data);
  await Deno.rename(tmp, path);
}

/** The guest programs: `pagefeed.c` pages a page file out, `tracefeed.c` replays a trace. */
export type GuestProgram = "pagefeed.c" | "tracefeed.c";

/**
 * The cache path a guest program would have, whether or not it is built yet.
 *
 * @param cacheDir The kernel-check cache.
 * @param source Which program (default pagefeed).
 * @returns The path (depends only on the source and the flags).
 */
export async function pagefeedPath(
  cacheDir: string,
  source: GuestProgram = "pagefeed.c",
): Promise<string> {
  const text = await readKernelAsset(source);
  const hash = await contentHash([text, PAGEFEED_CFLAGS.join(" ")]);
  return `${cacheDir}/${source.slice(0, -2)}-${hash.slice(0, 16)}`;
}

/**
 * A compiled guest program (pagefeed by default), built once per source version.
 *
 * @param cacheDir The kernel-check cache.
 * @param compiler A static-capable compiler (needed only when not cached).
 * @param source Which program.
 * @returns Path of the static binary.
 * @throws {UsageError} When it must be built and no compiler is given, or the build fails.
 */
export async function ensurePagefeed(
  cacheDir: string,
  compiler: StaticCompiler | undefined,
  source: GuestProgram = "pagefeed.c",
): Promise<string> {
  const out = await pagefeedPath(cacheDir, source);
  if (await exists(out)) return out;
  if (!compiler) {
    throw new UsageError(
      "Building the guest program needs a C compiler with a static libc (apt-get install -y gcc libc6-dev)",
    );
  }
  await Deno.mkdir(cacheDir, { recursive: true });
  const dir = await Deno.makeTempDir({ prefix: "zswapbench-pagefeed-" });
  try {
    await Deno.writeTextFile(`${dir}/${source}`, await readKernelAsset(source));
    const res = await new Deno.Command(compiler.path, {
      args: [...PAGEFEED_CFLAGS, "-o", `${dir}/prog`, `${dir}/${source}`],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!res.success) {
      throw new UsageError(
        `Compiling kernel/pagefeed.c with ${compiler.path} failed: ${
          new TextDecoder().decode(res.stderr).trim().split("\n").slice(-3).join("; ")
        } (a static libc is needed: apt-get install -y libc6-dev)`,
      );
    }
    const bin = await Deno.readFile(`${dir}/prog`);
    if (!isStaticElf(bin)) {
      throw new UsageError(`${compiler.path} -static did not give a static program`);
    }
    await writeAtomic(out, bin);
    await Deno.chmod(out, 0o755);
    return out;
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/**
 * The initramfs for a module set, built once per content.
 *
 * @param cacheDir The kernel-check cache.
 * @param pieces The static busybox, the pagefeed (and tracefeed) binaries and the modules to load
 *   (in order).
 * @returns Path of the cpio archive.
 */
export async function ensureInitramfs(
  cacheDir: string,
  pieces: {
    busybox: string;
    pagefeed: string;
    tracefeed?: string;
    modules: readonly KernelModule[];
  },
): Promise<string> {
  const busybox = await Deno.readFile(pieces.busybox);
  const pagefeed = await Deno.readFile(pieces.pagefeed);
  const tracefeed = pieces.tracefeed ? await Deno.readFile(pieces.tracefeed) : undefined;
  const initTemplate = await readKernelAsset("init.sh");
  const modules = await Promise.all(
    pieces.modules.map(async (m) => ({ name: m.name, data: await readModule(m.path) })),
  );
  const hash = await contentHash([
    busybox,
    pagefeed,
    ...(tracefeed ? [tracefeed] : []),
    initTemplate,
    ...modules.flatMap((m) => [m.name, m.data]),
  ]);
  const out = `${cacheDir}/initramfs-${hash.slice(0, 16)}.cpio`;
  if (await exists(out)) return out;
  await Deno.mkdir(cacheDir, { recursive: true });
  await writeAtomic(out, buildInitramfs({ busybox, pagefeed, tracefeed, initTemplate, modules }));
  return out;
}
