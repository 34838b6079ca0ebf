import assert from "node:assert/strict";
import { resolveConfig } from "../../../bench/run/config.ts";
import { createDefaultEngine } from "../../../bench/run/default_engine.ts";
import { expandMatrix } from "../../../bench/run/matrix.ts";
import { createWorkerExecutor, loadPluginsIsolated } from "../../../bench/run/worker_pool.ts";
import { createDefaultRegistry } from "../../../builtins/mod.ts";

const ROOT = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");

// The offload engine is a Worker inside the cell Worker, whose read access is narrowed to the
// plugin's files: the engine's own modules (the built-in codecs) must be readable there too.
Deno.test("an offload cell with a plugin module runs in a narrowed cell Worker", async () => {
  const plugins = ["./examples/copy_always_strategy.ts"];
  const registry = createDefaultRegistry();
  await loadPluginsIsolated(registry, plugins, { cwd: ROOT });
  const config = resolveConfig({
    allocators: ["zbud"],
    compressors: ["offload"],
    strategies: ["copy-always"],
    presets: ["latest"],
    params: { pages: 64 },
    repetitions: 1,
    warmup: 0,
    plugins,
  });
  const [cell] = expandMatrix(config, { registry, engine: createDefaultEngine() });
  const executor = createWorkerExecutor({ registry, cwd: ROOT, cellTimeoutS: 60, plugins });
  const result = await executor.run(cell);
  assert.equal(result.status, "ok", result.error ?? "");
  assert.equal(result.integrity_failures, 0);
});
