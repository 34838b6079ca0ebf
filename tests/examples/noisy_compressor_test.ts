import assert from "node:assert/strict";
import noisyPlugins, {
  noisyAsyncCompressor,
  noisyCompressor,
  rleDecode,
  rleEncode,
} from "../../examples/noisy_compressor.ts";
import { Registry } from "../../registry/registry.ts";
import { checkPlugin } from "../../registry/schemas.ts";
import type { Compressor } from "../../registry/types.ts";
import { runExampleCell } from "./_cell.ts";

/** Deterministic pages of several kinds, one page each. */
function pages(): [string, Uint8Array][] {
  const zero = new Uint8Array(4096);
  const word = new Uint8Array(4096);
  for (let i = 0; i < 4096; i++) word[i] = [1, 2, 3, 4, 5, 6, 7, 8][i & 7];
  const stripes = new Uint8Array(4096);
  for (let i = 0; i < 4096; i++) stripes[i] = (i >> 5) % 3;
  const text = new TextEncoder().encode("the quick brown fox jumps over the lazy dog. ".repeat(92))
    .subarray(0, 4096);
  const runs = new Uint8Array(4096);
  for (let i = 0; i < 4096; i++) runs[i] = i % 300 < 200 ? 9 : i & 0xff; // runs longer than 129
  return [["zero", zero], ["8-byte word", word], ["stripes", stripes], ["text", text], [
    "long runs",
    runs,
  ]];
}

function random(seed: number): Uint8Array {
  const page = new Uint8Array(4096);
  let x = seed;
  for (let i = 0; i < page.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    page[i] = x >>> 24;
  }
  return page;
}

async function roundTrip(codec: Compressor, page: Uint8Array, room = 2 * 4096) {
  const dst = new Uint8Array(room);
  const n = await codec.compress(page, dst);
  const back = new Uint8Array(page.length);
  const m = await codec.decompress(dst.subarray(0, n), back);
  return { n, m, back };
}

Deno.test("noisy module default-exports two plugins the registry loads", async () => {
  assert.equal(noisyPlugins.length, 2);
  for (const p of noisyPlugins) assert.equal(checkPlugin(p), null);
  const registry = new Registry();
  const loaded = await registry.load(
    new URL("../../examples/noisy_compressor.ts", import.meta.url).href,
  );
  assert.deepEqual(loaded.map((p) => `${p.kind}:${p.name}`), [
    "compressor:noisy",
    "compressor:noisy-async",
  ]);
  assert.equal(registry.get("compressor", "noisy").async, false);
  assert.equal(registry.get("compressor", "noisy-async").async, true);
});

Deno.test("noisyCompressor round-trips pages of every kind", async (t) => {
  const codec = await noisyCompressor.create({});
  for (const [name, page] of [...pages(), ["random", random(3)] as [string, Uint8Array]]) {
    await t.step(name, async () => {
      const { m, back } = await roundTrip(codec, page);
      assert.equal(m, 4096);
      assert.deepEqual(back, page);
    });
  }
});

Deno.test("rleEncode() gives the documented lengths", async (t) => {
  const cases: [string, Uint8Array, number, number][] = [
    ["zero page: 32 repeat tokens of up to 129 bytes", new Uint8Array(4096), 3, 64],
    ["one literal token", new Uint8Array([1, 2, 3]), 3, 4],
    ["a run of 2 stays literal with minRun 3", new Uint8Array([5, 5]), 3, 3],
    ["a run of 2 is a repeat with minRun 2", new Uint8Array([5, 5]), 2, 2],
    ["129 literals take two tokens", random(1).subarray(0, 129), 3, 131],
  ];
  for (const [name, src, minRun, expected] of cases) {
    await t.step(name, () => {
      const dst = new Uint8Array(8192);
      const n = rleEncode(src, dst, minRun);
      assert.equal(n, expected);
      const back = new Uint8Array(src.length);
      assert.equal(rleDecode(dst.subarray(0, n), back), src.length);
      assert.deepEqual(back, src);
    });
  }
});

Deno.test("noisyCompressor.compress() throws ENOSPC for a page that does not fit", async () => {
  const codec = await noisyCompressor.create({});
  const dst = new Uint8Array(4096);
  assert.throws(() => codec.compress(random(7), dst), { name: "CompressError", code: "ENOSPC" });
});

