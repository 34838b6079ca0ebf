import assert from "node:assert/strict";
import {
  codecLengths,
  compareRow,
  failedRow,
  kernelCompressedBytes,
  kernelLengthsCsv,
  kernelPageCodes,
  lengthAgreement,
  PAGE_NOT_STORED,
  PAGE_SAME_FILLED,
  simulateReplay,
} from "../../kernel/compare.ts";
import type { KernelPage, KernelRun } from "../../kernel/console.ts";

const ORACLE = new URL("../oracle/", import.meta.url).pathname;

function kernelRun(
  pages: Omit<KernelPage, "index" | "tries" | "alloc" | "allocs">[],
  pool = 0,
): KernelRun {
  return {
    kernel: "6.1.0-56-amd64",
    zpool: "zsmalloc",
    compressor: "lz4",
    maxPoolPercent: 90,
    memTotalKb: 466372,
    pages: pages.map((p, index) => ({ ...p, index, tries: 1, alloc: -1, allocs: 0 })),
    debugfs: {
      stored_pages: pages.filter((p) => p.outcome === "stored" || p.outcome === "same").length,
      same_filled_pages: pages.filter((p) => p.outcome === "same").length,
      pool_total_size: pool,
    },
    zswapCurrent: pages.reduce((n, p) => n + p.length, 0),
    kprobe: "",
    pswpout: 0,
    zswpout: 0,
    verifiedPages: pages.length,
    mismatches: 0,
  };
}

const SMALL = kernelRun([
  { outcome: "stored", length: 100, pool_total_size: 4096 },
  { outcome: "same", length: 0, pool_total_size: 4096 },
  { outcome: "reject", length: 0, pool_total_size: 4096 },
  { outcome: "stored", length: 3000, pool_total_size: 8192 },
], 8192);

Deno.test("kernelLengthsCsv() writes the lengths workload's CSV (S same-filled, R not stored)", () => {
  assert.equal(kernelLengthsCsv(SMALL), "idx,lz4\n0,100\n1,S\n2,R\n3,3000\n");
});

Deno.test("kernelPageCodes() takes lengths from the allocation kprobe, less the zswap header", () => {
  const run: KernelRun = {
    ...SMALL,
    kprobe: "zpool_malloc",
    pages: [
      {
        index: 0,
        outcome: "stored",
        length: 0,
        pool_total_size: 4096,
        tries: 1,
        alloc: 108,
        allocs: 1,
      },
      {
        index: 1,
        outcome: "zero",
        length: 0,
        pool_total_size: 4096,
        tries: 1,
        alloc: -1,
        allocs: 0,
      },
      // zbud refused 4000 + 8 bytes: the length stays, the replay refuses it again.
      {
        index: 2,
        outcome: "reject",
        length: 0,
        pool_total_size: 4096,
        tries: 1,
        alloc: 4008,
        allocs: 1,
      },
      // 5.10's lzo overran the page: 4116 + 8 bytes, no length of a page or less.
      {
        index: 3,
        outcome: "reject",
        length: 0,
        pool_total_size: 4096,
        tries: 1,
        alloc: 4124,
        allocs: 1,
      },
      {
        index: 4,
        outcome: "raw",
        length: 0,
        pool_total_size: 8192,
        tries: 1,
        alloc: 4096,
        allocs: 1,
      },
      {
        index: 5,
        outcome: "same",
        length: 0,
        pool_total_size: 8192,
        tries: 1,
        alloc: -1,
        allocs: 0,
      },
    ],
  };
  assert.deepEqual(kernelPageCodes(run, 8), [100, "Z", 4000, "R", "W", "S"]);
  assert.equal(kernelCompressedBytes(run, 8), 100 + 4096);
});

Deno.test("lengthAgreement() compares the pages the kernel stored", () => {
  const sim = Int32Array.from([100, PAGE_SAME_FILLED, 5000, 2999]);
  assert.deepEqual(lengthAgreement(SMALL, sim), { compared: 4, agree: 3, firstDiff: 3 });
  const all = Int32Array.from([100, PAGE_SAME_FILLED, PAGE_NOT_STORED, 3000]);
  assert.deepEqual(lengthAgreement(SMALL, all), { compared: 4, agree: 4, firstDiff: -1 });
});

