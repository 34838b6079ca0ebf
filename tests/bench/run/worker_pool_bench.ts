// Worker start-up cost per cell: one tiny cell (16 pages) in this process and in a cell Worker.
// deno bench -A tests/bench/run/worker_pool_bench.ts
import { resolveConfig } from "../../../bench/run/config.ts";
import { createDefaultEngine } from "../../../bench/run/default_engine.ts";
import { expandMatrix } from "../../../bench/run/matrix.ts";
import { inProcessExecutor } from "../../../bench/run/runner.ts";
import { createWorkerExecutor } from "../../../bench/run/worker_pool.ts";
import { createDefaultRegistry } from "../../../builtins/mod.ts";

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
