import assert from "node:assert/strict";
import { join } from "node:path";
import { mergeRuns, readRunDir } from "../../../bench/cli/merge.ts";
import { resolveConfig } from "../../../bench/run/config.ts";
import { expandMatrix, selectCells } from "../../../bench/run/matrix.ts";
import { runSession } from "../../../bench/run/session.ts";
import { fakeEngine, fakeRegistry, withoutTiming } from "../_fakes.ts";

const input = {
  allocators: ["bump", "slab"],
  compressors: ["copy", "half"],
  workloads: ["seq", "lens"],
  strategies: ["direct", "bounce"],
  presets: ["6.1", "latest"],
  params: { pages: [4, 8] },
};

async function run(dir: string, shard: { index: number; count: number } | null, extra = {}) {
  await runSession({
    config: resolveConfig({ ...input, ...extra }, { shard }),
    registry: fakeRegistry(),
    engine: fakeEngine(),
    outDir: dir,
    quiet: true,
    reports: false,
  });
  return await readRunDir(dir);
}

function expected(): string[] {
  const all = expandMatrix(resolveConfig(input), {
    registry: fakeRegistry(),
    engine: fakeEngine(),
  });
  return selectCells(all).map((c) => c.cell);
}

Deno.test("mergeRuns() of two shards gives exactly the cells of the whole run", async () => {
  const dirs = await Promise.all([0, 1, 2].map(() => Deno.makeTempDir()));
  try {
    const whole = await run(dirs[0], null);
    const s1 = await run(dirs[1], { index: 1, count: 2 });
    const s2 = await run(dirs[2], { index: 2, count: 2 });
    assert.ok(s1.cells.length > 0 && s2.cells.length > 0);
    assert.equal(s1.cells.length + s2.cells.length, whole.cells.length);
    // Either order of inputs gives the matrix order.
    for (const inputs of [[s1, s2], [s2, s1]]) {
      const merged = mergeRuns(inputs, { expected: expected() });
      assert.deepEqual(merged.cells.map(withoutTiming), whole.cells.map(withoutTiming));
      assert.equal((merged.config as { shard: unknown }).shard, null);
      assert.deepEqual(merged.config, JSON.parse(JSON.stringify(whole.config)));
    }
  } finally {
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("mergeRuns() refuses mismatches unless forced", async (t) => {
  const dirs = await Promise.all([0, 1, 2, 3].map(() => Deno.makeTempDir()));
  try {
    const s1 = await run(dirs[0], { index: 1, count: 2 });
    const s2 = await run(dirs[1], { index: 2, count: 2 });
    const other = await run(dirs[2], { index: 2, count: 2 }, { params: { pages: [4, 16] } });
    const s1of3 = await run(dirs[3], { index: 1, count: 3 });
    await t.step("another config", () => {
      assert.throws(() => mergeRuns([s1, other]), {
        name: "UsageError",
        message: /has another config than .*: config\.params\.pages\[1\] differs \(use --force/,
      });
    });
    await t.step("another kind of machine", () => {
      const moved = { ...s2, environment: { ...s2.environment, cpu_model: "Other CPU" } };
      assert.throws(() => mergeRuns([s1, moved]), {
        message: /another kind of environment .*cpu_model/,
      });
    });
    await t.step("a missing shard", () => {
      assert.throws(() => mergeRuns([s1]), { message: /Shard 2\/2 missing/ });
    });
    await t.step("a shard twice", () => {
      assert.throws(() => mergeRuns([s1, s1]), { message: /Shard 1\/2 appears twice/ });
    });
    await t.step("different shard counts", () => {
      assert.throws(() => mergeRuns([s1, s1of3]), { message: /into 2 and 3 shards/ });
    });
    await t.step("missing cells of an interrupted shard", () => {
      const cut = { ...s2, cells: s2.cells.slice(1) };
      assert.throws(() => mergeRuns([s1, cut], { expected: expected() }), {
        message:
          /1 cell of the matrix is missing, e.g. ".*" \(an interrupted shard\? finish it with --resume\)/,
      });
    });
    await t.step("force lets it through with warnings", () => {
      const warnings: string[] = [];
      const merged = mergeRuns([s1, s1], { force: true, warn: (m) => warnings.push(m) });
      assert.equal(merged.cells.length, s1.cells.length);
      assert.ok(warnings.some((w) => /appears twice/.test(w)));
    });
  } finally {
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
});

Deno.test("readRunDir() falls back to results.json without a JSONL", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = await run(dir, null);
    await Deno.remove(join(dir, "results.jsonl"));
    const b = await readRunDir(dir);
    assert.deepEqual(b.cells, a.cells);
    await Deno.remove(join(dir, "results.json"));
    await assert.rejects(() => readRunDir(dir), {
      name: "UsageError",
      message: /cannot read it: no such file/,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli merge: two shards of a real run merge into the cells of the whole run", async () => {
  const { runCli, stableColumns } = await import("../_cli.ts");
  const dir = await Deno.makeTempDir();
  try {
    const common = [
      "--quick",
      "--pages",
      "64",
      "--allocators",
      "zbud,zsmalloc",
      "--compressors",
      "lz4,zstd",
      "--presets",
      "6.1,latest",
      "--quiet",
    ];
    for (
      const [out, extra] of [["whole", []], ["s1", ["--shard", "1/2"]], ["s2", [
        "--shard",
        "2/2",
      ]]] as const
    ) {
      const r = await runCli("run", ...common, ...extra, "--out", `${dir}/${out}`);
      assert.equal(r.code, 0, r.stderr);
    }
    const bad = await runCli("merge", `${dir}/s1`, "--out", `${dir}/merged`);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Shard 2\/2 missing \(use --force to merge anyway\)/);
    const r = await runCli("merge", `${dir}/s2`, `${dir}/s1`, "--out", `${dir}/merged`, "--quiet");
    assert.equal(r.code, 0, r.stderr);
    const whole = JSON.parse(await Deno.readTextFile(`${dir}/whole/results.json`));
    const merged = JSON.parse(await Deno.readTextFile(`${dir}/merged/results.json`));
    assert.equal(merged.cells.length, 8);
    assert.deepEqual(merged.cells.map(stableColumns), whole.cells.map(stableColumns));
    assert.deepEqual(merged.config, whole.config);
    for (const f of ["results.csv", "results.jsonl", "report.md", "report.html"]) {
      await Deno.stat(`${dir}/merged/${f}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
