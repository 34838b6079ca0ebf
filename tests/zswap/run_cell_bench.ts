/**
 * Frontend overhead: one cell of 2000 text pages (store all, load all) through runCell(), against
 * the bare codec doing the same compressions and decompressions with the same page generation.
 * Run with `deno bench -A tests/zswap/run_cell_bench.ts`.
 */
import { zbudAllocator, zsmallocAllocator } from "../../allocators/mod.ts";
import { lz4Compressor } from "../../compressors/lz4.ts";
import type { AllocatorPlugin, Compressor, Workload } from "../../registry/types.ts";
import { textWorkload } from "../../workloads/text.ts";
import { runCell } from "../../builtins/run_cell.ts";
import { testParams } from "./_fakes.ts";

const PAGES = 2000;
const NOOP = { store() {}, load() {}, writeback() {} };

async function bare(): Promise<number> {
  const w = await textWorkload.create({
    pageSize: 4096,
    seed: 1,
    pages: PAGES,
    options: {},
  }) as Workload;
  const codec = lz4Compressor.create({}) as Compressor;
  const page = new Uint8Array(4096);
  const dst = new Uint8Array(4096);
  const back = new Uint8Array(4096);
  const objects = new Map<number, Uint8Array>();
  let sum = 0;
  for (const op of w.ops()) {
    if (op.op === "store") {
      w.page(op.pageId, page);
      try {
        const n = codec.compress(page, dst) as number;
        objects.set(op.offset, dst.slice(0, n));
        sum += n;
      } catch {
        objects.delete(op.offset);
      }
    } else if (op.op === "load") {
      const o = objects.get(op.offset);
      if (o !== undefined) sum += codec.decompress(o, back) as number;
    }
  }
  return sum;
}

function cell(allocator: AllocatorPlugin, preset: string): Promise<unknown> {
  return runCell({
    allocator,
    allocatorOptions: undefined,
    compressor: lz4Compressor,
    compressorOptions: undefined,
    workload: textWorkload,
    workloadOptions: {},
    strategy: undefined,
    strategyOptions: undefined,
    preset,
    params: testParams({ pages: PAGES }),
  }, NOOP);
}

Deno.bench("bare lz4 (store all, load all)", { group: "cell", baseline: true }, async () => {
  await bare();
});
Deno.bench("runCell lz4 zsmalloc latest", { group: "cell" }, async () => {
  await cell(zsmallocAllocator, "latest");
});
Deno.bench("runCell lz4 zsmalloc 6.12", { group: "cell" }, async () => {
  await cell(zsmallocAllocator, "6.12");
});
Deno.bench("runCell lz4 zsmalloc 6.8", { group: "cell" }, async () => {
  await cell(zsmallocAllocator, "6.8");
});
Deno.bench("runCell lz4 zbud 6.1", { group: "cell" }, async () => {
  await cell(zbudAllocator, "6.1");
});
