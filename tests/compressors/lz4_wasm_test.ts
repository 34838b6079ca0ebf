import assert from "node:assert/strict";
import { compress as lz4WasmCompress } from "lz4-wasm/lz4_wasm.js";
import { lz4WasmCompressor } from "../../compressors/lz4_wasm.ts";
import { codecSuite, oraclePage, roundTrip } from "./_codec_suite.ts";

Deno.test("lz4WasmCompressor meets the codec contract", async (t) => {
  await codecSuite(t, lz4WasmCompressor);
});

Deno.test("lz4WasmCompressor.compress() returns the block without the 4-byte size prefix", async () => {
  const codec = await lz4WasmCompressor.create({});
  const page = oraclePage(0);
  const framed = lz4WasmCompress(page);
  assert.equal(new DataView(framed.buffer, framed.byteOffset).getUint32(0, true), 4096);
  const dst = new Uint8Array(4096);
  const n = await codec.compress(page, dst);
  assert.equal(n, framed.length - 4);
  assert.deepEqual(dst.subarray(0, n), framed.subarray(4));
});

Deno.test("lz4WasmCompressor.decompress() accepts a block shorter than dst", async () => {
  const codec = await lz4WasmCompressor.create({});
  const src = new TextEncoder().encode("hello hello hello hello world");
  await roundTrip(codec, src, 64);
  const dst = new Uint8Array(64);
  const n = await codec.compress(src, dst);
  const back = new Uint8Array(4096);
  assert.equal(await codec.decompress(dst.subarray(0, n), back), src.length);
  assert.deepEqual(back.subarray(0, src.length), src);
});

Deno.test("lz4WasmCompressor.create() rejects unknown options", () => {
  assert.throws(() => lz4WasmCompressor.create({ acceleration: 2 }), { name: "UsageError" });
});
