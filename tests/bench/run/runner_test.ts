import assert from "node:assert/strict";
import { resolveConfig } from "../../../bench/run/config.ts";
import { expandMatrix } from "../../../bench/run/matrix.ts";
import { runCellByName, runMatrix } from "../../../bench/run/runner.ts";
import { fakeEngine, fakeRegistry } from "../_fakes.ts";

const base = {
  allocators: ["bump"],
  compressors: ["half"],
  workloads: ["seq"],
  presets: ["latest"],
  params: { pages: 64 },
  repetitions: 1,
  warmup: 0,
};

Deno.test("runMatrix() gives one ok cell per combination with counters, ratios and latencies", async () => {
  const cells = await runMatrix(
    resolveConfig({ ...base, allocators: ["bump", "slab"], compressors: ["copy", "half"] }),
    { registry: fakeRegistry(), engine: fakeEngine() },
  );
  assert.equal(cells.length, 4);
  const c = cells.find((x) => x.cell === "bump/half/seq/direct/latest/p64-s1-c1-t1")!;
  assert.equal(c.status, "ok");
  assert.equal(c.error, null);
  assert.equal(c.stored_pages, 64);
  assert.equal(c.compressed_bytes, 64 * 2048);
  assert.equal(c.compression_ratio, 2);
  assert.equal(c.pool_pages, 32);
  assert.equal(c.pool_ratio, 2);
  assert.equal(c.allocator_efficiency, 1);
  assert.equal(c.store_count, 64);
  assert.equal(c.load_count, 64);
  assert.equal(c.writeback_count, 0);
  assert.equal(c.writeback_p50_ns, null);
  assert.ok(c.store_p50_ns! >= 1000 && c.store_p50_ns! < 1100);
  assert.ok(c.store_p50_ns! <= c.store_p90_ns! && c.store_p90_ns! <= c.store_p99_ns!);
  assert.ok(c.store_p99_ns! <= c.store_p999_ns!);
  assert.equal(c.store_p50_ns_cv, null, "one repetition: no noise estimate");
  assert.ok(c.store_mbps! > 0 && c.load_mbps! > 0);
  assert.equal(c.integrity_failures, 0);
  assert.equal(c.compressor, "half");
  assert.equal(c.strategy, "direct");
  assert.deepEqual(c.allocator_stats, { pages: 32 });
  const slab = cells.find((x) => x.allocator === "slab")!;
  assert.equal(slab.violations, 1);
  assert.equal(slab.violation_sites, "load: mutex_lock while mapped");
});

Deno.test("runMatrix() turns a throwing cell into status failed and goes on", async () => {
  const cells = await runMatrix(
    resolveConfig({ ...base, allocators: ["boom", "bump"] }),
    { registry: fakeRegistry(), engine: { ...fakeEngine(), runCell: failFor("boom") } },
  );
  assert.deepEqual(cells.map((c) => c.status), ["failed", "ok"]);
  assert.equal(cells[0].error, "Pool creation failed on purpose");
  assert.equal(cells[0].stored_pages, null);
  assert.equal(cells[0].pool_ratio, null);
  assert.equal(cells[0].store_p50_ns, null);
  assert.deepEqual(cells[0].allocator_stats, {});
});

function failFor(name: string) {
  const engine = fakeEngine();
  return (...args: Parameters<typeof engine.runCell>) => {
    if (args[0].allocator.name === name) args[0].allocator.create({} as never);
    return engine.runCell(...args);
  };
}

Deno.test("runCellByName() formats a zod options error and reports fixed compressors as -", async () => {
  const registry = fakeRegistry();
  const [spec] = expandMatrix(
    resolveConfig({ ...base, workloads: ["lens"] }),
    { registry, engine: fakeEngine() },
  );
  const { z } = await import("zod");
  const engine = fakeEngine();
  const bad = {
    ...engine,
    runCell: () => {
      z.strictObject({ level: z.number() }).parse({ levle: 3 });
      throw new Error("unreachable");
    },
  };
  const failed = await runCellByName(spec, registry, { engine: bad });
  assert.equal(failed.status, "failed");
  assert.equal(failed.error, 'Invalid options: level: must be a number; unknown key "levle"');
  const ok = await runCellByName(spec, registry, { engine });
  assert.equal(ok.compressor, "-");
  assert.deepEqual(ok.compressor_options, {});
});

Deno.test("runCellByName() runs warm-up runs, discards them, and summarises repetitions", async () => {
  const engine = fakeEngine();
  const registry = fakeRegistry();
  const [spec] = expandMatrix(
    resolveConfig({ ...base, repetitions: 3, warmup: 2 }),
    { registry, engine },
  );
  const result = await runCellByName(spec, registry, { engine });
  assert.equal(engine.calls, 5);
  assert.equal(result.repetitions, 3);
  assert.equal(result.warmup, 2);
  assert.equal(result.store_count, 64, "counts come from one repetition, not the sum");
  assert.equal(result.store_p50_ns_cv, 0, "identical repetitions have no spread");
});

