import assert from "node:assert/strict";
import { csvField, parseCsv, toCsv } from "../../../bench/results/files.ts";
import {
  type CellResult,
  CellResultSchema,
  CSV_COLUMNS,
  OBJECT_COLUMNS,
} from "../../../bench/results/schema.ts";
import { resolveConfig } from "../../../bench/run/config.ts";
import { runMatrix } from "../../../bench/run/runner.ts";
import { fakeEngine, fakeRegistry } from "../_fakes.ts";

async function someCells(): Promise<CellResult[]> {
  return await runMatrix(
    resolveConfig({
      allocators: [{ name: "bump", options: { note: 'a "quoted", comma\nline' } }, "boom"],
      compressors: ["half"],
      workloads: ["seq"],
      presets: ["latest"],
      params: { pages: 8 },
    }),
    { registry: fakeRegistry(), engine: fakeEngine() },
  );
}

Deno.test("CSV_COLUMNS are exactly the keys of a cell result, each once", async () => {
  assert.equal(new Set(CSV_COLUMNS).size, CSV_COLUMNS.length);
  for (const cell of await someCells()) {
    assert.deepEqual(Object.keys(cell).sort(), [...CSV_COLUMNS].sort());
    CellResultSchema.parse(cell);
  }
  for (const k of OBJECT_COLUMNS) assert.ok(CSV_COLUMNS.includes(k));
  // DESIGN §6 core keys.
  for (
    const k of [
      "allocator",
      "compressor",
      "workload",
      "strategy",
      "preset",
      "page_size",
      "cpus",
      "tasks",
      "seed",
      "status",
      "error",
      "stored_pages",
      "pool_total_size",
      "pool_pages",
      "same_filled_pages",
      "reject_compress_poor",
      "reject_compress_fail",
      "reject_alloc_fail",
      "reject_kmemcache_fail",
      "reject_reclaim_fail",
      "pool_limit_hit",
      "written_back_pages",
      "duplicate_entry",
      "original_bytes",
      "compressed_bytes",
      "compression_ratio",
      "pool_ratio",
      "allocator_efficiency",
      "store_p50_ns",
      "store_p90_ns",
      "store_p99_ns",
      "store_mean_ns",
      "load_p50_ns",
      "writeback_p50_ns",
      "store_mbps",
      "load_mbps",
      "bytes_bounced",
      "trylock_failed",
      "violations",
      "integrity_failures",
      "allocator_options",
      "compressor_options",
      "workload_options",
      "strategy_options",
    ] as const
  ) assert.ok(CSV_COLUMNS.includes(k), k);
});

Deno.test("csvField() quotes commas, quotes, line breaks and edge spaces", async (t) => {
  const cases: [unknown, string][] = [
    ["plain", "plain"],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["cr\r", '"cr\r"'],
    [" lead", '" lead"'],
    [null, ""],
    [undefined, ""],
    [0, "0"],
    [1.25, "1.25"],
    [false, "false"],
    [{ a: 1, b: "x,y" }, '"{""a"":1,""b"":""x,y""}"'],
    [{}, "{}"],
  ];
  for (const [value, want] of cases) {
    await t.step(JSON.stringify(value) ?? "undefined", () => assert.equal(csvField(value), want));
  }
});

Deno.test("toCsv() round-trips through a CSV parser: one row per cell, same values", async () => {
  const cells = await someCells();
  const rows = parseCsv(toCsv(cells));
  assert.equal(rows.length, cells.length + 1);
  assert.deepEqual(rows[0], [...CSV_COLUMNS]);
  for (let i = 0; i < cells.length; i++) {
    const row = rows[i + 1];
    assert.equal(row.length, CSV_COLUMNS.length);
    CSV_COLUMNS.forEach((k, j) => {
      const v = cells[i][k];
      const want = v === null ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
      assert.equal(row[j], want, k);
    });
  }
  assert.deepEqual(JSON.parse(rows[1][CSV_COLUMNS.indexOf("allocator_options")]), {
    note: 'a "quoted", comma\nline',
  });
});
