/**
 * Raw deflate through the zlib of `node:zlib`, set up as Linux 6.1's `crypto/deflate.c` does.
 *
 * @module
 */

import * as zlib from "node:zlib";
import { deflateRaw as pakoDeflateRaw } from "pako";
import { z } from "zod";
import { CompressError, type Compressor, type CompressorPlugin } from "../registry/types.ts";
import { NativeZlib } from "./_zlib_handle.ts";

// crypto/deflate.c (6.1): DEFLATE_DEF_WINBITS 11 (raw: no zlib header or trailer) and
// DEFLATE_DEF_MEMLEVEL = MAX_MEM_LEVEL, which is 8 in the kernel's zconf.h.
const DEFLATE_WINDOW_BITS = 11;
const DEFLATE_MEM_LEVEL = 8;

/** Options of the `deflate` compressor, as given. */
export interface DeflateOptions {
  /** zlib level, 1 to 9 (default 6: the kernel's Z_DEFAULT_COMPRESSION). */
  level?: number;
  /**
   * Which deflate compresses: `zlib` (default, the runtime's native zlib: fast, lengths within
   * about 0.5% of the kernel's) or `pako` (stock zlib's algorithm, as the kernel's lib/zlib_deflate:
   * the kernel's exact lengths, about a quarter of the speed). Decompression is native either way.
   */
  engine?: "zlib" | "pako";
}

/** Options of the `deflate` compressor, defaults in. */
export interface ResolvedDeflateOptions {
  /** zlib level, 1 to 9. */
  level: number;
  /** Which deflate compresses. */
  engine: "zlib" | "pako";
}

const DeflateOptionsSchema: z.ZodType<ResolvedDeflateOptions, DeflateOptions> = z.strictObject({
  level: z.int({ error: (iss) => levelError(iss.input) }).min(1, {
    error: (iss) => levelError(iss.input),
  })
    .max(9, { error: (iss) => levelError(iss.input) }).default(6)
    .describe("zlib level, 1 to 9"),
  engine: z.enum(["zlib", "pako"], {
    error: (iss) =>
      `deflate engine ${
        JSON.stringify(iss.input)
      } is not "zlib" or "pako" (pako gives the kernel's exact lengths)`,
  }).default("zlib").describe(
    "Which deflate compresses: zlib (node:zlib, fast) or pako (the kernel's exact lengths)",
  ),
});

function levelError(input: unknown): string {
  return `deflate level ${JSON.stringify(input)} is not an integer from 1 to 9 (the kernel uses 6)`;
}

class DeflateCompressor implements Compressor {
  readonly #options: zlib.ZlibOptions;
  readonly #inflateOptions: zlib.ZlibOptions = { windowBits: DEFLATE_WINDOW_BITS };
  readonly #comp: NativeZlib | null;
  readonly #decomp: NativeZlib | null;
  #scratch = new Uint8Array(0);

  readonly #pako: boolean;

