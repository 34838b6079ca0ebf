/**
 * An example compressor plugin to start your own from: "noisy", a byte run-length codec with an
 * optional noise knob that corrupts what it decompresses, to show what the integrity check does.
 * The module exports two plugins: `noisy` (synchronous, like the kernel's software codecs) and
 * `noisy-async` (the same codec answered through a Promise, like an offload engine behind
 * crypto_acomp, so zswap must sleep while it waits).
 *
 * The format: a stream of tokens. A token byte `t < 0x80` is followed by `t + 1` literal bytes; a
 * token byte `t >= 0x80` is followed by one byte repeated `(t & 0x7f) + 2` times. A zero page is
 * 32 repeat tokens (64 bytes for 4 KiB), a page of text barely shrinks, and random bytes grow by
 * one byte in 128, so they do not fit one page and `compress()` throws `ENOSPC`.
 *
 * ```sh
 * deno task bench --plugin examples/noisy_compressor.ts --compressors noisy,lz4 --allocators zsmalloc
 * # the integrity check at work: every 50th decompressed page comes back with one bit flipped
 * # (on stripe pages, which noisy compresses; on mixed too few pages reach decompress())
 * deno task bench --quick --plugin examples/noisy_compressor.ts \
 *   --plugin examples/stripe_workload.ts --allocators zsmalloc --workloads stripe \
 *   --compressors 'noisy:{"corruptEvery":50}'
 * # sleeping while a zsmalloc handle is mapped (the 2020 bug), counted in "violations"
 * deno task bench --quick --plugin examples/noisy_compressor.ts --allocators zsmalloc \
 *   --compressors noisy-async --strategies sleep-mapped,percpu-buffer
 * ```
 *
 * What a compressor plugin must do (the `Compressor` contract in registry/types.ts):
 * - write into the caller's `dst` and return the number of bytes written: no container header,
 *   no size prefix (zswap stores the length in its entry);
 * - never write past `dst`: throw `CompressError("ENOSPC")` when the output does not fit (zswap's
 *   destination is one page, so this is how "does not compress" is reported);
 * - throw `CompressError("EINVAL")` for a corrupt or truncated block on `decompress()`;
 * - be deterministic: the same page gives the same bytes, whatever came before;
 * - set `async: true` only when the calls return Promises that settle later: zswap then treats
 *   every call as a sleep (a violation while the task is atomic);
 * - validate options with zod in `create()`, so a typo fails before the first store.
 *
 * @module
 */
import { z } from "zod";
import { defineCompressor, parsePluginOptions } from "../registry/mod.ts";
import {
  CompressError,
  type Compressor,
  type CompressorPlugin,
  type Plugin,
} from "../registry/types.ts";

/** Longest literal run one token holds. */
const MAX_LITERAL = 128;
/** Shortest repeat run one token holds. */
const MIN_REPEAT = 2;
/** Longest repeat run one token holds. */
const MAX_REPEAT = 0x7f + MIN_REPEAT;

/** The options of `noisy` and `noisy-async`: every one optional. */
export interface NoisyOptions {
  /** Shortest run of one byte encoded as a repeat token, 2 to 129 (default 3). */
  minRun?: number;
  /** Flip one bit in every Nth decompressed page; 0 (the default) never does. */
  corruptEvery?: number;
}

// The same options as a zod schema: defaults inside, unknown keys refused.
const NoisyOptionsSchema = z.strictObject({
  minRun: z.number().int().min(MIN_REPEAT).max(MAX_REPEAT).default(3),
  corruptEvery: z.number().int().min(0).default(0),
});

/** The options once the defaults are in. */
type ResolvedNoisyOptions = z.output<typeof NoisyOptionsSchema>;

/**
 * Run-length encode `src` into `dst`.
 *
 * @param src The bytes to compress (a page).
 * @param dst Where the encoded bytes go.
 * @param minRun Shortest run encoded as a repeat token.
 * @returns The encoded length.
 * @throws {CompressError} `ENOSPC` when the encoding does not fit `dst`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rleEncode } from "./noisy_compressor.ts";
 * const dst = new Uint8Array(4096);
 * assert.equal(rleEncode(new Uint8Array(4096), dst, 3), 64); // 32 repeat tokens of up to 129 zeros
 * ```
 */
export function rleEncode(src: Uint8Array, dst: Uint8Array, minRun: number): number {
  const n = src.length;
  let out = 0;
  let literalStart = 0;
  let i = 0;
  while (i < n) {
    const value = src[i];
    let run = 1;
    while (i + run < n && run < MAX_REPEAT && src[i + run] === value) run++;
    if (run < minRun) {
      i += run; // too short: these bytes join the pending literals
      continue;
    }
    out = flushLiterals(src, literalStart, i, dst, out);
    if (out + 2 > dst.length) throw tooBig(n, dst.length);
    dst[out++] = 0x80 | (run - MIN_REPEAT);
    dst[out++] = value;
    i += run;
    literalStart = i;
  }
  return flushLiterals(src, literalStart, n, dst, out);
}

