/**
 * The `pagefile` workload: replays a page file, a flat file of whole pages (such as the kernel
 * oracle's `text.pages`, or what `deno task cli capture` writes). Page `i` of the workload is page
 * `i` of the file.
 *
 * - The file's size must be a multiple of the page size, else `create()` fails naming the file, its
 *   size and the offset where the partial page starts.
 * - `pages` caps the page count: the workload uses `min(pages, pages in the file)` offsets, so a
 *   large `pages` replays the whole file once. Page ids past the end (the fresh ids of re-stores,
 *   see `patterns.ts`) wrap around: id `i` reads page `i mod pages in the file`.
 * - When `<path>.json` exists (capture's metadata) and names a `pageSize`, it must equal the run's
 *   page size.
 *
 * @module
 */

import { z } from "zod";
import { UsageError } from "../registry/errors.ts";
import type { Workload, WorkloadEnv, WorkloadPlugin } from "../registry/types.ts";
import { checkPageSize, contentWorkload } from "./content.ts";
import { describeFsError, readAt } from "./_fs.ts";
import { parseOptions } from "./_options.ts";
import { patternOptionShape, resolvePattern } from "./patterns.ts";

/** Options of `pagefile`: the file and the pattern options (see `patterns.ts`). */
const PagefileOptionsSchema = z.object({
  /** The page file. */
  path: z.string().min(1).describe("The page file (a multiple of the page size)"),
  ...patternOptionShape,
}).strict();

/** The pages of a page file, read on demand with one seek and read per page. */
export class PageFilePages {
  /** Pages in the file. */
  readonly count: number;
  readonly #path: string;
  readonly #pageSize: number;
  #file: Deno.FsFile | null;

  /**
   * Open and check a page file.
   *
   * @param path The file.
   * @param pageSize Bytes per page.
   * @throws {UsageError} when the file is missing, unreadable, empty, not a whole number of pages,
   * or its metadata names another page size.
   */
  constructor(path: string, pageSize: number) {
    this.#path = path;
    this.#pageSize = pageSize;
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(path);
    } catch (err) {
      throw new UsageError(`Page file "${path}" ${describeFsError(err)}`, { cause: err });
    }
    if (!info.isFile) throw new UsageError(`Page file "${path}" is not a regular file`);
    const size = info.size;
    if (size === 0) throw new UsageError(`Page file "${path}" is empty`);
    const remainder = size % pageSize;
    if (remainder !== 0) {
      throw new UsageError(
        `Page file "${path}" is ${size} bytes, not a multiple of the page size ${pageSize}: ${remainder} bytes are left over at offset ${
          size - remainder
        } (check the page size, or cut the file to whole pages)`,
      );
    }
    checkMetadata(path, pageSize);
    this.count = size / pageSize;
    try {
      this.#file = Deno.openSync(path, { read: true });
    } catch (err) {
      throw new UsageError(`Page file "${path}" ${describeFsError(err)}`, { cause: err });
    }
  }

  /**
   * Read page `pageId mod count` of the file.
   *
   * @param pageId The page id.
   * @param into The page.
   */
  fill(pageId: number, into: Uint8Array): void {
    if (this.#file === null) throw new Error(`Page file "${this.#path}" is closed`);
    const index = pageId % this.count;
    const got = readAt(this.#file, index * this.#pageSize, into);
    if (got !== into.length) {
      throw new Error(
        `Page file "${this.#path}" ended inside page ${index} (read ${got} of ${into.length} bytes): was it changed during the run?`,
      );
    }
  }

  /** Close the file. */
  close(): void {
    this.#file?.close();
    this.#file = null;
  }
}

/** Check `<path>.json` (capture's metadata), when there is one, against the page size. */
function checkMetadata(path: string, pageSize: number): void {
  let text: string;
  try {
    text = Deno.readTextFileSync(`${path}.json`);
  } catch {
    return; // no metadata: nothing to check
  }
  let meta: unknown;
  try {
    meta = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`Page file metadata "${path}.json" is not valid JSON`, { cause: err });
  }
  const metaPageSize = (meta as { pageSize?: unknown } | null)?.pageSize;
  if (typeof metaPageSize === "number" && metaPageSize !== pageSize) {
    throw new UsageError(
      `Page file "${path}" holds ${metaPageSize}-byte pages (says "${path}.json") but the page size is ${pageSize} (set the page size to ${metaPageSize})`,
    );
  }
}

/**
 * The `pagefile` workload plugin.
 *
 * @example
 * ```ts ignore
 * import { pagefileWorkload } from "./pagefile.ts";
 * const w = await pagefileWorkload.create({
 *   pageSize: 4096,
 *   seed: 1,
 *   pages: 1024,
 *   options: { path: "text.pages" },
 * });
 * w.close?.();
 * ```
 */
export const pagefileWorkload: WorkloadPlugin = {
  kind: "workload",
  name: "pagefile",
  description: "Replays a file of whole pages (option path); pages caps the count",
  optionsSchema: PagefileOptionsSchema,
  create(env: WorkloadEnv): Workload {
    checkPageSize(env.pageSize);
    const { path, ...rest } = parseOptions(PagefileOptionsSchema, env.options, "pagefile");
    const source = new PageFilePages(path, env.pageSize);
    try {
      const pages = Math.min(env.pages, source.count);
      const pattern = resolvePattern(rest, pages, "pagefile");
      return contentWorkload(pages, env.seed, pattern, source);
    } catch (err) {
      source.close();
      throw err;
    }
  },
};
