/**
 * What a kernel's config says zswap can use: which zpools and compressors exist (built in or as
 * modules), read from its `config` file (`/boot/config-*` in the package, or
 * `lib/modules/<version>/config` from 7.x).
 *
 * @module
 */

/** zpools and compressors a kernel has. */
export interface KernelFeatures {
  /** zpools, e.g. `["zbud", "z3fold", "zsmalloc"]` (zswapbench's names). */
  zpools: string[];
  /** Compressors zswap can use, e.g. `["lzo", "lz4", "zstd", "deflate"]`. */
  compressors: string[];
}

/** zswap's names and the config options that give them (any of them, `y` or `m`). */
const ZPOOLS: readonly [string, readonly string[]][] = [
  ["zbud", ["CONFIG_ZBUD"]],
  // mm/Kconfig (6.x): Debian's 6.12 leaves CONFIG_Z3FOLD_DEPRECATED unset, so there is no z3fold.
  ["z3fold", ["CONFIG_Z3FOLD", "CONFIG_Z3FOLD_DEPRECATED"]],
  ["zsmalloc", ["CONFIG_ZSMALLOC"]],
];
const COMPRESSORS: readonly [string, string][] = [
  ["lzo", "CONFIG_CRYPTO_LZO"],
  ["lzo-rle", "CONFIG_CRYPTO_LZO"], // crypto/lzo-rle.c is built with CRYPTO_LZO
  ["lz4", "CONFIG_CRYPTO_LZ4"],
  ["lz4hc", "CONFIG_CRYPTO_LZ4HC"],
  ["zstd", "CONFIG_CRYPTO_ZSTD"],
  ["deflate", "CONFIG_CRYPTO_DEFLATE"],
  ["842", "CONFIG_CRYPTO_842"],
];

/**
 * Parse a kernel config's `CONFIG_X=value` lines.
 *
 * @param text The config file.
 * @returns Option -> value (`y`, `m`, a string or number as written).
 */
export function parseKernelConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/**
 * The zpools and compressors a config enables.
 *
 * @param config From {@link parseKernelConfig}.
 * @returns Them, in zswapbench's order.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { kernelFeatures, parseKernelConfig } from "./config.ts";
 * const f = kernelFeatures(parseKernelConfig("CONFIG_ZSMALLOC=m\nCONFIG_CRYPTO_LZ4=y\n"));
 * assert.deepEqual(f, { zpools: ["zsmalloc"], compressors: ["lz4"] });
 * ```
 */
export function kernelFeatures(config: Map<string, string>): KernelFeatures {
  const on = (k: string) => config.get(k) === "y" || config.get(k) === "m";
  return {
    zpools: ZPOOLS.filter(([, keys]) => keys.some(on)).map(([name]) => name),
    compressors: COMPRESSORS.filter(([, key]) => on(key)).map(([name]) => name),
  };
}
