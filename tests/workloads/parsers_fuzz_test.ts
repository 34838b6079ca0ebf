// Seeded fuzzing of the file parsers a user feeds: traces (JSONL and CSV), lengths CSVs and page
// files. Every mutated file either parses into valid ops and lengths, or fails with one line that
// names the file and, for a bad line, its number, as a UsageError (exit status 2 in the CLI).
import assert from "node:assert/strict";
import { parseLengthsCsv } from "../../workloads/lengths.ts";
import { pagefileWorkload } from "../../workloads/pagefile.ts";
import { checkTrace, readTrace } from "../../workloads/trace.ts";

/** mulberry32: a small seeded generator (the seed is in each test). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  "store",
  "load",
  "invalidate",
  "stor",
  "-1",
  "1.5",
  "1e3",
  "9007199254740993",
  "",
  ",",
  '"',
  "{",
  "}",
  ":",
  "null",
  "page",
  "offset",
  "op",
  "t",
  "\t",
  " ",
  "NaN",
  "0x10",
  "\u00e9",
];

/** Mutate some lines: delete, duplicate, or edit a character or a token. */
function mutateLines(lines: string[], rand: () => number): string[] {
  const out = [...lines];
  const edits = 1 + Math.floor(rand() * 3);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(rand() * out.length);
    const line = out[i] ?? "";
    const at = Math.floor(rand() * (line.length + 1));
    const piece = PIECES[Math.floor(rand() * PIECES.length)];
    const pick = rand();
    if (pick < 0.15) out.splice(i, 1);
    else if (pick < 0.25) out.splice(i, 0, line);
    else if (pick < 0.55) out[i] = line.slice(0, at) + piece + line.slice(at);
    else if (pick < 0.8) out[i] = line.slice(0, at) + line.slice(at + 1 + Math.floor(rand() * 4));
    else out[i] = line.slice(0, at) + piece + line.slice(at + piece.length);
  }
  return out;
}

function assertUserError(err: unknown, pattern: RegExp, label: string): void {
  const e = err as Error;
  assert.equal(e.name, "UsageError", `${label}: ${e.name}: ${e.message}`);
  assert.match(e.message, pattern, label);
  assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
}

const OPS = new Set(["store", "load", "invalidate"]);

function assertValidOps(path: string, format: "jsonl" | "csv"): void {
  for (const op of readTrace(path, format)) {
    assert.ok(OPS.has(op.op), op.op);
    assert.ok(Number.isSafeInteger(op.offset) && op.offset >= 0, `offset ${op.offset}`);
    if (op.op === "store") assert.ok(Number.isSafeInteger(op.pageId) && op.pageId >= 0);
  }
}

Deno.test("trace parsers: 1500 seeded mutations give valid ops or an error naming the line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const jsonl = Array.from({ length: 12 }, (_, i) =>
      JSON.stringify(
        i % 3 === 2
          ? { op: "invalidate", offset: i >> 1 }
          : i % 3 === 1
          ? { op: "load", offset: i >> 1, t: i * 1.5 }
          : { op: "store", offset: i >> 1, page: i },
      ));
    const csv = [
      "op,offset,page,t",
      ...jsonl.map((l) => {
        const o = JSON.parse(l);
        return `${o.op},${o.offset},${o.page ?? ""},${o.t ?? ""}`;
      }),
    ];
    const rand = prng(0x7ace);
    const tally = { ok: 0, error: 0 };
    for (let i = 0; i < 1500; i++) {
      const format = i % 2 === 0 ? "jsonl" : "csv";
      const lines = mutateLines(format === "jsonl" ? jsonl : csv, rand);
      const path = `${dir}/t${i}.${format}`;
      await Deno.writeTextFile(path, lines.join("\n") + "\n");
      try {
        checkTrace(path, format);
        assertValidOps(path, format);
        tally.ok++;
      } catch (err) {
        assertUserError(
          err,
          /^Trace ".*t\d+\.(jsonl|csv)" (line \d+: \S|is empty)/,
          lines.join("|"),
        );
        tally.error++;
      }
    }
    assert.ok(tally.ok > 50 && tally.error > 500, JSON.stringify(tally));

    // Bytes that are not UTF-8 text.
    const bin = `${dir}/bin.jsonl`;
    await Deno.writeFile(bin, new Uint8Array([0x7b, 0xff, 0xfe, 0x0a, 0x80, 0x81]));
    assert.throws(() => checkTrace(bin, "jsonl"), {
      name: "UsageError",
      message: /^Trace ".*bin\.jsonl"/,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("lengths parser: 800 seeded mutations give lengths or an error naming the line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const csv = [
      "idx,source,lz4,zstd",
      ...Array.from(
        { length: 10 },
        (_, i) =>
          `${i},file@${i * 4096},${i === 3 ? "S" : i === 5 ? "R" : 1000 + i * 97},${800 + i}`,
      ),
    ];
    const rand = prng(0x1e9);
    const tally = { ok: 0, error: 0 };
    for (let i = 0; i < 800; i++) {
      const lines = mutateLines(csv, rand);
      const path = `${dir}/l${i}.csv`;
      await Deno.writeTextFile(path, lines.join("\n") + "\n");
      try {
        const lengths = parseLengthsCsv(path, "lz4", 4096);
        for (const n of lengths) assert.ok(n === -1 || n === -2 || (n >= 1 && n <= 4096), `${n}`);
        tally.ok++;
      } catch (err) {
        assertUserError(
          err,
          /^Lengths file ".*l\d+\.csv" (line \d+: \S|has no column|is empty|has no rows|holds no)/,
          lines.join("|"),
        );
        tally.error++;
      }
    }
    assert.ok(tally.ok > 50 && tally.error > 200, JSON.stringify(tally));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("page-file parser: seeded sizes and metadata give pages or an error naming the size", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const rand = prng(0x9a9e);
    for (let i = 0; i < 120; i++) {
      const pageSize = [4096, 16384, 65536][Math.floor(rand() * 3)];
      const pick = rand();
      const size = pick < 0.1
        ? 0
        : pick < 0.5
        ? pageSize * (1 + Math.floor(rand() * 4))
        : Math.floor(rand() * pageSize * 4);
      const path = `${dir}/p${i}.pages`;
      await Deno.writeFile(path, new Uint8Array(size));
      const meta = rand();
      if (meta < 0.15) await Deno.writeTextFile(`${path}.json`, '{"pageSize": 4096,');
      else if (meta < 0.3) {
        await Deno.writeTextFile(`${path}.json`, JSON.stringify({ pageSize: 16384 }));
      }
      const label = `size ${size}, page ${pageSize}, meta ${meta.toFixed(2)}`;
      try {
        const w = await pagefileWorkload.create({ pageSize, seed: 1, pages: 4, options: { path } });
        assert.ok(size > 0 && size % pageSize === 0, `accepted ${label}`);
        const page = new Uint8Array(pageSize);
        for (const op of w.ops()) if (op.op === "store") w.page(op.pageId, page);
        w.close?.();
      } catch (err) {
        assertUserError(err, /^Page file( metadata)? ".*p\d+\.pages(\.json)?" /, label);
        const m = (err as Error).message;
        if (size > 0 && size % pageSize !== 0 && !m.includes("metadata") && !m.includes("holds")) {
          assert.match(m, new RegExp(`${size} bytes`), label);
        }
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
