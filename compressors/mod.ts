/**
 * The built-in compressors. Each is a `CompressorPlugin` whose instances write into caller buffers
 * and return raw lengths (no container header, no size prefix), as the kernel's crypto API does:
 *
 * - `lz4`, `lzo`, `lzo-rle`: the kernel's own lz4 and lzo1x, in TypeScript.
 * - `lz4-wasm`: the `lz4-wasm` package, the stock-wasm reference row.
 * - `zstd`, `deflate`: native libzstd and zlib through `node:zlib`, set up as `crypto/` sets them.
 * - `none`: a copy, the ceiling row.
 * - `lengths`: the pseudo-compressor of the `lengths` workload (replayed lengths, no codec).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { builtinCompressors } from "./mod.ts";
 * assert.ok(builtinCompressors.some((p) => p.name === "zstd"));
 * ```
 *
 * @module
 */

import type { CompressorPlugin } from "../registry/types.ts";
import { deflateCompressor } from "./deflate.ts";
import { lengthsCompressor } from "./lengths.ts";
import { lz4Compressor } from "./lz4.ts";
import { lz4WasmCompressor } from "./lz4_wasm.ts";
import { lzoCompressor, lzoRleCompressor } from "./lzo.ts";
import { noneCompressor } from "./none.ts";
import { createOffloadCompressor } from "./offload.ts";
import { zstdCompressor } from "./zstd.ts";

export { deflateCompressor } from "./deflate.ts";
export type { DeflateOptions, ResolvedDeflateOptions } from "./deflate.ts";
export {
  encodeLengthsPage,
  LENGTHS_HEADER_BYTES,
  LENGTHS_MAGIC,
  LENGTHS_SAME_FILLED_MAGIC,
  lengthsCompressor,
} from "./lengths.ts";
export type { LengthsEntry } from "./lengths.ts";
export { lz4Compressor } from "./lz4.ts";
export { lz4WasmCompressor } from "./lz4_wasm.ts";
export { lzoCompressor, lzoRleCompressor } from "./lzo.ts";
export { noneCompressor } from "./none.ts";
export {
  createOffloadCompressor,
  type OffloadCodecResolver,
  type OffloadOptions,
} from "./offload.ts";
export {
  createModelledEngine,
  ENGINE_PRESETS,
  type EngineOptions,
  type EnginePreset,
  type PerDirection,
  resolveEngine,
} from "./engines.ts";
export { zstdCompressor, zstdFrameContentSize } from "./zstd.ts";
export type { ResolvedZstdOptions, ZstdOptions } from "./zstd.ts";

/**
 * Every built-in compressor, in the order `cli list` shows them: the kernel's codecs first, then
 * the references, then the `lengths` pseudo-compressor.
 */
export const builtinCompressors: CompressorPlugin[] = [
  lz4Compressor,
  lz4WasmCompressor,
  lzoCompressor,
  lzoRleCompressor,
  zstdCompressor,
  deflateCompressor,
  noneCompressor,
  lengthsCompressor,
];

/**
 * The `offload` compressor over the built-in codecs. Not in {@linkcode builtinCompressors}: it
 * wraps them. A registry makes its own with `createOffloadCompressor()`, so that it also finds the
 * codecs of plugin modules loaded into that registry (`createDefaultRegistry()` does).
 */
export const offloadCompressor: CompressorPlugin = createOffloadCompressor(builtinCompressors);
