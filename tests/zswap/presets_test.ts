import assert from "node:assert/strict";
import { canPoolAccept, getPreset, isPoolFull, poolLimits, PRESETS } from "../../zswap/presets.ts";
import { builtinStrategies } from "../../zswap/strategies.ts";

const NAMES = ["5.10", "5.11", "5.12", "6.1", "6.8", "6.12", "6.18", "latest"];

Deno.test("PRESETS holds the eight kernel presets", () => {
  assert.deepEqual(Object.keys(PRESETS), NAMES);
  for (const name of NAMES) assert.equal(getPreset(name).name, name);
});

Deno.test("getPreset() rejects an unknown name and lists the known ones", () => {
  assert.throws(
    () => getPreset("6.2"),
    {
      message:
        'Unknown kernel preset "6.2" (known: 5.10, 5.11, 5.12, 6.1, 6.8, 6.12, 6.18, latest)',
    },
  );
  assert.throws(() => getPreset("toString"), /Unknown kernel preset "toString"/);
});

Deno.test("presets pick each version's load strategy (kernel-zswap.md §1)", () => {
  const expected: Record<string, string> = {
    "5.10": "crypto-comp", // D5.10: crypto_comp, no mutex
    "5.11": "sleep-mapped", // 1ec3b5fe6eec
    "5.12": "bounce-alloc", // fc6697a89f56
    "6.1": "bounce-alloc", // D6.1
    "6.8": "percpu-buffer", // c75f5c1e0f1d
    "6.12": "async-only-copy", // 270700dd06ca, D6.12
    "6.18": "read-begin", // 7d4c9629b74f (6.15)
    latest: "sg-read", // dc2e4982cb01, D7.2
  };
  const known = new Set(builtinStrategies.map((s) => s.name));
  for (const name of NAMES) {
    assert.equal(PRESETS[name].strategy, expected[name], name);
    if (name !== "5.10") assert.ok(known.has(PRESETS[name].strategy));
  }
  // mm/zswap.c (D6.1): the bounce buffer is GFP_ATOMIC; GFP_KERNEL from 6.2.
  assert.deepEqual(PRESETS["6.1"].strategyOptions["bounce-alloc"], { gfp: "atomic" });
  assert.deepEqual(PRESETS["6.8"].strategyOptions["bounce-alloc"], { gfp: "kernel" });
});

Deno.test("presets carry the store-path rules of kernel-zswap.md §2", async (t) => {
  // [preset, header zbud, header z3fold, header zsmalloc, zsmalloc options, same-filled, zero
  //  pages, compress_fail counter, ENOSPC poor, zsmalloc too big, raw store, exclusive, second
  //  chance, limit rule]
  const rows: [
    string,
    number,
    number,
    number,
    object,
    boolean,
    boolean,
    boolean,
    boolean,
    string,
    boolean,
    boolean,
    boolean,
    string,
  ][] = [
    [
      "5.10",
      8,
      8,
      0,
      { rule: "old" },
      true,
      false,
      false,
      false,
      "reject_alloc_fail",
      false,
      false,
      false,
      "old",
    ],
    [
      "5.11",
      8,
      8,
      0,
      { rule: "old" },
      true,
      false,
      false,
      false,
      "reject_alloc_fail",
      false,
      false,
      false,
      "old",
    ],
    [
      "5.12",
      8,
      8,
      0,
      { rule: "old" },
      true,
      false,
      false,
      false,
      "reject_alloc_fail",
      false,
      false,
      false,
      "old",
    ],
    [
      "6.1",
      8,
      8,
      0,
      { rule: "old" },
      true,
      false,
      false,
      false,
      "reject_alloc_fail",
      false,
      false,
      false,
      "old",
    ],
    [
      "6.8",
      0,
      0,
      0,
      { rule: "new", chain: 8 },
      true,
      false,
      true,
      false,
      "reject_compress_poor",
      false,
      false,
      false,
      "old",
    ],
    [
      "6.12",
      0,
      0,
      0,
      { rule: "new", chain: 8 },
      false,
      true,
      true,
      // crypto/*.c (D6.12): software codecs return -EINVAL, never -ENOSPC, when out of room.
      false,
      "reject_compress_poor",
      false,
      true,
      true,
      "new",
    ],
    [
      "6.18",
      0,
      0,
      0,
      { rule: "new", chain: 8 },
      false,
      true,
      true,
      // crypto/*.c (D6.12): software codecs return -EINVAL, never -ENOSPC, when out of room.
      false,
      "reject_compress_poor",
      true,
      true,
      true,
      "new",
    ],
    [
      "latest",
      0,
      0,
      0,
      { rule: "new", chain: 8 },
      false,
      true,
      true,
      // crypto/*.c (D6.12): software codecs return -EINVAL, never -ENOSPC, when out of room.
      false,
      "reject_compress_poor",
      true,
      true,
      true,
      "new",
    ],
  ];
  for (const row of rows) {
    const [
      name,
      zbud,
      z3fold,
      zsmalloc,
      zsOpts,
      same,
      zero,
      cfail,
      poor,
      tooBig,
      raw,
      excl,
      sc,
      rule,
    ] = row;
    await t.step(name, () => {
      const p = PRESETS[name];
      assert.equal(p.headerBytes.zbud ?? 0, zbud);
      assert.equal(p.headerBytes.z3fold ?? 0, z3fold);
      assert.equal(p.headerBytes.zsmalloc ?? 0, zsmalloc);
      assert.deepEqual(p.zsmallocOptions, zsOpts);
      assert.equal(p.sameFilled, same);
      assert.equal(p.zeroPages, zero);
      assert.equal(p.compressFailCounter, cfail);
      assert.equal(p.compressEnospcPoor, poor);
      assert.equal(p.zsmallocTooBig, tooBig);
      assert.equal(p.storeIncompressible, raw);
      assert.equal(p.exclusiveLoads, excl);
      assert.equal(p.secondChance, sc);
      assert.equal(p.limitRule, rule);
    });
  }
});