Deno.test("compareRow() puts kernel and simulator side by side", () => {
  const fig = (pool: number) => ({
    pool_pages: pool,
    stored_pages: 3,
    same_filled_pages: 1,
    rejects: 1,
    compressed_bytes: 3100,
    integrity_failures: 0,
    zero_pages: 0,
    raw_pages: 0,
    reject_compress_poor: 0,
    reject_compress_fail: 0,
    reject_alloc_fail: 0,
    trace: [1, 1, 1, pool],
  });
  const row = compareRow(
    { zpool: "zsmalloc", compressor: "lz4" },
    { run: SMALL, wallMs: 1234.4, accel: "tcg" },
    { codec: fig(3), replay: fig(2), lengths: Int32Array.from([100, -1, -2, 3000]), errors: [] },
  );
  assert.equal(row.status, "ok");
  assert.equal(row.kernel_pool_pages, 2);
  assert.equal(row.sim_pool_pages, 3);
  assert.equal(row.sim_pool_diff_pct, 50);
  assert.equal(row.replay_pool_diff_pct, 0);
  assert.equal(row.kernel_rejects, 1);
  assert.equal(row.kernel_stored_pages, 3);
  assert.equal(row.kernel_compressed_bytes, 3100);
  assert.equal(row.length_agree_pct, 100);
  assert.equal(row.kernel_wall_ms, 1234);
  const noSim = compareRow(
    { zpool: "zsmalloc", compressor: "842" },
    { run: SMALL, wallMs: 1, accel: "tcg" },
    { replay: fig(2), errors: ['codec run: The simulator has no compressor "842"'] },
  );
  assert.equal(noSim.sim_pool_pages, null);
  assert.equal(noSim.length_agree, null);
  assert.equal(noSim.sim_pool_pages_replay, 2);
  assert.match(noSim.sim_error ?? "", /842/);
  const failed = failedRow({ zpool: "zbud", compressor: "lz4" }, 4, "QEMU exited");
  assert.equal(failed.status, "failed");
  assert.equal(failed.kernel_pool_pages, null);
});

/** The oracle's lengths and results as a kernel run, to drive the replay without QEMU. */
async function oracleRun(zpool: string, compressor: string): Promise<KernelRun> {
  const [header, ...rows] = (await Deno.readTextFile(`${ORACLE}kernel-6.1-text-lengths.csv`))
    .trim().split("\n").map((l) => l.trim().split(","));
  const col = header.indexOf(compressor);
  const [rh, ...rr] = (await Deno.readTextFile(`${ORACLE}kernel-6.1-text-results.csv`))
    .trim().split("\n").map((l) => l.trim().split(","));
  const result = rr.find((r) => r[0] === zpool && r[1] === compressor)!;
  const pool = Number(result[rh.indexOf("pool_total_size")]);
  return kernelRun(
    rows.map((r) => {
      const v = r[col];
      return v === "S"
        ? { outcome: "same", length: 0, pool_total_size: 0 }
        : v === "R"
        ? { outcome: "reject", length: 0, pool_total_size: 0 }
        : { outcome: "stored", length: Number(v), pool_total_size: 0 };
    }),
    pool,
  );
}

// kernel-6.1-text-results.csv (Linux 6.1.0-56-amd64): the replay of the kernel's own lengths
// must give the kernel's pool, whatever the codec does.
Deno.test("simulateReplay() of the oracle's lengths gives the oracle's pool", async (t) => {
  for (const [zpool, compressor] of [["zbud", "lz4"], ["zsmalloc", "zstd"]]) {
    await t.step(`${zpool} x ${compressor}`, async () => {
      const run = await oracleRun(zpool, compressor);
      const sim = await simulateReplay(run, zpool, {
        preset: "6.1",
        totalRamPages: Math.floor(run.memTotalKb / 4),
      });
      assert.equal(sim.pool_pages, run.debugfs.pool_total_size / 4096);
      assert.equal(sim.compressed_bytes, run.zswapCurrent);
      assert.equal(sim.stored_pages, run.debugfs.stored_pages);
      assert.equal(sim.integrity_failures, 0);
    });
  }
});

Deno.test("codecLengths() flags same-filled pages and gives the codec's lengths", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zsb-codec-" });
  try {
    const page = (f: (i: number) => number) => Uint8Array.from({ length: 4096 }, (_, i) => f(i));
    const file = new Uint8Array(3 * 4096);
    file.set(page((i) => [1, 2, 3, 4, 5, 6, 7, 8][i % 8]), 0); // one 8-byte word repeated
    file.set(page((i) => (i * 2654435761) >>> 24), 4096); // no repeated 8-byte word
    file.set(page((i) => (i % 16 === 0 ? 1 : 0)), 8192); // compressible, not same-filled
    await Deno.writeFile(`${dir}/p.pages`, file);
    const lengths = await codecLengths(`${dir}/p.pages`, "lz4");
    assert.equal(lengths[0], PAGE_SAME_FILLED);
    assert.ok(lengths[1] > 0);
    assert.ok(lengths[2] > 0 && lengths[2] < 1000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
