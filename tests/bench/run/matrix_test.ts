import assert from "node:assert/strict";
import { resolveConfig } from "../../../bench/run/config.ts";
import {
  expandMatrix,
  label,
  paramCombinations,
  paramsLabel,
  parseShard,
  selectCells,
} from "../../../bench/run/matrix.ts";
import { fakeEngine, fakeRegistry } from "../_fakes.ts";

const ctx = () => ({ registry: fakeRegistry(), engine: fakeEngine() });

Deno.test("expandMatrix() crosses every dimension with stable names and indices", () => {
  const config = resolveConfig({
    allocators: ["bump", "slab"],
    compressors: ["copy", "half"],
    workloads: ["seq"],
    strategies: ["direct", "bounce"],
    presets: ["6.8"],
    params: { pages: [16, 32], seed: 3 },
  });
  const cells = expandMatrix(config, ctx());
  assert.equal(cells.length, 2 * 2 * 1 * 2 * 1 * 2);
  cells.forEach((c, i) => assert.equal(c.index, i));
  assert.equal(cells[0].cell, "bump/copy/seq/direct/6.8/p16-s3-c1-t1");
  assert.equal(cells[1].cell, "bump/copy/seq/direct/6.8/p32-s3-c1-t1");
  assert.equal(cells[cells.length - 1].cell, "slab/half/seq/bounce/6.8/p32-s3-c1-t1");
  assert.equal(new Set(cells.map((c) => c.cell)).size, cells.length);
  assert.deepEqual(cells[0].params, {
    pages: 16,
    seed: 3,
    cpus: 1,
    tasks: 1,
    pageSize: 4096,
    totalRamPages: 262144,
    maxPoolPercent: 20,
    acceptThresholdPercent: 90,
    bounceFailRate: 0,
    strict: false,
    thinkUs: 0,
    costModel: "measured",
  });
});

Deno.test("paramCombinations() sweeps think time and cost model, named only when not the default", () => {
  const combos = paramCombinations(
    resolveConfig({
      params: { pages: 16, thinkUs: [0, 5], costModel: ["measured", "calibrated"] },
    }),
  );
  assert.deepEqual(combos.map((c) => paramsLabel(c.params, c.totalRamMiB)), [
    "p16-s1-c1-t1",
    "p16-s1-c1-t1-calibrated",
    "p16-s1-c1-t1-think5",
    "p16-s1-c1-t1-think5-calibrated",
  ]);
  assert.throws(
    () => resolveConfig({ params: { costModel: { model: "exact" } } }),
    { name: "UsageError", message: /Invalid cost model/ },
  );
});

Deno.test("expandMatrix() names the preset's own strategy when none is given", () => {
  const cells = expandMatrix(
    resolveConfig({
      allocators: ["bump"],
      compressors: ["copy"],
      workloads: ["seq"],
      presets: ["6.1", "6.8"],
    }),
    ctx(),
  );
  assert.deepEqual(cells.map((c) => c.cell), [
    "bump/copy/seq/bounce/6.1/p4096-s1-c1-t1",
    "bump/copy/seq/direct/6.8/p4096-s1-c1-t1",
  ]);
  assert.equal(cells[0].strategy, null);
});

Deno.test("expandMatrix() does not cross a fixed-compressor workload with the compressors", () => {
  const cells = expandMatrix(
    resolveConfig({
      allocators: ["bump"],
      compressors: ["copy", "half"],
      workloads: ["seq", "lens"],
      presets: ["latest"],
    }),
    ctx(),
  );
  assert.deepEqual(cells.map((c) => c.cell), [
    "bump/copy/seq/direct/latest/p4096-s1-c1-t1",
    "bump/half/seq/direct/latest/p4096-s1-c1-t1",
    "bump/-/lens/direct/latest/p4096-s1-c1-t1",
  ]);
  assert.equal(cells[2].compressor.name, "lengths");
  assert.equal(cells[2].fixedCompressor, true);
});

Deno.test("expandMatrix() shows options and non-default params in names", () => {
  const cells = expandMatrix(
    resolveConfig({
      allocators: [{ name: "bump", options: { b: 2, a: "x" } }],
      compressors: ["copy"],
      workloads: ["seq"],
      presets: ["latest"],
      params: { pageSize: 16384, strict: true, bounceFailRate: 0.5, totalRamMiB: 64 },
    }),
    ctx(),
  );
  assert.equal(
    cells[0].cell,
    "bump[a=x,b=2]/copy/seq/direct/latest/p4096-s1-c1-t1-ps16384-ram64-bfr0.5-strict",
  );
  assert.equal(cells[0].params.totalRamPages, 64 * 1048576 / 16384);
});