Deno.test("poolLimits() rounds as the kernel does: totalram 123457 -> old 22222, new 22221", () => {
  // kernel-zswap.md §2: old totalram*thr/100*max/100, new (totalram*max/100)*thr/100.
  const old = poolLimits("old", 123457, 20, 90);
  const neu = poolLimits("new", 123457, 20, 90);
  assert.deepEqual(old, { rule: "old", maxPages: 24691, thresholdPages: 22222 });
  assert.deepEqual(neu, { rule: "new", maxPages: 24691, thresholdPages: 22221 });
});

Deno.test("isPoolFull() uses < (old) and >= (new) at the limit", () => {
  const old = poolLimits("old", 123457, 20, 90);
  const neu = poolLimits("new", 123457, 20, 90);
  // mm/zswap.c (D6.1): totalram*max/100 < pool_pages
  assert.equal(isPoolFull(old, 24691), false);
  assert.equal(isPoolFull(old, 24692), true);
  // mm/zswap.c (D6.12): cur_pages >= max_pages
  assert.equal(isPoolFull(neu, 24690), false);
  assert.equal(isPoolFull(neu, 24691), true);
});

Deno.test("canPoolAccept() is strict (old) and non-strict (new) at the threshold", () => {
  const old = poolLimits("old", 100, 10, 90); // max 10, threshold floor(90*10/100) = 9
  const neu = poolLimits("new", 100, 10, 90); // max 10, threshold floor(10*90/100) = 9
  assert.equal(old.thresholdPages, 9);
  assert.equal(neu.thresholdPages, 9);
  // mm/zswap.c (D6.1): threshold > pool_pages
  assert.equal(canPoolAccept(old, 8), true);
  assert.equal(canPoolAccept(old, 9), false);
  // mm/zswap.c (D6.12): cur_pages <= thr_pages
  assert.equal(canPoolAccept(neu, 9), true);
  assert.equal(canPoolAccept(neu, 10), false);
  // The 123457 example: the rounding and the comparison cancel out (both accept at 22221).
  const o = poolLimits("old", 123457, 20, 90);
  const n = poolLimits("new", 123457, 20, 90);
  assert.equal(canPoolAccept(o, 22221), true);
  assert.equal(canPoolAccept(o, 22222), false);
  assert.equal(canPoolAccept(n, 22221), true);
  assert.equal(canPoolAccept(n, 22222), false);
});
