// Issue 16: the small pieces behind results that cannot lie — contained text, the data-loss
// verdict over every run, result files checked on read, user-side file errors.
import assert from "node:assert/strict";
import { dataLoss } from "../../bench/run/data_loss.ts";
import { fileErrorCause, isFileError, userFileOp } from "../../bench/results/io.ts";
import { hasControl, oneLine } from "../../bench/results/text.ts";
import { checkCell, checkUnique } from "../../bench/results/validate.ts";
import type { CellResult } from "../../bench/results/schema.ts";
import type { CellCounters } from "../../zswap/cell_types.ts";
import { fixtureResults } from "./_results_fixture.ts";

Deno.test("oneLine() escapes control characters and caps the length", () => {
  assert.equal(oneLine("a\nb\rc\td\x1b[2J\u2028"), "a\\nb\\rc\\td\\x1b[2J\\u2028");
  const long = oneLine("x".repeat(20_000_000));
  assert.ok(long.length < 1100, `${long.length}`);
  assert.match(long, /\.\.\. \(19999000 more characters\)$/);
  assert.equal(hasControl("fine"), false);
  assert.equal(hasControl("no\nway"), true);
});

function counters(lost: Partial<CellCounters>): CellCounters {
  return { decompress_fail: 0, integrity_failures: 0, ...lost } as CellCounters;
}

Deno.test("dataLoss() judges every run and names the worst", () => {
  assert.equal(dataLoss([counters({}), counters({})], 1).error, null);
  const v = dataLoss([counters({ decompress_fail: 3 }), counters({}), counters({})], 1);
  assert.equal(v.worst, 0);
  assert.match(v.error!, /^Data loss: 3 loads of stored entries failed to decompress/);
  assert.match(v.error!, /1 of 3 runs lost data; the columns are the worst run's, warm-up run 1/);
  const w = dataLoss([counters({}), counters({ integrity_failures: 1 }), counters({})], 1);
  assert.equal(w.worst, 1);
  assert.match(w.error!, /1 load returned bytes .* repetition 1\)$/);
});

Deno.test("checkCell() and checkUnique() refuse impossible values, naming file and cell", () => {
  const cells = fixtureResults().cells as CellResult[];
  const ok = cells.find((c) => c.status === "ok")!;
  checkCell(ok, "r.json", "cells[0]");
  for (
    const [patch, why] of [
      [{ load_p99_ns: -5 }, /load_p99_ns is -5, below 0/],
      [{ pool_ratio: Infinity }, /pool_ratio is Infinity, not a finite number/],
      [{ integrity_failures: 2 }, /status is ok with 2 integrity failures/],
      [{ decompress_fail: 1 }, /status is ok with 1 failed decompressions/],
      [{ error: "x" }, /status is ok but error says/],
    ] as const
  ) {
    assert.throws(() => checkCell({ ...ok, ...patch } as CellResult, "r.json", "cells[0]"), {
      name: "UsageError",
      message: new RegExp(
        `^Results file r\\.json: cells\\[0\\] \\(cell ${
          ok.cell.replaceAll(".", "\\.")
        }\\): ${why.source}`,
      ),
    });
  }
  assert.throws(() => checkUnique([ok, ok], "r.json"), { message: /appears twice/ });
  assert.throws(() => checkUnique([ok, { ...ok, cell: "other" }], "r.json"), {
    message: /have the same index/,
  });
});

Deno.test("userFileOp() makes file errors one-line UsageErrors naming the path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/f`;
    await Deno.writeTextFile(file, "x");
    await assert.rejects(
      () =>
        userFileOp(
          `Cannot create ${file}/sub`,
          () => Deno.mkdir(`${file}/sub`, { recursive: true }),
        ),
      (err: Error) => {
        assert.equal(err.name, "UsageError");
        assert.match(
          err.message,
          new RegExp(`^Cannot create ${file}/sub: Not a directory \\(os error 20\\)$`),
        );
        return true;
      },
    );
    await assert.rejects(
      () => userFileOp("x", () => Promise.reject(new TypeError("bug"))),
      TypeError,
    );
    assert.equal(isFileError(new RangeError("nope")), false);
    assert.equal(
      fileErrorCause(new Error("File exists (os error 17): mkdir '/dev/null'")),
      "File exists (os error 17)",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
