// Replays the per-page compressed lengths a real Linux 6.1 kernel stored (tests/oracle/) and
// checks the pool size after every page against the kernel's trace. 6.1 facts (oracle README):
// zbud and z3fold allocate length + 8 (the zswap header), zsmalloc allocates the length (no zswap
// header in 6.1) and uses the old 4-page class rule.

import assert from "node:assert/strict";
import type { AllocatorPlugin } from "../../registry/types.ts";
import { z3foldAllocator, zbudAllocator, zsmallocAllocator } from "../../allocators/mod.ts";
import { makePool, oracleLengths, readOracleCsv } from "./_helpers.ts";

const COMPRESSORS = ["lzo", "lz4", "zstd", "deflate"];
const [TRACE_HEADER, ...TRACE_ROWS] = readOracleCsv("kernel-6.1-text-pool-trace.csv");
const RESULTS = readOracleCsv("kernel-6.1-text-results.csv");

function kernelTrace(pool: string, compressor: string): number[] {
  const col = TRACE_HEADER.indexOf(`${pool}_${compressor}`);
  assert.ok(col >= 0, `no trace column ${pool}_${compressor}`);
  return TRACE_ROWS.map((r) => Number(r[col]));
}

function kernelPoolPages(pool: string, compressor: string): number {
  const [header, ...rows] = RESULTS;
  const row = rows.find((r) =>
    r[header.indexOf("zpool")] === pool &&
    r[header.indexOf("compressor")] === compressor
  )!;
  return Number(row[header.indexOf("pool_pages")]);
}

/** Pool pages after each page is stored. */
function replay(plugin: AllocatorPlugin, options: unknown, header: number, lengths: number[]) {
  const { pool, arena } = makePool(plugin, 4096, options);
  const pages = lengths.map((len) => {
    pool.malloc(len + header);
    return pool.totalPages();
  });
  assert.equal(pool.totalPages(), arena.pagesInUse());
  return pages;
}

const POOLS: [AllocatorPlugin, unknown, number][] = [
  [zbudAllocator, {}, 8],
  [z3foldAllocator, {}, 8],
  [zsmallocAllocator, { rule: "old" }, 0],
];

for (const [plugin, options, header] of POOLS) {
  Deno.test(`${plugin.name} pool size follows the 6.1 kernel's trace page by page`, async (t) => {
    for (const compressor of COMPRESSORS) {
      await t.step(compressor, () => {
        const ours = replay(plugin, options, header, oracleLengths(compressor));
        const kernel = kernelTrace(plugin.name, compressor);
        assert.equal(ours.length, 1024);
        const first = ours.findIndex((p, i) => p !== kernel[i]);
        assert.equal(
          first,
          -1,
          `page ${first}: ${ours[first]} pool pages, kernel ${kernel[first]}`,
        );
        assert.equal(ours.at(-1), kernelPoolPages(plugin.name, compressor));
      });
    }
  });
}
