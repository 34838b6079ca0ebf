import assert from "node:assert/strict";
import {
  encodeLengthsPage,
  LENGTHS_HEADER_BYTES,
  lengthsCompressor,
} from "../../compressors/lengths.ts";
import { guarded, kernelLengths, randomBytes } from "./_codec_suite.ts";

async function roundTripPage(pageId: number, length: number | "S" | "R", pageSize = 4096) {
  const codec = await lengthsCompressor.create({});
  const page = new Uint8Array(pageSize);
  encodeLengthsPage(pageId, length, page);
  const dst = guarded(pageSize);
  const n = await codec.compress(page, dst.buf);
  assert.ok(dst.intact());
  const back = guarded(pageSize);
  assert.equal(await codec.decompress(dst.buf.slice(0, n), back.buf), pageSize);
  assert.ok(back.intact());
  assert.deepEqual(back.buf, page);
  return n;
}

Deno.test("lengthsCompressor.compress() writes exactly the encoded length", async (t) => {
  for (const length of [1, 2, 3, 7, 8, 9, 100, 1594, 4095, 4096]) {
    await t.step(`length ${length}`, async () => {
      assert.equal(await roundTripPage(123456, length), length);
    });
  }
});

Deno.test("lengthsCompressor round-trips every length of the kernel oracle (zstd column)", async () => {
  const lengths = kernelLengths("zstd");
  for (let i = 0; i < lengths.length; i += 7) {
    const v = lengths[i];
    const entry = v === "S" || v === "R" ? v : Number(v);
    if (entry === "R") continue;
    const n = await roundTripPage(i, entry);
    if (entry !== "S") assert.equal(n, entry);
  }
});

Deno.test("lengthsCompressor round-trips other page sizes", async (t) => {
  for (const pageSize of [16384, 65536]) {
    await t.step(`${pageSize} bytes`, async () => {
      assert.equal(await roundTripPage(9, 3000, pageSize), 3000);
      assert.equal(await roundTripPage(9, 5, pageSize), 5);
    });
  }
});

Deno.test("lengthsCompressor.compress() throws ENOSPC for an R page and a small dst", async () => {
  const codec = await lengthsCompressor.create({});
  const page = new Uint8Array(4096);
  encodeLengthsPage(5, "R", page);
  await assert.rejects(async () => await codec.compress(page, new Uint8Array(8192)), {
    name: "CompressError",
    code: "ENOSPC",
  });
  encodeLengthsPage(5, 2000, page);
  const dst = guarded(1999);
  await assert.rejects(async () => await codec.compress(page, dst.buf), {
    name: "CompressError",
    code: "ENOSPC",
  });
  assert.ok(dst.intact());
});

Deno.test("encodeLengthsPage() makes S pages same-filled and others not", () => {
  const page = new Uint8Array(4096);
  const sameFilled = () => page.every((b, i) => b === page[i & 7]);
  encodeLengthsPage(77, "S", page);
  assert.ok(sameFilled());
  for (const length of [1, 8, 4096, "R"] as const) {
    encodeLengthsPage(77, length, page);
    assert.ok(!sameFilled(), `length ${length}`);
  }
});

Deno.test("encodeLengthsPage() gives distinct pages for distinct ids", () => {
  const a = new Uint8Array(4096), b = new Uint8Array(4096);
  encodeLengthsPage(1, 500, a);
  encodeLengthsPage(2, 500, b);
  assert.notDeepEqual(a, b);
  // Below the header size the object holds id mod 256^length: ids 1 and 257 share a 1-byte page.
  encodeLengthsPage(1, 1, a);
  encodeLengthsPage(257, 1, b);
  assert.deepEqual(a, b);
  assert.ok(LENGTHS_HEADER_BYTES === 8);
});

Deno.test("lengthsCompressor round-trips an S page when no same-filled check ran", async () => {
  assert.equal(await roundTripPage(42, "S"), 8);
});

Deno.test("lengthsCompressor.compress() refuses pages it did not make", async () => {
  const codec = await lengthsCompressor.create({});
  for (const page of [new Uint8Array(4096), randomBytes(4096, 1), new Uint8Array(4)]) {
    await assert.rejects(async () => await codec.compress(page, new Uint8Array(4096)), {
      name: "CompressError",
      code: "EINVAL",
    });
  }
});

Deno.test("lengthsCompressor.decompress() refuses corrupt objects (seed 11)", async () => {
  const codec = await lengthsCompressor.create({});
  const page = new Uint8Array(4096);
  encodeLengthsPage(31, 900, page);
  const obj = new Uint8Array(4096);
  const n = await codec.compress(page, obj);
  const bad = obj.slice(0, n);
  bad[500] ^= 0xff;
  await assert.rejects(async () => await codec.decompress(bad, new Uint8Array(4096)), {
    code: "EINVAL",
  });
  await assert.rejects(
    async () => await codec.decompress(obj.slice(0, n - 1), new Uint8Array(4096)),
    {
      code: "EINVAL",
    },
  );
  for (let k = 0; k < 50; k++) {
    const out = guarded(4096);
    try {
      await codec.decompress(randomBytes(8 + k * 13, 11 + k), out.buf);
    } catch (err) {
      assert.equal((err as Error).name, "CompressError");
    }
    assert.ok(out.intact());
  }
});

Deno.test("encodeLengthsPage() rejects bad arguments", () => {
  const page = new Uint8Array(4096);
  assert.throws(() => encodeLengthsPage(-1, 10, page), RangeError);
  assert.throws(() => encodeLengthsPage(2 ** 32, 10, page), RangeError);
  assert.throws(() => encodeLengthsPage(1, 0, page), RangeError);
  assert.throws(() => encodeLengthsPage(1, 4097, page), RangeError);
  assert.throws(() => encodeLengthsPage(1, 1.5, page), RangeError);
  assert.throws(() => encodeLengthsPage(1, 10, new Uint8Array(3000)), RangeError);
});

Deno.test("lengthsCompressor.create() rejects unknown options", () => {
  assert.throws(() => lengthsCompressor.create({ csv: "x" }), { name: "UsageError" });
});
