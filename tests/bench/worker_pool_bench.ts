// Worker start-up cost per cell: one tiny cell (16 pages) in this process and in a cell Worker.
// deno bench -A tests/bench/worker_pool_bench.ts
import { resolveConfig } from "../../bench/config.ts";
import { createDefaultEngine } from "../../bench/default_engine.ts";
import { expandMatrix } from "../../bench/matrix.ts";
import { inProcessExecutor } from "../../bench/runner.ts";
import { createWorkerExecutor } from "../../bench/worker_pool.ts";
import { createDefaultRegistry } from "../../registry/builtins.ts";

const registry = createDefaultRegistry();
const engine = createDefaultEngine();
const config = resolveConfig({
  allocators: ["zsmalloc"],
  compressors: ["lz4"],
  params: { pages: 16 },
  repetitions: 1,
  warmup: 0,
});
const [cell] = expandMatrix(config, { registry, engine });
const here = inProcessExecutor(registry, engine);
const worker = createWorkerExecutor({ registry, cellTimeoutS: 60 });

Deno.bench("tiny cell in process", { group: "cell", baseline: true }, async () => {
  await here.run(cell);
});

Deno.bench("tiny cell in a Worker", { group: "cell" }, async () => {
  await worker.run(cell);
});

// Issue 16: cells with plugin modules run in their own process (bench/_containment.ts).
const inProcessOfItsOwn = createWorkerExecutor({ registry, cellTimeoutS: 60, processes: true });

Deno.bench("tiny cell in a cell process (Worker inside)", { group: "cell" }, async () => {
  await inProcessOfItsOwn.run(cell);
});
