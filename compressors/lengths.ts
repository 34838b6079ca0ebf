/**
 * The `lengths` pseudo-compressor: it "compresses" a page made by `encodeLengthsPage()` to exactly
 * the length written in that page, and regenerates the page from the object on decompression.
 * The `lengths` workload uses it to replay the compressed lengths a real kernel saw (a CSV such as
 * the oracle's `kernel-6.1-text-lengths.csv`) without running any codec.
 *
 * ## Page encoding
 * A page starts with an 8-byte header, then filler from a xorshift32 generator seeded by the header:
 *
 * | bytes | field |
 * | --- | --- |
 * | 0 | magic `0xa5` |
 * | 1..3 | little-endian: bits 0..16 the target length (0 = "R"), bits 17..21 log2(page size) |
 * | 4..7 | little-endian u32 id: the page id, or for a length `L` below 8 the page id mod 256^L |
 *
 * The object of a length `L >= 8` is the page's first `L` bytes: the header, then filler. An object
 * shorter than the header holds only the id's `L` low bytes; its page is generated from `(L, id)`
 * alone, so pages whose ids agree in those bytes are equal pages (both sides of the round trip
 * agree, no state needed), and the page size is taken from the decompression buffer.
 *
 * "R" pages (length 0 in the header) never fit: `compress()` throws `ENOSPC`, as a page whose
 * compressed form exceeds the page size does in the kernel; "W" pages (stored raw by 6.18 on, as
 * they did not compress) are "R" pages, the preset decides what zswap does with them. "Z" pages
 * are all zero (6.12 on they bypass zswap; before, zswap takes them as same-filled). "S" pages are
 * same-filled with the word
 * `5a 00 00 00` + the u32 page id; zswap's same-filled check takes them before compression, and a
 * frontend without that check gets an 8-byte object (the word).
 *
 * @module
 */

import { z } from "zod";
import { CompressError, type Compressor, type CompressorPlugin } from "../registry/types.ts";
import { parsePluginOptions } from "../registry/errors.ts";

/** First byte of a lengths page (and of every object of 8 bytes or more but an "S" one). */
export const LENGTHS_MAGIC = 0xa5;
/** First byte of the word of a same-filled ("S") lengths page. */
export const LENGTHS_SAME_FILLED_MAGIC = 0x5a;
/** Bytes of the page header; objects shorter than this hold only the id. */
export const LENGTHS_HEADER_BYTES = 8;

const LENGTH_BITS = 17;
const LENGTH_MASK = (1 << LENGTH_BITS) - 1;
const MAX_PAGE_ID = 0xffffffff;

/** Options of the `lengths` pseudo-compressor: none are accepted. */
const LengthsOptionsSchema = z.strictObject({});

/**
 * A compressed length as a lengths CSV gives it: bytes, `"S"` (same-filled), `"Z"` (all-zero page),
 * `"W"` (did not compress, stored raw) or `"R"` (did not compress, rejected).
 */
export type LengthsEntry = number | "S" | "Z" | "W" | "R";

/**
 * Write the page that the `lengths` compressor turns into an object of exactly `length` bytes.
 * @param pageId The page id, an integer from 0 to 2^32 - 1: different ids give different pages
 * (for lengths below 8, ids equal mod 256^length give equal pages).
 * @param length The compressed length, 1 to the page size; `"S"` for a same-filled page; `"Z"` for
 * an all-zero page; `"R"` or `"W"` for a page that does not compress below the page size.
 * @param into The page: its length is the page size, a power of two of at least 8 bytes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeLengthsPage, lengthsCompressor } from "./lengths.ts";
 * const page = new Uint8Array(4096);
 * encodeLengthsPage(17, 1234, page);
 * const codec = await lengthsCompressor.create({});
 * assert.equal(await codec.compress(page, new Uint8Array(4096)), 1234);
 * ```
 */
export function encodeLengthsPage(pageId: number, length: LengthsEntry, into: Uint8Array): void {
  const pageSize = into.length;
  if (pageSize < LENGTHS_HEADER_BYTES || (pageSize & (pageSize - 1)) !== 0) {
    throw new RangeError(`Page size ${pageSize} is not a power of two of at least 8 bytes`);
  }
  if (!Number.isInteger(pageId) || pageId < 0 || pageId > MAX_PAGE_ID) {
    throw new RangeError(`Page id ${pageId} is not an integer from 0 to ${MAX_PAGE_ID}`);
  }
  if (length === "S") {
    into.fill(0);
    for (let at = 0; at < pageSize; at += 8) {
      into[at] = LENGTHS_SAME_FILLED_MAGIC;
      writeU32(into, at + 4, pageId);
    }
    return;
  }
  if (length === "Z") {
    into.fill(0);
    return;
  }
  let target = 0;
  let id = pageId;
  if (length !== "R" && length !== "W") {
    if (!Number.isInteger(length) || length < 1 || length > pageSize || length > LENGTH_MASK) {
      throw new RangeError(
        `Length ${
          JSON.stringify(length)
        } is not "S", "Z", "W", "R" or an integer from 1 to ${pageSize}`,
      );
    }
    target = length;
    if (length < LENGTHS_HEADER_BYTES) id = pageId % 2 ** (8 * length);
  }
  generatePage(into, target, id);
}

