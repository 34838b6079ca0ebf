// The shape of `deno task perf`'s report on a tiny run. No figure here is a speed claim: the sizes
// are far too small for that, and no test asserts a speed.

import assert from "node:assert/strict";
import { formatPerfTable, main, PERF_TARGETS, runPerf } from "../../../bench/perf/main.ts";
import { UsageError } from "../../../registry/errors.ts";

const TINY = {
  pages: 64,
  rounds: 2,
  live: 256,
  pairs: 2000,
  pairRounds: 2,
  bigPages: 1500,
  seed: 3,
};

function positive(value: unknown, name: string): void {
  assert.equal(typeof value, "number", `${name} is a number`);
  assert.ok(Number.isFinite(value as number) && (value as number) > 0, `${name} = ${value}`);
}

Deno.test("runPerf() reports every figure of issue 8 with the environment", async () => {
  const r = await runPerf(TINY);
  assert.equal(r.kind, "perf");
  assert.equal(r.tool, "zswapbench");
  assert.equal(typeof r.environment.deno, "string");
  assert.equal(typeof r.environment.timer_floor_ns, "number");
  assert.ok(r.environment.ended_at !== null);
  assert.equal(r.config.pages, 64);
  assert.equal(r.config.bigPages, 1500);

  const o = r.overhead;
  positive(o.store_ratio, "overhead.store_ratio");
  positive(o.load_ratio, "overhead.load_ratio");
  positive(o.store_ratio_p50, "overhead.store_ratio_p50");
  positive(o.bare_compress_ns, "overhead.bare_compress_ns");
  positive(o.frontend_load_ns, "overhead.frontend_load_ns");
  assert.equal(o.allocator, "zsmalloc");
  assert.equal(o.strategy, "percpu-buffer");
  assert.equal(o.store_ratio_rounds.length, 2);
  assert.equal(o.integrity_failures, 0);

  assert.deepEqual(Object.keys(r.allocators).sort(), ["z3fold", "zbud", "zsmalloc"]);
  for (const [name, a] of Object.entries(r.allocators)) {
    positive(a.pairs_per_sec, `allocators.${name}.pairs_per_sec`);
    assert.equal(a.batches.length, 2);
  }
  assert.ok(r.allocator_method.sizes.min > 0);
  assert.ok(r.allocator_method.sizes.max < 4096);

  assert.ok(r.memory !== null && r.big_run !== null);
  assert.equal(r.memory.stored_pages, 1500, "every page of the big run is stored");
  assert.equal(typeof r.memory.bytes_per_stored_page, "number");
  assert.equal(r.memory.pool_bytes, r.memory.pool_pages * 4096);
  assert.equal(r.big_run.stores, 1500);
  assert.equal(r.big_run.load_hits, 1500);
  assert.equal(r.big_run.integrity_failures, 0);
  positive(r.big_run.seconds, "big_run.seconds");
  positive(r.big_run.peak_rss_bytes, "big_run.peak_rss_bytes");

  assert.deepEqual(r.targets, PERF_TARGETS);
  for (const k of ["store_ratio", "load_ratio", "pairs_per_sec", "bytes_per_stored_page", "all"]) {
    assert.equal(typeof r.met[k as keyof typeof r.met], "boolean", `met.${k}`);
  }

  const table = formatPerfTable(r);
  for (
    const key of [
      "overhead.store_ratio",
      "overhead.load_ratio",
      "allocators.zbud.pairs_per_sec",
      "allocators.z3fold.pairs_per_sec",
      "allocators.zsmalloc.pairs_per_sec",
      "memory.bytes_per_stored_page",
      "big_run.seconds",
      "big_run.peak_rss_bytes",
    ]
  ) {
    assert.ok(table.includes(key), `table shows ${key}`);
  }
});

Deno.test("runPerf() skips the big run and the memory figure with bigPages 0", async () => {
  const r = await runPerf({ ...TINY, bigPages: 0 });
  assert.equal(r.memory, null);
  assert.equal(r.big_run, null);
  assert.equal(r.met.bytes_per_stored_page, null);
  assert.equal(r.met.all, false);
  assert.ok(!formatPerfTable(r).includes("memory.bytes_per_stored_page"));
});

Deno.test("main() prints the report as JSON with --json", async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(" "));
  let code: number;
  try {
    code = await main([
      "--json",
      "--pages",
      "32",
      "--rounds",
      "1",
      "--live",
      "64",
      "--pairs",
      "500",
      "--pair-rounds",
      "1",
      "--big-pages",
      "0",
    ]);
  } finally {
    console.log = log;
  }
  assert.equal(code, 0);
  const report = JSON.parse(lines.join("\n"));
  assert.equal(report.kind, "perf");
  assert.equal(typeof report.overhead.store_ratio, "number");
  assert.equal(typeof report.allocators.zsmalloc.pairs_per_sec, "number");
  assert.equal(report.config.pages, 32);
});

Deno.test("main() refuses unknown flags and bad numbers as usage errors", async (t) => {
  const cases: [string, string[], RegExp][] = [
    ["unknown flag", ["--fast"], /fast/],
    ["not a number", ["--pages", "many"], /--pages "many"/],
    ["too small", ["--rounds", "0"], /--rounds "0"/],
  ];
  for (const [name, args, message] of cases) {
    await t.step(name, async () => {
      await assert.rejects(() => main(args), (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.match(err.message, message);
        return true;
      });
    });
  }
});
