import assert from "node:assert/strict";
import { main, resolveCompressor } from "../../../bench/cli/compress.ts";

const ORACLE_PAGES = new URL("../../oracle/text.pages", import.meta.url);
const ORACLE_LENGTHS = new URL(
  "../../oracle/kernel-6.1-text-lengths.csv",
  import.meta.url,
);
const PAGES = 6;

/** Run main() with console.log and console.error captured. */
async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const { log, error } = console;
  console.log = (...a: unknown[]) => out.push(a.join(" "));
  console.error = (...a: unknown[]) => err.push(a.join(" "));
  try {
    const code = await main(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/** The first PAGES oracle pages in a temporary page file. */
async function pageFile(): Promise<string> {
  const pages = (await Deno.readFile(ORACLE_PAGES)).subarray(0, PAGES * 4096);
  const path = await Deno.makeTempFile({ suffix: ".pages" });
  await Deno.writeFile(path, pages);
  return path;
}

function kernelColumn(column: string): number[] {
  const [head, ...rows] = Deno.readTextFileSync(ORACLE_LENGTHS).trim().split(/\r?\n/);
  const at = head.split(",").indexOf(column);
  return rows.slice(0, PAGES).map((r) => Number(r.split(",")[at]));
}

Deno.test("main() --csv gives one row per page with the four columns", async (t) => {
  const path = await pageFile();
  try {
    for (const [name, column] of [["lz4", "lz4"], ["zstd", "zstd"]]) {
      await t.step(`${name} lengths are near the kernel's`, async () => {
        const r = await run(["--compressor", name, "--pages", path, "--csv"]);
        assert.equal(r.code, 0, r.err);
        const [head, ...rows] = r.out.trim().split("\n");
        assert.equal(head, "page,length,compress_ns,decompress_ns");
        assert.equal(rows.length, PAGES);
        const kernel = kernelColumn(column);
        rows.forEach((row, i) => {
          const [page, length, cns, dns] = row.split(",").map(Number);
          assert.equal(page, i);
          assert.ok(cns > 0 && dns > 0, row);
          // Same page, same codec family: within 5% of the kernel's length for that page.
          assert.ok(
            Math.abs(length / kernel[i] - 1) < 0.05,
            `${name} page ${i}: ${length} vs ${kernel[i]}`,
          );
        });
      });
    }
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("main() prints a summary by default and an object with --json", async () => {
  const path = await pageFile();
  try {
    const human = await run(["--compressor", "deflate", "--pages", path]);
    assert.equal(human.code, 0);
    for (const label of ["pages", "total original", "total compressed", "ratio", "MB/s", "(R)"]) {
      assert.ok(human.out.includes(label), label);
    }
    const json = await run([
      "--compressor",
      "zstd",
      "--options",
      '{"level":1}',
      "--pages",
      path,
      "--json",
    ]);
    const parsed = JSON.parse(json.out);
    assert.equal(parsed.rows.length, PAGES);
    assert.equal(parsed.summary.pages, PAGES);
    assert.equal(parsed.summary.original_bytes, PAGES * 4096);
    assert.deepEqual(parsed.summary.options, { level: 1 });
    assert.ok(parsed.summary.ratio > 1.5);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("main() counts pages that do not fit as R", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, crypto.getRandomValues(new Uint8Array(8192)));
    const r = await run(["--compressor", "lz4-wasm", "--pages", path, "--csv"]);
    assert.equal(r.code, 0);
    assert.deepEqual(r.out.trim().split("\n").slice(1).map((l) => l.split(",")[1]), ["R", "R"]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("main() fails with exit 1 and an error line when a round trip fails", async () => {
  const path = await pageFile();
  try {
    // The lengths pseudo-compressor refuses pages it did not make.
    const r = await run(["--compressor", "lengths", "--pages", path, "--csv"]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^Page 0: compress failed/);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("main() reports user mistakes as UsageError", async (t) => {
  const path = await pageFile();
  const odd = await Deno.makeTempFile();
  await Deno.writeFile(odd, new Uint8Array(5000));
  const cases: [string, string[], RegExp][] = [
    ["unknown compressor", ["--compressor", "lz5", "--pages", path], /known: .*zstd/],
    ["missing file", ["--compressor", "zstd", "--pages", "/nonexistent.pages"], /Cannot read/],
    ["bad JSON", ["--compressor", "zstd", "--options", "{level", "--pages", path], /not JSON/],
    [
      "bad option",
      ["--compressor", "zstd", "--options", '{"level":99}', "--pages", path],
      /level: must be at most 22 \(got 99\)/,
    ],
    ["odd size", ["--compressor", "zstd", "--pages", odd], /whole number of 4096-byte pages/],
    ["missing --pages", ["--compressor", "zstd"], /Missing --pages/],
    ["unknown flag", ["--compresor", "zstd"], /Unknown flag/],
  ];
  try {
    for (const [name, args, pattern] of cases) {
      await t.step(name, async () => {
        await assert.rejects(() => run(args), (err: Error) => {
          assert.equal(err.name, "UsageError");
          assert.match(err.message, pattern);
          return true;
        });
      });
    }
  } finally {
    await Deno.remove(path);
    await Deno.remove(odd);
  }
});

Deno.test("resolveCompressor() finds every built-in by name", () => {
  for (const name of ["lz4", "lz4-wasm", "lzo", "lzo-rle", "zstd", "deflate", "none", "lengths"]) {
    assert.equal(resolveCompressor(name).name, name);
  }
});
