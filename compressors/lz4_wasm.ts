/**
 * The `lz4-wasm` npm package (lz4_flex compiled to wasm) behind the compressor contract.
 *
 * @module
 */

import { compress as lz4WasmCompress, decompress as lz4WasmDecompress } from "lz4-wasm/lz4_wasm.js";
import { z } from "zod";
import { CompressError, type Compressor, type CompressorPlugin } from "../registry/types.ts";
import { parsePluginOptions } from "../registry/errors.ts";

/** Options of the `lz4-wasm` compressor: none are accepted. */
const Lz4WasmOptionsSchema = z.strictObject({});

/** Bytes of the little-endian size prefix lz4-wasm puts in front of each block. */
const SIZE_PREFIX = 4;

/** lz4_flex's message when the prefix is larger than the block decodes to. */
const SIZE_DIFFERS = /size differs, actual (\d+), expected (\d+)/;
/** lz4_flex's message when the block decodes to more than the prefix. */
const OUTPUT_TOO_SMALL = /output is too small/;

class Lz4WasmCompressor implements Compressor {
  /** Prefix + block, for decompress(); grown to the largest block seen. */
  #framed = new Uint8Array(SIZE_PREFIX + 4096);
  #framedView = new DataView(this.#framed.buffer);

  compress(src: Uint8Array, dst: Uint8Array): number {
    // lz4-wasm allocates its output per call (wasm memory, then a JS copy): not avoidable here.
    const out = lz4WasmCompress(src);
    const n = out.length - SIZE_PREFIX;
    if (n > dst.length) {
      throw new CompressError("ENOSPC", `lz4 block of ${n} bytes does not fit ${dst.length}`);
    }
    dst.set(out.subarray(SIZE_PREFIX));
    return n;
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    if (this.#framed.length < src.length + SIZE_PREFIX) {
      this.#framed = new Uint8Array(src.length + SIZE_PREFIX);
      this.#framedView = new DataView(this.#framed.buffer);
    }
    this.#framed.set(src, SIZE_PREFIX);
    const framed = this.#framed.subarray(0, src.length + SIZE_PREFIX);
    // A raw block does not say how long it decodes to. Claim dst.length first (the usual case:
    // a whole page); lz4_flex names the real length when it is shorter, then claim that.
    let claimed = dst.length;
    for (let attempt = 0; attempt < 2; attempt++) {
      this.#framedView.setUint32(0, claimed, true);
      let out: Uint8Array;
      try {
        out = lz4WasmDecompress(framed);
      } catch (err) {
        const why = String(err);
        const differs = SIZE_DIFFERS.exec(why);
        if (differs !== null && attempt === 0 && Number(differs[1]) < claimed) {
          claimed = Number(differs[1]);
          continue;
        }
        if (OUTPUT_TOO_SMALL.test(why)) {
          throw new CompressError(
            "ENOSPC",
            `lz4 block of ${src.length} bytes decodes to more than ${dst.length}`,
          );
        }
        throw new CompressError("EINVAL", `Corrupt lz4 block of ${src.length} bytes: ${why}`, {
          cause: err,
        });
      }
      dst.set(out);
      return out.length;
    }
    throw new CompressError("EINVAL", `Corrupt lz4 block of ${src.length} bytes`);
  }
}

/**
 * lz4 from the `lz4-wasm` package (lz4_flex, a Rust lz4, in wasm): the reference row for what a
 * stock wasm lz4 costs. Lengths are raw block lengths, without the package's 4-byte size prefix.
 * The package allocates its input and output per call inside wasm and copies the output out;
 * this wrapper adds one copy into `dst` and keeps one scratch buffer for decompression.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lz4WasmCompressor } from "./lz4_wasm.ts";
 * const codec = await lz4WasmCompressor.create({});
 * const page = new Uint8Array(4096).fill(1);
 * const dst = new Uint8Array(4096);
 * const n = await codec.compress(page, dst);
 * const back = new Uint8Array(4096);
 * assert.equal(await codec.decompress(dst.subarray(0, n), back), 4096);
 * ```
 */
export const lz4WasmCompressor: CompressorPlugin = {
  kind: "compressor",
  name: "lz4-wasm",
  description: "lz4 from the lz4-wasm package (lz4_flex in wasm), the stock-wasm reference",
  optionsSchema: Lz4WasmOptionsSchema,
  async: false,
  create(options: unknown): Compressor {
    parsePluginOptions("compressor", "lz4-wasm", Lz4WasmOptionsSchema, options);
    return new Lz4WasmCompressor();
  },
};
