import assert from "node:assert/strict";
import { z3foldAllocator, zbudAllocator, zsmallocAllocator } from "../../allocators/mod.ts";
import { lz4Compressor } from "../../compressors/lz4.ts";
import { offloadCompressor } from "../../compressors/offload.ts";
import type { AllocatorPlugin, CompressorPlugin, StrategyPlugin } from "../../registry/types.ts";
import type { CellRun } from "../../zswap/cell_types.ts";
import { builtinStrategies, runCell } from "../../zswap/mod.ts";
import {
  asyncPrefixCompressor,
  collectRecorder,
  fakeAllocator,
  prefixCompressor,
  prefixPage,
  scriptWorkload,
  storeThenLoad,
  testPlan,
} from "./_fakes.ts";

const PAGES = 48;
/** Object lengths from 202 to ~1500 bytes: back to back, about a third of them span two pages. */
const lengthOf = (id: number): number => 200 + ((id * 97) % 1300);
const workload = scriptWorkload(
  () => storeThenLoad(PAGES),
  (id, into) => prefixPage(id, lengthOf(id), into),
);

function strategy(name: string): StrategyPlugin {
  const s = builtinStrategies.find((p) => p.name === name);
  assert.ok(s, name);
  return s;
}

async function run(
  name: string,
  allocator: AllocatorPlugin,
  compressor: CompressorPlugin,
  params: { tasks?: number; cpus?: number } = {},
  compressorOptions?: unknown,
): Promise<CellRun> {
  return await runCell(
    testPlan({
      preset: "6.8", // non-exclusive loads: every object is still in the pool at the end
      allocator,
      compressor,
      compressorOptions,
      workload,
      strategy: strategy(name),
      params,
    }),
    collectRecorder(),
  );
}

const ALL = [
  "sleep-mapped",
  "bounce-alloc",
  "trylock-bounce",
  "percpu-buffer",
  "async-only-copy",
  "read-begin",
  "sg-read",
];

Deno.test("builtinStrategies lists the seven strategies, oldest first", () => {
  assert.deepEqual(builtinStrategies.map((s) => s.name), ALL);
  for (const s of builtinStrategies) {
    assert.equal(s.kind, "strategy");
    assert.throws(() => s.create({ bogus: 1 }), { name: "UsageError" });
  }
  assert.throws(() => strategy("bounce-alloc").create({ gfp: "nowait" }), /gfp/);
});

Deno.test("strategies on a pool that cannot sleep mapped, asynchronous codec", async (t) => {
  const pool = () => fakeAllocator({ sleepMapped: false, readBegin: true, readSegments: true });
  // Expected bounce: all = every loaded object's length; spanning = only objects over two pages.
  const cases: [string, "all" | "spanning" | "none", boolean][] = [
    ["sleep-mapped", "none", true], // 5.11: mutex + async wait while mapped
    ["bounce-alloc", "all", false],
    ["trylock-bounce", "none", true], // one task: trylock never fails; async wait while mapped
    ["percpu-buffer", "all", false],
    ["async-only-copy", "all", false],
    ["read-begin", "spanning", false],
    ["sg-read", "none", false],
  ];
  for (const [name, bounce, violates] of cases) {
    await t.step(`${name}: bounce ${bounce}, violations ${violates}`, async () => {
      const alloc = pool();
      const r = await run(name, alloc, asyncPrefixCompressor);
      const objects = alloc.pools[0].objects();
      const all = objects.reduce((s, o) => s + o.size, 0);
      const spanning = objects.filter((o) => o.spans).reduce((s, o) => s + o.size, 0);
      assert.ok(spanning > 0 && spanning < all, "the fixture has some spanning objects");
      const expected = bounce === "all" ? all : bounce === "spanning" ? spanning : 0;
      assert.equal(r.counters.bytes_bounced, expected);
      assert.equal(r.counters.violations > 0, violates);
      assert.equal(r.counters.integrity_failures, 0);
      assert.equal(r.counters.load_hits, PAGES);
      if (violates) {
        assert.match(
          r.violationSites[0],
          new RegExp(`^load/${name}: .* while fakepool handle mapped$`),
        );
      } else assert.deepEqual(r.violationSites, []);
    });
  }
});

Deno.test("strategies on a pool that cannot sleep mapped, synchronous codec", async (t) => {
  const cases: [string, "all" | "spanning" | "none", boolean][] = [
    ["sleep-mapped", "none", true], // mutex_lock while mapped, counted even uncontended
    ["bounce-alloc", "all", false],
    ["trylock-bounce", "none", false],
    ["percpu-buffer", "all", false],
    ["async-only-copy", "none", false], // 6.10: sync codec decompresses in place again
    ["read-begin", "spanning", false],
    ["sg-read", "none", false],
  ];
  for (const [name, bounce, violates] of cases) {
    await t.step(`${name}: bounce ${bounce}, violations ${violates}`, async () => {
      const alloc = fakeAllocator({ sleepMapped: false, readBegin: true, readSegments: true });
      const r = await run(name, alloc, prefixCompressor);
      const objects = alloc.pools[0].objects();
      const all = objects.reduce((s, o) => s + o.size, 0);
      const spanning = objects.filter((o) => o.spans).reduce((s, o) => s + o.size, 0);
      const expected = bounce === "all" ? all : bounce === "spanning" ? spanning : 0;
      assert.equal(r.counters.bytes_bounced, expected);
      assert.equal(r.counters.violations > 0, violates);
      if (violates) {
        assert.deepEqual(r.violationSites, [
          "load/sleep-mapped: mutex_lock while fakepool handle mapped",
        ]);
        assert.equal(r.counters.violations, PAGES);
      }
      assert.equal(r.counters.integrity_failures, 0);
    });
  }
});

