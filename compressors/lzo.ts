/**
 * The `lzo` and `lzo-rle` compressors: LZO1X-1 with the lengths of Linux 6.1's `lzo1x_1_compress`
 * and `lzorle1x_1_compress` (lib/lzo/lzo1x_compress.c, bounded like the `_safe` variant
 * crypto/lzo.c calls), in TypeScript. On the oracle page set `lzo` gives the kernel's length for
 * every page (tests/compressors/lzo_test.ts).
 *
 * @module
 */

import { z } from "zod";
import { parsePluginOptions } from "../registry/errors.ts";
import type { Compressor, CompressorPlugin } from "../registry/types.ts";
import { LZO_D_SIZE, lzoCompressBlock } from "./_lzo_compress.ts";
import { lzoDecompressBlock } from "./_lzo_decompress.ts";

/** Options of `lzo` and `lzo-rle`: none. */
const LzoOptionsSchema = z.strictObject({});

function create(name: string, rle: boolean, options: unknown): Compressor {
  parsePluginOptions("compressor", name, LzoOptionsSchema, options, "it takes no options");
  const dict = new Uint16Array(LZO_D_SIZE);
  return {
    compress: (src: Uint8Array, dst: Uint8Array): number => lzoCompressBlock(src, dst, dict, rle),
    decompress: (src: Uint8Array, dst: Uint8Array): number => lzoDecompressBlock(src, dst),
  };
}

/**
 * The `lzo` compressor plugin (LZO1X-1, bitstream version 0): what zswap's default `lzo` stores.
 * `compress()` throws `CompressError("ENOSPC")` where the kernel's safe variant reports an
 * output overrun (it checks room before each write, 17 bytes for a short literal run).
 * `decompress()` throws `EINVAL` for a corrupt block and `ENOSPC` when the output does not fit.
 * Both may change bytes of `dst` past the length they return, never past `dst`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lzoCompressor } from "./lzo.ts";
 * const lzo = lzoCompressor.create({}) as import("../registry/types.ts").Compressor;
 * const dst = new Uint8Array(4096);
 * const n = lzo.compress(new Uint8Array(4096), dst) as number;
 * assert.equal(lzo.decompress(dst.subarray(0, n), new Uint8Array(4096)), 4096);
 * ```
 */
export const lzoCompressor: CompressorPlugin = {
  kind: "compressor",
  name: "lzo",
  description: "LZO1X-1 (kernel 6.1 lzo1x_1_compress lengths), TypeScript",
  optionsSchema: LzoOptionsSchema,
  async: false,
  create: (options: unknown): Compressor => create("lzo", false, options),
};

/**
 * The `lzo-rle` compressor plugin (LZO1X-1 with zero runs, bitstream version 1: the block opens
 * with 17 and the version byte). Its decoder also reads version 0 blocks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lzoRleCompressor } from "./lzo.ts";
 * const rle = lzoRleCompressor.create({}) as import("../registry/types.ts").Compressor;
 * const dst = new Uint8Array(4096);
 * const n = rle.compress(new Uint8Array(4096), dst) as number;
 * assert.ok(dst[0] === 17 && dst[1] === 1);
 * assert.equal(rle.decompress(dst.subarray(0, n), new Uint8Array(4096)), 4096);
 * ```
 */
export const lzoRleCompressor: CompressorPlugin = {
  kind: "compressor",
  name: "lzo-rle",
  description: "LZO1X-1 with zero-run encoding (kernel 6.1 lzorle1x_1_compress), TypeScript",
  optionsSchema: LzoOptionsSchema,
  async: false,
  create: (options: unknown): Compressor => create("lzo-rle", true, options),
};
