import assert from "node:assert/strict";
import { deriveRatios } from "../../../bench/run/cell_result.ts";
import { zeroCounters } from "../_fakes.ts";

Deno.test("deriveRatios() follows DESIGN §6 and is 0 on empty pools", () => {
  const c = zeroCounters();
  assert.deepEqual(deriveRatios(c, 4096), {
    compression_ratio: 0,
    pool_ratio: 0,
    allocator_efficiency: 0,
  });
  c.stored_pages = 10;
  c.same_filled_pages = 2;
  c.stored_incompressible_pages = 0;
  c.compressed_bytes = 8 * 1024;
  c.pool_total_size = 4 * 4096;
  const r = deriveRatios(c, 4096);
  assert.equal(r.compression_ratio, 4); // 8 compressed pages of 4096 in 8 KiB
  assert.equal(r.pool_ratio, 2.5); // 10 pages of 4096 in 16 KiB
  assert.equal(r.allocator_efficiency, 0.5);
  // 6.18 raw entries: length page size each, in compressed_bytes but not compressed.
  c.stored_incompressible_pages = 2;
  c.stored_pages = 12;
  c.compressed_bytes = 8 * 1024 + 2 * 4096;
  c.pool_total_size = 6 * 4096;
  const raw = deriveRatios(c, 4096);
  assert.equal(raw.compression_ratio, 4);
  assert.equal(raw.pool_ratio, 2);
  assert.equal(raw.allocator_efficiency, Math.round((16384 / 24576) * 1e6) / 1e6);
});
