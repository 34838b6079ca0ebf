/**
 * zstd through the native libzstd of `node:zlib`, set up as the kernel's `crypto/zstd.c` does
 * (6.1: parameters for an unknown source size; 6.15 on: for 256 KiB, option `sourceSize`).
 *
 * @module
 */

import * as zlib from "node:zlib";
import { z } from "zod";
import { parsePluginOptions } from "../registry/errors.ts";
import { CompressError, type Compressor, type CompressorPlugin } from "../registry/types.ts";
import { type NativeHandle, ZlibCodec } from "./_zlib_handle.ts";

const C = zlib.constants as unknown as Record<string, number>;

/** Options of the `zstd` compressor, as given. */
export interface ZstdOptions {
  /** Compression level, 1 to 22 (default 3, as crypto/zstd.c's ZSTD_DEF_LEVEL). */
  level?: number;
  /**
   * The source size the kernel picks parameters for, in bytes: 0 (default) = unknown, as
   * crypto/zstd.c up to 6.14 asks; 262144 from 6.15 on (preset `codecOptions`).
   */
  sourceSize?: number;
}

/** Options of the `zstd` compressor, defaults in. */
export interface ResolvedZstdOptions {
  /** Compression level, 1 to 22. */
  level: number;
  /** The source size parameters are picked for (0 = unknown). */
  sourceSize: number;
}

const ZstdOptionsSchema: z.ZodType<ResolvedZstdOptions, ZstdOptions> = z.strictObject({
  level: z.int({ error: (iss) => levelError(iss.input) }).min(1, {
    error: (iss) => levelError(iss.input),
  })
    .max(22, { error: (iss) => levelError(iss.input) }).default(3)
    .describe("Compression level, 1 to 22 (the kernel uses 3)"),
  sourceSize: z.int({
    error: (iss) =>
      `zstd sourceSize ${
        JSON.stringify(iss.input)
      } is not a byte count (0 = unknown; the kernel asks 262144 from 6.15)`,
  }).min(0).default(0).describe(
    "Source size zstd's parameters are chosen for, bytes (0 = unknown; the kernel asks 262144 from 6.15)",
  ),
});

function levelError(input: unknown): string {
  return `zstd level ${JSON.stringify(input)} is not an integer from 1 to 22 (the kernel uses 3)`;
}

// lib/compress/clevels.h (zstd 1.5.x): windowLog, chainLog, hashLog, searchLog, minMatch,
// targetLength, strategy, by level (1..22), one table per source size class. crypto/zstd.c (6.1)
// asks zstd_get_params(3, 0), a size of 0 meaning unknown, so it gets the first table (level 3:
// windowLog 21, hashLog 17, dfast); crypto/zstd.c (6.15 on) asks zstd_get_params(3, 256 KiB) and
// gets the second (level 3: windowLog 18, hashLog 16, minMatch 4).
const LEVEL_TABLES: readonly (readonly (readonly number[])[])[] = [
  // a source of unknown size or over 256 KiB
  [
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
  ],
  // a source of at most 256 KiB
  [
    [18, 13, 14, 1, 6, 0, 1],
    [18, 14, 14, 1, 5, 0, 2],
    [18, 16, 16, 1, 4, 0, 2],
    [18, 16, 17, 3, 5, 2, 3],
    [18, 17, 18, 5, 5, 2, 3],
    [18, 18, 19, 3, 5, 4, 4],
    [18, 18, 19, 4, 4, 4, 4],
    [18, 18, 19, 4, 4, 8, 5],
    [18, 18, 19, 5, 4, 8, 5],
    [18, 18, 19, 6, 4, 8, 5],
    [18, 18, 19, 5, 4, 12, 6],
    [18, 19, 19, 7, 4, 12, 6],
    [18, 18, 19, 4, 4, 16, 7],
    [18, 18, 19, 4, 3, 32, 7],
    [18, 18, 19, 6, 3, 128, 7],
    [18, 19, 19, 6, 3, 128, 8],
    [18, 19, 19, 8, 3, 256, 8],
    [18, 19, 19, 6, 3, 128, 9],
    [18, 19, 19, 8, 3, 256, 9],
    [18, 19, 19, 10, 3, 512, 9],
    [18, 19, 19, 12, 3, 512, 9],
    [18, 19, 19, 13, 3, 999, 9],
  ],
  // at most 128 KiB
  [
    [17, 12, 13, 1, 6, 0, 1],
    [17, 13, 15, 1, 5, 0, 1],
    [17, 15, 16, 2, 5, 0, 2],
    [17, 17, 17, 2, 4, 0, 2],
    [17, 16, 17, 3, 4, 2, 3],
    [17, 16, 17, 3, 4, 4, 4],
    [17, 16, 17, 3, 4, 8, 5],
    [17, 16, 17, 4, 4, 8, 5],
    [17, 16, 17, 5, 4, 8, 5],
    [17, 16, 17, 6, 4, 8, 5],
    [17, 17, 17, 5, 4, 8, 6],
    [17, 18, 17, 7, 4, 12, 6],
    [17, 18, 17, 3, 4, 12, 7],
    [17, 18, 17, 4, 3, 32, 7],
    [17, 18, 17, 6, 3, 256, 7],
    [17, 18, 17, 6, 3, 128, 8],
    [17, 18, 17, 8, 3, 256, 8],
    [17, 18, 17, 10, 3, 512, 8],
    [17, 18, 17, 5, 3, 256, 9],
    [17, 18, 17, 7, 3, 512, 9],
    [17, 18, 17, 9, 3, 512, 9],
    [17, 18, 17, 11, 3, 999, 9],
  ],
  // at most 16 KiB
  [
    [14, 14, 15, 1, 5, 0, 1],
    [14, 14, 15, 1, 4, 0, 1],
    [14, 14, 15, 2, 4, 0, 2],
    [14, 14, 14, 4, 4, 2, 3],
    [14, 14, 14, 3, 4, 4, 4],
    [14, 14, 14, 4, 4, 8, 5],
    [14, 14, 14, 6, 4, 8, 5],
    [14, 14, 14, 8, 4, 8, 5],
    [14, 15, 14, 5, 4, 8, 6],
    [14, 15, 14, 9, 4, 8, 6],
    [14, 15, 14, 3, 4, 12, 7],
    [14, 15, 14, 4, 3, 24, 7],
    [14, 15, 14, 5, 3, 32, 8],
    [14, 15, 15, 6, 3, 64, 8],
    [14, 15, 15, 7, 3, 256, 8],
    [14, 15, 15, 5, 3, 48, 9],
    [14, 15, 15, 6, 3, 128, 9],
    [14, 15, 15, 7, 3, 256, 9],
    [14, 15, 15, 8, 3, 256, 9],
    [14, 15, 15, 8, 3, 512, 9],
    [14, 15, 15, 9, 3, 512, 9],
    [14, 15, 15, 10, 3, 999, 9],
  ],
];

