import assert from "node:assert/strict";
import { createModelledEngine, resolveEngine } from "../../compressors/engines.ts";
import { noneCompressor } from "../../compressors/none.ts";
import { EngineDevice } from "../../zswap/_engine_model.ts";

async function device(engine: unknown, latencyUs = 0): Promise<EngineDevice> {
  const c = createModelledEngine(
    await noneCompressor.create({}),
    "none",
    resolveEngine(engine, latencyUs),
  );
  return new EngineDevice(c.engine!, 1);
}

Deno.test("EngineDevice queues requests on a busy engine and adds the latency after", async () => {
  const d = await device({ engines: 1, latency_us: 5, throughput_mbps: 4096 });
  // 4096 bytes at 4096 MB/s occupy the engine 1000 ns; completion 5000 ns later.
  assert.deepEqual(d.submit(0, "decompress", 4096, 123), {
    doneNs: 6000,
    occupancyNs: 1000,
    codecBound: false,
  });
  assert.equal(d.submit(0, "decompress", 4096, 123).doneNs, 7000, "waits for the engine");
  assert.equal(d.queued, 1);
});

Deno.test("EngineDevice serves requests in parallel on several engines", async () => {
  const d = await device({ engines: 2, latency_us: 0, throughput_mbps: 4096 });
  assert.equal(d.submit(0, "compress", 4096, 0).doneNs, 1000);
  assert.equal(d.submit(0, "compress", 4096, 0).doneNs, 1000);
  assert.equal(d.submit(0, "compress", 4096, 0).doneNs, 2000);
});

Deno.test("EngineDevice without a throughput runs at the codec's cost", async () => {
  const d = await device(undefined, 5);
  const c = d.submit(100, "decompress", 4096, 800);
  assert.deepEqual(c, { doneNs: 5900, occupancyNs: 800, codecBound: true });
});

Deno.test("EngineDevice jitter is seeded: the same seed gives the same completions", async () => {
  const a = await device("qat");
  const b = await device("qat");
  const times = (d: EngineDevice) =>
    [0, 1, 2, 3].map((i) => d.submit(i * 50_000, "decompress", 4096, 0).doneNs);
  assert.deepEqual(times(a), times(b));
  assert.ok(new Set(times(a).map((t, i) => t - i * 50_000)).size > 1, "jitter varies");
});
