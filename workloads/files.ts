/**
 * The `files` workload: pages sampled from files and folders the user names (option `paths`).
 *
 * Folders are walked recursively with entries sorted by name (symbolic links to files are
 * followed, to folders are not, so a loop cannot trap the walk); empty files are skipped. Every
 * file is cut into page-aligned chunks (the last one padded with zeros, as the page cache pads a
 * file's tail), and the chunks are numbered in walk order. Page `i` is chunk `perm(i)` of a seeded
 * permutation of the chunks, so distinct pages are distinct chunks, and the pages depend only on
 * the seed and the files' names and contents.
 *
 * `pages` caps the page count at the number of chunks; page ids past it (the fresh ids of
 * re-stores, see `patterns.ts`) wrap around.
 *
 * @module
 */

import { z } from "zod";
import { UsageError } from "../registry/errors.ts";
import type { Workload, WorkloadEnv, WorkloadPlugin } from "../registry/types.ts";
import { checkPageSize, contentWorkload } from "./content.ts";
import { describeFsError, readAt } from "./_fs.ts";
import { parseOptions } from "./_options.ts";
import { hash32, Permutation, seed32 } from "./_random.ts";
import { patternOptionShape, resolvePattern } from "./patterns.ts";

/** Options of `files`: the paths and the pattern options (see `patterns.ts`). */
const FilesOptionsSchema = z.object({
  /** Files or folders to sample pages from, at least one. */
  paths: z.array(z.string().min(1)).min(1).describe(
    "Files or folders to sample pages from, at least one",
  ),
  ...patternOptionShape,
}).strict();

const SALT_FILES = 0xf11e;
const MAX_OPEN_FILES = 16;

/** Pages sampled from a set of files. */
export class FilePages {
  /** Page-aligned chunks over all files. */
  readonly chunks: number;
  /** The files, in walk order. */
  readonly files: readonly string[];
  readonly #firstChunk: Float64Array;
  readonly #pageSize: number;
  readonly #perm: Permutation;
  readonly #open = new Map<number, Deno.FsFile>();

  /**
   * Walk the paths and index their chunks.
   *
   * @param paths Files or folders.
   * @param pageSize Bytes per page.
   * @param seed The workload seed.
   * @throws {UsageError} for a missing or unreadable path, or paths that hold no data.
   */
  constructor(paths: readonly string[], pageSize: number, seed: number) {
    this.#pageSize = pageSize;
    const files: string[] = [];
    const sizes: number[] = [];
    for (const path of paths) walk(path, files, sizes, true);
    const firstChunk = new Float64Array(files.length + 1);
    for (let i = 0; i < files.length; i++) {
      firstChunk[i + 1] = firstChunk[i] + Math.ceil(sizes[i] / pageSize);
    }
    this.chunks = firstChunk[files.length];
    if (this.chunks === 0) {
      throw new UsageError(
        `The files workload found no data in ${
          paths.map((p) => `"${p}"`).join(", ")
        } (name files or folders that hold non-empty files)`,
      );
    }
    if (this.chunks > 2 ** 31) {
      throw new UsageError(
        `The files workload found ${this.chunks} pages, more than 2^31 (name fewer files)`,
      );
    }
    this.files = files;
    this.#firstChunk = firstChunk;
    this.#perm = new Permutation(this.chunks, hash32(seed32(seed), SALT_FILES, 0));
  }

  /**
   * Write page `pageId`: the chunk the seeded permutation maps `pageId mod chunks` to.
   *
   * @param pageId The page id.
   * @param into The page.
   */
  fill(pageId: number, into: Uint8Array): void {
    const chunk = this.#perm.at(pageId % this.chunks);
    // the last file whose first chunk is at or before `chunk`
    const first = this.#firstChunk;
    let lo = 0, hi = this.files.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (first[mid] <= chunk) lo = mid;
      else hi = mid - 1;
    }
    const got = readAt(this.#file(lo), (chunk - first[lo]) * this.#pageSize, into);
    if (got < into.length) into.fill(0, got);
  }

  /** Close the open files. */
  close(): void {
    for (const file of this.#open.values()) file.close();
    this.#open.clear();
  }

  /** An open handle on file `index`, from a small cache (least recently opened goes first). */
  #file(index: number): Deno.FsFile {
    const cached = this.#open.get(index);
    if (cached !== undefined) return cached;
    if (this.#open.size >= MAX_OPEN_FILES) {
      const [oldest, file] = this.#open.entries().next().value!;
      file.close();
      this.#open.delete(oldest);
    }
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(this.files[index], { read: true });
    } catch (err) {
      throw new UsageError(`File "${this.files[index]}" ${describeFsError(err)}`, { cause: err });
    }
    this.#open.set(index, file);
    return file;
  }
}

/** Add `path` (a file, or a folder walked in name order) to `files`, with sizes. */
function walk(path: string, files: string[], sizes: number[], given: boolean): void {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (err) {
    if (!given) return; // a dangling link inside a folder
    throw new UsageError(`Path "${path}" in files.paths ${describeFsError(err)}`, { cause: err });
  }
  if (info.isFile) {
    if (info.size > 0) {
      files.push(path);
      sizes.push(info.size);
    }
    return;
  }
  if (!info.isDirectory) {
    if (given) throw new UsageError(`Path "${path}" in files.paths is not a file or a folder`);
    return;
  }
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(path)];
  } catch (err) {
    throw new UsageError(`Folder "${path}" ${describeFsError(err)}`, { cause: err });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const base = path.endsWith("/") ? path : `${path}/`;
  for (const entry of entries) {
    const child = base + entry.name;
    if (entry.isDirectory) walk(child, files, sizes, false);
    else if (entry.isFile) walk(child, files, sizes, false);
    else if (entry.isSymlink) {
      // follow links to files only: a link to a folder could make a loop
      try {
        if (Deno.statSync(child).isFile) walk(child, files, sizes, false);
      } catch {
        // dangling link: skip
      }
    }
  }
}

/**
 * The `files` workload plugin.
 *
 * @example
 * ```ts ignore
 * import { filesWorkload } from "./files.ts";
 * const w = await filesWorkload.create({
 *   pageSize: 4096,
 *   seed: 1,
 *   pages: 1000,
 *   options: { paths: ["/usr/share/doc"] },
 * });
 * w.close?.();
 * ```
 */
export const filesWorkload: WorkloadPlugin = {
  kind: "workload",
  name: "files",
  description: "Pages sampled from the files and folders in option paths",
  optionsSchema: FilesOptionsSchema,
  create(env: WorkloadEnv): Workload {
    checkPageSize(env.pageSize);
    const { paths, ...rest } = parseOptions(FilesOptionsSchema, env.options, "files");
    const source = new FilePages(paths, env.pageSize, env.seed);
    const pages = Math.min(env.pages, source.chunks);
    const pattern = resolvePattern(rest, pages, "files");
    return contentWorkload(pages, env.seed, pattern, source);
  },
};
