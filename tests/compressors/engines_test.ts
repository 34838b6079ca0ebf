import assert from "node:assert/strict";
import { ENGINE_PRESETS, resolveEngine } from "../../compressors/engines.ts";
import { offloadCompressor } from "../../mod.ts";

Deno.test("resolveEngine() starts from a preset and applies overrides", async (t) => {
  await t.step("cpu is the default, with offload's latency_us", () => {
    const e = resolveEngine(undefined, 5);
    assert.equal(e.name, "cpu");
    assert.deepEqual(e.latencyUs, { compress: 5, decompress: 5 });
    assert.deepEqual(e.throughputMBps, { compress: null, decompress: null });
  });
  await t.step("a preset by name", () => {
    assert.equal(resolveEngine("iaa", 0).engines, 8);
  });
  await t.step("per-direction figures", () => {
    const e = resolveEngine(
      { preset: "qat", latency_us: { decompress: 3 }, throughput_mbps: 1000 },
      0,
    );
    assert.equal(e.name, "qat+custom");
    assert.deepEqual(e.latencyUs, { compress: 20, decompress: 3 });
    assert.deepEqual(e.throughputMBps, { compress: 1000, decompress: 1000 });
  });
  await t.step("errors name the way out", () => {
    assert.throws(() => resolveEngine("tpu", 0), {
      name: "UsageError",
      message: /known: cpu, iaa, qat/,
    });
    assert.throws(() => resolveEngine({ engines: 0 }, 0), { name: "UsageError" });
  });
});

Deno.test("ENGINE_PRESETS have positive figures", () => {
  for (const p of ENGINE_PRESETS) {
    assert.ok(p.engines >= 1, p.name);
    for (const v of Object.values(p.throughputMBps)) assert.ok(v === null || v > 0, p.name);
  }
});

Deno.test("offloadCompressor.create() models an engine unless worker is set", async () => {
  const modelled = await offloadCompressor.create({ codec: "lz4", engine: "iaa" });
  assert.equal(modelled.engine?.name, "iaa");
  assert.equal(modelled.engine?.codecName, "lz4");
  await modelled.close?.();
  const worker = await offloadCompressor.create({ codec: "none", worker: true });
  assert.equal(worker.engine, undefined);
  await worker.close?.();
  await assert.rejects(
    async () => await offloadCompressor.create({ codec: "none", worker: true, engine: "iaa" }),
    { name: "UsageError" },
  );
});
