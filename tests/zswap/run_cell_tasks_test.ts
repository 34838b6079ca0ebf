import assert from "node:assert/strict";
import { zsmallocAllocator } from "../../allocators/mod.ts";
import { noneCompressor } from "../../compressors/none.ts";
import type { Op } from "../../registry/types.ts";
import { runCell } from "../../builtins/run_cell.ts";
import { builtinStrategies } from "../../zswap/mod.ts";
import {
  asyncPrefixCompressor,
  collectRecorder,
  fakeAllocator,
  prefixPage,
  scriptWorkload,
  storeThenLoad,
  testPlan,
} from "./_fakes.ts";

import { cell, counters, ops, pageFor, sleepable } from "./_cell_helpers.ts";

Deno.test("runCell() fails the cell at the first violation in strict mode", async () => {
  const plan = {
    allocator: fakeAllocator({ sleepMapped: false }),
    strategy: builtinStrategies.find((s) => s.name === "sleep-mapped"),
    workload: scriptWorkload(() => storeThenLoad(8), pageFor),
  };
  const lax = await cell(plan);
  assert.equal(lax.counters.violations, 8);
  assert.deepEqual(lax.violationSites, [
    "load/sleep-mapped: mutex_lock while fakepool handle mapped",
  ]);
  await assert.rejects(
    () => cell({ ...plan, params: { strict: true } }),
    {
      name: "SleepInAtomicError",
      message:
        "Sleeping function called from invalid context (strict mode): load/sleep-mapped: mutex_lock while fakepool handle mapped",
    },
  );
  // Several tasks and an asynchronous codec: the cell still fails cleanly.
  await assert.rejects(
    () =>
      cell({
        ...plan,
        compressor: asyncPrefixCompressor,
        params: { strict: true, tasks: 4, cpus: 2 },
      }),
    { name: "SleepInAtomicError" },
  );
});

Deno.test("runCell() counts the 5.10 path's sleeps with preemption off", async () => {
  // 5.10 (crypto_comp) never sleeps with a synchronous codec, on any pool.
  const sync = await cell({
    preset: "5.10",
    allocator: fakeAllocator({ sleepMapped: false }),
    workload: scriptWorkload(() => storeThenLoad(4), pageFor),
  });
  assert.equal(sync.strategy, "crypto-comp");
  assert.equal(sync.counters.violations, 0);
  const asy = await cell({
    preset: "5.10",
    allocator: sleepable(),
    compressor: asyncPrefixCompressor,
    workload: scriptWorkload(() => storeThenLoad(4), pageFor),
  });
  assert.equal(asy.counters.violations, 8);
  assert.deepEqual(asy.violationSites, [
    "store: async compress while preemption disabled",
    "load/crypto-comp: async decompress while preemption disabled",
  ]);
});

Deno.test("runCell() keeps ops on one offset in order across tasks", async () => {
  // Store then load the same offset, over and over: with 4 tasks and a slow codec the load is
  // pulled while its store is still in flight and must wait for it.
  const list: [Op["op"], number, number?][] = [];
  for (let i = 0; i < 60; i++) {
    list.push(["store", i % 5, i]);
    list.push(["load", i % 5]);
  }
  for (const timer of [false, true]) {
    const run = await cell({
      preset: "6.12",
      allocator: fakeAllocator({ sleepMapped: false, readBegin: true }),
      compressor: asyncPrefixCompressor,
      compressorOptions: { timer },
      workload: scriptWorkload(ops(...list), pageFor),
      params: { tasks: 4, cpus: 2 },
    });
    assert.equal(run.counters.load_hits, 60);
    assert.equal(run.counters.integrity_failures, 0);
    assert.equal(run.counters.violations, 0);
    assert.equal(run.rec.stores.length, 60);
  }
});

Deno.test("runCell() aborts on the signal", async () => {
  const ac = new AbortController();
  ac.abort(new Error("stop now"));
  await assert.rejects(
    () => runCell(testPlan(), collectRecorder(), { signal: ac.signal }),
    /stop now/,
  );
  const mid = new AbortController();
  let pulled = 0;
  const endless = scriptWorkload(function* () {
    for (let i = 0;; i++) {
      if (++pulled === 100) mid.abort(new Error("timeout"));
      yield { op: "store", offset: i % 50, pageId: i };
    }
  }, pageFor);
  await assert.rejects(
    () => runCell(testPlan({ workload: endless }), collectRecorder(), { signal: mid.signal }),
    /timeout/,
  );
  assert.ok(pulled < 1000);
});

Deno.test("runCell() loads whole-page objects at 64 KiB pages", async (t) => {
  // An incompressible 64 KiB page "compresses" to 65536 bytes, which zsmalloc stores in its huge
  // class before 6.18 (mm/zsmalloc.c: ZS_MAX_ALLOC_SIZE = PAGE_SIZE): its length must survive.
  for (const preset of ["6.1", "6.8", "6.12"]) {
    await t.step(preset, async () => {
      const n = 4;
      const run = await cell({
        preset,
        allocator: zsmallocAllocator,
        compressor: noneCompressor,
        workload: scriptWorkload(
          () => storeThenLoad(n),
          (id, into) => prefixPage(id, into.length, into),
        ),
        params: { pageSize: 65536 },
      });
      assert.deepEqual(
        counters(run, [
          "stored_pages",
          "compressed_bytes",
          "load_hits",
          "load_failed",
          "decompress_fail",
          "integrity_failures",
        ]),
        {
          stored_pages: n,
          compressed_bytes: n * 65536,
          load_hits: n,
          load_failed: 0,
          decompress_fail: 0,
          integrity_failures: 0,
        },
      );
    });
  }
});
