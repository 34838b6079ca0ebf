/**
 * The `none` compressor: a copy. Its row is the ceiling of what the rest of the path costs.
 *
 * @module
 */

import { z } from "zod";
import { CompressError, type Compressor, type CompressorPlugin } from "../registry/types.ts";
import { parsePluginOptions } from "../registry/errors.ts";

/** Options of the `none` compressor: none are accepted. */
const NoneOptionsSchema = z.strictObject({});

const copy: Compressor = {
  compress(src: Uint8Array, dst: Uint8Array): number {
    if (src.length > dst.length) {
      throw new CompressError("ENOSPC", `Copy of ${src.length} bytes does not fit ${dst.length}`);
    }
    dst.set(src);
    return src.length;
  },
  decompress(src: Uint8Array, dst: Uint8Array): number {
    if (src.length > dst.length) {
      throw new CompressError("ENOSPC", `Copy of ${src.length} bytes does not fit ${dst.length}`);
    }
    dst.set(src);
    return src.length;
  },
};

/**
 * No compression: `compress()` and `decompress()` copy `src` into `dst` and return its length. A
 * page "compresses" to its own size (whether that is stored is the frontend's and the allocator's
 * rule); the row times the copy and the rest of the path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noneCompressor } from "./none.ts";
 * const codec = await noneCompressor.create({});
 * const dst = new Uint8Array(8);
 * assert.equal(await codec.compress(new Uint8Array([1, 2, 3]), dst), 3);
 * ```
 */
export const noneCompressor: CompressorPlugin = {
  kind: "compressor",
  name: "none",
  description: "No compression: a copy (the ceiling row)",
  optionsSchema: NoneOptionsSchema,
  async: false,
  create(options: unknown): Compressor {
    parsePluginOptions("compressor", "none", NoneOptionsSchema, options);
    return copy;
  },
};
