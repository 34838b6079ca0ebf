import assert from "node:assert/strict";
import { lzoCompressor, lzoRleCompressor } from "../../compressors/lzo.ts";
import { CompressError, type Compressor, type CompressorPlugin } from "../../registry/types.ts";
import { assertNearLimit, guardedDecode, randomBytes, seeded as rng } from "./_codec_suite.ts";

const PAGE = 4096;
const pagesUrl = new URL("../oracle/text.pages", import.meta.url);
const lengthsUrl = new URL("../oracle/kernel-6.1-text-lengths.csv", import.meta.url);
const pages = Deno.readFileSync(pagesUrl);
const PAGE_COUNT = pages.length / PAGE;
const page = (i: number): Uint8Array => pages.subarray(i * PAGE, (i + 1) * PAGE);
/** The second fill of the bytes after a block in `guardedDecode` (the first is 0x00). */
const PAD = 0x11;
/** include/linux/lzo.h (6.1) lzo1x_worst_compress(4096). */
const WORST_4096 = 4096 + 4096 / 16 + 64 + 3 + 2;

/** Page-like binary data: 16-byte records of small counters, pointers and zero padding. */
function binaryPage(seed: number): Uint8Array {
  const r = rng(seed);
  const a = new Uint8Array(PAGE);
  const dv = new DataView(a.buffer);
  for (let i = 0; i < PAGE; i += 16) {
    dv.setUint32(i, (r() * 300) | 0, true);
    dv.setUint32(i + 4, 0xffff8880 + ((r() * 16) | 0), true);
    if (r() < 0.3) dv.setUint32(i + 8, (r() * 2 ** 32) >>> 0, true);
  }
  return a;
}

/** Text with zero runs of many lengths, some longer than MAX_ZERO_RUN_LENGTH (2051). */
function holesPage(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  const a = pages.slice(0, n);
  for (let k = 0; k < n / 512; k++) {
    const at = (r() * n) | 0;
    const len = [3, 4, 5, 11, 2051, 2052, 3000][(r() * 7) | 0];
    a.fill(0, at, Math.min(n, at + len));
  }
  return a;
}

const PLUGINS: [string, CompressorPlugin][] = [["lzo", lzoCompressor], [
  "lzo-rle",
  lzoRleCompressor,
]];

function make(plugin: CompressorPlugin, options: unknown = {}): Compressor {
  return plugin.create(options) as Compressor;
}

function roundTrip(c: Compressor, src: Uint8Array, dstLen = PAGE): number {
  const dst = new Uint8Array(dstLen);
  const n = c.compress(src, dst) as number;
  assert.ok(n > 0 && n <= dstLen);
  const back = new Uint8Array(src.length);
  assert.equal(c.decompress(dst.subarray(0, n), back), src.length);
  assert.deepEqual(back, src);
  return n;
}

Deno.test("lzoCompressor and lzoRleCompressor take no options", async (t) => {
  for (const [name, plugin] of PLUGINS) {
    await t.step(`${name} accepts {} and undefined`, () => {
      assert.equal(typeof make(plugin).compress, "function");
      assert.equal(typeof make(plugin, undefined).compress, "function");
    });
    await t.step(`${name} refuses an unknown key`, () => {
      assert.throws(() => make(plugin, { level: 1 }), {
        name: "UsageError",
        message: new RegExp(`compressor "${name}"`),
      });
    });
    await t.step(`${name} is synchronous`, () => {
      assert.equal(plugin.name, name);
      assert.equal(plugin.async, false);
    });
  }
});

Deno.test("lzo.compress() gives the blocks worked out from lib/lzo/lzo1x_compress.c (6.1)", async (t) => {
  const lzo = make(lzoCompressor);
  const rle = make(lzoRleCompressor);
  const z = (n: number): number[] => new Array(n).fill(0);
  const vectors: [string, Compressor, Uint8Array, number[]][] = [
    // Nothing but the end marker: M4 with distance 16384 and length 3.
    ["lzo, 0 bytes: the end marker", lzo, new Uint8Array(0), [0x11, 0, 0]],
    // Version 1 streams open with 17 and the version byte.
    ["lzo-rle, 0 bytes: version header, end marker", rle, new Uint8Array(0), [17, 1, 0x11, 0, 0]],
    // A first literal run of up to 238 bytes is coded as 17 + length.
    ["lzo, 1 byte: first-byte literal run", lzo, new Uint8Array([97]), [18, 97, 0x11, 0, 0]],
    // Zero page, lzo: the first probe (ip 5) hits the zeroed slot (position 0): 5 literals
    // (byte 2); the match grows 8 at a time until ip + m_len >= ip_end (4076), so m_len 4076 at
    // offset 5: M3 (32), 4076 - 33 = 15 * 255 + 218, distance bytes (4 << 2, 0); 15 literals left
    // (byte 12) and the end marker.
    [
      "lzo, zero page: 5 literals, one M3 of 4076, 15 literals",
      lzo,
      new Uint8Array(PAGE),
      [2, ...z(5), 32, ...z(15), 218, 16, 0, 12, ...z(15), 0x11, 0, 0],
    ],
    // Zero page, lzo-rle: 5 literals, then zero runs of 2051 (the maximum) and 2020 (up to
    // ip_end) as 0x18 | (r & 7), 0xfc, 0xff, r >> 3 with r = run - 4; 20 literals (0, 2) left.
    [
      "lzo-rle, zero page: 5 literals, runs of 2051 and 2020, 20 literals",
      rle,
      new Uint8Array(PAGE),
      [17, 1, 2, ...z(5), 0x1f, 0xfc, 0xff, 255, 0x18, 0xfc, 0xff, 252, 0, 2, ...z(20), 0x11, 0, 0],
    ],
  ];
  for (const [name, c, src, want] of vectors) {
    await t.step(name, () => {
      const dst = new Uint8Array(PAGE);
      const n = c.compress(src, dst) as number;
      assert.deepEqual(Array.from(dst.subarray(0, n)), want);
    });
  }
});

