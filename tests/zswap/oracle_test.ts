/**
 * The frontend against real kernels (tests/oracle, README there): for every kernel, page set and
 * zpool x compressor recorded there, replay each page's compressed length (the `lengths`
 * workload) through the kernel's preset, and compare the pool size after every page and every
 * counter the kernel has (an empty cell: the kernel has no such counter).
 */
import assert from "node:assert/strict";
import { z3foldAllocator, zbudAllocator, zsmallocAllocator } from "../../allocators/mod.ts";
import { lengthsCompressor } from "../../compressors/lengths.ts";
import type { AllocatorPlugin, Zpool } from "../../registry/types.ts";
import { lengthsWorkload } from "../../workloads/lengths.ts";
import type { CellCounters } from "../../zswap/cell_types.ts";
import { runCell } from "../../builtins/run_cell.ts";
import { presetForKernel } from "../../zswap/presets.ts";
import { testParams } from "./_fakes.ts";
import { type OracleCell, oracleCells } from "./_oracle.ts";

const ALLOCATORS: Record<string, AllocatorPlugin> = {
  zbud: zbudAllocator,
  z3fold: z3foldAllocator,
  zsmalloc: zsmallocAllocator,
};

/** Kernel debugfs counter (results column) -> the simulator's counter. */
const COUNTERS: readonly [string, keyof CellCounters][] = [
  ["pool_pages", "pool_pages"],
  ["pool_total_size", "pool_total_size"],
  ["stored_pages", "stored_pages"],
  ["same_filled_pages", "same_filled_pages"],
  ["zero_pages_bypassed", "zero_pages"],
  ["stored_incompressible_pages", "stored_incompressible_pages"],
  ["reject_compress_poor", "reject_compress_poor"],
  ["reject_compress_fail", "reject_compress_fail"],
  ["reject_alloc_fail", "reject_alloc_fail"],
  ["reject_kmemcache_fail", "reject_kmemcache_fail"],
  ["reject_reclaim_fail", "reject_reclaim_fail"],
  ["pool_limit_hit", "pool_limit_hit"],
  ["written_back_pages", "written_back_pages"],
  ["duplicate_entry", "duplicate_entry"],
];

/** Replay one cell; the counters and the pool size after each store. */
export async function replay(cell: OracleCell): Promise<{ c: CellCounters; sizes: number[] }> {
  const preset = presetForKernel(cell.kernel);
  assert.ok(preset, `no preset for kernel ${cell.kernel}`);
  const base = ALLOCATORS[cell.row.zpool];
  let pool: Zpool | undefined;
  const allocator: AllocatorPlugin = {
    ...base,
    create(env) {
      pool = base.create(env);
      return pool;
    },
  };
  const sizes: number[] = [];
  const run = await runCell(
    {
      allocator,
      allocatorOptions: undefined,
      compressor: lengthsCompressor,
      compressorOptions: undefined,
      workload: lengthsWorkload,
      workloadOptions: { path: cell.lengths.pathname, column: cell.row.compressor },
      strategy: undefined,
      strategyOptions: undefined,
      preset,
      // 512 MiB of RAM and max_pool_percent=90, as the oracle ran: the limit never binds.
      params: testParams({
        pages: Number(cell.row.pages),
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
  return { c: run.counters, sizes };
}

const cells = oracleCells();

Deno.test({
  name: "runCell() replays every kernel of tests/oracle exactly (lengths workload, its preset)",
  ignore: cells.length === 0,
  async fn(t) {
    for (const cell of cells) {
      const r = cell.row;
      await t.step(`${cell.kernel} ${cell.set} ${r.zpool} ${r.compressor}`, async () => {
        const { c, sizes } = await replay(cell);
        for (const [column, counter] of COUNTERS) {
          const want = r[column];
          if (want === undefined || want === "" || Number(want) < 0) continue;
          assert.equal(
            c[counter],
            Number(want),
            `${column}: simulator ${c[counter]}, kernel ${want}`,
          );
        }
        assert.equal(c.integrity_failures, 0);
        assert.equal(c.decompress_fail, 0);
        if (cell.trace) {
          const first = cell.trace.findIndex((p, i) => sizes[i] !== p);
          assert.equal(
            first,
            -1,
            `pool after page ${first}: simulator ${sizes[first]}, kernel ${cell.trace[first]}`,
          );
        }
      });
    }
  },
});
