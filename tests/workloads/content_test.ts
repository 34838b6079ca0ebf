import assert from "node:assert/strict";
import { checkPageSize, contentWorkload, fillWord } from "../../workloads/content.ts";
import { resolvePattern } from "../../workloads/patterns.ts";
import { collectOps } from "./_helpers.ts";

Deno.test("contentWorkload() pairs a pattern with a page filler", () => {
  let closed = 0;
  const w = contentWorkload(3, 1, resolvePattern({ loadOrder: "sequential" }, 3, "t"), {
    fill: (id, into) => into.fill(id),
    close: () => closed++,
  });
  assert.deepEqual(collectOps(w), [
    ["store", 0, 0],
    ["store", 1, 1],
    ["store", 2, 2],
    ["load", 0, -1],
    ["load", 1, -1],
    ["load", 2, -1],
  ]);
  const page = new Uint8Array(8);
  w.page(2, page);
  assert.deepEqual([...page], [2, 2, 2, 2, 2, 2, 2, 2]);
  w.close?.();
  assert.equal(closed, 1);
});

Deno.test("fillWord() repeats one little-endian 8-byte word", () => {
  const page = new Uint8Array(4096);
  fillWord(page, 0x04030201, 0x08070605);
  for (let i = 0; i < 4096; i++) assert.equal(page[i], (i & 7) + 1);
  const odd = new Uint8Array(24);
  fillWord(odd, 0xffffffff, 0);
  assert.deepEqual([...odd.subarray(16)], [255, 255, 255, 255, 0, 0, 0, 0]);
});

Deno.test("checkPageSize() accepts powers of two from 512", () => {
  for (const ok of [512, 4096, 16384, 65536]) checkPageSize(ok);
  for (const bad of [0, 256, 4095, 5000, 1.5]) assert.throws(() => checkPageSize(bad), RangeError);
});
