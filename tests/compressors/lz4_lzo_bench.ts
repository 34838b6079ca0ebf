/**
 * Speed of the TypeScript lz4, lzo and lzo-rle codecs on the oracle page set (1024 text pages of
 * 4 KiB), next to lz4-wasm called directly. Every iteration handles all 1024 pages (4 MiB), so
 * MB/s = 4.194304 / (seconds per iteration); `deno bench --json` gives the times.
 *
 * Run: `deno bench -A tests/compressors/lz4_lzo_bench.ts`
 *
 * @module
 */

import { compress as wasmCompress, decompress as wasmDecompress } from "lz4-wasm/lz4_wasm.js";
import type { Compressor } from "../../registry/types.ts";
import { lz4Compressor } from "../../compressors/lz4.ts";
import { lzoCompressor, lzoRleCompressor } from "../../compressors/lzo.ts";

const PAGE = 4096;
const pages = Deno.readFileSync(new URL("../oracle/text.pages", import.meta.url));
const count = pages.length / PAGE;
const srcs: Uint8Array[] = [];
for (let i = 0; i < count; i++) srcs.push(pages.subarray(i * PAGE, (i + 1) * PAGE));

/** Compress every page once and keep the blocks, for the decompression benchmarks. */
function blocksOf(c: Compressor): Uint8Array[] {
  const dst = new Uint8Array(PAGE);
  return srcs.map((s) => dst.slice(0, c.compress(s, dst) as number));
}

const lz4 = lz4Compressor.create({}) as Compressor;
const lzo = lzoCompressor.create({}) as Compressor;
const lzoRle = lzoRleCompressor.create({}) as Compressor;
const lz4Blocks = blocksOf(lz4);
const lzoBlocks = blocksOf(lzo);
const lzoRleBlocks = blocksOf(lzoRle);
const wasmBlocks = srcs.map((s) => wasmCompress(s));
const dst = new Uint8Array(PAGE);
const back = new Uint8Array(PAGE);
let sink = 0;

function compressAll(c: Compressor): void {
  for (let i = 0; i < count; i++) sink += c.compress(srcs[i], dst) as number;
}
function decompressAll(c: Compressor, blocks: Uint8Array[]): void {
  for (let i = 0; i < count; i++) sink += c.decompress(blocks[i], back) as number;
}

Deno.bench("lz4 compress, 4 MiB of text pages", { group: "lz4 compress", baseline: true }, () => {
  compressAll(lz4);
});
Deno.bench("lz4-wasm compress, 4 MiB of text pages", { group: "lz4 compress" }, () => {
  for (let i = 0; i < count; i++) sink += wasmCompress(srcs[i]).length;
});
Deno.bench(
  "lz4 decompress, 4 MiB of text pages",
  { group: "lz4 decompress", baseline: true },
  () => {
    decompressAll(lz4, lz4Blocks);
  },
);
Deno.bench("lz4-wasm decompress, 4 MiB of text pages", { group: "lz4 decompress" }, () => {
  for (let i = 0; i < count; i++) sink += wasmDecompress(wasmBlocks[i]).length;
});
Deno.bench("lzo compress, 4 MiB of text pages", { group: "lzo compress", baseline: true }, () => {
  compressAll(lzo);
});
Deno.bench("lzo-rle compress, 4 MiB of text pages", { group: "lzo compress" }, () => {
  compressAll(lzoRle);
});
Deno.bench(
  "lzo decompress, 4 MiB of text pages",
  { group: "lzo decompress", baseline: true },
  () => {
    decompressAll(lzo, lzoBlocks);
  },
);
Deno.bench("lzo-rle decompress, 4 MiB of text pages", { group: "lzo decompress" }, () => {
  decompressAll(lzoRle, lzoRleBlocks);
});

globalThis.addEventListener("unload", () => {
  if (sink === 0) console.log("no work done");
});
