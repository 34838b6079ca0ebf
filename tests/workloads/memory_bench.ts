/**
 * Workload costs: harness memory of the op stream over 1,000,000 pages, and the speed of `ops()`
 * and `page()`.
 *
 * Memory (prints bytes per page):
 *   deno run --v8-flags=--expose-gc -A tests/workloads/memory_bench.ts
 * Speed:
 *   deno bench -A tests/workloads/memory_bench.ts
 *
 * @module
 */
import { builtinWorkloads } from "../../workloads/mod.ts";
import type { Workload } from "../../registry/types.ts";

const PAGES = 1_000_000;

function plugin(name: string) {
  const p = builtinWorkloads.find((w) => w.name === name);
  if (p === undefined) throw new Error(`No workload ${name}`);
  return p;
}

async function create(name: string, pages: number, options: unknown = {}): Promise<Workload> {
  return await plugin(name).create({ pageSize: 4096, seed: 1, pages, options });
}

/** Heap growth while iterating the ops of `mixed` over 1e6 pages, per page. */
async function measureMemory(options: unknown): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = Deno.memoryUsage();
  const w = await create("mixed", PAGES, options);
  let ops = 0;
  let sum = 0;
  let peakDuring = 0;
  const iterator = w.ops()[Symbol.iterator]();
  for (let r = iterator.next(); !r.done; r = iterator.next()) {
    ops++;
    sum ^= r.value.offset;
    if (ops === PAGES + PAGES / 2) {
      // mid-way through the loads: what the stream holds, live
      gc?.();
      peakDuring = Deno.memoryUsage().heapUsed - before.heapUsed;
    }
  }
  const afterNoGc = Deno.memoryUsage();
  gc?.();
  const after = Deno.memoryUsage();
  const perPage = (bytes: number) => (bytes / PAGES).toFixed(4);
  console.log(
    `mixed ${JSON.stringify(options)}: ${ops} ops over ${PAGES} pages (checksum ${sum})\n` +
      `  heap held by the live stream (mid-run, after gc): ${peakDuring} B = ${
        perPage(peakDuring)
      } B/page\n` +
      `  heap growth over the whole iteration, no gc: ${afterNoGc.heapUsed - before.heapUsed} B = ${
        perPage(afterNoGc.heapUsed - before.heapUsed)
      } B/page\n` +
      `  heap growth after gc: ${after.heapUsed - before.heapUsed} B; external ${
        after.external - before.external
      } B; rss ${((after.rss - before.rss) / 2 ** 20).toFixed(1)} MiB`,
  );
  if (gc === undefined) console.log("  (run with --v8-flags=--expose-gc for the after-gc figures)");
}

// `deno bench` runs this module with import.meta.main false: only `deno run` measures memory
if (import.meta.main) {
  await measureMemory({});
  await measureMemory({ pattern: "zipf", ops: 2 * PAGES });
}

const mixed1m = await create("mixed", PAGES);
Deno.bench("mixed ops(): 2,000,000 ops over 1,000,000 pages (store-load)", () => {
  let sum = 0;
  for (const op of mixed1m.ops()) sum += op.offset;
  if (sum < 0) throw new Error("unreachable");
});

const zipf = await create("mixed", 100_000, { pattern: "zipf" });
Deno.bench("mixed ops(): 300,000 ops over 100,000 pages (zipf)", () => {
  let sum = 0;
  for (const op of zipf.ops()) sum += op.offset;
  if (sum < 0) throw new Error("unreachable");
});

const page = new Uint8Array(4096);
for (const name of ["zero", "same-filled", "random", "text", "datagen", "mixed"]) {
  const w = await create(name, 1000);
  let id = 0;
  Deno.bench(`${name} page() of 4096 bytes`, { group: "page" }, () => {
    w.page(id++ & 0xffff, page);
  });
}
