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
  const codec = await deflateCompressor.create({ engine: "zlib" });
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
    assert.throws(() => deflateCompressor.create(bad), {
      name: "UsageError",
      message: /^Invalid options for compressor "deflate": /,
    }, JSON.stringify(bad));
  }
});

Deno.test("deflateCompressor with engine pako gives the 6.1 kernel's length on every oracle page", async () => {
  // lib/zlib_deflate (6.1) is stock zlib's deflate; kernel-6.1-text-lengths.csv holds its lengths.
  const oracle = new URL("../oracle/", import.meta.url);
  const pages = await Deno.readFile(new URL("text.pages", oracle));
  const [header, ...rows] =
    (await Deno.readTextFile(new URL("kernel-6.1-text-lengths.csv", oracle)))
      .trim().split("\n").map((line) => line.trim().split(","));
  const col = header.indexOf("deflate");
  const codec = await deflateCompressor.create({ engine: "pako" });
  const dst = new Uint8Array(4096);
  const back = new Uint8Array(4096);
  let same = 0;
  for (let i = 0; i < rows.length; i++) {
    const page = pages.subarray(i * 4096, (i + 1) * 4096);
    const n = await codec.compress(page, dst);
    if (String(n) === rows[i][col]) same++;
    assert.equal(await codec.decompress(dst.subarray(0, n), back), 4096);
    assert.deepEqual(back, page);
  }
  console.log(`deflate (pako) lengths identical to kernel 6.1: ${same}/${rows.length}`);
  assert.equal(same, rows.length);
});

Deno.test("deflateCompressor.create() rejects an unknown engine", () => {
  assert.throws(
    () => deflateCompressor.create({ engine: "miniz" }),
    /engine: must be "zlib" or "pako" \(got "miniz"\)/,
  );
});
