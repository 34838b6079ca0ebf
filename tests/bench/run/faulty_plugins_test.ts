// Issue 9: a matrix with a throwing, a corrupting, a hanging and a nonsense plugin among good
// ones finishes; the good cells are ok, the bad ones are not, the corruption is counted, and the
// run exits 1 with its results on disk.
import assert from "node:assert/strict";
import { readJsonl } from "../../../bench/results/files.ts";
import type { CellResult } from "../../../bench/results/schema.ts";
import { runCli } from "../_cli.ts";

Deno.test("cli: faulty plugins fail only their own cells and the run keeps every result", async () => {
  const dir = await Deno.makeTempDir({ prefix: "zswapbench-faulty-" });
  try {
    const out = `${dir}/run`;
    const r = await runCli(
      "run",
      "--quick",
      "--plugin",
      "./tests/fixtures/faulty_plugins.ts",
      "--allocators",
      "zsmalloc,zbud,throw-alloc,corrupt-alloc,hang-alloc,dup-alloc",
      "--compressors",
      "lz4",
      "--presets",
      "latest",
      "--cell-timeout",
      "5",
      "--jobs",
      "2",
      "--out",
      out,
    );
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /Uncaught|^\s+at /m, "no stack from a faulty plugin");

    for (const f of ["results.json", "results.csv", "results.jsonl", "report.md", "report.html"]) {
      await Deno.stat(`${out}/${f}`);
    }
    const results = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
    const cells = new Map<string, CellResult>(
      results.cells.map((c: CellResult) => [c.allocator, c]),
    );
    assert.equal(cells.size, 6);
    assert.equal(results.environment.cell_isolation, "worker");
    assert.equal(results.environment.cell_timeout_s, 5);

    for (const good of ["zsmalloc", "zbud"]) {
      const c = cells.get(good)!;
      assert.equal(c.status, "ok", `${good}: ${c.error}`);
      assert.equal(c.integrity_failures, 0);
    }
    const thrown = cells.get("throw-alloc")!;
    assert.equal(thrown.status, "failed");
    assert.match(thrown.error!, /TypeError: Cannot read properties of undefined/);
    assert.equal(thrown.integrity_failures, null);

    // Corruption is counted and reported, and fails the cell.
    const corrupt = cells.get("corrupt-alloc")!;
    assert.equal(corrupt.status, "failed");
    assert.ok(corrupt.integrity_failures! > 0, `integrity_failures ${corrupt.integrity_failures}`);
    assert.match(corrupt.error!, new RegExp(`^${corrupt.integrity_failures} integrity failures`));

    const hung = cells.get("hang-alloc")!;
    assert.equal(hung.status, "timeout");
    assert.match(hung.error!, /timed out after 5 s/);

    const dup = cells.get("dup-alloc")!;
    assert.equal(dup.status, "failed");
    assert.match(
      dup.error!,
      /Allocator "dup-alloc": malloc\(\d+\) returned handle \d+, which is still live/,
    );

    // The JSONL alone holds every cell, so the reports can be rebuilt from it.
    const jsonl = await readJsonl(`${out}/results.jsonl`);
    assert.equal(jsonl.cells.length, 6);
    assert.equal(jsonl.truncated, false);
    const csvRows = (await Deno.readTextFile(`${out}/results.csv`)).trim().split("\n");
    assert.equal(csvRows.length, 7);
    assert.match(await Deno.readTextFile(`${out}/report.md`), /hang-alloc.*\(timeout\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