  constructor(level: number, engine: "zlib" | "pako") {
    this.#pako = engine === "pako";
    this.#options = {
      level,
      windowBits: DEFLATE_WINDOW_BITS,
      memLevel: DEFLATE_MEM_LEVEL,
      strategy: zlib.constants.Z_DEFAULT_STRATEGY,
    };
    // crypto/deflate.c (6.1): one zlib_deflate(Z_FINISH) after zlib_deflateReset() per page.
    this.#comp = NativeZlib.open({
      make: () => zlib.createDeflateRaw(this.#options),
      flush: zlib.constants.Z_FINISH,
    });
    this.#decomp = NativeZlib.open({
      make: () => zlib.createInflateRaw(this.#inflateOptions),
      flush: zlib.constants.Z_FINISH,
    });
  }

  #room(length: number): Uint8Array {
    if (this.#scratch.length < length) this.#scratch = new Uint8Array(length);
    return this.#scratch;
  }

  compress(src: Uint8Array, dst: Uint8Array): number {
    let n: number;
    if (this.#pako) {
      // lib/zlib_deflate (6.1) is zlib 1.2.x's deflate, which pako 2.1.0 ports (zlib 1.2.8).
      const out = pakoDeflateRaw(src, {
        level: this.#options.level as 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9,
        windowBits: DEFLATE_WINDOW_BITS,
        memLevel: DEFLATE_MEM_LEVEL as 8,
      });
      n = out.length;
      if (n <= dst.length) {
        dst.set(out);
        return n;
      }
    } else if (this.#comp !== null) {
      // One byte more than dst: a full scratch means the output did not fit.
      const scratch = this.#room(dst.length + 1);
      n = this.#comp.write(src, scratch, dst.length + 1);
      if (n <= dst.length) {
        dst.set(scratch.subarray(0, n));
        return n;
      }
    } else {
      const out = zlib.deflateRawSync(src, this.#options);
      n = out.length;
      if (n <= dst.length) {
        dst.set(out);
        return n;
      }
    }
    throw new CompressError(
      "ENOSPC",
      `deflate output of more than ${dst.length} bytes does not fit ${dst.length}`,
    );
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    let n: number;
    let left: number;
    if (this.#decomp !== null) {
      // With Z_FINISH, zlib reports a truncated stream as an error unless the output space ran
      // out; one spare byte tells "exactly dst.length" from "more than dst.length".
      const scratch = this.#room(dst.length + 1);
      n = this.#decomp.write(src, scratch, dst.length + 1);
      left = this.#decomp.inputLeft;
      if (n <= dst.length) dst.set(scratch.subarray(0, n));
    } else {
      n = this.#inflateOneShot(src, dst);
      left = 0;
    }
    if (n > dst.length) {
      throw new CompressError(
        "ENOSPC",
        `deflate stream of ${src.length} bytes inflates to more than ${dst.length}`,
      );
    }
    if (left !== 0) {
      throw new CompressError("EINVAL", `Deflate stream ends ${left} bytes before its input`);
    }
    return n;
  }

  /** The fallback: returns the inflated length, `dst.length + 1` when it does not fit. */
  #inflateOneShot(src: Uint8Array, dst: Uint8Array): number {
    let out: Uint8Array;
    try {
      out = zlib.inflateRawSync(src, { ...this.#inflateOptions, maxOutputLength: dst.length + 1 });
    } catch (err) {
      if (err instanceof RangeError) return dst.length + 1;
      throw new CompressError("EINVAL", `Corrupt deflate stream of ${src.length} bytes`, {
        cause: err,
      });
    }
    if (out.length <= dst.length) dst.set(out);
    return out.length;
  }

  close(): void {
    this.#comp?.close();
    this.#decomp?.close();
  }
}

/**
 * Raw deflate as Linux 6.1's `crypto/deflate.c` runs it: zlib level 6, window bits 11, memory
 * level 8, default strategy, one `Z_FINISH` call per page (so the stream ends with a final block,
 * no sync marker). Runs the zlib of `node:zlib` with one reused stream each way.
 *
 * On `text.pages` the total is 0.47% below the kernel's and 20 of 1024 pages match exactly: Deno's
 * zlib is Chromium's fork (1.3.1), whose match finder hashes differently. Stock zlib's algorithm
 * (as in pako 2.1.0, a port of zlib 1.2.8) gives the kernel's length on all 1024 pages, at about a
 * quarter of the speed: option `engine: "pako"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deflateCompressor } from "./deflate.ts";
 * const codec = await deflateCompressor.create({});
 * const page = new TextEncoder().encode("zswap ".repeat(682) + "abcd");
 * const dst = new Uint8Array(4096);
 * const n = await codec.compress(page, dst);
 * const back = new Uint8Array(4096);
 * assert.equal(await codec.decompress(dst.subarray(0, n), back), 4096);
 * ```
 */
export const deflateCompressor: CompressorPlugin = {
  kind: "compressor",
  name: "deflate",
  description: "Raw deflate, zlib level 6, window bits 11, as crypto/deflate.c runs it",
  optionsSchema: DeflateOptionsSchema,
  async: false,
  create(options: unknown): Compressor {
    const o: ResolvedDeflateOptions = DeflateOptionsSchema.parse(options ?? {});
    return new DeflateCompressor(o.level, o.engine);
  },
};
