/**
 * The frontend against a real Linux 6.1 kernel (tests/oracle, README there): replay each
 * page's compressed length with the `lengths` workload over zbud, z3fold and zsmalloc under the
 * 6.1 preset, and compare the debugfs counters and the pool size after every page.
 */
import assert from "node:assert/strict";
import { z3foldAllocator, zbudAllocator, zsmallocAllocator } from "../../allocators/mod.ts";
import { lengthsCompressor } from "../../compressors/lengths.ts";
import type { AllocatorPlugin, Zpool } from "../../registry/types.ts";
import { lengthsWorkload } from "../../workloads/lengths.ts";
import { runCell } from "../../builtins/run_cell.ts";
import { testParams } from "./_fakes.ts";

const ORACLE = new URL("../oracle/", import.meta.url);
const LENGTHS = new URL("kernel-6.1-text-lengths.csv", ORACLE);
const RESULTS = new URL("kernel-6.1-text-results.csv", ORACLE);
const TRACE = new URL("kernel-6.1-text-pool-trace.csv", ORACLE);

function readCsv(url: URL): Record<string, string>[] {
  const [head, ...rows] = Deno.readTextFileSync(url).trim().split(/\r?\n/);
  const names = head.split(",");
  return rows.map((r) => Object.fromEntries(r.split(",").map((v, i) => [names[i], v])));
}

Deno.test({
  name: "runCell() reproduces the Linux 6.1 oracle (preset 6.1, lengths workload)",
  async fn(t) {
    const results = readCsv(RESULTS);
    const trace = readCsv(TRACE);
    const allocators: Record<string, AllocatorPlugin> = {
      zbud: zbudAllocator,
      z3fold: z3foldAllocator,
      zsmalloc: zsmallocAllocator,
    };
    for (const row of results) {
      await t.step(`${row.zpool} ${row.compressor}`, async () => {
        const base = allocators[row.zpool];
        let pool: Zpool | undefined;
        const allocator: AllocatorPlugin = {
          ...base,
          create(env) {
            pool = base.create(env);
            return pool;
          },
        };
        // The pool size after each store, as the oracle traced it after each page.
        const sizes: number[] = [];
        const run = await runCell(
          {
            allocator,
            allocatorOptions: undefined,
            compressor: lengthsCompressor,
            compressorOptions: undefined,
            workload: lengthsWorkload,
            workloadOptions: { path: LENGTHS.pathname, column: row.compressor },
            strategy: undefined,
            strategyOptions: undefined,
            preset: "6.1",
            // 512 MiB of RAM and max_pool_percent=90, as the oracle ran: the limit never binds.
            params: testParams({
              pages: Number(row.pages),
              totalRamPages: (512 << 20) / 4096,
              maxPoolPercent: 90,
            }),
          },
          {
            store: () => void sizes.push(pool!.totalPages()),
            load: () => {},
            writeback: () => {},
          },
        );
        const c = run.counters;
        assert.equal(run.strategy, "bounce-alloc");
        assert.equal(c.stored_pages, Number(row.stored_pages));
        assert.equal(c.same_filled_pages, Number(row.same_filled_pages));
        assert.equal(c.compressed_bytes, Number(row.compressed_bytes));
        assert.equal(c.reject_compress_poor, Number(row.reject_compress_poor));
        assert.equal(c.reject_alloc_fail, Number(row.reject_alloc_fail));
        assert.equal(c.pool_limit_hit, Number(row.pool_limit_hit));
        assert.equal(c.written_back_pages, Number(row.written_back_pages));
        assert.equal(c.integrity_failures, 0);
        assert.equal(c.load_hits, Number(row.stored_pages));
        const expected = Number(row.pool_pages);
        const column = trace.map((r) => Number(r[`${row.zpool}_${row.compressor}`]));
        if (row.zpool === "z3fold") {
          // z3fold: within 1% (the model runs its deferred compaction synchronously).
          assert.ok(
            Math.abs(c.pool_pages - expected) <= expected * 0.01,
            `pool_pages ${c.pool_pages} vs kernel ${expected}`,
          );
        } else {
          assert.equal(c.pool_pages, expected);
          assert.equal(c.pool_total_size, Number(row.pool_total_size));
          assert.deepEqual(sizes, column);
        }
      });
    }
  },
});
