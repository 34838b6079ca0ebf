/**
 * Shared round-trip and fuzz cases for the codec tests: every codec meets the same contract.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CompressError, type Compressor, type CompressorPlugin } from "../../registry/types.ts";

/** The kernels' page file, kept in tests/oracle (README there). */
export const ORACLE_PAGES_URL = new URL("../oracle/text.pages", import.meta.url);
/** The oracle's per-page kernel lengths. */
export const ORACLE_LENGTHS_URL = new URL(
  "../oracle/kernel-6.1-text-lengths.csv",
  import.meta.url,
);

/** A small seeded generator (mulberry32), so every case is the same on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` random bytes from `seed`. */
export function randomBytes(n: number, seed: number): Uint8Array {
  const next = seeded(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(next() * 256);
  return out;
}

let oracle: Uint8Array | undefined;

/** The oracle's whole page file (1024 pages of 4096 bytes), read once. */
export function oraclePages(): Uint8Array {
  oracle ??= Deno.readFileSync(ORACLE_PAGES_URL);
  return oracle;
}

/** Page `index` of the oracle's page file (a copy). */
export function oraclePage(index: number): Uint8Array {
  return oraclePages().slice(index * 4096, (index + 1) * 4096);
}

/** The kernel's per-page lengths for one compressor column (`lzo`, `lz4`, `zstd`, `deflate`). */
export function kernelLengths(column: string): string[] {
  const [head, ...rows] = Deno.readTextFileSync(ORACLE_LENGTHS_URL).trim().split(/\r?\n/);
  const at = head.split(",").indexOf(column);
  assert.ok(at > 1, `column ${column} in the oracle`);
  return rows.map((row) => row.split(",")[at].trim());
}

/** Per-page lengths of `codec` on the oracle pages next to the kernel's (pages the kernel stored). */
export async function compareWithKernel(
  codec: Compressor,
  column: string,
): Promise<{ ours: number; kernel: number; exact: number; pages: number }> {
  const lengths = kernelLengths(column);
  const pages = oraclePages();
  const dst = new Uint8Array(4096);
  let ours = 0, kernel = 0, exact = 0, count = 0;
  for (let i = 0; i < lengths.length; i++) {
    if (lengths[i] === "S" || lengths[i] === "R") continue;
    const n = await codec.compress(pages.subarray(i * 4096, (i + 1) * 4096), dst);
    ours += n;
    kernel += Number(lengths[i]);
    if (n === Number(lengths[i])) exact++;
    count++;
  }
  return { ours, kernel, exact, pages: count };
}

/** A binary page: little-endian integers and doubles, as a heap page might hold. */
export function binaryPage(): Uint8Array {
  const page = new Uint8Array(4096);
  const view = new DataView(page.buffer);
  for (let i = 0; i < 256; i++) {
    view.setUint32(i * 16, 0x1000 + i * 24, true);
    view.setUint32(i * 16 + 4, i % 7, true);
    view.setFloat64(i * 16 + 8, i * 0.25, true);
  }
  return page;
}

const GUARD = 0xcc;
const GUARD_BYTES = 16;

/** A `size`-byte view with guard bytes on both sides, and a check that they are intact. */
export function guarded(size: number): { buf: Uint8Array; intact(): boolean } {
  const whole = new Uint8Array(size + 2 * GUARD_BYTES).fill(GUARD);
  const buf = whole.subarray(GUARD_BYTES, GUARD_BYTES + size);
  return {
    buf,
    intact: () =>
      whole.subarray(0, GUARD_BYTES).every((b) => b === GUARD) &&
      whole.subarray(GUARD_BYTES + size).every((b) => b === GUARD),
  };
}

/** Compress `src` into a guarded buffer of `dstSize`, decompress into a guarded page, compare. */
export async function roundTrip(
  codec: Compressor,
  src: Uint8Array,
  dstSize = src.length * 2 + 64,
): Promise<number> {
  const dst = guarded(dstSize);
  const n = await codec.compress(src, dst.buf);
  assert.ok(n >= 0 && n <= dstSize, `length ${n} within ${dstSize}`);
  assert.ok(dst.intact(), "compress kept inside dst");
  const back = guarded(src.length);
  const m = await codec.decompress(dst.buf.slice(0, n), back.buf);
  assert.ok(back.intact(), "decompress kept inside dst");
  assert.equal(m, src.length);
  assert.deepEqual(back.buf, src);
  return n;
}

/** The standard pages every real codec must round-trip. */
export function standardPages(): [string, Uint8Array][] {
  return [
    ["zero page", new Uint8Array(4096)],
    ["same-filled page", new Uint8Array(4096).fill(0x5a)],
    ["random page", randomBytes(4096, 1)],
    ["text page (oracle page 0)", oraclePage(0)],
    ["binary page", binaryPage()],
    ["1-byte input", new Uint8Array([42])],
    ["16 KiB page", randomBytes(16384, 2).map((b, i) => (i % 64 < 48 ? 0 : b))],
  ];
}

/** Expected behaviour of a codec in the shared suite. */
export interface SuiteOptions {
  /** Options given to `create()`. */
  options?: unknown;
  /** A page always fits a page-sized dst (a copy): skip the ENOSPC step for that case. */
  copies?: boolean;
}

/**
 * The shared steps: round trips, ENOSPC for incompressible data in a small dst, decoders that
 * only ever throw CompressError on fuzzed input and never write past dst.
 */
export async function codecSuite(
  t: Deno.TestContext,
  plugin: CompressorPlugin,
  suite: SuiteOptions = {},
): Promise<void> {
  const codec = await plugin.create(suite.options ?? {});

  for (const [name, page] of standardPages()) {
    await t.step(`round-trips a ${name}`, async () => {
      await roundTrip(codec, page);
    });
  }

  await t.step("compresses into a dst of exactly the output length", async () => {
    const page = oraclePage(1);
    const n = await roundTrip(codec, page);
    await roundTrip(codec, page, n);
  });

  await t.step("throws ENOSPC when incompressible output does not fit a small dst", async () => {
    const dst = guarded(1000);
    await assert.rejects(
      async () => await codec.compress(randomBytes(4096, 3), dst.buf),
      { name: "CompressError", code: "ENOSPC" },
    );
    assert.ok(dst.intact());
  });

  await t.step({
    name: "throws ENOSPC when the output does not fit a page-sized dst",
    ignore: suite.copies === true,
    fn: async () => {
      const dst = guarded(4096);
      await assert.rejects(
        async () => await codec.compress(randomBytes(4096, 4), dst.buf),
        { name: "CompressError", code: "ENOSPC" },
      );
      assert.ok(dst.intact());
    },
  });

  await t.step("throws ENOSPC when decompressed data does not fit dst", async () => {
    const page = oraclePage(2);
    const obj = new Uint8Array(8192);
    const n = await codec.compress(page, obj);
    const small = guarded(4000);
    await assert.rejects(
      async () => await codec.decompress(obj.subarray(0, n), small.buf),
      { name: "CompressError", code: "ENOSPC" },
    );
    assert.ok(small.intact());
    await roundTrip(codec, page); // still usable afterwards
  });

  await t.step("decoder survives fuzzed, truncated and mutated input (seed 7)", async () => {
    const next = seeded(7);
    const valid: Uint8Array[] = [];
    for (const i of [0, 3, 9]) {
      const obj = new Uint8Array(8192);
      const n = await codec.compress(oraclePage(i), obj);
      valid.push(obj.slice(0, n));
    }
    const inputs: Uint8Array[] = [new Uint8Array(0)];
    for (let k = 0; k < 120; k++) {
      const base = valid[k % valid.length];
      const kind = k % 4;
      if (kind === 0) inputs.push(randomBytes(1 + Math.floor(next() * 600), 100 + k));
      else if (kind === 1) inputs.push(base.slice(0, Math.floor(next() * base.length)));
      else {
        const m = base.slice();
        const flips = kind === 2 ? 1 : 8;
        for (let f = 0; f < flips; f++) m[Math.floor(next() * m.length)] ^= 1 + (next() * 255 | 0);
        inputs.push(m);
      }
    }
    for (const input of inputs) {
      const out = guarded(4096);
      try {
        const m = await codec.decompress(input, out.buf);
        assert.ok(m >= 0 && m <= 4096);
      } catch (err) {
        assert.equal((err as Error).name, "CompressError", String(err));
      }
      assert.ok(out.intact(), "never writes past dst");
    }
    await roundTrip(codec, oraclePage(5)); // a failed decode leaves the codec usable
  });

  await codec.close?.();
}

/**
 * Decode `block` into a guarded page, twice: with the bytes after `src` set to 0x00, then to
 * `pad`. Checks the guards and that the bytes past `src` do not change the outcome.
 */
export function guardedDecode(
  c: Compressor,
  pad: number,
  block: Uint8Array,
): number | CompressError {
  const results: (number | string)[] = [];
  let out: number | CompressError = 0;
  for (const fill of [0x00, pad]) {
    const srcBuf = new Uint8Array(block.length + 16).fill(fill);
    srcBuf.set(block);
    const big = new Uint8Array(4096 + 64).fill(0xa5);
    const dst = big.subarray(32, 32 + 4096);
    try {
      out = c.decompress(srcBuf.subarray(0, block.length), dst) as number;
      results.push(out);
    } catch (e) {
      if (!(e instanceof CompressError)) throw e;
      assert.ok(e.code === "EINVAL" || e.code === "ENOSPC");
      out = e;
      results.push(e.code);
    }
    assert.ok(big.subarray(0, 32).every((b) => b === 0xa5), "guard before dst");
    assert.ok(big.subarray(32 + 4096).every((b) => b === 0xa5), "guard after dst");
  }
  assert.equal(results[0], results[1], "the bytes after src changed the outcome");
  return out;
}

/**
 * Compress each of `srcs` into guarded buffers from 24 bytes short of its block to 24 bytes over:
 * each gives the unlimited block or ENOSPC, never a write past dst, and ENOSPC only with fewer
 * than `block + slack` bytes.
 */
export function assertNearLimit(c: Compressor, srcs: Uint8Array[], slack: number): void {
  for (const src of srcs) {
    const full = new Uint8Array(2 * 4096);
    const n = c.compress(src, full) as number;
    for (let len = n - 24; len <= n + 24; len++) {
      const big = new Uint8Array(len + 64).fill(0xa5);
      const dst = big.subarray(32, 32 + len);
      try {
        assert.equal(c.compress(src, dst), n);
        assert.deepEqual(dst.subarray(0, n), full.subarray(0, n));
      } catch (e) {
        if (!(e instanceof CompressError) || e.code !== "ENOSPC") throw e;
        assert.ok(len < n + slack, `refused with ${len} bytes for a ${n}-byte block`);
      }
      assert.ok(big.subarray(0, 32).every((b) => b === 0xa5));
      assert.ok(big.subarray(32 + len).every((b) => b === 0xa5));
    }
  }
}
