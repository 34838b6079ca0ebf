import assert from "node:assert/strict";
import { zeroWorkload } from "../../workloads/zero.ts";
import { collectOps, make } from "./_helpers.ts";

Deno.test("zeroWorkload pages are all zero bytes", async () => {
  const w = await make(zeroWorkload);
  const page = new Uint8Array(4096).fill(0xff);
  w.page(12345, page);
  assert.ok(page.every((b) => b === 0));
  assert.equal(collectOps(w).length, 128);
});