/** Header, then filler seeded by the header: the page of `(target, id)` at `page.length`. */
function generatePage(page: Uint8Array, target: number, id: number): void {
  const packed = target | Math.log2(page.length) << LENGTH_BITS;
  page[0] = LENGTHS_MAGIC;
  page[1] = packed & 0xff;
  page[2] = (packed >>> 8) & 0xff;
  page[3] = (packed >>> 16) & 0xff;
  writeU32(page, 4, id);
  // xorshift32, seeded by both header words (never 0: the constant's low bit survives the xor).
  let x = (Math.imul(id ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(packed, 0x85ebca77) ^ 1) | 1;
  for (let at = LENGTHS_HEADER_BYTES; at < page.length; at += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    page[at] = x & 0xff;
    page[at + 1] = (x >>> 8) & 0xff;
    page[at + 2] = (x >>> 16) & 0xff;
    page[at + 3] = (x >>> 24) & 0xff;
  }
}

function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value & 0xff;
  bytes[at + 1] = (value >>> 8) & 0xff;
  bytes[at + 2] = (value >>> 16) & 0xff;
  bytes[at + 3] = (value >>> 24) & 0xff;
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 | bytes[at + 3] << 24) >>> 0;
}

function isSameFilled(page: Uint8Array): boolean {
  for (let at = 8; at < page.length; at++) if (page[at] !== page[at & 7]) return false;
  return true;
}

class LengthsCompressor implements Compressor {
  compress(src: Uint8Array, dst: Uint8Array): number {
    if (src.length >= LENGTHS_HEADER_BYTES && src[0] === LENGTHS_MAGIC) {
      const packed = src[1] | src[2] << 8 | src[3] << 16;
      const target = packed & LENGTH_MASK;
      if (2 ** (packed >>> LENGTH_BITS) !== src.length) {
        throw new CompressError("EINVAL", `Lengths page header does not match ${src.length} bytes`);
      }
      if (target === 0) {
        throw new CompressError("ENOSPC", `Page marked "R" does not compress below ${src.length}`);
      }
      if (target > dst.length) {
        throw new CompressError("ENOSPC", `Object of ${target} bytes does not fit ${dst.length}`);
      }
      if (target >= LENGTHS_HEADER_BYTES) {
        dst.set(src.subarray(0, target));
        return target;
      }
      // An object shorter than the header is the id's low bytes, which sit at offset 4.
      if (readU32(src, 4) >= 2 ** (8 * target)) {
        throw new CompressError("EINVAL", `Lengths page id does not fit ${target} bytes`);
      }
      dst.set(src.subarray(4, 4 + target));
      return target;
    }
    if (
      src.length >= LENGTHS_HEADER_BYTES && src[0] === LENGTHS_SAME_FILLED_MAGIC &&
      isSameFilled(src)
    ) {
      if (dst.length < 8) {
        throw new CompressError("ENOSPC", `Object of 8 bytes does not fit ${dst.length}`);
      }
      dst.set(src.subarray(0, 8));
      return 8;
    }
    throw new CompressError(
      "EINVAL",
      `Page of ${src.length} bytes is not a lengths page (make it with encodeLengthsPage)`,
    );
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    const n = src.length;
    if (n === 0) throw new CompressError("EINVAL", "Empty lengths object");
    if (n < LENGTHS_HEADER_BYTES) {
      let id = 0;
      for (let i = n - 1; i >= 0; i--) id = id * 256 + src[i];
      if (dst.length < LENGTHS_HEADER_BYTES || (dst.length & (dst.length - 1)) !== 0) {
        throw new CompressError("EINVAL", `Buffer of ${dst.length} bytes is not a page`);
      }
      generatePage(dst, n, id);
      return dst.length;
    }
    if (src[0] === LENGTHS_SAME_FILLED_MAGIC && n === 8) {
      for (let at = 0; at + 8 <= dst.length; at += 8) dst.set(src, at);
      return dst.length - (dst.length & 7);
    }
    const packed = src[1] | src[2] << 8 | src[3] << 16;
    const pageSize = 2 ** (packed >>> LENGTH_BITS);
    if (src[0] !== LENGTHS_MAGIC || (packed & LENGTH_MASK) !== n || pageSize < n) {
      throw new CompressError("EINVAL", `Object of ${n} bytes is not a lengths object`);
    }
    if (pageSize > dst.length) {
      throw new CompressError("ENOSPC", `Page of ${pageSize} bytes does not fit ${dst.length}`);
    }
    const page = dst.subarray(0, pageSize);
    generatePage(page, n, readU32(src, 4));
    for (let i = LENGTHS_HEADER_BYTES; i < n; i++) {
      if (page[i] !== src[i]) {
        throw new CompressError("EINVAL", `Lengths object of ${n} bytes is corrupt at byte ${i}`);
      }
    }
    return pageSize;
  }
}

/**
 * The `lengths` pseudo-compressor (see the module doc for the page encoding): `compress()` of a
 * page from `encodeLengthsPage(id, length, page)` writes exactly `length` bytes, and `decompress()`
 * regenerates the page byte for byte. A page it did not make is refused with `EINVAL`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeLengthsPage, lengthsCompressor } from "./lengths.ts";
 * const codec = await lengthsCompressor.create({});
 * const page = new Uint8Array(4096);
 * encodeLengthsPage(3, 5, page);
 * const obj = new Uint8Array(4096);
 * const n = await codec.compress(page, obj);
 * const back = new Uint8Array(4096);
 * await codec.decompress(obj.subarray(0, n), back);
 * assert.ok(n === 5 && back.every((b, i) => b === page[i]));
 * ```
 */
export const lengthsCompressor: CompressorPlugin = {
  kind: "compressor",
  name: "lengths",
  description: "Pseudo-compressor of the lengths workload: replays recorded compressed lengths",
  optionsSchema: LengthsOptionsSchema,
  async: false,
  create(options: unknown): Compressor {
    parsePluginOptions("compressor", "lengths", LengthsOptionsSchema, options);
    return new LengthsCompressor();
  },
};
