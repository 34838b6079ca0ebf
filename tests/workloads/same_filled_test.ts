import assert from "node:assert/strict";
import { sameFilledWorkload } from "../../workloads/same_filled.ts";
import { make, pageOf } from "./_helpers.ts";

/** zswap's same-filled rule: every 8-byte word equals the first (mm/zswap.c, 6.1). */
function sameFilled(page: Uint8Array): boolean {
  for (let i = 8; i < page.length; i++) if (page[i] !== page[i & 7]) return false;
  return true;
}

Deno.test("sameFilledWorkload pages repeat one 8-byte word that varies by page", async () => {
  const w = await make(sameFilledWorkload, { pattern: "random" }, { pages: 100 });
  const words = new Set<string>();
  for (let id = 0; id < 100; id++) {
    const page = pageOf(w, id);
    assert.ok(sameFilled(page), `page ${id}`);
    assert.ok(page.subarray(0, 8).some((b) => b !== 0), `page ${id} is not zero`);
    words.add(page.subarray(0, 8).join(","));
  }
  assert.equal(words.size, 100);
  const big = pageOf(w, 3, 65536);
  assert.ok(sameFilled(big));
});
