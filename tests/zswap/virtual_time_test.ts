/**
 * Virtual time (zswap/_clock.ts, compressors/engines.ts, zswap/cost_model.ts) through runCell: the
 * issue-20 acceptance checks. No test asserts on speed: latencies are checked in the calibrated
 * model, where every figure is computed; the measured model is checked on counts only.
 */
import assert from "node:assert/strict";
import { zbudAllocator, zsmallocAllocator } from "../../allocators/mod.ts";
import { lz4Compressor } from "../../compressors/lz4.ts";
import { offloadCompressor } from "../../mod.ts";
import { mixedWorkload } from "../../workloads/mod.ts";
import type { AllocatorPlugin, CompressorPlugin } from "../../registry/types.ts";
import type { CellParams, CellRun } from "../../zswap/cell_types.ts";
import { builtinStrategies, runCell } from "../../mod.ts";
import { collectRecorder, testPlan } from "./_fakes.ts";

const SEED = 7;

async function cell(
  compressor: CompressorPlugin,
  compressorOptions: unknown,
  params: Partial<CellParams>,
  over: { allocator?: AllocatorPlugin; strategy?: string } = {},
): Promise<{ run: CellRun; loads: number[] }> {
  const recorder = collectRecorder();
  const strategy = over.strategy === undefined
    ? undefined
    : builtinStrategies.find((s) => s.name === over.strategy);
  const run = await runCell(
    testPlan({
      preset: "6.8",
      allocator: over.allocator ?? zsmallocAllocator,
      compressor,
      compressorOptions,
      workload: mixedWorkload,
      workloadOptions: {},
      strategy,
      params: { pages: 256, seed: SEED, totalRamPages: 1 << 18, ...params },
    }),
    recorder,
  );
  return { run, loads: recorder.loads };
}

function p50(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
}

Deno.test("offload with a 5 µs engine: load p50 between 5 µs and 5 µs + the codec's load (calibrated)", async () => {
  const calibrated = { costModel: "calibrated" as const };
  const inProcess = await cell(lz4Compressor, {}, calibrated);
  const zero = await cell(offloadCompressor, { codec: "lz4" }, calibrated);
  const five = await cell(offloadCompressor, { codec: "lz4", latency_us: 5 }, calibrated);
  assert.equal(inProcess.run.timeModel, "virtual/calibrated");
  assert.equal(five.run.timeModel, "virtual/calibrated");
  const base = p50(inProcess.loads);
  assert.ok(base > 0);
  const z = p50(zero.loads);
  assert.ok(Math.abs(z - base) <= 0.2 * base, `0 µs engine ${z} ns vs in-process ${base} ns`);
  const f = p50(five.loads);
  assert.ok(f >= 5000 && f <= 5000 + base, `5 µs engine: ${f} ns, in-process ${base} ns`);
  assert.equal(five.run.counters.integrity_failures, 0, "the codec still runs for real");
  assert.equal(five.run.counters.compressed_bytes, inProcess.run.counters.compressed_bytes);
});

Deno.test("offload in the measured model reports virtual times, not timer milliseconds", async () => {
  const five = await cell(offloadCompressor, { codec: "lz4", latency_us: 5 }, {});
  assert.equal(five.run.timeModel, "virtual/measured");
  const f = p50(five.loads);
  assert.ok(f >= 5000, `at least the engine's 5 µs: ${f} ns`);
  const inProcess = await cell(lz4Compressor, {}, {});
  assert.equal(inProcess.run.timeModel, "measured");
});

const contended = { cpus: 2, tasks: 4, thinkUs: 5 };

for (const allocator of [zsmallocAllocator, zbudAllocator]) {
  Deno.test(`contention on ${allocator.name} with an async engine is the same for the same seed`, async () => {
    for (const seed of [1, 2]) {
      const counts = async () => {
        const { run } = await cell(
          offloadCompressor,
          { codec: "lz4", latency_us: 5 },
          { ...contended, seed },
          { allocator, strategy: "trylock-bounce" },
        );
        const c = run.counters;
        return [c.trylock_failed, c.mutex_waits, c.violations, c.load_failed, c.bytes_bounced];
      };
      const a = await counts();
      assert.deepEqual(await counts(), a, `seed ${seed}`);
      assert.ok(a[1] > 0, `seed ${seed}: the mutex is contended (${a})`);
    }
  });
}

Deno.test("a longer engine latency means more trylock failures and mutex waits", async () => {
  const at = async (latencyUs: number) =>
    (await cell(
      offloadCompressor,
      { codec: "lz4", latency_us: latencyUs },
      contended,
      { strategy: "trylock-bounce" },
    )).run.counters;
  const short = await at(1);
  const long = await at(20);
  assert.ok(
    long.trylock_failed > short.trylock_failed,
    `${short.trylock_failed} -> ${long.trylock_failed}`,
  );
  assert.ok(long.mutex_waits > short.mutex_waits, `${short.mutex_waits} -> ${long.mutex_waits}`);
  // trylock-bounce sleeps while mapped only when its trylock succeeds: fewer successes, fewer.
  assert.ok(long.violations < short.violations, `${short.violations} -> ${long.violations}`);
  // sleep-mapped sleeps while mapped on every pool load, whatever the latency.
  const sm = async (latencyUs: number) =>
    (await cell(offloadCompressor, { codec: "lz4", latency_us: latencyUs }, contended, {
      strategy: "sleep-mapped",
    })).run.counters.violations;
  assert.equal(await sm(1), await sm(20));
});

Deno.test("the Worker engine stays available and says its times are wall-clock", async () => {
  const { run } = await cell(offloadCompressor, { codec: "lz4", worker: true }, { pages: 16 });
  assert.equal(run.timeModel, "wall");
  assert.equal(run.counters.integrity_failures, 0);
});

Deno.test("a bad cost model fails the cell before the first store", async () => {
  await assert.rejects(
    () => cell(lz4Compressor, {}, { costModel: "fast" as unknown as "measured" }),
    { name: "UsageError", message: /Invalid cost model/ },
  );
});

Deno.test("a calibrated table of the user's sets the codec's cost", async () => {
  const table = { codecs: { lz4: { decompress: { ns_per_call: 10_000, ns_per_byte: 0 } } } };
  const { run, loads } = await cell(lz4Compressor, {}, {
    costModel: { model: "calibrated", table },
  });
  assert.equal(run.timeModel, "virtual/calibrated");
  assert.ok(p50(loads) >= 10_000, `${p50(loads)} ns`);
});
