/**
 * The trace check without a boot: the guest's trace image, the console parser, the comparison and
 * the report.
 */
import assert from "node:assert/strict";
import { KernelCheckError } from "../../kernel/errors.ts";
import {
  encodeTrace,
  firstDifferentRecord,
  loadTrace,
  TRACE_OP_CODES,
} from "../../kernel/trace_check.ts";
import { counterByOp, parseTraceConsole } from "../../kernel/trace_console.ts";
import { agreement, compareTraceRow } from "../../kernel/trace_compare.ts";
import { formatTraceReport, traceFailures } from "../../kernel/trace_run.ts";

const BOOT =
  `ZSWAPBENCH {"kind":"boot","kernel":"6.1.0-57-amd64","zpool":"zbud","compressor":"lz4",` +
  `"max_pool_percent":90,"same_filled_pages_enabled":"Y","mem_total_kb":480000}`;

function consoleOf(ops: { pool: number; stored: number }[], extra = ""): string {
  const lines = [
    "SeaBIOS noise",
    BOOT,
    `ZSWAPBENCH {"kind":"trace_start","ops":${ops.length},"pages":4,` +
    `"counters":["pool_total_size","stored_pages"],"vmstat":["pswpin","pswpout","zswpin","zswpout"],` +
    `"c":[0,0],"vm":[0,0,0,0]}`,
    ...ops.map((o, i) =>
      `ZSWAPBENCH {"kind":"op","i":${i},"out":1,"tries":1,"bad":0,"c":[${
        o.pool * 4096
      },${o.stored}],"vm":[0,0,0,${i}]}`
    ),
    `ZSWAPBENCH {"kind":"trace_end","ops":${ops.length},"mismatches":0,"resident":0,"idle_polls":0,"replay_ms":5}`,
    extra,
    `ZSWAPBENCH {"kind":"done"}`,
  ];
  return lines.join("\r\n");
}

async function traceFile(text: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/t.csv`;
  await Deno.writeTextFile(path, text);
  return path;
}

Deno.test("loadTrace reads ops, counts them and sizes the mapping by the largest offset", async () => {
  const t = loadTrace(
    await traceFile("op,offset,page\nstore,0,0\nstore,5,9\nload,5,\ninvalidate,0,\n"),
  );
  assert.deepEqual(t.counts, { store: 2, load: 1, invalidate: 1 });
  assert.equal(t.pages, 6);
  assert.deepEqual([...t.ops], [0, 0, 1, 2]);
  assert.deepEqual([...t.pageIds], [0, 9, -1, -1]);
});

Deno.test("encodeTrace writes the header and one 16-byte record per op, page ids wrapped", async () => {
  const t = loadTrace(await traceFile("op,offset,page\nstore,2,7\nload,2,\n"));
  const img = encodeTrace(t, 4);
  const v = new DataView(img.buffer);
  assert.equal(new TextDecoder().decode(img.subarray(0, 8)), "ZSBTRACE");
  assert.equal(v.getUint32(8, true), 2);
  assert.equal(v.getUint32(12, true), 3);
  assert.deepEqual([0, 4, 8, 12].map((o) => v.getUint32(16 + o, true)), [
    TRACE_OP_CODES.store,
    2,
    7,
    3,
  ]);
  assert.equal(v.getUint32(32, true), TRACE_OP_CODES.load);
  assert.equal(v.getUint32(40, true), 0xffffffff);
  assert.equal(img.length % 512, 0);
});

Deno.test("parseTraceConsole reads every op record and refuses a short or broken run", () => {
  const run = parseTraceConsole(consoleOf([{ pool: 1, stored: 1 }, { pool: 2, stored: 2 }]));
  assert.equal(run.kernel, "6.1.0-57-amd64");
  assert.deepEqual(counterByOp(run, "stored_pages"), [1, 2]);
  assert.deepEqual(counterByOp(run, "pool_total_size"), [4096, 8192]);
  assert.equal(counterByOp(run, "same_filled_pages"), null);
  const cut = consoleOf([{ pool: 1, stored: 1 }]).split("\r\n").filter((l) => !l.includes('"op"'))
    .join("\n");
  assert.throws(
    () => parseTraceConsole(cut),
    (e) => e instanceof KernelCheckError && e.code === "incomplete",
  );
  assert.throws(
    () => parseTraceConsole(consoleOf([], `ZSWAPBENCH {"kind":"error","message":"mmap: nope"}`)),
    (e) => e instanceof KernelCheckError && e.code === "guest",
  );
});

Deno.test("firstDifferentRecord finds the first op whose records differ", () => {
  const a = parseTraceConsole(consoleOf([{ pool: 1, stored: 1 }, { pool: 2, stored: 2 }]));
  const b = parseTraceConsole(consoleOf([{ pool: 1, stored: 1 }, { pool: 2, stored: 3 }]));
  assert.equal(firstDifferentRecord(a, a), null);
  assert.equal(firstDifferentRecord(a, b), 1);
});

Deno.test("agreement counts ops where each figure and both agree", () => {
  const a = agreement({ pool: [1, 2, 3], stored: [1, 2, 3] }, {
    pool: [1, 9, 3],
    stored: [1, 2, 3],
  });
  assert.deepEqual(a, { both: 2, pool: 2, stored: 3, first: 1 });
  assert.equal(agreement({ pool: [1], stored: [1] }, { pool: [1], stored: [1] }).first, null);
});

Deno.test("compareTraceRow names the first divergent op with both states, and the report shows it", async () => {
  const t = loadTrace(await traceFile("op,offset,page\nstore,0,0\nstore,1,1\ninvalidate,0,\n"));
  const run = parseTraceConsole(
    consoleOf([{ pool: 1, stored: 1 }, { pool: 1, stored: 2 }, { pool: 1, stored: 2 }]),
  );
  const row = compareTraceRow({ zpool: "zbud", compressor: "lz4" }, t, { run, wallMs: 10 }, {
    poolPagesByOp: [1, 1, 1],
    storedPagesByOp: [1, 2, 1],
    integrityFailures: 0,
  });
  assert.equal(row.first_divergent_op, 2);
  assert.equal(row.agree_ops, 2);
  assert.deepEqual(row.kernel_stored_pages_by_op, [1, 2, 2]);
  assert.deepEqual(row.sim_stored_pages_by_op, [1, 2, 1]);
  assert.equal(row.divergence?.what, "invalidate 0");
  assert.deepEqual(row.divergence?.kernel, { pool_pages: 1, stored_pages: 2, before: [1, 2] });
  assert.deepEqual(row.divergence?.sim, { pool_pages: 1, stored_pages: 1, before: [1, 2] });
  assert.equal(traceFailures([row]).length, 0);
  assert.match(traceFailures([row], 0)[0], /part at op 2/);
  assert.equal(traceFailures([row], 50).length, 0);
  const text = formatTraceReport({
    kernelSource: "k",
    tracePath: "t.csv",
    pagesPath: "p",
    ops: 3,
    pages: 2,
    counts: t.counts,
    preset: "6.1",
    rows: [row],
    kernelRuns: [run],
  });
  assert.match(text, /first divergent op\s+2/);
  assert.match(
    text,
    /first divergence at op 2 \(invalidate 0\): kernel pool 1 -> 1 pages, stored 2 -> 2; simulator pool 1 -> 1, stored 2 -> 1/,
  );
});
