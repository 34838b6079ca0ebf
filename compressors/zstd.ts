/**
 * zstd through the native libzstd of `node:zlib`, set up as Linux 6.1's `crypto/zstd.c` does.
 *
 * @module
 */

import * as zlib from "node:zlib";
import { z } from "zod";
import { CompressError, type Compressor, type CompressorPlugin } from "../registry/types.ts";
import { type NativeHandle, NativeZlib } from "./_zlib_handle.ts";

const C = zlib.constants as unknown as Record<string, number>;

/** Options of the `zstd` compressor, as given. */
export interface ZstdOptions {
  /** Compression level, 1 to 22 (default 3, as crypto/zstd.c's ZSTD_DEF_LEVEL). */
  level?: number;
}

/** Options of the `zstd` compressor, defaults in. */
export interface ResolvedZstdOptions {
  /** Compression level, 1 to 22. */
  level: number;
}

const ZstdOptionsSchema: z.ZodType<ResolvedZstdOptions, ZstdOptions> = z.strictObject({
  level: z.int({ error: (iss) => levelError(iss.input) }).min(1, {
    error: (iss) => levelError(iss.input),
  })
    .max(22, { error: (iss) => levelError(iss.input) }).default(3)
    .describe("Compression level, 1 to 22 (the kernel uses 3)"),
});

function levelError(input: unknown): string {
  return `zstd level ${JSON.stringify(input)} is not an integer from 1 to 22 (the kernel uses 3)`;
}

// lib/compress/clevels.h (zstd 1.5.x), the table for a source of unknown or large size:
// windowLog, chainLog, hashLog, searchLog, minMatch, targetLength, strategy, by level (1..22).
// crypto/zstd.c (6.1) asks zstd_get_params(3, 0), a size of 0 meaning unknown, so it gets this
// row rather than the one for a 4 KiB source: level 3 is windowLog 21, hashLog 17, dfast.
const LEVEL_PARAMS: readonly (readonly number[])[] = [
  [19, 13, 14, 1, 7, 0, 1],
  [20, 15, 16, 1, 6, 0, 1],
  [21, 16, 17, 1, 5, 0, 2],
  [21, 18, 18, 1, 5, 0, 2],
  [21, 18, 19, 4, 5, 2, 3],
  [21, 19, 20, 5, 5, 4, 3],
  [21, 19, 20, 4, 5, 8, 4],
  [21, 19, 20, 5, 5, 16, 4],
  [21, 20, 21, 4, 5, 16, 5],
  [22, 21, 22, 4, 5, 16, 5],
  [22, 21, 22, 5, 5, 16, 5],
  [22, 21, 22, 6, 5, 32, 5],
  [22, 22, 22, 4, 5, 32, 6],
  [22, 22, 23, 5, 5, 32, 6],
  [22, 23, 23, 6, 5, 32, 6],
  [22, 22, 22, 5, 5, 48, 7],
  [23, 23, 22, 5, 4, 64, 7],
  [23, 23, 22, 6, 3, 64, 8],
  [23, 24, 22, 7, 3, 256, 9],
  [25, 25, 23, 7, 3, 256, 9],
  [26, 26, 24, 7, 3, 512, 9],
  [27, 27, 25, 9, 3, 999, 9],
];

const PARAM_KEYS = [
  "ZSTD_c_windowLog",
  "ZSTD_c_chainLog",
  "ZSTD_c_hashLog",
  "ZSTD_c_searchLog",
  "ZSTD_c_minMatch",
  "ZSTD_c_targetLength",
  "ZSTD_c_strategy",
] as const;

/** zstd's frame magic number, little-endian (RFC 8878 §3.1.1). */
const ZSTD_MAGIC = 0xfd2fb528;