Deno.test("lzo and lzo-rle round trip zero, same-filled, random, text and binary pages", async (t) => {
  for (const [name, plugin] of PLUGINS) {
    const c = make(plugin);
    const cases: [string, Uint8Array, number][] = [
      ["zero page", new Uint8Array(PAGE), PAGE],
      ["same-filled page", new Uint8Array(PAGE).fill(0x5a), PAGE],
      ["random page into the worst case", randomBytes(PAGE, 1), WORST_4096],
      ["text page", page(3), PAGE],
      ["binary page", binaryPage(2), PAGE],
      ["text page with zero runs", holesPage(PAGE, 5), PAGE],
      ["1 byte", new Uint8Array([42]), PAGE],
      ["0 bytes", new Uint8Array(0), PAGE],
      ["21 bytes (the first length compressed in chunks)", pages.slice(0, 21), PAGE],
      ["239 bytes of random (no first-byte run)", randomBytes(239, 3), PAGE],
      ["200 KiB with zero runs (5 chunks of 49152)", holesPage(200 * 1024, 6), 220 * 1024],
      ["128 KiB of random", randomBytes(128 * 1024, 8), 140 * 1024],
    ];
    for (const [what, src, dstLen] of cases) {
      await t.step(`${name}: ${what}`, () => {
        roundTrip(c, src, dstLen);
      });
    }
    await t.step(`${name}: every page of the oracle set`, () => {
      for (let i = 0; i < PAGE_COUNT; i++) roundTrip(c, page(i));
    });
  }
  await t.step("one decoder reads both versions (lzo1x_decompress_safe)", () => {
    const dst = new Uint8Array(PAGE);
    const back = new Uint8Array(PAGE);
    const src = holesPage(PAGE, 9);
    const v1 = dst.slice(0, make(lzoRleCompressor).compress(src, dst) as number);
    assert.equal(make(lzoCompressor).decompress(v1, back), PAGE);
    assert.deepEqual(back, src);
    const v0 = dst.slice(0, make(lzoCompressor).compress(src, dst) as number);
    assert.equal(make(lzoRleCompressor).decompress(v0, back), PAGE);
    assert.deepEqual(back, src);
  });
});

Deno.test("lzo.compress() matches the kernel 6.1 lengths on the oracle pages", () => {
  const c = make(lzoCompressor);
  const rows = Deno.readTextFileSync(lengthsUrl).trim().split("\n");
  const col = rows[0].split(",").indexOf("lzo");
  const dst = new Uint8Array(PAGE);
  let same = 0;
  let firstDiff = "";
  for (let i = 0; i < PAGE_COUNT; i++) {
    const want = rows[i + 1].split(",")[col];
    let got: string;
    try {
      got = String(c.compress(page(i), dst));
    } catch (e) {
      if (!(e instanceof CompressError)) throw e;
      got = "R";
    }
    if (got === want) same++;
    else if (firstDiff === "") firstDiff = `page ${i}: ${got} (kernel ${want})`;
  }
  console.log(`lzo lengths identical to kernel 6.1: ${same}/${PAGE_COUNT} ${firstDiff}`);
  assert.ok(same >= Math.ceil(PAGE_COUNT * 0.99), `${same}/${PAGE_COUNT}; first: ${firstDiff}`);
});

