/**
 * One real kernel-check cell (zsmalloc x lz4 over the oracle's text.pages, on the Debian 6.1
 * kernel apt offers) when QEMU and the other host tools are installed
 * (scripts/install_kernel_check_deps.sh); reported as skipped, with the reason in the test name,
 * when they are not. It compares figures with the 6.1 oracle, never package names or point
 * releases: whichever 6.1 point release apt offers must give them (the booted one is printed).
 */
import assert from "node:assert/strict";
import { kernelSkipReason } from "./_skip.ts";
import { kernelPageCodes } from "../../kernel/compare.ts";
import { runKernelCheck } from "../../kernel/run.ts";

const ORACLE = new URL("../oracle/", import.meta.url).pathname;
const PAGES = `${ORACLE}text.pages`;

/** The oracle's row for a zpool x compressor (kernel-6.1-text-results.csv). */
async function oracleRow(zpool: string, compressor: string): Promise<Record<string, string>> {
  const [header, ...rows] = (await Deno.readTextFile(`${ORACLE}kernel-6.1-text-results.csv`))
    .trim().split("\n").map((l) => l.trim().split(","));
  const row = rows.find((r) => r[0] === zpool && r[1] === compressor);
  assert.ok(row, `no oracle row for ${zpool} x ${compressor}`);
  return Object.fromEntries(header.map((h, i) => [h, row[i]]));
}

/** The oracle's per-page lengths for one compressor (kernel-6.1-text-lengths.csv). */
async function oracleLengths(compressor: string): Promise<string[]> {
  const [header, ...rows] = (await Deno.readTextFile(`${ORACLE}kernel-6.1-text-lengths.csv`))
    .trim().split("\n").map((l) => l.trim().split(","));
  const col = header.indexOf(compressor);
  return rows.map((r) => r[col]);
}

const reason = await kernelSkipReason(["pagefeed.c"], { pageFile: PAGES });
if (reason) console.log(`kernel_check_test: skipped: ${reason}`);

Deno.test({
  name: `runKernelCheck() zsmalloc x lz4 on text.pages matches the 6.1 oracle${
    reason ? ` (skipped: ${reason})` : ""
  }`,
  ignore: reason !== undefined,
  async fn() {
    const report = await runKernelCheck(PAGES, ["zsmalloc"], ["lz4"], {
      log: (line) => console.log(line),
    });
    const [row] = report.rows;
    const oracle = await oracleRow("zsmalloc", "lz4");
    // Figures only: whichever 6.1 point release apt offers must give them; the booted one is printed.
    console.log(
      `kernel_check_test: booted ${report.kernelSource} (uname -r ${row.kernel}; oracle recorded on ${oracle.kernel})`,
    );
    assert.equal(row.status, "ok", row.error ?? "");
    assert.match(row.kernel ?? "", /^6\.1\./);
    assert.equal(report.preset, "6.1");
    assert.equal(row.kernel_pool_pages, Number(oracle.pool_pages));
    assert.equal(row.kernel_stored_pages, Number(oracle.stored_pages));
    assert.equal(row.kernel_compressed_bytes, Number(oracle.compressed_bytes));
    assert.equal(row.kernel_same_filled_pages, Number(oracle.same_filled_pages));
    assert.equal(row.kernel_mismatches, 0);
    // The simulator gives the kernel's pool exactly, with the codec and replaying the lengths.
    assert.equal(row.sim_error, null);
    assert.equal(row.sim_pool_pages, row.kernel_pool_pages);
    assert.equal(row.sim_pool_pages_replay, row.kernel_pool_pages);
    assert.equal(row.replay_first_pool_diff, null);
    assert.equal(row.sim_first_pool_diff, null);
    assert.equal(row.sim_compressed_bytes_replay, row.kernel_compressed_bytes);
    assert.equal(row.sim_integrity_failures, 0);
    // Every page's lz4 length as the kernel's.
    assert.equal(row.length_pages, Number(oracle.pages));
    assert.equal(row.length_agree, row.length_pages);
    const run = report.kernelRuns[0]!;
    const lengths = await oracleLengths("lz4");
    assert.deepEqual(kernelPageCodes(run).map(String), lengths);
    // And the pool after every page as the oracle's trace has it.
    const [traceHeader, ...trace] = (await Deno.readTextFile(
      `${ORACLE}kernel-6.1-text-pool-trace.csv`,
    )).trim().split("\n").map((l) => l.trim().split(","));
    const col = traceHeader.indexOf("zsmalloc_lz4");
    assert.deepEqual(
      run.pages.map((p) => p.pool_total_size / 4096),
      trace.map((r) => Number(r[col])),
    );
  },
});