/** The libzstd parameters (by `node:zlib` constant) for one level, as the kernel sets them. */
function zstdParams(level: number): Record<number, number> {
  const row = LEVEL_PARAMS[level - 1];
  const params: Record<number, number> = {
    [C.ZSTD_c_compressionLevel]: level,
    // crypto/zstd.c (6.1): zstd_get_params() sets contentSizeFlag 1, checksumFlag 0 and no dict
    // ID, so a 4 KiB page gets a 7-byte frame header (magic, descriptor, 2-byte content size).
    [C.ZSTD_c_contentSizeFlag]: 1,
    [C.ZSTD_c_checksumFlag]: 0,
  };
  PARAM_KEYS.forEach((key, i) => params[C[key]] = row[i]);
  return params;
}

/**
 * The decompressed size a zstd frame header declares (RFC 8878 §3.1.1.1).
 * @param src A zstd frame.
 * @returns the frame content size.
 * @throws {CompressError} `EINVAL` when `src` is not a zstd frame or declares no content size.
 */
export function zstdFrameContentSize(src: Uint8Array): number {
  if (src.length < 6) {
    throw new CompressError("EINVAL", `Input of ${src.length} bytes is too short for a zstd frame`);
  }
  const magic = (src[0] | src[1] << 8 | src[2] << 16 | src[3] << 24) >>> 0;
  if (magic !== ZSTD_MAGIC) {
    throw new CompressError("EINVAL", `Input is not a zstd frame (magic 0x${hex(magic)})`);
  }
  const descriptor = src[4];
  const fcsFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  if (descriptor & 0x08) {
    throw new CompressError("EINVAL", "The zstd frame header sets a reserved bit");
  }
  const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  if (fcsBytes === 0) {
    throw new CompressError("EINVAL", "The zstd frame does not declare its content size");
  }
  const at = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3];
  if (src.length < at + fcsBytes) {
    throw new CompressError("EINVAL", `The zstd frame header is cut at ${src.length} bytes`);
  }
  let size = 0;
  for (let i = Math.min(fcsBytes, 7) - 1; i >= 0; i--) size = size * 256 + src[at + i];
  if (fcsBytes === 8 && src[at + 7] !== 0) size = Infinity;
  return fcsBytes === 2 ? size + 256 : size;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/** A sample the native path must compress exactly as the one-shot path does before it is used. */
function selfCheckSample(): Uint8Array {
  const text = "zswap stores compressed pages in a zpool; zstd level 3, as crypto/zstd.c asks. ";
  const sample = new Uint8Array(4096);
  for (let i = 0; i < sample.length; i++) sample[i] = text.charCodeAt(i % text.length) ^ (i >> 9);
  return sample;
}

class ZstdCompressor implements Compressor {
  readonly #params: Record<number, number>;
  readonly #initParams: Uint32Array;
  readonly #cctx: NativeZlib | null;
  readonly #dctx: NativeZlib | null;
  #scratch = new Uint8Array(0);

