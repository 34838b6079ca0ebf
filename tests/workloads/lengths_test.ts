import assert from "node:assert/strict";
import { encodeLengthsPage, lengthsCompressor } from "../../compressors/lengths.ts";
import { lengthsWorkload, parseLengthsCsv } from "../../workloads/lengths.ts";
import { collectOps, make, oracle, pageOf, sameBytes, tempDir } from "./_helpers.ts";

const CSV = oracle("kernel-6.1-text-lengths.csv");

Deno.test("lengthsWorkload replays the kernel 6.1 lz4 lengths of the oracle", async () => {
  const rows = Deno.readTextFileSync(CSV).trim().split("\n").slice(1).map((l) => l.split(","));
  const w = await make(lengthsWorkload, { path: CSV, column: "lz4" }, { pages: 4096 });
  const ops = collectOps(w);
  // store every row in order, then load each in order
  assert.equal(ops.length, 2 * rows.length);
  ops.forEach(([op, offset, pageId], i) => {
    if (i < rows.length) assert.deepEqual([op, offset, pageId], ["store", i, i]);
    else assert.deepEqual([op, offset, pageId], ["load", i - rows.length, -1]);
  });
  const codec = await lengthsCompressor.create({});
  const dst = new Uint8Array(4096);
  let total = 0, expected = 0;
  for (let id = 0; id < rows.length; id++) {
    const n = await codec.compress(pageOf(w, id), dst);
    assert.equal(String(n), rows[id][3], `row ${id}`);
    total += n;
    expected += Number(rows[id][3]);
  }
  assert.equal(total, expected);
  assert.equal(lengthsWorkload.fixedCompressor, "lengths");
});

Deno.test("parseLengthsCsv() keeps S and R as -1 and -2", async () => {
  const dir = tempDir();
  try {
    const path = `${dir}/l.csv`;
    Deno.writeTextFileSync(path, 'idx,source,len\n0,"a,b",100\n1,x,S\n2,y,R\n\n3,z,4096\n');
    assert.deepEqual([...parseLengthsCsv(path, "len", 4096)], [100, -1, -2, 4096]);
    const w = await make(lengthsWorkload, { path, column: "len" }, { pages: 2 });
    const expect = new Uint8Array(4096);
    encodeLengthsPage(1, "S", expect);
    assert.ok(sameBytes(pageOf(w, 1), expect));
    encodeLengthsPage(6, "R", expect);
    assert.ok(sameBytes(pageOf(w, 6), expect), "id 6 wraps to row 2 of 4");
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("parseLengthsCsv() names the line and value of a malformed row", async (t) => {
  const dir = tempDir();
  const cases: [string, string, RegExp][] = [
    [
      "a,len\n0,12\n1,abc\n",
      "len",
      /line 3: "abc" in column "len" is not a length from 1 to 4096, S, Z, W or R$/,
    ],
    ["a,len\n0,0\n", "len", /line 2: "0" in column "len"/],
    ["a,len\n0,4097\n", "len", /line 2: "4097"/],
    ["a,len\n0,12.5\n", "len", /line 2: "12.5"/],
    ["a,len\n0\n", "len", /line 2: 1 fields where the header has 2/],
    ['a,len\n0,"12\n', "len", /line 2: a quoted field is not closed/],
    ["a,len\n0,1\n", "lz4", /has no column "lz4" \(columns: a, len\)/],
    ["", "len", /is empty/],
    ["a,len\n", "len", /has a header but no rows/],
  ];
  try {
    for (const [text, column, message] of cases) {
      await t.step(JSON.stringify(text), () => {
        const path = `${dir}/bad.csv`;
        Deno.writeTextFileSync(path, text);
        assert.throws(() => parseLengthsCsv(path, column, 4096), { name: "UsageError", message });
      });
    }
    assert.throws(() => parseLengthsCsv(`${dir}/none.csv`, "len", 4096), {
      name: "UsageError",
      message: /does not exist/,
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("lengthsWorkload needs path and column", async () => {
  await assert.rejects(async () => await make(lengthsWorkload, { path: CSV }), {
    name: "UsageError",
    message: /column/,
  });
});
