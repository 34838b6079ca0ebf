import assert from "node:assert/strict";
import copyAlways from "../../examples/copy_always_strategy.ts";
import { Registry } from "../../registry/registry.ts";
import { checkPlugin } from "../../registry/schemas.ts";
import { runExampleCell } from "./_cell.ts";

Deno.test("copyAlwaysStrategy is a valid plugin the registry loads", async () => {
  assert.equal(checkPlugin(copyAlways), null);
  const registry = new Registry();
  const loaded = await registry.load(
    new URL("../../examples/copy_always_strategy.ts", import.meta.url).href,
  );
  assert.deepEqual(loaded.map((p) => `${p.kind}:${p.name}`), ["strategy:copy-always"]);
});

Deno.test("copyAlwaysStrategy refuses bad and unknown options", async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ buffer: "stack" }, /buffer: .*"stack"/],
    [{ bufer: "percpu" }, /unknown key "bufer"/],
    [[], /expected object|must be an object/],
  ];
  for (const [options, message] of cases) {
    await t.step(JSON.stringify(options), () => {
      assert.throws(() => copyAlways.create(options), { name: "UsageError", message });
    });
  }
  assert.equal(typeof copyAlways.create(undefined), "function");
});

Deno.test("copy-always copies every loaded object, on every pool, without violations", async (t) => {
  for (const allocator of ["zbud", "z3fold", "zsmalloc"]) {
    for (const preset of ["6.1", "latest"]) {
      for (const buffer of ["percpu", "kmalloc"]) {
        await t.step(`${allocator} ${preset} ${buffer}`, async () => {
          const cell = { allocator, preset, workload: "text" };
          const own = await runExampleCell(cell);
          const mine = await runExampleCell({
            ...cell,
            strategy: "copy-always",
            strategyOptions: { buffer },
          });
          const c = mine.counters;
          assert.equal(mine.strategy, "copy-always");
          assert.equal(c.integrity_failures, 0);
          assert.equal(c.violations, 0);
          assert.equal(c.load_failed, 0);
          assert.equal(c.load_hits, own.counters.load_hits);
          // Every load of the text workload hits a pool object; each is copied once, whole.
          assert.ok(c.bytes_bounced > 0);
          assert.ok(c.bytes_bounced >= own.counters.bytes_bounced);
          // The strategy changes how loads read, never what the pool holds.
          assert.equal(c.pool_pages, own.counters.pool_pages);
        });
      }
    }
  }
});

Deno.test("copy-always bounces the compressed length of each load", async () => {
  // 6.1 never erases on load, so each of the 128 loads reads one stored entry once.
  const { counters: c } = await runExampleCell({
    preset: "6.1",
    workload: "text",
    strategy: "copy-always",
  });
  assert.equal(c.load_hits, 128);
  assert.equal(c.stored_pages_end, 128);
  assert.equal(c.bytes_bounced, c.compressed_bytes);
});

Deno.test("copy-always with kmalloc fails loads when GFP_ATOMIC fails", async () => {
  const cell = {
    preset: "6.1",
    workload: "text",
    strategy: "copy-always",
    strategyOptions: { buffer: "kmalloc" },
  };
  const failing = await runExampleCell({ ...cell, params: { bounceFailRate: 1 } });
  assert.equal(failing.counters.load_hits, 0);
  assert.equal(failing.counters.load_failed, 128);
  assert.equal(failing.counters.integrity_failures, 0);
  const percpu = await runExampleCell({
    ...cell,
    strategyOptions: { buffer: "percpu" },
    params: { bounceFailRate: 1 },
  });
  assert.equal(percpu.counters.load_failed, 0);
});

Deno.test("copy-always waits correctly: async codec, 4 tasks on 2 CPUs", async (t) => {
  for (const buffer of ["percpu", "kmalloc"]) {
    await t.step(buffer, async () => {
      const { counters: c } = await runExampleCell({
        compressor: "noisy-async",
        workload: "stripe",
        preset: "6.8", // loads keep the entry (6.12 on erases it), so every load hits
        workloadOptions: { pattern: "random", ops: 512 },
        strategy: "copy-always",
        strategyOptions: { buffer },
        params: { cpus: 2, tasks: 4 },
      });
      assert.equal(c.integrity_failures, 0);
      assert.equal(c.violations, 0);
      assert.ok(c.load_hits > 300);
      assert.equal(c.load_hits, c.loads);
    });
  }
});
