import assert from "node:assert/strict";
import { noneCompressor } from "../../compressors/none.ts";
import { codecSuite, guarded } from "./_codec_suite.ts";

Deno.test("noneCompressor meets the codec contract", async (t) => {
  await codecSuite(t, noneCompressor, { copies: true });
});

Deno.test("noneCompressor.compress() returns the input length", async () => {
  const codec = await noneCompressor.create({});
  const page = new Uint8Array(4096).map((_, i) => i * 7);
  const dst = guarded(4096);
  assert.equal(await codec.compress(page, dst.buf), 4096);
  assert.deepEqual(dst.buf, page);
});

Deno.test("noneCompressor.create() rejects unknown options", () => {
  assert.throws(() => noneCompressor.create({ level: 1 }), { name: "UsageError" });
});
