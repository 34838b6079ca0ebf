import assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { nativeZlibSettings } from "../../compressors/_zlib_handle.ts";
import { zstdCompressor, zstdFrameContentSize } from "../../compressors/zstd.ts";
import { codecSuite, compareWithKernel, oraclePage, roundTrip } from "./_codec_suite.ts";

Deno.test("zstdCompressor meets the codec contract", async (t) => {
  await codecSuite(t, zstdCompressor);
});

Deno.test("zstdCompressor meets the codec contract without the native handle", async (t) => {
  nativeZlibSettings.enabled = false;
  try {
    await codecSuite(t, zstdCompressor);
  } finally {
    nativeZlibSettings.enabled = true;
  }
});

Deno.test("zstdCompressor gives the same bytes on the native and one-shot paths", async () => {
  const native = await zstdCompressor.create({});
  nativeZlibSettings.enabled = false;
  const oneShot = await zstdCompressor.create({});
  nativeZlibSettings.enabled = true;
  for (const i of [0, 100, 700]) {
    const a = new Uint8Array(4096), b = new Uint8Array(4096);
    const n = await native.compress(oraclePage(i), a);
    assert.equal(await oneShot.compress(oraclePage(i), b), n);
    assert.deepEqual(a.subarray(0, n), b.subarray(0, n));
  }
});

// crypto/zstd.c (6.1): level 3, zstd_get_params(3, 0), content size in the frame, no checksum.
Deno.test("zstdCompressor totals on text.pages are within 1% of Linux 6.1's", async () => {
  const r = await compareWithKernel(await zstdCompressor.create({}), "zstd");
  const off = Math.abs(r.ours / r.kernel - 1);
  assert.ok(off < 0.01, `ours ${r.ours}, kernel ${r.kernel} (${(off * 100).toFixed(2)}%)`);
  assert.ok(r.exact > 0, `${r.exact} of ${r.pages} pages match exactly`);
});

Deno.test("zstdCompressor frames carry the content size and no checksum, as the kernel's", async () => {
  const codec = await zstdCompressor.create({});
  const dst = new Uint8Array(4096);
  const n = await codec.compress(oraclePage(0), dst);
  // RFC 8878: descriptor 0x60 = 2-byte content size, single segment, no checksum, no dict ID.
  assert.deepEqual([...dst.subarray(0, 7)], [0x28, 0xb5, 0x2f, 0xfd, 0x60, 0x00, 0x0f]);
  assert.equal(zstdFrameContentSize(dst.subarray(0, n)), 4096);
});

Deno.test("zstdCompressor decodes a frame from the one-shot node:zlib API", async () => {
  const codec = await zstdCompressor.create({});
  const page = oraclePage(3);
  const frame = zlib.zstdCompressSync(page, { pledgedSrcSize: 4096 } as zlib.ZstdOptions);
  const back = new Uint8Array(4096);
  assert.equal(await codec.decompress(frame, back), 4096);
  assert.deepEqual(back, page);
});

Deno.test("zstdCompressor.decompress() refuses a frame without a content size", async () => {
  const codec = await zstdCompressor.create({});
  const frame = zlib.zstdCompressSync(oraclePage(3)); // streaming: no content size in the header
  await assert.rejects(async () => await codec.decompress(frame, new Uint8Array(4096)), {
    name: "CompressError",
    code: "EINVAL",
  });
});

Deno.test("zstdCompressor levels trade length for effort", async (t) => {
  const page = oraclePage(10);
  const lengths: number[] = [];
  for (const level of [1, 3, 9, 19, 22]) {
    await t.step(`level ${level} round-trips`, async () => {
      lengths.push(await roundTrip(await zstdCompressor.create({ level }), page));
    });
  }
  assert.ok(lengths[0] > lengths[4], `level 1 ${lengths[0]} > level 22 ${lengths[4]}`);
});

Deno.test("zstdCompressor.create() validates its options", () => {
  for (const bad of [{ level: 0 }, { level: 23 }, { level: 2.5 }, { level: "3" }, { lvl: 3 }]) {
    assert.throws(() => zstdCompressor.create(bad), {
      name: "UsageError",
      message: /^Invalid options for compressor "zstd": /,
    }, JSON.stringify(bad));
  }
});

Deno.test("zstdFrameContentSize() reads every content-size field width", () => {
  const frame = (descriptor: number, ...rest: number[]) =>
    new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, descriptor, ...rest, 0, 0, 0, 0]);
  // RFC 8878 §3.1.1.1: single segment + flag 0 = 1 byte; flag 1 = 2 bytes + 256; flag 2 = 4 bytes.
  assert.equal(zstdFrameContentSize(frame(0x20, 200)), 200);
  assert.equal(zstdFrameContentSize(frame(0x60, 0x00, 0x0f)), 4096);
  assert.equal(zstdFrameContentSize(frame(0xa0, 0x00, 0x00, 0x01, 0x00)), 65536);
  assert.equal(zstdFrameContentSize(frame(0x80, 0x58, 0x00, 0x10, 0x00, 0x00)), 4096);
  assert.throws(() => zstdFrameContentSize(frame(0x00, 0x58)), { code: "EINVAL" });
  assert.throws(() => zstdFrameContentSize(new Uint8Array(10)), { code: "EINVAL" });
});
