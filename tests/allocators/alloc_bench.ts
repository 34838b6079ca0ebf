// malloc+free pairs per second for each allocator: `deno bench --allow-read tests/allocators/`.
// Each iteration runs 10,000 pairs against a pool holding 50,000 live objects: free a random live
// object, allocate one of the next size. Sizes are the 6.1 kernel's lz4 lengths of the oracle
// text pages (plus the 8-byte zswap header for zbud and z3fold, as 6.1 stores them), shuffled.
// Pairs per second = 10,000 x the iterations per second Deno reports.

import type { AllocatorPlugin } from "../../registry/types.ts";
import { z3foldAllocator, zbudAllocator, zsmallocAllocator } from "../../allocators/mod.ts";
import { makePool, oracleLengths, prng } from "./_helpers.ts";

const LIVE = 50_000;
const PAIRS = 10_000;
const SAMPLES = 1 << 16;

const rand = prng(20240601);
const lz4 = oracleLengths("lz4");
const sizes = Int32Array.from({ length: SAMPLES }, () => lz4[Math.floor(rand() * lz4.length)]);
const victims = Int32Array.from({ length: SAMPLES }, () => Math.floor(rand() * LIVE));

const CASES: [AllocatorPlugin, unknown, number][] = [
  [zbudAllocator, {}, 8],
  [z3foldAllocator, {}, 8],
  [zsmallocAllocator, { rule: "new", chain: 8 }, 0],
  [zsmallocAllocator, { rule: "old" }, 0],
];

for (const [plugin, options, header] of CASES) {
  const { pool } = makePool(plugin, 4096, options);
  const live = new Int32Array(LIVE);
  for (let i = 0; i < LIVE; i++) live[i] = pool.malloc(sizes[i & (SAMPLES - 1)] + header);
  let cursor = 0;
  Deno.bench({
    name: `${plugin.name} ${JSON.stringify(options)}: ${PAIRS} malloc+free pairs`,
    group: "pairs",
    fn() {
      let c = cursor;
      for (let i = 0; i < PAIRS; i++) {
        const k = victims[c];
        pool.free(live[k]);
        live[k] = pool.malloc(sizes[c] + header);
        c = (c + 1) & (SAMPLES - 1);
      }
      cursor = c;
    },
  });
}
