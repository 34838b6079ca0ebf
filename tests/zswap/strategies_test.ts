import assert from "node:assert/strict";
import { z3foldAllocator, zbudAllocator, zsmallocAllocator } from "../../allocators/mod.ts";
import { lz4Compressor } from "../../compressors/lz4.ts";
import { offloadCompressor } from "../../compressors/mod.ts";
import type {
  AllocatorPlugin,
  CompressorPlugin,
  EntryRef,
  Handle,
  LoadContext,
  MapMode,
  StrategyPlugin,
  Zpool,
} from "../../registry/types.ts";
import type { CellRun } from "../../zswap/cell_types.ts";
import { runCell } from "../../builtins/run_cell.ts";
import { builtinStrategies } from "../../zswap/mod.ts";
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

/**
 * A LoadContext that only writes down what a strategy calls, in order: lock, trylock, map, unmap,
 * kmalloc, copy (a bounced() count), decompress, unlock, and the pool's read APIs.
 */
class RecordingContext implements LoadContext {
  readonly pageSize = 4096;
  readonly buffer = new Uint8Array(2 * 4096);
  readonly log: string[] = [];
  readonly pool: Zpool;
  readonly #object = new Uint8Array(100);
  readonly #trylockFails: boolean;

  constructor(
    readonly poolSleepMapped: boolean,
    readonly compressorAsync: boolean,
    opts: { trylockFails?: boolean; readBegin?: "page" | "copy"; readSegments?: boolean } = {},
  ) {
    this.#trylockFails = opts.trylockFails ?? false;
    const log = this.log;
    const object = this.#object;
    const pool: Zpool = {
      malloc: () => 0,
      free: () => {},
      map: () => object,
      unmap: () => {},
      totalPages: () => 1,
      stats: () => ({}),
    };
    if (opts.readBegin !== undefined) {
      const copy = opts.readBegin === "copy";
      pool.readBegin = (_h: Handle, local: Uint8Array): Uint8Array => {
        log.push(copy ? "readBegin(copy)" : "readBegin");
        if (!copy) return object;
        local.set(object);
        return local.subarray(0, object.length);
      };
      pool.readEnd = (): void => void log.push("readEnd");
    }
    if (opts.readSegments) {
      pool.readSegments = (): Uint8Array[] => {
        log.push("readSegments");
        return [object];
      };
    }
    this.pool = pool;
  }