/** lib/compress/zstd_compress.c ZSTD_getCParams: the table of a source size (0 = unknown). */
function tableOf(sourceSize: number): readonly (readonly number[])[] {
  if (sourceSize === 0) return LEVEL_TABLES[0];
  const id = Number(sourceSize <= 256 * 1024) + Number(sourceSize <= 128 * 1024) +
    Number(sourceSize <= 16 * 1024);
  return LEVEL_TABLES[id];
}

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
function zstdParams(level: number, sourceSize: number): Record<number, number> {
  const row = tableOf(sourceSize)[level - 1];
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
  readonly #codec: ZlibCodec;

  constructor(level: number, sourceSize: number) {
    const params = zstdParams(level, sourceSize);
    // The handle's init() takes the parameters as one array indexed by parameter, -1 for unset.
    const maxKey = Math.max(
      ...Object.keys(C).filter((k) => k.startsWith("ZSTD_c_")).map((k) => C[k]),
    );
    const initParams = new Uint32Array(maxKey + 1).fill(0xffffffff);
    for (const [key, value] of Object.entries(params)) initParams[+key] = value;
    const noop = () => {};
    this.#codec = new ZlibCodec({
      name: "zstd",
      compress: {
        make: () => zlib.createZstdCompress({ params }),
        flush: C.ZSTD_e_end,
        // Pledge the page size so the frame header carries it, as the kernel's one-shot call does.
        prepare: (handle: NativeHandle, srcLength: number) => {
          handle.init(initParams, noop, srcLength);
        },
      },
      decompress: { make: () => zlib.createZstdDecompress(), flush: C.ZSTD_e_end },
      compressOneShot: (src) => {
        // `pledgedSrcSize` (Node.js 24.6) is missing from the bundled typings.
        const options: zlib.ZstdOptions & { pledgedSrcSize: number } = {
          pledgedSrcSize: src.length,
          params,
        };
        return zlib.zstdCompressSync(src, options);
      },
      decompressOneShot: (src, maxOutputLength) =>
        zlib.zstdDecompressSync(src, { maxOutputLength }),
      selfCheckSample: selfCheckSample(),
    });
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    return this.#codec.compress(src, dst);
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    const size = zstdFrameContentSize(src);
    if (size > dst.length) {
      throw new CompressError(
        "ENOSPC",
        `zstd frame of ${size} bytes does not fit ${dst.length}`,
      );
    }
    const { written, inputLeft } = this.#codec.decompress(src, dst.subarray(0, size));
    if (written !== size || inputLeft !== 0) {
      throw new CompressError(
        "EINVAL",
        `Corrupt zstd frame: ${
          Math.min(written, size + 1)
        } of ${size} bytes decoded, ${inputLeft} input bytes left over`,
      );
    }
    return size;
  }

  close(): void {
    this.#codec.close();
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
    const o: ResolvedZstdOptions = parsePluginOptions(
      "compressor",
      "zstd",
      ZstdOptionsSchema,
      options,
    );
    return new ZstdCompressor(o.level, o.sourceSize);
  },
};
