import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveConfig } from "../../../bench/run/config.ts";
import { parseCsv, readJsonl, readResultsJson } from "../../../bench/results/files.ts";
import { CSV_COLUMNS } from "../../../bench/results/schema.ts";
import { defaultOutDir, exitCodeOf, runSession } from "../../../bench/run/session.ts";
import { fakeEngine, fakeRegistry } from "../_fakes.ts";

const config = resolveConfig({
  allocators: ["bump", "slab"],
  compressors: ["copy", "half"],
  workloads: ["seq", "lens"],
  presets: ["latest"],
  params: { pages: 16 },
});

Deno.test("runSession() writes results.json, results.csv, results.jsonl and the reports", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const printed: string[] = [];
    const outcome = await runSession({
      config,
      registry: fakeRegistry(),
      engine: fakeEngine(),
      outDir: dir,
      print: (t) => printed.push(t),
      progress: false,
    });
    assert.equal(outcome.exitCode, 0);
    assert.equal(outcome.ran, 6);
    const json = await readResultsJson(join(dir, "results.json"));
    assert.equal(json.schema_version, 1);
    assert.equal(json.tool.name, "zswapbench");
    assert.equal(json.cells.length, 6);
    assert.deepEqual(json.cells.map((c) => c.index), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(json.config, JSON.parse(JSON.stringify(config)));
    assert.ok(json.environment.ended_at !== null);
    assert.ok(json.environment.deno.length > 0 && json.environment.cores >= 1);
    assert.ok(json.environment.timer_floor_ns >= 0);
    for (const c of json.cells) assert.equal(c.integrity_failures, 0);
    const csv = parseCsv(await Deno.readTextFile(join(dir, "results.csv")));
    assert.equal(csv.length, 7);
    assert.deepEqual(csv[0], [...CSV_COLUMNS]);
    const jsonl = await readJsonl(join(dir, "results.jsonl"));
    assert.equal(jsonl.cells.length, 6);
    assert.equal(jsonl.truncated, false);
    assert.deepEqual(jsonl.header.config, json.config);
    await Deno.stat(join(dir, "report.md"));
    await Deno.stat(join(dir, "report.html"));
    const text = printed.join("\n");
    assert.match(text, /bump\/copy\/seq\/direct\/latest\/p16-s1-c1-t1 +ok/);
    assert.match(text, /6 of 6 cells; results in /);
    // No temporary files are left behind.
    for await (const e of Deno.readDir(dir)) assert.ok(!e.name.endsWith(".tmp"), e.name);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runSession() refuses a directory that already holds a run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const opts = {
      config,
      registry: fakeRegistry(),
      engine: fakeEngine(),
      outDir: dir,
      quiet: true,
      reports: false,
    };
    await runSession(opts);
    await assert.rejects(() => runSession(opts), {
      name: "UsageError",
      message: /already holds a run \(use --resume/,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runSession() exits 1 for integrity failures and failed cells, with results written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const outcome = await runSession({
      config: resolveConfig({
        allocators: ["bump"],
        compressors: ["copy"],
        workloads: [{ name: "seq", options: { corrupt: true } }],
        presets: ["latest"],
        params: { pages: 4 },
      }),
      registry: fakeRegistry(),
      engine: fakeEngine({ corrupt: 2 }),
      outDir: dir,
      quiet: true,
      reports: false,
    });
    assert.equal(outcome.exitCode, 1);
    assert.equal(outcome.results.cells[0].integrity_failures, 2);
    assert.equal((await readResultsJson(join(dir, "results.json"))).cells.length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("runSession() refuses a filter that matches nothing", async () => {
  await assert.rejects(
    () =>
      runSession({
        config: { ...config, filter: "nothing-like-this" },
        registry: fakeRegistry(),
        engine: fakeEngine(),
        outDir: "/nonexistent/never-written",
      }),
    { name: "UsageError", message: /Filter "nothing-like-this" matches none of the 6 cells/ },
  );
});

Deno.test("exitCodeOf() and defaultOutDir()", () => {
  assert.equal(exitCodeOf([], true), 130);
  assert.equal(defaultOutDir(new Date("2026-03-01T12:30:05.123Z")), "results/2026-03-01T12-30-05Z");
});
