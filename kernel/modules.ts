/**
 * Kernel modules for the check's initramfs: find them in a `lib/modules/<version>` tree, tell
 * built-in ones apart (`modules.builtin`), and order a module's dependencies before it (read from
 * the module's own `.modinfo` `depends=`, so no `depmod` output is needed).
 *
 * @module
 */
import { UsageError } from "../registry/errors.ts";
import { modinfo } from "./_elf.ts";

/** One module file to load in the guest. */
export interface KernelModule {
  /** Module name as the kernel knows it (`-` read as `_`), e.g. `lz4_compress`. */
  name: string;
  /** Absolute path of the file on the host (`.ko`, `.ko.xz`, `.ko.zst` or `.ko.gz`). */
  path: string;
}

const KO_SUFFIXES = [".ko", ".ko.xz", ".ko.zst", ".ko.gz"];

/**
 * The canonical name of a module: file name without `.ko*`, with `-` read as `_`.
 *
 * @param file A file name or path, e.g. `kernel/crypto/lzo-rle.ko.xz`.
 * @returns The module name, e.g. `lzo_rle`, or undefined when the file is not a module.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { moduleName } from "./modules.ts";
 * assert.equal(moduleName("kernel/crypto/lzo-rle.ko"), "lzo_rle");
 * ```
 */
export function moduleName(file: string): string | undefined {
  const base = file.slice(file.lastIndexOf("/") + 1);
  const suffix = KO_SUFFIXES.find((s) => base.endsWith(s));
  return suffix ? base.slice(0, -suffix.length).replaceAll("-", "_") : undefined;
}

async function walk(dir: string, out: Map<string, string>): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) await walk(path, out);
    else {
      const name = moduleName(e.name);
      if (name && !out.has(name)) out.set(name, path);
    }
  }
}

async function decompressWith(cmd: string, path: string): Promise<Uint8Array> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args: ["-dc", path], stdout: "piped", stderr: "piped" })
      .output();
  } catch (e) {
    throw new UsageError(
      `Cannot decompress "${path}": ${cmd} is not installed (apt-get install -y ${
        cmd === "xz" ? "xz-utils" : "zstd"
      })`,
      { cause: e },
    );
  }
  if (!out.success) {
    throw new UsageError(
      `Cannot decompress "${path}" with ${cmd}: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  return out.stdout;
}

/**
 * Read a module file, decompressing `.ko.xz` (xz), `.ko.zst` (zstd) and `.ko.gz` so the guest's
 * busybox `insmod` can load it.
 *
 * @param path The module file.
 * @returns The uncompressed module.
 */
export async function readModule(path: string): Promise<Uint8Array> {
  if (path.endsWith(".ko.xz")) return await decompressWith("xz", path);
  if (path.endsWith(".ko.zst")) return await decompressWith("zstd", path);
  const bytes = await Deno.readFile(path);
  if (!path.endsWith(".ko.gz")) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** The modules of one kernel version: where each file is and which ones are built in. */
export class ModuleTree {
  /** The `lib/modules/<version>` directory. */
  readonly dir: string;
  /** Built-in module names from `modules.builtin`, or undefined when that file is missing. */
  readonly builtin: Set<string> | undefined;
  #files: Map<string, string>;
  #depends = new Map<string, string[]>();

  private constructor(dir: string, builtin: Set<string> | undefined, files: Map<string, string>) {
    this.dir = dir;
    this.builtin = builtin;
    this.#files = files;
  }

  /**
   * Index a module tree.
   *
   * @param dir `lib/modules/<version>`, or a directory holding exactly one such version directory.
   * @returns The index.
   * @throws {UsageError} When `dir` holds no modules.
   */
  static async open(dir: string): Promise<ModuleTree> {
    const root = await findVersionDir(dir);
    let builtin: Set<string> | undefined;
    try {
      const text = await Deno.readTextFile(`${root}/modules.builtin`);
      builtin = new Set(
        text.split("\n").map((l) => moduleName(l.trim())).filter((n) => !!n) as string[],
      );
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    const files = new Map<string, string>();
    await walk(root, files);
    if (files.size === 0 && !builtin) {
      throw new UsageError(
        `No kernel modules (*.ko) under "${dir}" (give --modules lib/modules/<version>)`,
      );
    }
    return new ModuleTree(root, builtin, files);
  }

  /**
   * The file of a loadable module.
   *
   * @param name Module name (`-` or `_`).
   * @returns Its path, or undefined when the tree has no such file.
   */
  file(name: string): string | undefined {
    return this.#files.get(name.replaceAll("-", "_"));
  }

  /**
   * Whether a module is built into the kernel. Without `modules.builtin`, a module with no file
   * is taken as built in (the guest then reports it if zswap cannot use it).
   *
   * @param name Module name.
   * @returns True when built in.
   */
  isBuiltin(name: string): boolean {
    const n = name.replaceAll("-", "_");
    return this.builtin ? this.builtin.has(n) : !this.#files.has(n);
  }

  async #dependsOf(name: string): Promise<string[]> {
    let deps = this.#depends.get(name);
    if (!deps) {
      const info = modinfo(await readModule(this.#files.get(name)!));
      const line = info.find(([k]) => k === "depends")?.[1] ?? "";
      deps = line.split(",").map((d) => d.trim().replaceAll("-", "_")).filter((d) => d !== "");
      this.#depends.set(name, deps);
    }
    return deps;
  }

  /**
   * The loadable modules needed for `names`, each after its dependencies; built-in ones left out.
   *
   * @param names Modules wanted, e.g. `["zsmalloc", "lz4", "virtio_blk"]`.
   * @returns The load order.
   * @throws {UsageError} When a module is neither built in nor present.
   */
  async resolve(names: readonly string[]): Promise<KernelModule[]> {
    const order: KernelModule[] = [];
    const done = new Set<string>();
    const visiting = new Set<string>();
    const visit = async (raw: string, wantedBy: string | undefined): Promise<void> => {
      const name = raw.replaceAll("-", "_");
      if (done.has(name) || visiting.has(name) || this.builtin?.has(name)) return;
      const path = this.#files.get(name);
      if (!path) {
        if (this.isBuiltin(name)) return;
        throw new UsageError(
          `Kernel module "${name}"${
            wantedBy ? ` (needed by ${wantedBy})` : ""
          } is neither built in nor under "${this.dir}" (choose another, or boot a kernel that has it with --kernel and --modules)`,
        );
      }
      visiting.add(name);
      for (const dep of await this.#dependsOf(name)) await visit(dep, name);
      visiting.delete(name);
      done.add(name);
      order.push({ name, path });
    };
    for (const n of names) await visit(n, undefined);
    return order;
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

async function findVersionDir(dir: string): Promise<string> {
  if (!(await isDir(dir))) {
    throw new UsageError(
      `Module directory "${dir}" does not exist (give --modules lib/modules/<version>)`,
    );
  }
  if (await isDir(`${dir}/kernel`)) return dir;
  try {
    await Deno.stat(`${dir}/modules.builtin`);
    return dir;
  } catch { /* look one level down */ }
  const subs: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory && await isDir(`${dir}/${e.name}/kernel`)) subs.push(`${dir}/${e.name}`);
  }
  if (subs.length === 1) return subs[0];
  if (subs.length > 1) {
    throw new UsageError(
      `"${dir}" holds modules of ${subs.length} kernels (give --modules with one of: ${
        subs.join(", ")
      })`,
    );
  }
  return dir;
}
