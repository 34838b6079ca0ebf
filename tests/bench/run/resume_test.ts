import assert from "node:assert/strict";
import { join } from "node:path";
import { resolveConfig } from "../../../bench/run/config.ts";
import { readJsonl, readResultsJson } from "../../../bench/results/files.ts";
import { runSession } from "../../../bench/run/session.ts";
import { fakeEngine, fakeRegistry, withoutTiming } from "../_fakes.ts";

const config = resolveConfig({
  allocators: ["bump", "slab"],
  compressors: ["copy", "half"],
  workloads: ["seq"],
  strategies: ["direct", "bounce"],
  presets: ["latest"],
  params: { pages: [8, 16] },
  repetitions: 1,
  warmup: 0,
});

async function fullRun(dir: string) {
  return await runSession({
    config,
    registry: fakeRegistry(),
    engine: fakeEngine(),
    outDir: dir,
    quiet: true,
    reports: false,
  });
}

Deno.test("resume: a killed run resumed gives the cells of an uninterrupted one", async () => {
  const whole = await Deno.makeTempDir();
  const killed = await Deno.makeTempDir();
  try {
    const reference = (await fullRun(whole)).results.cells;
    assert.equal(reference.length, 16);
    // Simulate a kill: the header, 5 finished cells, and half of the 6th line.
    const lines = (await Deno.readTextFile(join(whole, "results.jsonl"))).split("\n");
    const cut = lines.slice(0, 6).join("\n") + "\n" + lines[6].slice(0, 40);
    await Deno.writeTextFile(join(killed, "results.jsonl"), cut);
    const previous = await readJsonl(join(killed, "results.jsonl"));
    assert.equal(previous.cells.length, 5);
    assert.equal(previous.truncated, true);

    const engine = fakeEngine();
    const outcome = await runSession({
      config,
      registry: fakeRegistry(),
      engine,
      outDir: killed,
      resume: { header: previous.header, cells: previous.cells },
      quiet: true,
      reports: false,
    });
    assert.equal(engine.calls, 11, "only the unfinished cells run again");
    assert.equal(outcome.ran, 11);
    assert.equal(outcome.exitCode, 0);
    const resumed = (await readResultsJson(join(killed, "results.json"))).cells;
    assert.deepEqual(resumed.map(withoutTiming), reference.map(withoutTiming));
    // The JSONL now holds every cell once, and no torn line.
    const after = await readJsonl(join(killed, "results.jsonl"));
    assert.equal(after.truncated, false);
    assert.deepEqual(after.cells.map((c) => c.cell).sort(), reference.map((c) => c.cell).sort());
    const header = after.header.environment;
    assert.equal(header.started_at, previous.header.environment.started_at);
  } finally {
    await Deno.remove(whole, { recursive: true });
    await Deno.remove(killed, { recursive: true });
  }
});

Deno.test("resume: Ctrl-C keeps the finished cells, writes results, and a resume completes the run", async () => {
  const dir = await Deno.makeTempDir();
  const whole = await Deno.makeTempDir();
  try {
    const controller = new AbortController();
    let runs = 0;
    const interrupted = await runSession({
      config,
      registry: fakeRegistry(),
      engine: fakeEngine({
        onRun: () => {
          if (++runs === 4) controller.abort(new DOMException("Interrupted", "AbortError"));
        },
      }),
      outDir: dir,
      signal: controller.signal,
      quiet: true,
      reports: false,
    });
    assert.equal(interrupted.exitCode, 130);
    assert.equal(interrupted.interrupted, true);
    assert.equal((await readResultsJson(join(dir, "results.json"))).cells.length, 3);
    const previous = await readJsonl(join(dir, "results.jsonl"));
    const resumed = await runSession({
      config,
      registry: fakeRegistry(),
      engine: fakeEngine(),
      outDir: dir,
      resume: previous,
      quiet: true,
      reports: false,
    });
    assert.equal(resumed.exitCode, 0);
    const reference = (await fullRun(whole)).results.cells;
    assert.deepEqual(resumed.results.cells.map(withoutTiming), reference.map(withoutTiming));
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(whole, { recursive: true });
  }
});

/** The run the interrupt tests stop midway: 12 cells of about 0.2 s each. */
const INTERRUPTED_RUN = [
  "--pages",
  "2048",
  "--repetitions",
  "2",
  "--warmup",
  "0",
  "--allocators",
  "zbud,z3fold,zsmalloc",
  "--compressors",
  "lz4,zstd",
  "--presets",
  "6.1,latest",
];