Deno.test("expandMatrix() refuses unknown names, unknown presets and duplicate cells", () => {
  assert.throws(
    () => expandMatrix(resolveConfig({ allocators: ["bmup"] }), ctx()),
    { name: "RegistryError", message: /Unknown allocator "bmup" .*did you mean "bump"\?/ },
  );
  assert.throws(
    () =>
      expandMatrix(
        resolveConfig({
          allocators: ["bump"],
          compressors: ["copy"],
          workloads: ["seq"],
          presets: ["6.9"],
        }),
        ctx(),
      ),
    {
      name: "ConfigError",
      message: 'Unknown preset "6.9" (known: 6.1, 6.8, latest; did you mean "6.1"?)',
    },
  );
  assert.throws(
    () =>
      expandMatrix(
        resolveConfig({
          allocators: ["bump", "bump"],
          compressors: ["copy"],
          workloads: ["seq"],
          presets: ["latest"],
        }),
        ctx(),
      ),
    {
      name: "ConfigError",
      message: /both named "bump\/copy\/seq\/direct\/latest\/p4096-s1-c1-t1"/,
    },
  );
  assert.throws(
    () =>
      expandMatrix(
        resolveConfig({
          allocators: ["bump"],
          compressors: [],
          workloads: ["seq"],
          presets: ["latest"],
        }),
        ctx(),
      ),
    { name: "ConfigError", message: /Workload "seq" needs a compressor/ },
  );
});

Deno.test("paramCombinations() gives the cartesian product", () => {
  const c = resolveConfig({ params: { pages: [1, 2], cpus: [1, 2, 4], strict: [false, true] } });
  assert.equal(paramCombinations(c).length, 12);
});

Deno.test("selectCells() filters by name regex", () => {
  const cells = expandMatrix(
    resolveConfig({
      allocators: ["bump", "slab"],
      compressors: ["copy", "half"],
      workloads: ["seq"],
      presets: ["latest"],
    }),
    ctx(),
  );
  const picked = selectCells(cells, { filter: "^slab/.*half" });
  assert.deepEqual(picked.map((c) => c.cell), ["slab/half/seq/direct/latest/p4096-s1-c1-t1"]);
  assert.equal(picked[0].index, 3);
});

Deno.test("selectCells() shards partition the matrix: disjoint, and their union is every cell", async (t) => {
  const cells = expandMatrix(
    resolveConfig({
      allocators: ["bump", "slab"],
      compressors: ["copy", "half"],
      workloads: ["seq", "lens"],
      strategies: ["direct", "bounce"],
      presets: ["6.1", "latest"],
      params: { pages: [1, 2, 3] },
    }),
    ctx(),
  );
  for (const n of [1, 2, 3, 7, cells.length + 5]) {
    await t.step(`${n} shards`, () => {
      const seen = new Map<string, number>();
      for (let i = 1; i <= n; i++) {
        for (const c of selectCells(cells, { shard: { index: i, count: n } })) {
          assert.equal(seen.has(c.cell), false, `${c.cell} in two shards`);
          seen.set(c.cell, i);
        }
      }
      assert.deepEqual([...seen.keys()].sort(), cells.map((c) => c.cell).sort());
    });
  }
  await t.step("a shard does not depend on the filter", () => {
    const shard = { index: 2, count: 3 };
    const both = selectCells(cells, { shard, filter: "bump" }).map((c) => c.cell);
    const shardThenFilter = selectCells(cells, { shard }).filter((c) => /bump/.test(c.cell))
      .map((c) => c.cell);
    assert.deepEqual(both, shardThenFilter);
  });
});

Deno.test("parseShard() takes i/n and refuses the rest", () => {
  assert.deepEqual(parseShard("1/2"), { index: 1, count: 2 });
  for (const bad of ["0/2", "3/2", "1/0", "a/b", "1", "1/2/3"]) {
    assert.throws(() => parseShard(bad), { name: "UsageError", message: /must be i\/n/ });
  }
});

Deno.test("label() sorts options and keeps plain names plain", () => {
  assert.equal(label({ name: "zstd", options: {} }), "zstd");
  assert.equal(label({ name: "zstd", options: { level: 3, dict: [1] } }), "zstd[dict=[1],level=3]");
});
