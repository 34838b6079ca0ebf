import assert from "node:assert/strict";
import { failedRow } from "../../kernel/compare.ts";
import type { KernelRun } from "../../kernel/console.ts";
import { recordOracle } from "../../kernel/record.ts";
import type { KernelCheckReport } from "../../kernel/run.ts";
import { parseLengthsCsv } from "../../workloads/lengths.ts";

const ORACLE = new URL("../oracle/", import.meta.url);

function run(kernel: string, allocs: number[]): KernelRun {
  return {
    kernel,
    zpool: "zbud",
    compressor: "lzo",
    maxPoolPercent: 90,
    memTotalKb: 466372,
    pages: allocs.map((alloc, index) => ({
      index,
      outcome: alloc > 4104 ? "reject" : "stored",
      length: 0,
      pool_total_size: 4096 * (index + 1),
      tries: 1,
      alloc,
      allocs: 1,
    })),
    debugfs: {
      stored_pages: 2,
      pool_total_size: 8192,
      same_filled_pages: 0,
      reject_compress_poor: 1,
    },
    zswapCurrent: -1,
    kprobe: "zpool_malloc",
    pswpout: 1,
    zswpout: 0,
    verifiedPages: 3,
    mismatches: 0,
  };
}

Deno.test("recordOracle() writes tests/oracle's three files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const row = { ...failedRow({ zpool: "zbud", compressor: "lzo" }, 3, ""), kernel_wall_ms: 9000 };
    const report: KernelCheckReport = {
      kernelSource: "debian linux-image-5.10.0-32-amd64 5.10.223-1",
      pagesPath: `${dir}/mine.pages`,
      pages: 3,
      preset: "5.10",
      rows: [row],
      kernelRuns: [run("5.10.0-32-amd64", [108, 2008, 4124])],
    };
    await Deno.writeTextFile(`${dir}/mine.manifest`, "a@0\nb@0\nc@0\n");
    const files = await recordOracle(report, `${dir}/out`);
    assert.equal(files.results, `${dir}/out/kernel-5.10-mine-results.csv`);
    const results = (await Deno.readTextFile(files.results)).trim().split("\r\n");
    const oracleHead = (await Deno.readTextFile(new URL("kernel-5.10-text-results.csv", ORACLE)))
      .split("\r\n")[0];
    assert.equal(results[0], oracleHead);
    const cells = Object.fromEntries(
      results[0].split(",").map((k, i) => [k, results[1].split(",")[i]]),
    );
    assert.equal(cells.pool_pages, "2");
    assert.equal(cells.kprobe_bytes, "2100");
    assert.equal(cells.same_filled_pages, "0");
    assert.equal(cells.reject_compress_fail, "");
    // 5.10 zbud: the 8-byte header is taken off; 4116 bytes is more than a page: R.
    assert.equal(
      await Deno.readTextFile(files.lengths),
      "idx,source,lzo\r\n0,a@0,100\r\n1,b@0,2000\r\n2,c@0,R\r\n",
    );
    assert.deepEqual([...parseLengthsCsv(files.lengths, "lzo", 4096)], [100, 2000, -2]);
    assert.equal(await Deno.readTextFile(files.trace), "idx,zbud_lzo\r\n0,1\r\n1,2\r\n2,3\r\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
