import assert from "node:assert/strict";
import { failures, formatReport, main } from "../../../bench/cli/kernel_check.ts";
import { failedRow, type KernelCheckRow } from "../../../kernel/compare.ts";

function okRow(zpool: string, kernelPool: number, simPool: number): KernelCheckRow {
  return {
    ...failedRow({ zpool, compressor: "lz4" }, 1024, ""),
    status: "ok",
    error: null,
    kernel: "6.1.0-56-amd64",
    kernel_pool_pages: kernelPool,
    sim_pool_pages: simPool,
    sim_pool_pages_replay: kernelPool,
    sim_pool_diff_pct: Math.round(((simPool - kernelPool) / kernelPool) * 10000) / 100,
    replay_pool_diff_pct: 0,
    kernel_mismatches: 0,
    sim_integrity_failures: 0,
    length_pages: 1024,
    length_agree: 1000,
    length_agree_pct: 97.66,
  };
}

Deno.test("formatReport() prints one column per cell and the failures as notes", () => {
  const text = formatReport({
    kernelSource: "debian linux-image-6.1.0-56-amd64 6.1.192-2",
    pagesPath: "text.pages",
    pages: 1024,
    preset: "6.1",
    rows: [
      okRow("zbud", 621, 621),
      failedRow({ zpool: "z3fold", compressor: "lz4" }, 1024, "boom"),
    ],
    kernelRuns: [null, null],
  });
  const lines = text.split("\n");
  assert.match(lines[0], /text\.pages \(1024 pages\), kernel debian linux-image-6\.1\.0-56-amd64/);
  assert.match(text, /^\s+zbud\/lz4\s+z3fold\/lz4$/m);
  assert.match(text, /^kernel_pool_pages\s+621\s+-$/m);
  assert.match(text, /^same length \(pages\)\s+1000\/1024\s+-$/m);
  assert.match(text, /z3fold\/lz4: kernel run failed: boom/);
});

Deno.test("failures() flags failed boots, bad pages and pools out of tolerance", () => {
  const rows = [okRow("zbud", 100, 101), okRow("zsmalloc", 100, 100)];
  assert.deepEqual(failures(rows), []);
  assert.deepEqual(failures(rows, 1), []);
  assert.deepEqual(failures(rows, 0.5), [
    "zbud/lz4: simulator pool (codec) differs by 1 % (tolerance 0.5 %)",
  ]);
  const bad = { ...okRow("zbud", 100, 100), kernel_mismatches: 2 };
  assert.deepEqual(failures([bad]), ["zbud/lz4: 2 pages came back wrong from the kernel"]);
  assert.deepEqual(failures([failedRow({ zpool: "zbud", compressor: "lz4" }, 1, "x")]), [
    "zbud/lz4: the kernel run failed",
  ]);
});

Deno.test("main() refuses bad flags before anything boots", async (t) => {
  const cases: [string[], RegExp][] = [
    [[], /Missing --pages FILE/],
    [["--pages", "x", "--accel", "hvf"], /--accel "hvf" is not auto, tcg or kvm/],
    [["--pages", "x", "--memory", "0"], /--memory "0" is not a positive number/],
    [["--pages", "x", "--tolerance", "lots"], /--tolerance "lots" is not a percentage/],
    [["--pages", "x", "--allocators", ","], /--allocators needs at least one name/],
    [["--pgaes", "x"], /Unknown flag "--pgaes"/],
    [["--pages", "/nonexistent/zsb.pages"], /Page file "\/nonexistent\/zsb\.pages" cannot be read/],
  ];
  for (const [args, re] of cases) {
    await t.step(args.join(" ") || "(no flags)", async () => {
      await assert.rejects(() => main(args), { name: "UsageError", message: re });
    });
  }
});

Deno.test("main() --help prints the usage and returns 0", async () => {
  const log = console.log;
  let out = "";
  console.log = (s: string) => (out += s);
  try {
    assert.equal(await main(["--help"]), 0);
  } finally {
    console.log = log;
  }
  assert.match(out, /Usage: deno task cli kernel-check --pages FILE/);
});
