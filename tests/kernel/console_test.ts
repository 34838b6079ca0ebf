import assert from "node:assert/strict";
import { parseConsole } from "../../kernel/console.ts";
import { KernelCheckError } from "../../kernel/errors.ts";

const P = "ZSWAPBENCH ";

/** A console transcript as the guest writes it, with BIOS and kernel noise around the records. */
function transcript(
  pages: { outcome: string; length: number; pool: number }[],
  extra: { error?: string; stopAfterPages?: boolean; crlf?: boolean } = {},
): string {
  const lines = [
    "\x1bc\x1b[?7l\x1b[2J\x1b[0mSeaBIOS (version 1.16.2-debian-1.16.2-1)",
    "Booting from ROM..",
    `${P}{"kind":"boot","kernel":"6.1.0-56-amd64","zpool":"zsmalloc","compressor":"lz4","max_pool_percent":90,"same_filled_pages_enabled":"Y","mem_total_kb":466372}`,
    `${P}{"kind":"start","pages":${pages.length},"stored_pages":0,"pool_total_size":0,"zswap_current":100,"pswpout":7,"kprobe":""}`,
  ];
  if (extra.error) lines.push(`${P}{"kind":"error","message":"${extra.error}"}`);
  pages.forEach((p, i) =>
    lines.push(
      `${P}{"kind":"page","index":${i},"outcome":"${p.outcome}","length":${p.length},"pool_total_size":${p.pool},"tries":1}`,
    )
  );
  if (!extra.stopAfterPages) {
    const stored = pages.filter((p) => p.outcome === "stored" || p.outcome === "same").length;
    const same = pages.filter((p) => p.outcome === "same").length;
    const sum = pages.reduce((n, p) => n + p.length, 0);
    lines.push(
      `${P}{"kind":"debugfs","counters":{"same_filled_pages":${same},"stored_pages":${stored},"pool_total_size":${
        pages.at(-1)?.pool ?? 0
      },"reject_compress_poor":0}}`,
      `${P}{"kind":"stats","zswap_current":${
        100 + sum
      },"pswpout":9,"zswpout":${stored},"memcg_zswapped":0,"memcg_zswap":0}`,
      `${P}{"kind":"verify","pages":${pages.length},"mismatches":0,"first_mismatch":-1,"zswpin":${stored},"pswpin":2}`,
      `${P}{"kind":"done"}`,
      "[    2.515083] reboot: Power down",
    );
  } else {
    lines.push("[    1.000000] Kernel panic - not syncing: Attempted to kill init!");
  }
  return lines.join(extra.crlf ? "\r\n" : "\n");
}

const PAGES = [
  { outcome: "stored", length: 2360, pool: 12288 },
  { outcome: "same", length: 0, pool: 12288 },
  { outcome: "reject", length: 0, pool: 12288 },
  { outcome: "stored", length: 700, pool: 16384 },
];

function assertKernelError(fn: () => unknown, code: string, re: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof KernelCheckError, `not a KernelCheckError: ${e}`);
    assert.equal(e.code, code);
    assert.match(e.message, re);
    return true;
  });
}

Deno.test("parseConsole() reads every record of a complete run", () => {
  const run = parseConsole(transcript(PAGES));
  assert.equal(run.kernel, "6.1.0-56-amd64");
  assert.equal(run.zpool, "zsmalloc");
  assert.equal(run.compressor, "lz4");
  assert.equal(run.memTotalKb, 466372);
  assert.deepEqual(run.pages.map((p) => p.outcome), ["stored", "same", "reject", "stored"]);
  assert.deepEqual(run.pages.map((p) => p.length), [2360, 0, 0, 700]);
  assert.equal(run.debugfs.stored_pages, 3);
  assert.equal(run.debugfs.pool_total_size, 16384);
  // Differences from the start record: memory.zswap.current started at 100, pswpout at 7.
  assert.equal(run.zswapCurrent, 3060);
  assert.equal(run.pswpout, 2);
  assert.equal(run.mismatches, 0);
  assert.equal(run.verifiedPages, 4);
});

Deno.test("parseConsole() accepts CRLF line ends and records after other text on a line", () => {
  const text = transcript(PAGES, { crlf: true }).replace(
    `${P}{"kind":"done"}`,
    `[    2.1] random: crng init done${P}{"kind":"done"}`,
  );
  assert.equal(parseConsole(text).pages.length, 4);
});

Deno.test("parseConsole() turns a guest error record into a guest error", () => {
  assertKernelError(
    () => parseConsole(transcript(PAGES, { error: "insmod zsmalloc.ko failed" })),
    "guest",
    /insmod zsmalloc\.ko failed/,
  );
});

Deno.test("parseConsole() reports a run that stopped early, with the console tail", () => {
  assert.throws(() => parseConsole(transcript(PAGES, { stopAfterPages: true })), (e: unknown) => {
    assert.ok(e instanceof KernelCheckError);
    assert.equal(e.code, "incomplete");
    assert.match(e.message, /debugfs, stats, verify, done \(4 page records\)/);
    assert.match(e.consoleTail, /Kernel panic/);
    return true;
  });
  assertKernelError(() => parseConsole("SeaBIOS\nBooting from ROM..\n"), "incomplete", /boot/);
});

Deno.test("parseConsole() refuses malformed and unknown records", async (t) => {
  const cases: [string, string, RegExp][] = [
    ["not JSON", `${P}{"kind":"page",`, /not a JSON record/],
    ["unknown kind", `${P}{"kind":"weird"}`, /not a known record/],
    ["unknown key", `${P}{"kind":"done","extra":1}`, /not a known record/],
    [
      "bad outcome",
      `${P}{"kind":"page","index":0,"outcome":"lost","length":0,"pool_total_size":0,"tries":1}`,
      /not a known record/,
    ],
  ];
  for (const [name, line, re] of cases) {
    await t.step(name, () => {
      assertKernelError(() => parseConsole(`noise\n${line}\n`), "malformed", re);
    });
  }
});

Deno.test("parseConsole() refuses page records out of order or missing", () => {
  const swapped = transcript(PAGES).replace('"index":1,', '"index":9,');
  assertKernelError(() => parseConsole(swapped), "malformed", /Page record 9 out of order/);
  const dropped = transcript(PAGES).split("\n").filter((l) => !l.includes('"index":3,')).join(
    "\n",
  );
  assertKernelError(() => parseConsole(dropped), "incomplete", /3 of 4 pages/);
});
