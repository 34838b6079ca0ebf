import assert from "node:assert/strict";
import { lz4Compressor } from "../../compressors/lz4.ts";
import { CompressError, type Compressor } from "../../registry/types.ts";
import { assertNearLimit, guardedDecode, randomBytes, seeded as rng } from "./_codec_suite.ts";

const PAGE = 4096;
const pagesUrl = new URL("../oracle/text.pages", import.meta.url);
const lengthsUrl = new URL("../oracle/kernel-6.1-text-lengths.csv", import.meta.url);
const pages = Deno.readFileSync(pagesUrl);
const PAGE_COUNT = pages.length / PAGE;
const page = (i: number): Uint8Array => pages.subarray(i * PAGE, (i + 1) * PAGE);
/** The second fill of the bytes after a block in `guardedDecode` (the first is 0x00). */
const PAD = 0xff;

/** Page-like binary data: 8-byte records of small counters, pointers and zero padding. */
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

function make(options: unknown = {}): Compressor {
  return lz4Compressor.create(options) as Compressor;
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

Deno.test("lz4Compressor.create() validates options", async (t) => {
  await t.step("defaults to acceleration 1", () => {
    assert.equal(typeof make().compress, "function");
    assert.equal(typeof make(undefined).compress, "function");
  });
  const bad: [string, unknown][] = [
    ["acceleration 0", { acceleration: 0 }],
    ["a fractional acceleration", { acceleration: 1.5 }],
    ["a string acceleration", { acceleration: "1" }],
    ["an unknown key", { level: 3 }],
  ];
  for (const [name, options] of bad) {
    await t.step(`refuses ${name}`, () => {
      assert.throws(() => make(options), { name: "UsageError", message: /compressor "lz4"/ });
    });
  }
});

Deno.test("lz4Compressor is synchronous and named lz4", () => {
  assert.equal(lz4Compressor.name, "lz4");
  assert.equal(lz4Compressor.kind, "compressor");
  assert.equal(lz4Compressor.async, false);
});

Deno.test("lz4.compress() gives the blocks worked out from lib/lz4/lz4_compress.c (6.1)", async (t) => {
  const c = make();
  const vectors: [string, Uint8Array, number[]][] = [
    // Shorter than MFLIMIT + 1 = 13: one literal run, token 0x00.
    ["0 bytes: a lone token", new Uint8Array(0), [0x00]],
    ["3 bytes: one literal run", new TextEncoder().encode("abc"), [0x30, 97, 98, 99]],
    // Position 1 matches position 0 (offset 1); the match runs to iend - LASTLITERALS = 4091, so
    // matchCode 4086 = 15 + 15 * 255 + 246; then 5 last literals.
    [
      "a zero page: 1 literal, one offset-1 match, 5 last literals",
      new Uint8Array(PAGE),
      [0x1f, 0, 1, 0, ...new Array(15).fill(255), 246, 0x50, 0, 0, 0, 0, 0],
    ],
  ];
  for (const [name, src, want] of vectors) {
    await t.step(name, () => {
      const dst = new Uint8Array(PAGE);
      const n = c.compress(src, dst) as number;
      assert.deepEqual(Array.from(dst.subarray(0, n)), want);
    });
  }
});

Deno.test("lz4 round trips zero, same-filled, random, text and binary pages", async (t) => {
  const c = make();
  const cases: [string, Uint8Array, number][] = [
    ["zero page", new Uint8Array(PAGE), PAGE],
    ["same-filled page", new Uint8Array(PAGE).fill(0x5a), PAGE],
    ["random page into 2 pages", randomBytes(PAGE, 1), 2 * PAGE],
    ["text page", page(3), PAGE],
    ["binary page", binaryPage(2), PAGE],
    ["1 byte", new Uint8Array([42]), PAGE],
    ["0 bytes", new Uint8Array(0), PAGE],
    ["13 bytes (LZ4_minLength)", new TextEncoder().encode("aaaaaaaaaaaaa"), PAGE],
    ["16 KiB of text", pages.subarray(0, 4 * PAGE), 8 * PAGE],
    ["64 KiB of text (still the 16-bit table)", pages.subarray(0, 16 * PAGE), 32 * PAGE],
    ["96 KiB of text (the 32-bit table)", pages.subarray(0, 24 * PAGE), 48 * PAGE],
    [
      "256 KiB with a distant repeat",
      (() => {
        const a = randomBytes(256 * 1024, 7);
        a.copyWithin(200 * 1024, 10 * 1024, 30 * 1024); // 190 KiB back: beyond MAX_DISTANCE
        a.copyWithin(100 * 1024, 60 * 1024, 90 * 1024); // 40 KiB back: a match
        return a;
      })(),
      300 * 1024,
    ],
  ];
  for (const [name, src, dstLen] of cases) {
    await t.step(name, () => {
      roundTrip(c, src, dstLen);
    });
  }
  await t.step("every page of the oracle set", () => {
    for (let i = 0; i < PAGE_COUNT; i++) roundTrip(c, page(i));
  });
  await t.step("acceleration 8 round trips and is no smaller than acceleration 1", () => {
    const fast = make({ acceleration: 8 });
    let sum1 = 0;
    let sum8 = 0;
    for (let i = 0; i < 64; i++) {
      sum1 += roundTrip(c, page(i));
      sum8 += roundTrip(fast, page(i));
    }
    assert.ok(sum8 > sum1, `${sum8} > ${sum1}`);
  });
});

Deno.test("lz4.compress() matches the kernel 6.1 lengths on the oracle pages", () => {
  const c = make();
  const rows = Deno.readTextFileSync(lengthsUrl).trim().split("\n");
  const header = rows[0].split(",");
  const col = header.indexOf("lz4");
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
  console.log(`lz4 lengths identical to kernel 6.1: ${same}/${PAGE_COUNT} ${firstDiff}`);
  assert.ok(same >= Math.ceil(PAGE_COUNT * 0.99), `${same}/${PAGE_COUNT}; first: ${firstDiff}`);
});

Deno.test("lz4.compress() refuses output that does not fit dst and writes nothing past it", async (t) => {
  const c = make();
  const random = randomBytes(PAGE, 3);
  await t.step("a random page into 4096 bytes throws ENOSPC", () => {
    const big = new Uint8Array(PAGE + 64).fill(0xa5);
    const dst = big.subarray(32, 32 + PAGE);
    assert.throws(() => c.compress(random, dst), { name: "CompressError", code: "ENOSPC" });
    assert.ok(big.subarray(0, 32).every((b) => b === 0xa5));
    assert.ok(big.subarray(32 + PAGE).every((b) => b === 0xa5));
  });
  await t.step("a random page into LZ4_COMPRESSBOUND(4096) = 4128 bytes fits", () => {
    // One literal run: token, 15 + 16 * 255 + 1 in 17 length bytes, 4096 literals.
    assert.equal(roundTrip(c, random, 4096 + 16 + 16), 1 + 17 + 4096);
  });
  await t.step(
    "near the limit: either ENOSPC or the unlimited block, never a write past dst",
    () => {
      // lib/lz4/lz4_compress.c (6.1): the limitedOutput checks keep LASTLITERALS + 3 spare.
      assertNearLimit(c, [0, 100, 500, 900].map(page), 8);
    },
  );
});

Deno.test("lz4.decompress() survives random and damaged blocks", async (t) => {
  const c = make();
  const r = rng(20240605);
  await t.step("random blocks", () => {
    for (let i = 0; i < 1500; i++) {
      guardedDecode(c, PAD, randomBytes((r() * 300) | 0, i + 1));
    }
  });
  const blocks: Uint8Array[] = [];
  const dst = new Uint8Array(PAGE);
  for (let i = 0; i < 40; i++) blocks.push(dst.slice(0, c.compress(page(i * 25), dst) as number));
  blocks.push(dst.slice(0, c.compress(binaryPage(9), dst) as number));
  blocks.push(dst.slice(0, c.compress(new Uint8Array(PAGE), dst) as number));
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
  await t.step("an empty block and a zero offset throw EINVAL", () => {
    const page1 = new Uint8Array(PAGE);
    assert.throws(() => c.decompress(new Uint8Array(0), page1), { code: "EINVAL" });
    assert.throws(() => c.decompress(new Uint8Array([0x10, 97, 0, 0, 0x00]), page1), {
      code: "EINVAL",
    });
  });
});