Deno.test("lzo-rle.compress() is lzo plus the 2-byte header on pages without zero runs", () => {
  // lib/lzo/lzo1x_compress.c (6.1): with no 4 zero bytes in a row the streams differ only by the
  // version header (the M4 offset limit 0xbffe matters only past 48 KiB).
  const lzo = make(lzoCompressor);
  const rle = make(lzoRleCompressor);
  const a = new Uint8Array(PAGE);
  const b = new Uint8Array(PAGE);
  for (let i = 0; i < PAGE_COUNT; i += 7) {
    const src = page(i);
    let zeros = false;
    for (let k = 0; k + 4 <= PAGE && !zeros; k++) {
      zeros = src[k] === 0 && src[k + 1] === 0 && src[k + 2] === 0 && src[k + 3] === 0;
    }
    if (zeros) continue;
    const n = lzo.compress(src, a) as number;
    assert.equal(rle.compress(src, b), n + 2);
    assert.deepEqual(b.subarray(2, n + 2), a.subarray(0, n));
  }
});

Deno.test("lzo.compress() refuses output that does not fit dst and writes nothing past it", async (t) => {
  for (const [name, plugin] of PLUGINS) {
    const c = make(plugin);
    const random = randomBytes(PAGE, 3);
    await t.step(`${name}: a random page into 4096 bytes throws ENOSPC`, () => {
      const big = new Uint8Array(PAGE + 64).fill(0xa5);
      const dst = big.subarray(32, 32 + PAGE);
      assert.throws(() => c.compress(random, dst), { name: "CompressError", code: "ENOSPC" });
      assert.ok(big.subarray(0, 32).every((b) => b === 0xa5));
      assert.ok(big.subarray(32 + PAGE).every((b) => b === 0xa5));
    });
    await t.step(`${name}: a random page into 2 pages fits`, () => {
      assert.ok(roundTrip(c, random, 2 * PAGE) > PAGE);
    });
    await t.step(`${name}: near the limit, ENOSPC or the unlimited block`, () => {
      // 6.1 safe variant: NEED_OP(17) before a short literal run is the widest check.
      assertNearLimit(c, [0, 100, 500, 900].map(page), 17);
    });
  }
});

Deno.test("lzo.decompress() survives random and damaged blocks", async (t) => {
  const c = make(lzoRleCompressor); // the decoder of both plugins, with version 1 enabled
  const r = rng(20240606);
  await t.step("random blocks", () => {
    for (let i = 0; i < 1500; i++) {
      const b = randomBytes((r() * 300) | 0, i + 1);
      if (i % 3 === 0 && b.length >= 5) {
        b[0] = 17; // a version header, so zero runs are decoded too
        b[1] = 1;
      }
      guardedDecode(c, PAD, b);
    }
  });
  const blocks: Uint8Array[] = [];
  const dst = new Uint8Array(PAGE);
  for (const [, plugin] of PLUGINS) {
    const enc = make(plugin);
    for (let i = 0; i < 20; i++) {
      blocks.push(dst.slice(0, enc.compress(page(i * 50), dst) as number));
    }
    blocks.push(dst.slice(0, enc.compress(binaryPage(9), dst) as number));
    blocks.push(dst.slice(0, enc.compress(holesPage(PAGE, 4), dst) as number));
    blocks.push(dst.slice(0, enc.compress(new Uint8Array(PAGE), dst) as number));
  }
  await t.step("mutated valid blocks", () => {
    for (let i = 0; i < 1500; i++) {
      const b = blocks[i % blocks.length].slice();
      const edits = 1 + ((r() * 4) | 0);
      for (let k = 0; k < edits; k++) {
        const at = (r() * b.length) | 0;
        if (r() < 0.5) b[at] ^= 1 << ((r() * 8) | 0);
        else b[at] = (r() * 256) | 0;
      }
      guardedDecode(c, PAD, b);
    }
  });
  await t.step("truncated valid blocks fail or come back short", () => {
    for (let i = 0; i < 400; i++) {
      const b = blocks[i % blocks.length];
      const cut = (r() * b.length) | 0;
      const out = guardedDecode(c, PAD, b.subarray(0, cut));
      assert.ok(out instanceof CompressError || out < PAGE, `cut ${cut} of ${b.length}`);
    }
  });
  await t.step("a valid block into a short dst throws ENOSPC", () => {
    const big = new Uint8Array(PAGE + 64).fill(0xa5);
    const short = big.subarray(32, 32 + PAGE - 1);
    assert.throws(() => c.decompress(blocks[0], short), { name: "CompressError", code: "ENOSPC" });
    assert.ok(big.subarray(32 + PAGE - 1).every((b) => b === 0xa5));
  });
  await t.step("short blocks, trailing bytes and a bad end marker throw EINVAL", () => {
    const out = new Uint8Array(PAGE);
    const bad: [string, number[]][] = [
      ["2 bytes", [0x11, 0]],
      ["a byte after the end marker", [18, 97, 0x11, 0, 0, 0]],
      ["an end marker of length 4", [18, 97, 0x12, 0, 0]],
      ["a distance beyond the output", [18, 97, 0x40, 0x10, 0x11, 0, 0]],
    ];
    for (const [what, bytes] of bad) {
      assert.throws(() => c.decompress(new Uint8Array(bytes), out), { code: "EINVAL" }, what);
    }
  });
});
