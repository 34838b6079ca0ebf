import assert from "node:assert/strict";
import { compareRuns, formatComparison, main as compareMain } from "../../../bench/cli/compare.ts";
import type { RunResults } from "../../../bench/results/schema.ts";
import { fixtureResults } from "../_results_fixture.ts";
import { quiet } from "../_quiet.ts";

/** Writes each run to its own results folder; returns the folders. */
async function writeRuns(root: string, ...runs: RunResults[]): Promise<string[]> {
  const dirs: string[] = [];
  for (const [i, run] of runs.entries()) {
    const dir = `${root}/run${i}`;
    await Deno.mkdir(dir);
    await Deno.writeTextFile(`${dir}/results.json`, JSON.stringify(run));
    dirs.push(dir);
  }
  return dirs;
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const slower = (factor: number) =>
  fixtureResults({
    mapCell: (c) =>
      c.status !== "ok" ? c : {
        ...c,
        load_p50_ns: c.load_p50_ns! * factor,
        load_p90_ns: c.load_p90_ns! * factor,
        load_p99_ns: c.load_p99_ns! * factor,
      },
  });

Deno.test("compare main() passes a run compared with itself", async () => {
  await withTempDir(async (root) => {
    const [a] = await writeRuns(root, fixtureResults());
    const { value, printed } = await quiet(() => compareMain([a, a, "--fail-on-regression"]));
    assert.equal(value, 0);
    assert.match(printed, /12 cells in both runs/);
    assert.match(printed, /No regression\./);
  });
});

Deno.test("compare main() exits 1 on three times slower loads with --fail-on-regression", async () => {
  await withTempDir(async (root) => {
    const [a, b] = await writeRuns(root, fixtureResults(), slower(3));
    const failing = await quiet(() => compareMain([a, b, "--fail-on-regression"]));
    assert.equal(failing.value, 1);
    assert.match(failing.printed, /Regressions in 11 cells/);
    assert.match(failing.printed, /load_p50_ns rose from .* \(x3\.00, noise limit 10 %\)/);
    assert.doesNotMatch(failing.printed, /load_p99_ns rose/, "tails are shown, not gated");
    const lenient = await quiet(() => compareMain([a, b]));
    assert.equal(lenient.value, 0, "without --fail-on-regression the exit status stays 0");
    const faster = await quiet(() => compareMain([b, a, "--fail-on-regression"]));
    assert.equal(faster.value, 0, "faster loads are no regression");
  });
});

Deno.test("compare main() refuses runs from another CPU unless --force", async () => {
  await withTempDir(async (root) => {
    const other = fixtureResults({ environment: { cpu_model: "Other CPU @ 2.00GHz" } });
    const [a, b] = await writeRuns(root, fixtureResults(), other);
    await assert.rejects(() => quiet(() => compareMain([a, b])), {
      name: "UsageError",
      message:
        /different machines or runtimes.*cpu_model \("Example CPU @ 3\.00GHz" in BASE, "Other CPU @ 2\.00GHz" in NEW\).*--force/,
    });
    const forced = await quiet(() => compareMain([a, b, "--force", "--fail-on-regression"]));
    assert.equal(forced.value, 0);
    assert.match(forced.printed, /Warning: compared across machines/);
  });
});

Deno.test("compare main() validates its arguments and files", async (t) => {
  await withTempDir(async (root) => {
    const [a] = await writeRuns(root, fixtureResults());
    const steps: [string, string[], RegExp][] = [
      ["one run only", [a], /two runs, BASE and NEW, got 1/],
      ["unknown flag", [a, a, "--treshold", "5"], /--treshold/],
      ["bad threshold", [a, a, "--threshold", "five"], /Invalid --threshold "five"/],
      ["missing folder", [a, `${root}/nope`], /No such results folder or file/],
    ];
    for (const [name, args, message] of steps) {
      await t.step(
        name,
        () => assert.rejects(() => quiet(() => compareMain(args)), { name: "UsageError", message }),
      );
    }
    await t.step("a bad field names the file and the field", async () => {
      const bad = structuredClone(fixtureResults()) as unknown as {
        environment: Record<string, unknown>;
      };
      delete bad.environment.cores;
      await Deno.writeTextFile(`${root}/bad.json`, JSON.stringify(bad));
      await assert.rejects(() => quiet(() => compareMain([a, `${root}/bad.json`])), {
        name: "UsageError",
        message: /bad\.json: .*environment\.cores: must be a number/,
      });
    });
    await t.step("--json prints the comparison", async () => {
      const { printed } = await quiet(() => compareMain([a, `${a}/results.json`, "--json"]));
      const json = JSON.parse(printed);
      assert.equal(json.matched.length, 12);
      assert.equal(json.regressedCells, 0);
    });
  });
});

Deno.test("compareRuns() widens the noise limit to three times the runs' cv", () => {
  const noisy = (factor: number, cv: number) =>
    fixtureResults({
      mapCell: (c) =>
        c.status !== "ok"
          ? c
          : { ...c, load_p50_ns: c.load_p50_ns! * factor, load_p99_ns_cv: cv, load_p50_ns_cv: cv },
    });
  // Older runs without latency_reps. cv 0.1: limit 30 %, so 20 % slower is noise and 40 % slower is not.
  const within = compareRuns(noisy(1, 0.1), noisy(1.2, 0.1));
  const p99 = within.matched[0].metrics.find((m) => m.metric === "load_p50_ns")!;
  assert.equal(p99.limit, 0.30000000000000004);
  assert.equal(p99.change, "same");
  assert.equal(within.regressedCells, 0);
  const beyond = compareRuns(noisy(1, 0.1), noisy(1.4, 0.1));
  assert.equal(beyond.regressedCells, 11);
  // cv 0.01: the 10 % threshold rules, so 20 % slower regresses.
  assert.equal(compareRuns(noisy(1, 0.01), noisy(1.2, 0.01)).regressedCells, 11);
  assert.equal(
    compareRuns(noisy(1, 0.01), noisy(1.2, 0.01), { threshold: 0.25 }).regressedCells,
    0,
  );
});

Deno.test("compareRuns() counts density loss, integrity failures and new failures", async (t) => {
  const base = fixtureResults();
  await t.step("pool ratio down 10 % regresses, compression ratio alone does not", () => {
    const next = fixtureResults({
      mapCell: (c) =>
        c.status !== "ok"
          ? c
          : c.allocator === "zbud"
          ? { ...c, pool_ratio: c.pool_ratio! * 0.9 }
          : { ...c, compression_ratio: c.compression_ratio! * 0.5 },
    });
    const cmp = compareRuns(base, next);
    assert.equal(cmp.regressedCells, 5);
    const zsm = cmp.matched.find((m) => m.cell.startsWith("zsmalloc/lz4"))!;
    assert.equal(zsm.metrics.find((m) => m.metric === "compression_ratio")!.change, "worse");
    assert.deepEqual(zsm.regressions, []);
  });
  await t.step("any integrity failure in NEW regresses", () => {
    const next = fixtureResults({
      mapCell: (c) =>
        c.cell.startsWith("zsmalloc/lz4/mixed/sg-read") ? { ...c, integrity_failures: 1 } : c,
    });
    const cmp = compareRuns(base, next);
    assert.equal(cmp.regressedCells, 1);
    assert.match(
      cmp.matched.find((m) => m.regressions.length)!.regressions[0],
      /1 integrity failures in NEW/,
    );
  });
  await t.step("a cell ok in BASE and failed in NEW regresses", () => {
    const next = fixtureResults({
      mapCell: (c) =>
        c.cell.startsWith("zbud/lz4/mixed/sg-read") ? { ...c, status: "failed", error: "boom" } : c,
    });
    const cmp = compareRuns(base, next);
    assert.equal(cmp.regressedCells, 1);
    assert.match(
      cmp.matched.find((m) => m.regressions.length)!.regressions[0],
      /ok to failed: boom/,
    );
  });
  await t.step("cells in one run only are listed", () => {
    const next = structuredClone(base);
    next.cells[0] = { ...next.cells[0], cell: "zbud/lz4/mixed/new-strategy/6.8/p4096-s1-c1-t1" };
    const cmp = compareRuns(base, next);
    assert.deepEqual(cmp.onlyBase, [base.cells[0].cell]);
    assert.deepEqual(cmp.onlyNew, ["zbud/lz4/mixed/new-strategy/6.8/p4096-s1-c1-t1"]);
    assert.equal(cmp.matched.length, 11);
  });
});

/** The fixture with per-repetition load figures: each cell's reps scaled by `factor`. */
const withReps = (factor: number, reps: readonly number[]) =>
  fixtureResults({
    mapCell: (c) =>
      c.status !== "ok" ? c : {
        ...c,
        load_p50_ns: c.load_p50_ns! * factor,
        load_p99_ns: c.load_p99_ns! * factor,
        latency_reps: {
          load_p50_ns: reps.map((r) => c.load_p50_ns! * factor * r),
          load_p99_ns: reps.map((r) => c.load_p99_ns! * factor * r),
        },
      },
  });

Deno.test("compareRuns() tests latencies with the Welch interval of the repetitions", async (t) => {
  await t.step("noise of 20 % and 10 % more: within the interval, no regression", () => {
    const cmp = compareRuns(withReps(1, [0.8, 1, 1.2]), withReps(1.1, [1.2, 0.85, 1]));
    assert.equal(cmp.regressedCells, 0);
    const m = cmp.matched[0].metrics.find((x) => x.metric === "load_p99_ns")!;
    assert.equal(m.test, "interval");
    assert.ok(m.interval!.low < 1 && m.interval!.high > 1.1);
  });
  await t.step("three times slower with 5 % noise regresses", () => {
    const cmp = compareRuns(withReps(1, [0.95, 1, 1.05]), withReps(3, [1.05, 0.95, 1]));
    assert.equal(cmp.regressedCells, 11);
    assert.match(cmp.matched[0].regressions[0], /99 % interval x2\.\d\d\.\.x3\.\d\d/);
  });
  await t.step("one repetition: shown, never a regression, and said so", () => {
    const cmp = compareRuns(withReps(1, [1]), withReps(3, [1]));
    assert.equal(cmp.regressedCells, 0);
    const m = cmp.matched[0].metrics.find((x) => x.metric === "load_p50_ns")!;
    assert.equal(m.test, "unrepeated");
    assert.ok(Math.abs(m.ratio! - 3) < 1e-9);
    const text = formatComparison(cmp, { base: "a", new: "b" });
    assert.match(text, /latencies are not for comparison/);
  });
});
