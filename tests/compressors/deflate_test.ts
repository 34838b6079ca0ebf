import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { nativeZlibSettings } from "../../compressors/_zlib_handle.ts";
import { deflateCompressor } from "../../compressors/deflate.ts";
import { codecSuite, compareWithKernel, oraclePage, roundTrip } from "./_codec_suite.ts";

Deno.test("deflateCompressor meets the codec contract", async (t) => {
  await codecSuite(t, deflateCompressor);
});

Deno.test("deflateCompressor meets the codec contract without the native handle", async (t) => {
  nativeZlibSettings.enabled = false;
  try {
    await codecSuite(t, deflateCompressor);
  } finally {
    nativeZlibSettings.enabled = true;
  }
});

// crypto/deflate.c (6.1): level 6, raw, window bits 11, memory level 8, one Z_FINISH call.
Deno.test("deflateCompressor totals on text.pages are within 1% of Linux 6.1's", async () => {
  const r = await compareWithKernel(await deflateCompressor.create({}), "deflate");
  const off = Math.abs(r.ours / r.kernel - 1);
  assert.ok(off < 0.01, `ours ${r.ours}, kernel ${r.kernel} (${(off * 100).toFixed(2)}%)`);
});

Deno.test("deflateCompressor output is a raw stream that node:zlib inflates", async () => {
  const codec = await deflateCompressor.create({});
  const page = oraclePage(4);
  const dst = new Uint8Array(4096);
  const n = await codec.compress(page, dst);
  assert.deepEqual(new Uint8Array(zlib.inflateRawSync(dst.subarray(0, n))), page);
  assert.deepEqual(
    dst.subarray(0, n),
    new Uint8Array(zlib.deflateRawSync(page, { level: 6, windowBits: 11, memLevel: 8 })),
  );
});

Deno.test("deflateCompressor.decompress() refuses trailing bytes after the stream", async () => {
  const codec = await deflateCompressor.create({});
  const dst = new Uint8Array(4100);
  const n = await codec.compress(oraclePage(4), dst);
  await assert.rejects(
    async () => await codec.decompress(dst.subarray(0, n + 4), new Uint8Array(4096)),
    { name: "CompressError", code: "EINVAL" },
  );
});

Deno.test("deflateCompressor levels round-trip", async (t) => {
  for (const level of [1, 6, 9]) {
    await t.step(`level ${level}`, async () => {
      await roundTrip(await deflateCompressor.create({ level }), oraclePage(11));
    });
  }
});

Deno.test("deflateCompressor.create() validates its options", () => {
  for (const bad of [{ level: 0 }, { level: 10 }, { windowBits: 15 }]) {
    assert.throws(() => deflateCompressor.create(bad), { name: "ZodError" }, JSON.stringify(bad));
  }
});
