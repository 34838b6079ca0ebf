import assert from "node:assert/strict";
import { checkTrace, traceFormat, traceWorkload } from "../../workloads/trace.ts";
import { TextPages } from "../../workloads/text.ts";
import { collectOps, make, oracle, pageOf, sameBytes, tempDir } from "./_helpers.ts";

Deno.test("traceWorkload replays a JSONL trace over text pages", async () => {
  const dir = tempDir();
  try {
    const path = `${dir}/ops.jsonl`;
    Deno.writeTextFileSync(
      path,
      [
        '{"op":"store","offset":12,"page":3,"t":123.4}',
        "",
        '{"op":"load","offset":12}',
        '{"op":"store","offset":7,"page":4}',
        '{"op":"invalidate","offset":12,"page":3}',
      ].join("\r\n") + "\r\n",
    );
    const w = await make(traceWorkload, { path, content: "text" }, { seed: 5 });
    const expected = [["store", 12, 3], ["load", 12, -1], ["store", 7, 4], ["invalidate", 12, -1]];
    assert.deepEqual(collectOps(w), expected);
    assert.deepEqual(collectOps(w), expected, "ops() starts over");
    const text = new Uint8Array(4096);
    new TextPages(5).fill(3, text);
    assert.ok(sameBytes(pageOf(w, 3), text));
    assert.deepEqual(checkTrace(path, "jsonl"), { ops: 4, stores: 2, maxOffset: 12, maxPageId: 4 });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("traceWorkload replays a CSV trace over a page file", async () => {
  const dir = tempDir();
  try {
    const path = `${dir}/ops.csv`;
    Deno.writeTextFileSync(path, "t,op,offset,page\n0.5,store,1,1025\n1,load,1,\n,invalidate,1,\n");
    const pages = oracle("text.pages");
    const w = await make(traceWorkload, {
      path,
      content: "pagefile",
      contentOptions: { path: pages },
    });
    assert.deepEqual(collectOps(w), [["store", 1, 1025], ["load", 1, -1], ["invalidate", 1, -1]]);
    const data = Deno.readFileSync(pages);
    assert.ok(sameBytes(pageOf(w, 1025), data.subarray(4096, 8192)), "page ids wrap the file");
    w.close?.();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("traceWorkload streams a long trace", async () => {
  const dir = tempDir();
  try {
    const path = `${dir}/long.csv`;
    const lines = ["op,offset,page"];
    for (let i = 0; i < 30000; i++) lines.push(`store,${i},${i}`, `load,${i},`);
    Deno.writeTextFileSync(path, lines.join("\n"));
    const w = await make(traceWorkload, { path });
    let n = 0, last = -1;
    for (const op of w.ops()) {
      n++;
      last = op.offset;
    }
    assert.equal(n, 60000);
    assert.equal(last, 29999);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("traceWorkload names the line and the fault of a malformed trace", async (t) => {
  const dir = tempDir();
  const store = '{"op":"store","offset":1,"page":1}';
  const cases: [string, string, string][] = [
    [
      "jsonl",
      `${store}\n{"op":"stor","offset":1,"page":1}`,
      'line 2: "op" is "stor" (expected "store", "load" or "invalidate")',
    ],
    [
      "jsonl",
      `${store}\n\n{"op":"load","offset":-1}`,
      'line 3: "offset" is -1, not a non-negative integer',
    ],
    ["jsonl", '{"op":"load","offset":1.5}', 'line 1: "offset" is 1.5, not a non-negative integer'],
    [
      "jsonl",
      '{"op":"store","offset":1}',
      'line 1: a store needs "page" (the id of the page to store)',
    ],
    [
      "jsonl",
      '{"op":"store","offset":1,"page":"3"}',
      'line 1: "page" is "3", not a non-negative integer',
    ],
    [
      "jsonl",
      '{"op":"load","offset":1,"offest":2}',
      'line 1: unknown key "offest" (keys: op, offset, page, t)',
    ],
    ["jsonl", '{"op":"load","offset":1,"t":"now"}', 'line 1: "t" is "now", not a number'],
    ["jsonl", "[1,2]", "line 1: not a JSON object"],
    ["jsonl", '{"op":"load",', "line 1: not valid JSON ("],
    [
      "csv",
      "op,offset\nstore,1",
      'line 1: the header "op,offset" has no "page" column (expected op,offset,page[,t])',
    ],
    [
      "csv",
      "op,offset,page,size\n",
      'line 1: the header has an unknown column "size" (columns: op, offset, page, t)',
    ],
    [
      "csv",
      "op,offset,page\nstore,1,2\nload,x,",
      'line 3: "offset" is "x", not a non-negative integer',
    ],
    ["csv", "op,offset,page\nstore,1", "line 2: 2 fields where the header has 3"],
    ["csv", "op,offset,page\nstore,1,", 'line 2: a store needs "page"'],
    ["csv", "op,offset,page,t\nload,1,,soon", 'line 2: "t" is "soon", not a number'],
    ["csv", "", "is empty (expected a header op,offset,page[,t])"],
  ];
  try {
    for (const [format, text, message] of cases) {
      await t.step(`${format}: ${message}`, async () => {
        const path = `${dir}/bad.${format}`;
        Deno.writeTextFileSync(path, text);
        await assert.rejects(async () => await make(traceWorkload, { path }), (err: Error) => {
          assert.equal(err.name, "UsageError");
          assert.ok(err.message.startsWith(`Trace "${path}" `), err.message);
          assert.ok(err.message.includes(message), err.message);
          return true;
        });
      });
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("traceWorkload refuses a missing file, an unknown extension and bad content", async () => {
  const dir = tempDir();
  try {
    await assert.rejects(async () => await make(traceWorkload, { path: `${dir}/none.jsonl` }), {
      name: "UsageError",
      message: `Trace "${dir}/none.jsonl" does not exist`,
    });
    assert.throws(() => traceFormat("ops.txt"), {
      name: "UsageError",
      message: /neither \.jsonl nor \.csv/,
    });
    assert.equal(traceFormat("ops.txt", "csv"), "csv");
    assert.equal(traceFormat("OPS.JSONL"), "jsonl");
    const path = `${dir}/ops.txt`;
    Deno.writeTextFileSync(path, "op,offset,page\nstore,0,0\n");
    assert.equal(collectOps(await make(traceWorkload, { path, format: "csv" })).length, 1);
    await assert.rejects(async () => await make(traceWorkload, { path, content: "trace" }), {
      name: "UsageError",
      message: /content/,
    });
    const bin = `${dir}/bin.csv`;
    Deno.writeFileSync(bin, new Uint8Array([0x6f, 0x70, 0xff, 0xfe, 0x0a]));
    await assert.rejects(async () => await make(traceWorkload, { path: bin }), {
      name: "UsageError",
      message: /is not UTF-8 text/,
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