/** Poll a JSONL file until it has `lines` lines (the last may be empty), for at most 600 polls. */
async function waitForLines(path: string, lines: number, pollMs: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    await new Promise((r) => setTimeout(r, pollMs));
    const text = await Deno.readTextFile(path).catch(() => "");
    if (text.split("\n").length >= lines) return;
  }
}

Deno.test("cli: Ctrl-C stops cleanly (exit 130, finished cells written) and --resume completes the run", async () => {
  const { runCli, spawnCli, stableColumns } = await import("../_cli.ts");
  const dir = await Deno.makeTempDir();
  try {
    // 12 cells of about 0.2 s each: long enough to interrupt after the first one.
    const args = INTERRUPTED_RUN;
    const child = spawnCli("run", ...args, "--out", `${dir}/run`);
    // Wait for the first finished cell in the JSONL, then interrupt.
    const jsonl = `${dir}/run/results.jsonl`;
    await waitForLines(jsonl, 3, 50);
    child.kill("SIGINT");
    const { code, stderr } = await child.output();
    const finished = JSON.parse(await Deno.readTextFile(`${dir}/run/results.json`)).cells;
    if (finished.length === 12) {
      // The machine was fast enough to finish before the signal: nothing to resume.
      assert.equal(code, 0);
      console.warn("the run finished before SIGINT: the interrupt path was not exercised");
      return;
    }
    assert.equal(code, 130, new TextDecoder().decode(stderr));
    assert.match(
      new TextDecoder().decode(stderr),
      /Interrupted: abandoning the running cell, keeping the finished ones/,
    );
    assert.ok(finished.length >= 1 && finished.length < 12);
    await Deno.stat(`${dir}/run/report.md`);

    const resumed = await runCli("run", "--resume", `${dir}/run`, "--quiet");
    assert.equal(resumed.code, 0, resumed.stderr);
    const whole = await runCli("run", ...args, "--out", `${dir}/whole`, "--quiet");
    assert.equal(whole.code, 0, whole.stderr);
    const a = JSON.parse(await Deno.readTextFile(`${dir}/run/results.json`)).cells;
    const b = JSON.parse(await Deno.readTextFile(`${dir}/whole/results.json`)).cells;
    assert.equal(a.length, 12);
    assert.deepEqual(a.map(stableColumns), b.map(stableColumns));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: a run killed with SIGKILL midway and resumed gives the cells of an uninterrupted one", async () => {
  const { runCli, spawnCli, stableColumns } = await import("../_cli.ts");
  const dir = await Deno.makeTempDir();
  try {
    // 12 cells in Workers, two at a time: a kill can land while both write their JSONL lines.
    const args = INTERRUPTED_RUN;
    const child = spawnCli("run", ...args, "--jobs", "2", "--out", `${dir}/run`);
    const jsonl = `${dir}/run/results.jsonl`;
    await waitForLines(jsonl, 4, 25); // the header and two cells
    child.kill("SIGKILL");
    const status = await child.status;
    await child.stdout.cancel();
    await child.stderr.cancel();
    const before = await readJsonl(jsonl);
    if (status.success) {
      console.warn("the run finished before SIGKILL: the kill path was not exercised");
    } else {
      assert.equal(status.signal, "SIGKILL");
      assert.ok(before.cells.length >= 2 && before.cells.length < 12, `${before.cells.length}`);
    }

    // The reports can be rebuilt from the JSONL alone, torn last line and all.
    const partial = await runCli("report", jsonl);
    assert.equal(partial.code, 0, partial.stderr);
    await Deno.stat(`${dir}/run/report.md`);

    const resumed = await runCli("run", "--resume", `${dir}/run`, "--jobs", "2", "--quiet");
    assert.equal(resumed.code, 0, resumed.stderr);
    const whole = await runCli("run", ...args, "--out", `${dir}/whole`, "--quiet");
    assert.equal(whole.code, 0, whole.stderr);
    const a = JSON.parse(await Deno.readTextFile(`${dir}/run/results.json`));
    const b = JSON.parse(await Deno.readTextFile(`${dir}/whole/results.json`));
    assert.equal(a.cells.length, 12);
    assert.deepEqual(a.cells.map(stableColumns), b.cells.map(stableColumns));
    assert.equal(a.environment.jobs, 2);
    // The JSONL holds each cell once and no torn line, so reports can be rebuilt from it alone.
    const after = await readJsonl(jsonl);
    assert.equal(after.truncated, false);
    assert.equal(after.cells.length, 12);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
