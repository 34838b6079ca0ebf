import assert from "node:assert/strict";
import { DEFAULT_MIXED_WEIGHTS, MixedPages, mixedWorkload } from "../../workloads/mixed.ts";
import { lz4Ratio, make, pageOf } from "./_helpers.ts";

Deno.test("MixedPages.kindOf() follows the weights", () => {
  const mix = new MixedPages(3, 4096, DEFAULT_MIXED_WEIGHTS, [2.5, 3.5]);
  const n = 20000;
  const counts: Record<string, number> = {};
  for (let id = 0; id < n; id++) counts[mix.kindOf(id)] = (counts[mix.kindOf(id)] ?? 0) + 1;
  for (const [kind, weight] of Object.entries(DEFAULT_MIXED_WEIGHTS)) {
    assert.ok(Math.abs(counts[kind] / n - weight) < 0.015, `${kind}: ${counts[kind] / n}`);
  }
});

Deno.test("mixedWorkload pages match their kind", async () => {
  const w = await make(mixedWorkload, {}, { seed: 9, pages: 400 });
  const mix = new MixedPages(9, 4096, DEFAULT_MIXED_WEIGHTS, [2.5, 3.5]);
  const ratios: Record<string, number[]> = {};
  for (let id = 0; id < 400; id++) {
    const page = pageOf(w, id);
    const kind = mix.kindOf(id);
    (ratios[kind] ??= []).push(lz4Ratio(page));
    if (kind === "zero") assert.ok(page.every((b) => b === 0));
    if (kind === "same-filled") assert.ok(page.every((b, i) => b === page[i & 7]));
  }
  const mean = (k: string) => ratios[k].reduce((a, b) => a + b, 0) / ratios[k].length;
  assert.ok(mean("random") < 1);
  assert.ok(mean("datagen") > 2.6 && mean("datagen") < 3.4, `datagen ${mean("datagen")}`);
  assert.ok(mean("text") > 1.7 && mean("text") < 2.3, `text ${mean("text")}`);
});

Deno.test("mixedWorkload weights replace the defaults", async () => {
  const w = await make(mixedWorkload, { weights: { zero: 1 } });
  for (let id = 0; id < 50; id++) assert.ok(pageOf(w, id).every((b) => b === 0));
  const x = await make(mixedWorkload, { weights: { text: 1, datagen: 0 }, pattern: "zipf" });
  assert.ok(pageOf(x, 1).every((b) => b === 10 || (b >= 32 && b < 127)));
});

Deno.test("mixedWorkload refuses bad weights and ratio ranges", async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ weights: { zero: 0 } }, /positive weight/],
    [{ weights: { pdf: 1 } }, /weights: unknown key "pdf"/],
    [{ weights: { zero: -1 } }, /weights\.zero/],
    [{ datagenRatio: [3, 2] }, /datagenRatio \[3, 2\] is not \[low, high\]/],
    [{ datagenRatio: [0, 2] }, /datagenRatio\[0\]: must be at least 1/],
  ];
  for (const [options, message] of cases) {
    await t.step(JSON.stringify(options), async () => {
      await assert.rejects(async () => await make(mixedWorkload, options), {
        name: "UsageError",
        message,
      });
    });
  }
});
