import assert from "node:assert/strict";
import { builtinCompressors } from "../../compressors/mod.ts";
import { oraclePage, roundTrip } from "./_codec_suite.ts";

Deno.test("builtinCompressors lists every built-in codec once", () => {
  const names = builtinCompressors.map((p) => p.name);
  assert.deepEqual(
    [...names].sort(),
    ["deflate", "lengths", "lz4", "lz4-wasm", "lzo", "lzo-rle", "none", "zstd"],
  );
  for (const p of builtinCompressors) {
    assert.equal(p.kind, "compressor");
    assert.equal(p.async, false);
    assert.match(p.name, /^[a-z0-9-]+$/);
    assert.ok(p.description.length > 0);
  }
});

Deno.test("builtinCompressors each round-trip a text page with default options", async (t) => {
  for (const p of builtinCompressors.filter((p) => p.name !== "lengths")) {
    await t.step(p.name, async () => {
      const n = await roundTrip(await p.create(undefined), oraclePage(0));
      if (p.name !== "none") assert.ok(n < 4096, `${p.name} length ${n}`);
    });
  }
});