Deno.test("strategies on a pool that can sleep mapped copy nothing and never violate", async (t) => {
  for (const name of ALL) {
    await t.step(name, async () => {
      // No read APIs: read-begin and sg-read take the percpu-buffer path, which copies nothing here.
      const r = await run(name, fakeAllocator({ sleepMapped: true }), asyncPrefixCompressor, {
        tasks: 3,
      });
      assert.equal(r.counters.bytes_bounced, 0);
      assert.equal(r.counters.violations, 0);
      assert.equal(r.counters.trylock_failed, 0);
      assert.equal(r.counters.integrity_failures, 0);
      assert.equal(r.counters.load_hits, PAGES);
    });
  }
});

Deno.test("trylock-bounce copies only when its trylock fails (two tasks share a CPU)", async () => {
  const alloc = fakeAllocator({ sleepMapped: false, spanning: false });
  const r = await run("trylock-bounce", alloc, asyncPrefixCompressor, { tasks: 3, cpus: 2 });
  assert.ok(r.counters.trylock_failed > 0, "some trylocks fail");
  assert.ok(r.counters.trylock_failed < PAGES, "some trylocks succeed");
  assert.ok(r.counters.bytes_bounced > 0);
  // Each failed trylock copies exactly one object; nothing else is copied.
  const sizes = new Set(alloc.pools[0].objects().map((o) => o.size));
  assert.ok(r.counters.bytes_bounced <= r.counters.trylock_failed * Math.max(...sizes));
  assert.ok(r.counters.bytes_bounced >= r.counters.trylock_failed * Math.min(...sizes));
  // A successful trylock still waits for the asynchronous codec with the handle mapped.
  assert.ok(r.counters.violations > 0);
  assert.equal(r.counters.integrity_failures, 0);
  assert.equal(r.counters.load_hits, PAGES);
});

Deno.test("bounce-alloc with GFP_ATOMIC fails loads at the injected rate (seeded)", async () => {
  const runOnce = () =>
    runCell(
      testPlan({
        allocator: fakeAllocator({ sleepMapped: false }),
        workload,
        strategy: strategy("bounce-alloc"),
        strategyOptions: { gfp: "atomic" },
        params: { bounceFailRate: 0.25, seed: 7 },
      }),
      collectRecorder(),
    );
  const a = await runOnce();
  const b = await runOnce();
  assert.ok(a.counters.load_failed > 0 && a.counters.load_failed < PAGES);
  assert.equal(a.counters.load_failed, b.counters.load_failed);
  assert.equal(a.counters.load_hits + a.counters.load_failed, PAGES);
  assert.equal(a.counters.decompress_fail, 0);
  assert.equal(a.counters.integrity_failures, 0);
  // GFP_KERNEL never fails.
  const k = await runCell(
    testPlan({
      allocator: fakeAllocator({ sleepMapped: false }),
      workload,
      strategy: strategy("bounce-alloc"),
      strategyOptions: { gfp: "kernel" },
      params: { bounceFailRate: 1 },
    }),
    collectRecorder(),
  );
  assert.equal(k.counters.load_failed, 0);
  assert.equal(k.counters.violations, 0);
});

Deno.test("strategies over the real allocators", async (t) => {
  // zsmalloc cannot sleep mapped and has the 6.15 read API and the SG API; zbud and z3fold can.
  const codecs: [string, CompressorPlugin, unknown][] = [
    ["lz4", lz4Compressor, undefined],
    ["offload(lz4)", offloadCompressor, { codec: "lz4" }],
  ];
  const allocators = [zsmallocAllocator, zbudAllocator, z3foldAllocator];
  for (const [codecName, codec, codecOptions] of codecs) {
    for (const allocator of allocators) {
      await t.step(`${allocator.name} + ${codecName}`, async () => {
        const bounced = new Map<string, number>();
        for (const name of ALL) {
          const r = await run(name, allocator, codec, {}, codecOptions);
          assert.equal(r.counters.integrity_failures, 0, name);
          assert.equal(r.counters.load_hits, PAGES, name);
          const expectViolations = allocator.name === "zsmalloc" &&
            (name === "sleep-mapped" || (name === "trylock-bounce" && codec.async));
          assert.equal(r.counters.violations > 0, expectViolations, `${name} violations`);
          bounced.set(name, r.counters.bytes_bounced);
        }
        assert.equal(bounced.get("sg-read"), 0);
        if (allocator.name === "zsmalloc") {
          assert.ok(bounced.get("percpu-buffer")! > 0);
          assert.equal(bounced.get("bounce-alloc"), bounced.get("percpu-buffer"));
          assert.ok(bounced.get("read-begin")! > 0, "some zsmalloc objects span pages");
          assert.ok(bounced.get("read-begin")! < bounced.get("percpu-buffer")!);
          assert.equal(
            bounced.get("async-only-copy"),
            codec.async ? bounced.get("percpu-buffer") : 0,
          );
        } else {
          for (const name of ALL) assert.equal(bounced.get(name), 0, name);
        }
      });
    }
  }
});