/** Write `src[from, to)` as literal tokens at `dst[out]`; returns the new output position. */
function flushLiterals(
  src: Uint8Array,
  from: number,
  to: number,
  dst: Uint8Array,
  out: number,
): number {
  for (let at = from; at < to; at += MAX_LITERAL) {
    const len = Math.min(MAX_LITERAL, to - at);
    if (out + 1 + len > dst.length) throw tooBig(src.length, dst.length);
    dst[out++] = len - 1;
    dst.set(src.subarray(at, at + len), out);
    out += len;
  }
  return out;
}

function tooBig(inputBytes: number, room: number): CompressError {
  return new CompressError(
    "ENOSPC",
    `Run-length output of ${inputBytes} bytes does not fit ${room} bytes`,
  );
}

/**
 * Decode a run-length block into `dst`.
 *
 * @param src One block, exactly as `rleEncode` wrote it.
 * @param dst Where the decoded bytes go.
 * @returns The decoded length.
 * @throws {CompressError} `EINVAL` for a truncated block, `ENOSPC` when the output does not fit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rleDecode } from "./noisy_compressor.ts";
 * const page = new Uint8Array(8);
 * assert.ok(rleDecode(new Uint8Array([0x86, 7]), page) === 8 && page[7] === 7);
 * ```
 */
export function rleDecode(src: Uint8Array, dst: Uint8Array): number {
  let i = 0;
  let out = 0;
  while (i < src.length) {
    const token = src[i++];
    if (token < 0x80) {
      const len = token + 1;
      if (i + len > src.length) {
        throw new CompressError("EINVAL", `Literal run of ${len} bytes at ${i - 1} is truncated`);
      }
      if (out + len > dst.length) throw overflow(dst.length);
      dst.set(src.subarray(i, i + len), out);
      i += len;
      out += len;
    } else {
      if (i >= src.length) {
        throw new CompressError("EINVAL", `Repeat token at ${i - 1} has no value byte`);
      }
      const len = (token & 0x7f) + MIN_REPEAT;
      if (out + len > dst.length) throw overflow(dst.length);
      dst.fill(src[i++], out, out + len);
      out += len;
    }
  }
  return out;
}

function overflow(room: number): CompressError {
  return new CompressError("ENOSPC", `Decoded block does not fit ${room} bytes`);
}

/** Parse the options the way the built-ins do: a one-line `UsageError` naming the bad key. */
function parseOptions(name: string, options: unknown): ResolvedNoisyOptions {
  return parsePluginOptions("compressor", name, NoisyOptionsSchema, options);
}

/** One codec instance: encoder settings and the noise counter live here, one per cell. */
function makeCodec(o: ResolvedNoisyOptions): Compressor {
  let decoded = 0;
  return {
    compress: (src: Uint8Array, dst: Uint8Array): number => rleEncode(src, dst, o.minRun),
    decompress(src: Uint8Array, dst: Uint8Array): number {
      const n = rleDecode(src, dst);
      decoded++;
      if (o.corruptEvery > 0 && n > 0 && decoded % o.corruptEvery === 0) {
        dst[decoded % n] ^= 1; // the noise: one flipped bit the integrity check must catch
      }
      return n;
    },
  };
}

/**
 * The `noisy` compressor: byte run-length encoding, synchronous. Options `minRun` (default 3) and
 * `corruptEvery` (default 0: no noise).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noisyCompressor } from "./noisy_compressor.ts";
 * const codec = await noisyCompressor.create({});
 * const page = new Uint8Array(4096).fill(7);
 * const dst = new Uint8Array(4096);
 * const n = await codec.compress(page, dst);
 * const back = new Uint8Array(4096);
 * assert.ok(await codec.decompress(dst.subarray(0, n), back) === 4096 && back[4095] === 7);
 * ```
 */
export const noisyCompressor: CompressorPlugin = defineCompressor({
  kind: "compressor",
  name: "noisy",
  description:
    "Example: byte run-length codec; corruptEvery flips bits (examples/noisy_compressor.ts)",
  async: false,
  create(options: unknown): Compressor {
    return makeCodec(parseOptions("noisy", options));
  },
});

/**
 * The `noisy-async` compressor: the same codec, each call answered through a Promise as an
 * asynchronous (offload) engine would. zswap must sleep while it waits, so every call made while
 * the task is atomic counts as a violation. Same options as `noisy`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { noisyAsyncCompressor } from "./noisy_compressor.ts";
 * const codec = await noisyAsyncCompressor.create({ minRun: 4 });
 * const pending = codec.compress(new Uint8Array(4096), new Uint8Array(4096));
 * assert.ok(pending instanceof Promise && (await pending) === 64);
 * ```
 */
export const noisyAsyncCompressor: CompressorPlugin = defineCompressor({
  kind: "compressor",
  name: "noisy-async",
  description: "Example: noisy answered through a Promise, like an offload engine (async)",
  async: true,
  create(options: unknown): Compressor {
    const codec = makeCodec(parseOptions("noisy-async", options));
    return {
      // An async function turns a throw into a rejected Promise: zswap handles both alike.
      compress: async (src: Uint8Array, dst: Uint8Array): Promise<number> =>
        await codec.compress(src, dst),
      decompress: async (src: Uint8Array, dst: Uint8Array): Promise<number> =>
        await codec.decompress(src, dst),
    };
  },
});

/** Both plugins: a plugin module may default-export an array. */
const plugins: Plugin[] = [noisyCompressor, noisyAsyncCompressor];

export default plugins;