  lock(): void {
    this.log.push("lock");
  }
  trylock(): boolean {
    this.log.push(this.#trylockFails ? "trylock(fail)" : "trylock");
    return !this.#trylockFails;
  }
  unlock(): void {
    this.log.push("unlock");
  }
  map(_handle: Handle, mode: MapMode): Uint8Array {
    this.log.push(`map(${mode})`);
    return this.#object;
  }
  unmap(): void {
    this.log.push("unmap");
  }
  decompress(_src: Uint8Array, _dst: Uint8Array): number | Promise<number> {
    this.log.push("decompress");
    return this.compressorAsync ? Promise.resolve(this.pageSize) : this.pageSize;
  }
  kmalloc(size: number, atomic: boolean): Uint8Array {
    this.log.push(atomic ? "kmalloc(GFP_ATOMIC)" : "kmalloc(GFP_KERNEL)");
    return new Uint8Array(size);
  }
  bounced(bytes: number): void {
    this.log.push(`copy ${bytes}`);
  }
}

Deno.test("strategies lock, map, copy, unmap and decompress in the kernel's order", async (t) => {
  type Opts = ConstructorParameters<typeof RecordingContext>[2];
  const entry: EntryRef = { handle: 1, length: 100, headerBytes: 0 };
  // [strategy, options, pool sleeps mapped, async codec, context options, expected calls]
  const rows: [string, unknown, boolean, boolean, Opts, string[]][] = [
    // mm/zswap.c (5.11, 1ec3b5fe6eec): map, lock, decompress, unlock, unmap (DESIGN §5).
    ["sleep-mapped", {}, true, false, {}, ["map(ro)", "lock", "decompress", "unlock", "unmap"]],
    ["sleep-mapped", {}, false, true, {}, ["map(ro)", "lock", "decompress", "unlock", "unmap"]],
    // mm/zswap.c (5.12, fc6697a89f56; D6.1): can_sleep_mapped pools keep the 5.11 order; others
    // kmalloc first, then map, copy, unmap, lock, decompress, unlock (kernel-zswap.md §1).
    ["bounce-alloc", {}, true, false, {}, ["map(ro)", "lock", "decompress", "unlock", "unmap"]],
    ["bounce-alloc", { gfp: "atomic" }, false, false, {}, [
      "kmalloc(GFP_ATOMIC)",
      "map(ro)",
      "copy 100",
      "unmap",
      "lock",
      "decompress",
      "unlock",
    ]],
    ["bounce-alloc", { gfp: "kernel" }, false, true, {}, [
      "kmalloc(GFP_KERNEL)",
      "map(ro)",
      "copy 100",
      "unmap",
      "lock",
      "decompress",
      "unlock",
    ]],
    // The 2020 thread's idea, on the 5.11 tail (decompress, unlock, unmap).
    ["trylock-bounce", {}, true, false, {}, ["map(ro)", "lock", "decompress", "unlock", "unmap"]],
    ["trylock-bounce", {}, false, false, {}, [
      "map(ro)",
      "trylock",
      "decompress",
      "unlock",
      "unmap",
    ]],
    ["trylock-bounce", {}, false, true, { trylockFails: true }, [
      "map(ro)",
      "trylock(fail)",
      "kmalloc(GFP_ATOMIC)",
      "copy 100",
      "unmap",
      "lock",
      "decompress",
      "unlock",
    ]],
    // mm/zswap.c (6.8, c75f5c1e0f1d) __zswap_load: lock first; a can_sleep_mapped pool is
    // unmapped after the unlock.
    ["percpu-buffer", {}, true, false, {}, ["lock", "map(ro)", "decompress", "unlock", "unmap"]],
    ["percpu-buffer", {}, false, false, {}, [
      "lock",
      "map(ro)",
      "copy 100",
      "unmap",
      "decompress",
      "unlock",
    ]],
    // mm/zswap.c (D6.12) zswap_decompress: in place, unmap before the unlock.
    ["async-only-copy", {}, false, false, {}, [
      "lock",
      "map(ro)",
      "decompress",
      "unmap",
      "unlock",
    ]],
    ["async-only-copy", {}, false, true, {}, [
      "lock",
      "map(ro)",
      "copy 100",
      "unmap",
      "decompress",
      "unlock",
    ]],
    // mm/zswap.c (6.15, 7d4c9629b74f): lock, read_begin (a copy only when the object spans
    // pages), decompress, read_end, unlock; no map, so nothing atomic.
    ["read-begin", {}, false, true, { readBegin: "page" }, [
      "lock",
      "readBegin",
      "decompress",
      "readEnd",
      "unlock",
    ]],
    ["read-begin", {}, false, false, { readBegin: "copy" }, [
      "lock",
      "readBegin(copy)",
      "copy 100",
      "decompress",
      "readEnd",
      "unlock",
    ]],
    // mm/zswap.c (D7.2, dc2e4982cb01): lock, SG read, decompress, unlock; no copy.
    ["sg-read", {}, false, true, { readBegin: "copy", readSegments: true }, [
      "lock",
      "readSegments",
      "decompress",
      "unlock",
    ]],
  ];
  for (const [name, options, sleepMapped, async, ctxOptions, expected] of rows) {
    const label = `${name} ${JSON.stringify(options)}, ${sleepMapped ? "sleepable" : "no-sleep"} ` +
      `pool, ${async ? "async" : "sync"} codec${ctxOptions?.trylockFails ? ", trylock fails" : ""}`;
    await t.step(label, async () => {
      const ctx = new RecordingContext(sleepMapped, async, ctxOptions);
      const n = await strategy(name).create(options)(ctx, entry, new Uint8Array(4096));
      assert.equal(n, 4096);
      assert.deepEqual(ctx.log, expected);
    });
  }
});