Deno.test("runMatrix() stops at an abort and keeps the finished cells", async () => {
  const controller = new AbortController();
  let runs = 0;
  const engine = fakeEngine({
    onRun: () => {
      runs++;
      if (runs === 3) controller.abort(new DOMException("Interrupted", "AbortError"));
    },
  });
  const cells = await runMatrix(
    resolveConfig({ ...base, params: { pages: [1, 2, 3, 4, 5] } }),
    { registry: fakeRegistry(), engine, signal: controller.signal },
  );
  assert.deepEqual(cells.map((c) => c.pages), [1, 2]);
});

Deno.test("runMatrix() calls onCell in matrix order and honours skip", async () => {
  const seen: string[] = [];
  const cells = await runMatrix(
    resolveConfig({ ...base, params: { pages: [1, 2, 3] } }),
    {
      registry: fakeRegistry(),
      engine: fakeEngine(),
      skip: new Set(["bump/half/seq/direct/latest/p2-s1-c1-t1"]),
      onCell: (r) => {
        seen.push(r.cell);
      },
    },
  );
  assert.deepEqual(seen, cells.map((c) => c.cell));
  assert.deepEqual(cells.map((c) => c.pages), [1, 3]);
});

Deno.test("runMatrix() with the built-ins: one ok cell per combination, every page round-trips", async () => {
  const { createDefaultRegistry } = await import("../../../builtins/mod.ts");
  const { createDefaultEngine } = await import("../../../bench/run/default_engine.ts");
  const config = resolveConfig({
    allocators: ["zbud", "z3fold", "zsmalloc"],
    compressors: ["lz4", "zstd"],
    workloads: ["mixed"],
    presets: ["6.1", "latest"],
    params: { pages: 128 },
    repetitions: 1,
    warmup: 0,
  });
  const cells = await runMatrix(config, {
    registry: createDefaultRegistry(),
    engine: createDefaultEngine(),
  });
  assert.equal(cells.length, 3 * 2 * 2);
  assert.equal(new Set(cells.map((c) => c.cell)).size, cells.length);
  for (const c of cells) {
    assert.equal(c.status, "ok", `${c.cell}: ${c.error}`);
    assert.equal(c.integrity_failures, 0, c.cell);
    assert.equal(c.decompress_fail, 0, c.cell);
    assert.ok(c.load_hits! > 0, c.cell);
    assert.ok(c.pool_ratio! > 0 && c.compression_ratio! > 1, c.cell);
  }
  const c61 = cells.find((c) => c.preset === "6.1" && c.allocator === "zsmalloc")!;
  assert.equal(c61.strategy, "bounce-alloc");
  assert.ok(c61.bytes_bounced! > 0, "6.1 bounces zsmalloc loads");
});

Deno.test("runMatrix() counts a deliberately corrupted stored object as an integrity failure", async () => {
  const { createDefaultRegistry } = await import("../../../builtins/mod.ts");
  const { createDefaultEngine } = await import("../../../bench/run/default_engine.ts");
  const { defineAllocator } = await import("../../../registry/define.ts");
  const registry = createDefaultRegistry();
  const zsmalloc = registry.get("allocator", "zsmalloc");
  // zsmalloc whose read mappings flip the last byte of each object, once per handle. No read
  // APIs are passed through, so every load maps the object.
  registry.register(
    defineAllocator({
      kind: "allocator",
      name: "zsmalloc-corrupt",
      description: "zsmalloc that corrupts each object on its first read mapping",
      sleepMapped: zsmalloc.sleepMapped,
      create(env) {
        const pool = zsmalloc.create(env);
        const hit = new Set<number>();
        return {
          malloc: (size) => pool.malloc(size),
          free: (h) => pool.free(h),
          unmap: (h, cpu) => pool.unmap(h, cpu),
          totalPages: () => pool.totalPages(),
          stats: () => pool.stats(),
          map(handle, mode, cpu) {
            const view = pool.map(handle, mode, cpu);
            if (mode === "ro" && !hit.has(handle)) {
              hit.add(handle);
              view[view.length - 1] ^= 0xff;
            }
            return view;
          },
        };
      },
    }),
    "test",
  );
  // The "none" compressor stores pages as they are, so a flipped byte decompresses fine and
  // only the integrity check can see it.
  const cells = await runMatrix(
    resolveConfig({
      allocators: ["zsmalloc", "zsmalloc-corrupt"],
      compressors: ["none"],
      workloads: ["text"],
      presets: ["6.8"],
      params: { pages: 64 },
      repetitions: 1,
      warmup: 0,
    }),
    { registry, engine: createDefaultEngine() },
  );
  const [clean, corrupt] = cells;
  assert.equal(clean.status, "ok", clean.error ?? "");
  assert.ok(clean.load_hits! > 0);
  assert.equal(clean.integrity_failures, 0);
  // Wrong bytes fail the cell (issue 9), and its counters stay so the count is reported.
  assert.equal(corrupt.status, "failed");
  assert.equal(corrupt.integrity_failures, corrupt.load_hits, "every first load sees the flip");
  assert.equal(
    corrupt.error,
    `${corrupt.integrity_failures} integrity failures: loads returned bytes that differ from what was stored`,
  );
  const { exitCodeOf } = await import("../../../bench/run/session.ts");
  assert.equal(exitCodeOf([clean], false), 0);
  assert.equal(exitCodeOf(cells, false), 1);
});
