/**
 * The `lz4` compressor: LZ4 block compression with the lengths of Linux 6.1's
 * `LZ4_compress_default` (lib/lz4/lz4_compress.c), in TypeScript. On the oracle page set it
 * gives the kernel's length for every page (tests/compressors/lz4_test.ts).
 *
 * @module
 */

import { z } from "zod";
import { parsePluginOptions } from "../registry/errors.ts";
import type { Compressor, CompressorPlugin } from "../registry/types.ts";
import { lz4CompressBlock, lz4DecompressBlock, lz4NewTables } from "./_lz4_block.ts";

/** liblz4's LZ4_ACCELERATION_MAX: larger values would overflow the kernel's search counter. */
const LZ4_ACCELERATION_MAX = 65537;

/** Options of the `lz4` compressor. */
export interface Lz4Options {
  /**
   * `LZ4_compress_fast` acceleration, an integer from 1 to 65537: the search step grows one
   * probe sooner per unit. 1 (the default) is what zswap's `lz4` uses.
   */
  acceleration?: number;
}

const Lz4OptionsSchema = z.strictObject({
  acceleration: z.int().min(1).max(LZ4_ACCELERATION_MAX).default(1).describe(
    "LZ4 acceleration: larger is faster and compresses less (the kernel uses 1)",
  ),
});

/**
 * The `lz4` compressor plugin. `compress()` returns the raw block length the 6.1 kernel gives
 * and throws `CompressError("ENOSPC")` where the kernel returns 0: its checks for a `dst` shorter
 * than LZ4_COMPRESSBOUND are conservative, so with `dst` of 4096 bytes a page whose block would
 * take 4090 bytes can still be refused, as in the kernel. `decompress()` throws `EINVAL` for a
 * corrupt block and `ENOSPC` when the output does not fit; it may change bytes of `dst` past the
 * length it returns, never past `dst`. Each instance owns its hash tables; calls allocate nothing
 * page-sized.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lz4Compressor } from "./lz4.ts";
 * const lz4 = lz4Compressor.create({}) as import("../registry/types.ts").Compressor;
 * const page = new Uint8Array(4096).fill(7);
 * const dst = new Uint8Array(4096);
 * const n = lz4.compress(page, dst) as number;
 * const back = new Uint8Array(4096);
 * assert.equal(lz4.decompress(dst.subarray(0, n), back), 4096);
 * ```
 */
export const lz4Compressor: CompressorPlugin = {
  kind: "compressor",
  name: "lz4",
  description: "LZ4 block (kernel 6.1 LZ4_compress_default lengths), TypeScript",
  optionsSchema: Lz4OptionsSchema,
  async: false,
  create(options: unknown): Compressor {
    const o = parsePluginOptions(
      "compressor",
      "lz4",
      Lz4OptionsSchema,
      options,
      `known: acceleration, an integer from 1 to ${LZ4_ACCELERATION_MAX}`,
    );
    return new Lz4Codec(o.acceleration);
  },
};

// A class, not closures per instance: the frontend's call sites then see one shared method for
// every cell, so optimised code embeds no instance's tables and survives the collection of a
// finished cell.
class Lz4Codec implements Compressor {
  readonly #tables = lz4NewTables();
  readonly #acceleration: number;

  constructor(acceleration: number) {
    this.#acceleration = acceleration;
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    return lz4CompressBlock(src, dst, this.#tables, this.#acceleration);
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    return lz4DecompressBlock(src, dst);
  }
}
