/**
 * Speed of every built-in codec on the oracle page set (text pages of 4 KiB), side by side with
 * lz4-wasm called directly (no wrapper), in one run. Every iteration handles the first 256 pages
 * (1 MiB), so MB/s = 1.048576 / (seconds per iteration); `deno bench --json` gives the times.
 *
 * Run: `deno bench -A tests/compressors/codecs_bench.ts`
 *
 * @module
 */

import { compress as wasmCompress, decompress as wasmDecompress } from "lz4-wasm/lz4_wasm.js";
import { builtinCompressors } from "../../compressors/mod.ts";
import type { Compressor } from "../../registry/types.ts";

const PAGE = 4096;
const COUNT = 256;
const pages = Deno.readFileSync(new URL("../oracle/text.pages", import.meta.url));
const srcs: Uint8Array[] = [];
for (let i = 0; i < COUNT; i++) srcs.push(pages.subarray(i * PAGE, (i + 1) * PAGE));
const dst = new Uint8Array(PAGE);
const back = new Uint8Array(PAGE);
let sink = 0;

const wasmBlocks = srcs.map((s) => wasmCompress(s));
Deno.bench("lz4-wasm direct", { group: "compress 1 MiB", baseline: true }, () => {
  for (let i = 0; i < COUNT; i++) sink += wasmCompress(srcs[i]).length;
});
Deno.bench("lz4-wasm direct", { group: "decompress 1 MiB", baseline: true }, () => {
  for (let i = 0; i < COUNT; i++) sink += wasmDecompress(wasmBlocks[i]).length;
});

for (const plugin of builtinCompressors.filter((p) => p.name !== "lengths")) {
  const codec = await plugin.create({}) as Compressor;
  const blocks = srcs.map((s) => dst.slice(0, codec.compress(s, dst) as number));
  Deno.bench(plugin.name, { group: "compress 1 MiB" }, () => {
    for (let i = 0; i < COUNT; i++) sink += codec.compress(srcs[i], dst) as number;
  });
  Deno.bench(plugin.name, { group: "decompress 1 MiB" }, () => {
    for (let i = 0; i < COUNT; i++) sink += codec.decompress(blocks[i], back) as number;
  });
}

globalThis.addEventListener("unload", () => {
  if (sink === -1) console.log(sink); // keep the results alive
});