  constructor(level: number) {
    this.#params = zstdParams(level);
    // The handle's init() takes the parameters as one array indexed by parameter, -1 for unset.
    const maxKey = Math.max(
      ...Object.keys(C).filter((k) => k.startsWith("ZSTD_c_")).map((k) => C[k]),
    );
    this.#initParams = new Uint32Array(maxKey + 1).fill(0xffffffff);
    for (const [key, value] of Object.entries(this.#params)) this.#initParams[+key] = value;
    const noop = () => {};
    const cctx = NativeZlib.open({
      make: () => zlib.createZstdCompress({ params: this.#params }),
      flush: C.ZSTD_e_end,
      // Pledge the page size so the frame header carries it, as the kernel's one-shot call does.
      prepare: (handle: NativeHandle, srcLength: number) => {
        handle.init(this.#initParams, noop, srcLength);
      },
    });
    this.#cctx = cctx !== null && this.#nativeMatches(cctx) ? cctx : null;
    if (this.#cctx === null) cctx?.close();
    this.#dctx = NativeZlib.open({ make: () => zlib.createZstdDecompress(), flush: C.ZSTD_e_end });
  }

  /** Does the native path give the one-shot path's bytes? (It relies on an undocumented API.) */
  #nativeMatches(cctx: NativeZlib): boolean {
    try {
      const sample = selfCheckSample();
      const expected = this.#oneShot(sample);
      const out = new Uint8Array(sample.length * 2);
      const n = cctx.write(sample, out, out.length);
      return n === expected.length && out.subarray(0, n).every((b, i) => b === expected[i]);
    } catch {
      return false;
    }
  }

  #oneShot(src: Uint8Array): Uint8Array {
    // `pledgedSrcSize` (Node.js 24.6) is missing from the bundled typings.
    const options: zlib.ZstdOptions & { pledgedSrcSize: number } = {
      pledgedSrcSize: src.length,
      params: this.#params,
    };
    return zlib.zstdCompressSync(src, options);
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    let n: number;
    if (this.#cctx !== null) {
      // One byte more than dst: a full scratch means the output did not fit.
      if (this.#scratch.length < dst.length + 1) this.#scratch = new Uint8Array(dst.length + 1);
      n = this.#cctx.write(src, this.#scratch, dst.length + 1);
      if (n <= dst.length) {
        dst.set(this.#scratch.subarray(0, n));
        return n;
      }
    } else {
      const out = this.#oneShot(src);
      n = out.length;
      if (n <= dst.length) {
        dst.set(out);
        return n;
      }
    }
    throw new CompressError(
      "ENOSPC",
      `zstd output of more than ${dst.length} bytes does not fit ${dst.length}`,
    );
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    const size = zstdFrameContentSize(src);
    if (size > dst.length) {
      throw new CompressError(
        "ENOSPC",
        `zstd frame of ${size} bytes does not fit ${dst.length}`,
      );
    }
    let n: number;
    let left: number;
    if (this.#dctx !== null) {
      n = this.#dctx.write(src, dst, size);
      left = this.#dctx.inputLeft;
    } else {
      let out: Uint8Array;
      try {
        out = zlib.zstdDecompressSync(src, { maxOutputLength: Math.max(size, 1) });
      } catch (err) {
        throw new CompressError("EINVAL", `Corrupt zstd frame of ${src.length} bytes`, {
          cause: err,
        });
      }
      n = Math.min(out.length, size);
      dst.set(out.subarray(0, n));
      left = out.length > size ? 1 : 0;
    }
    if (n !== size || left !== 0) {
      throw new CompressError(
        "EINVAL",
        `Corrupt zstd frame: ${n} of ${size} bytes decoded, ${left} input bytes left over`,
      );
    }
    return n;
  }

  close(): void {
    this.#cctx?.close();
    this.#dctx?.close();
  }
}

/**
 * zstd as Linux 6.1's `crypto/zstd.c` runs it: level 3 with the parameters for an unknown source
 * size, one frame with the content size and no checksum. Runs the native libzstd of `node:zlib`
 * with one reused context each way; the frame header bytes count in the length, as in the kernel.
 *
 * On `text.pages` the total is 0.27% below the kernel's and 73 of 1024 pages match exactly: the
 * libzstd here is newer than the kernel's copy.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zstdCompressor } from "./zstd.ts";
 * const codec = await zstdCompressor.create({ level: 3 });
 * const page = new Uint8Array(4096).fill(7);
 * const dst = new Uint8Array(4096);
 * const n = await codec.compress(page, dst);
 * const back = new Uint8Array(4096);
 * assert.equal(await codec.decompress(dst.subarray(0, n), back), 4096);
 * ```
 */
export const zstdCompressor: CompressorPlugin = {
  kind: "compressor",
  name: "zstd",
  description: "zstd level 3 as crypto/zstd.c runs it (native libzstd via node:zlib)",
  optionsSchema: ZstdOptionsSchema,
  async: false,
  create(options: unknown): Compressor {
    const o: ResolvedZstdOptions = ZstdOptionsSchema.parse(options ?? {});
    return new ZstdCompressor(o.level);
  },
};
