import assert from "node:assert/strict";
import { randomWorkload } from "../../workloads/random.ts";
import { lz4Ratio, make, pageOf } from "./_helpers.ts";

Deno.test("randomWorkload pages are incompressible and byte values are uniform", async () => {
  const w = await make(randomWorkload);
  const histogram = new Uint32Array(256);
  for (let id = 0; id < 64; id++) {
    const page = pageOf(w, id);
    assert.ok(lz4Ratio(page) < 1.0, `page ${id} compressed`);
    for (const b of page) histogram[b]++;
  }
  // 1024 expected per value; 6 sigma is about 190
  assert.ok(histogram.every((c) => Math.abs(c - 1024) < 190));
});
