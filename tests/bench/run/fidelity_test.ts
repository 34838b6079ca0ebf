/**
 * End-to-end fidelity and determinism of whole runs: real plugins, real frontend, the runner.
 * Issue 6's Done-when: the `pagefile` workload over the oracle's text.pages with preset 6.1 and
 * zsmalloc gives the 6.1 kernel's pool pages within 1.5% for lz4, zstd, deflate and lzo; and two
 * runs with the same seed give identical non-timing columns, another seed changes them.
 */
import assert from "node:assert/strict";
import { createDefaultRegistry } from "../../../builtins/mod.ts";
import { resolveConfig } from "../../../bench/run/config.ts";
import { runMatrix } from "../../../bench/run/runner.ts";
import type { CellResult } from "../../../bench/results/schema.ts";

const ORACLE = new URL("../../oracle/", import.meta.url).pathname;

/** Rows of kernel-6.1-text-results.csv keyed "zpool/compressor". */
async function oracleResults(): Promise<Map<string, Record<string, string>>> {
  const [header, ...rows] = (await Deno.readTextFile(`${ORACLE}kernel-6.1-text-results.csv`))
    .trim().split("\n").map((line) => line.trim().split(","));
  return new Map(
    rows.map((r) => [`${r[0]}/${r[1]}`, Object.fromEntries(header.map((h, i) => [h, r[i]]))]),
  );
}

Deno.test("pagefile over text.pages, preset 6.1, zsmalloc: pool pages within 1.5% of the 6.1 kernel", async () => {
  const oracle = await oracleResults();
  const config = resolveConfig({
    allocators: ["zsmalloc"],
    compressors: ["lz4", "lzo", "zstd", "deflate"],
    workloads: [{ name: "pagefile", options: { path: `${ORACLE}text.pages` } }],
    presets: ["6.1"],
    // The oracle ran with 512 MiB and max_pool_percent 90: the limit never binds.
    params: { pages: 1024, totalRamMiB: 512, maxPoolPercent: 90 },
    repetitions: 1,
    warmup: 0,
  });
  const cells = await runMatrix(config, { registry: createDefaultRegistry() });
  assert.equal(cells.length, 4);
  for (const cell of cells) {
    const kernel = oracle.get(`zsmalloc/${cell.compressor}`)!;
    const kernelPages = Number(kernel.pool_pages);
    const off = Math.abs(cell.pool_pages! - kernelPages) / kernelPages;
    console.log(
      `zsmalloc/${cell.compressor}: sim ${cell.pool_pages} pages, kernel ${kernelPages} (${
        (off * 100).toFixed(2)
      }%)`,
    );
    assert.equal(cell.status, "ok", cell.error ?? "");
    assert.equal(cell.integrity_failures, 0);
    assert.equal(cell.stored_pages, Number(kernel.stored_pages));
    assert.equal(cell.same_filled_pages, Number(kernel.same_filled_pages));
    assert.ok(off <= 0.015, `${cell.compressor}: ${cell.pool_pages} vs ${kernelPages}`);
    if (cell.compressor === "lz4" || cell.compressor === "lzo") {
      // The kernel's own lz4 and lzo lengths: exact.
      assert.equal(cell.compressed_bytes, Number(kernel.compressed_bytes));
      assert.equal(cell.pool_pages, kernelPages);
    }
  }
});

/** Columns that are measured times (or derived from them) and so differ between runs. */
function isTiming(column: string): boolean {
  return /_ns$|_ns_cv$|_mbps$|^duration_ms$|^latency_(cdf|reps)$/.test(column);
}

function nonTiming(cells: CellResult[]): Record<string, unknown>[] {
  return cells.map((c) => Object.fromEntries(Object.entries(c).filter(([k]) => !isTiming(k))));
}

Deno.test("runMatrix() with the same seed repeats every non-timing column; another seed changes them", async () => {
  const matrix = (seed: number) =>
    resolveConfig({
      allocators: ["zbud", "z3fold", "zsmalloc"],
      compressors: ["lz4", "zstd"],
      workloads: ["mixed", { name: "text", options: { pattern: "zipf" } }],
      presets: ["6.1", "latest"],
      params: { pages: 256, seed },
      repetitions: 1,
      warmup: 0,
    });
  const registry = createDefaultRegistry();
  const first = nonTiming(await runMatrix(matrix(11), { registry }));
  const second = nonTiming(await runMatrix(matrix(11), { registry }));
  const other = nonTiming(await runMatrix(matrix(12), { registry }));
  assert.equal(first.length, 3 * 2 * 2 * 2);
  assert.deepEqual(second, first);
  for (const cell of first) assert.equal(cell.status, "ok");
  const changed = other.filter((cell, i) =>
    cell.pool_pages !== first[i].pool_pages || cell.compressed_bytes !== first[i].compressed_bytes
  );
  assert.ok(changed.length >= first.length / 2, `only ${changed.length} cells changed`);
});