Deno.test("rleDecode() refuses truncated and oversized blocks", async (t) => {
  const cases: [string, number[], number, string][] = [
    ["literal run cut short", [3, 1, 2], 16, "EINVAL"],
    ["repeat token without its value", [0x85], 16, "EINVAL"],
    ["output larger than dst", [0xff, 0], 16, "ENOSPC"],
  ];
  for (const [name, block, room, code] of cases) {
    await t.step(name, () => {
      assert.throws(() => rleDecode(new Uint8Array(block), new Uint8Array(room)), {
        name: "CompressError",
        code,
      });
    });
  }
});

Deno.test("noisyCompressor refuses bad and unknown options", async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ minRun: 1 }, /minRun: .*\(got 1\)/],
    [{ minRun: 200 }, /minRun/],
    [{ corruptEvery: -1 }, /corruptEvery/],
    [{ minrun: 3 }, /unknown key "minrun"/],
  ];
  for (const [options, message] of cases) {
    await t.step(JSON.stringify(options), () => {
      for (const plugin of [noisyCompressor, noisyAsyncCompressor]) {
        assert.throws(() => plugin.create(options), { name: "UsageError", message });
      }
    });
  }
});

Deno.test("noisyCompressor with corruptEvery flips one bit in every Nth page", async () => {
  const codec = await noisyCompressor.create({ corruptEvery: 3 });
  const page = pages()[2][1];
  const wrong: number[] = [];
  for (let i = 1; i <= 9; i++) {
    const { back } = await roundTrip(codec, page);
    const diff = back.reduce((n, v, j) => n + (v !== page[j] ? 1 : 0), 0);
    if (diff > 0) wrong.push(i);
    assert.ok(diff <= 1);
  }
  assert.deepEqual(wrong, [3, 6, 9]);
});

Deno.test("noisyAsyncCompressor answers through Promises, rejecting as noisy throws", async () => {
  const codec = await noisyAsyncCompressor.create({});
  const pending = codec.decompress(new Uint8Array([0x85]), new Uint8Array(16));
  assert.ok(pending instanceof Promise);
  await assert.rejects(pending, { name: "CompressError", code: "EINVAL" });
  const { m, back } = await roundTrip(codec, pages()[0][1]);
  assert.equal(m, 4096);
  assert.ok(back.every((v) => v === 0));
});

Deno.test("noisy in a cell: no integrity failure without noise, counted failures with it", async () => {
  const workload = "stripe";
  const clean = await runExampleCell({ compressor: "noisy", workload });
  assert.equal(clean.counters.integrity_failures, 0);
  assert.ok(clean.counters.load_hits > 100);
  const noisy = await runExampleCell({
    compressor: "noisy",
    compressorOptions: { corruptEvery: 10 },
    workload,
  });
  // Every 10th decompression is corrupted, and the frontend compares every load with the page.
  assert.equal(noisy.counters.integrity_failures, Math.floor(clean.counters.load_hits / 10));
});

Deno.test("noisy on random pages: stored raw from 6.18, refused with no counter in 6.1", async () => {
  const latest = await runExampleCell({ compressor: "noisy", workload: "random" });
  assert.equal(latest.counters.stored_incompressible_pages, 128);
  const old = await runExampleCell({ compressor: "noisy", workload: "random", preset: "6.1" });
  assert.equal(old.counters.stored_pages, 0);
  assert.equal(old.counters.reject_compress_poor + old.counters.reject_compress_fail, 0);
});

Deno.test("noisy-async sleeps while a zsmalloc handle is mapped under sleep-mapped", async () => {
  const cell = { compressor: "noisy-async", workload: "stripe", allocator: "zsmalloc" };
  const bug = await runExampleCell({ ...cell, strategy: "sleep-mapped" });
  assert.ok(bug.counters.violations > 0);
  assert.equal(bug.counters.integrity_failures, 0);
  assert.ok(bug.violationSites.some((s) => s.includes("while zsmalloc handle mapped")));
  const fixed = await runExampleCell({ ...cell, strategy: "percpu-buffer" });
  assert.equal(fixed.counters.violations, 0);
  await assert.rejects(
    runExampleCell({ ...cell, strategy: "sleep-mapped", params: { strict: true } }),
    { name: "SleepInAtomicError" },
  );
});
