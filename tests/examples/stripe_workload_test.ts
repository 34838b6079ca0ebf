import assert from "node:assert/strict";
import stripe, { fillStripes } from "../../examples/stripe_workload.ts";
import { Registry } from "../../registry/registry.ts";
import { checkPlugin } from "../../registry/schemas.ts";

Deno.test("stripeWorkload is a valid plugin the registry accepts", () => {
  assert.equal(checkPlugin(stripe), null);
  const registry = new Registry();
  registry.register(stripe, "examples/stripe_workload.ts");
  assert.equal(registry.get("workload", "stripe"), stripe);
});

Deno.test("stripeWorkload pages are stripes, deterministic from seed and page id", async () => {
  const w = await stripe.create({
    pageSize: 4096,
    seed: 5,
    pages: 16,
    options: { width: 128, colors: 3 },
  });
  const a = new Uint8Array(4096), b = new Uint8Array(4096);
  w.page(7, a);
  w.page(2, b);
  w.page(7, b);
  assert.deepEqual(a, b);
  const values = new Set<number>();
  for (let at = 0; at < 4096; at += 128) {
    assert.ok(a.subarray(at, at + 128).every((x) => x === a[at]), `stripe at ${at}`);
    values.add(a[at]);
  }
  assert.ok(values.size <= 3 && values.size >= 2);
  const other = await stripe.create({
    pageSize: 4096,
    seed: 6,
    pages: 16,
    options: { width: 128, colors: 3 },
  });
  const c = new Uint8Array(4096);
  other.page(7, c);
  assert.notDeepEqual(c, a);
});

Deno.test("stripeWorkload takes the shared pattern options", async () => {
  const w = await stripe.create({
    pageSize: 4096,
    seed: 1,
    pages: 100,
    options: { pattern: "zipf", ops: 50 },
  });
  let n = 0;
  for (const _ of w.ops()) n++;
  assert.equal(n, 150);
});

Deno.test("stripeWorkload refuses bad and unknown options", async (t) => {
  const cases: [unknown, RegExp][] = [
    [{ width: 0 }, /width/],
    [{ colors: 300 }, /colors/],
    [{ widht: 3 }, /unknown key "widht"/],
    [{ theta: 0.5 }, /"theta" applies only to pattern "zipf"/],
  ];
  for (const [options, message] of cases) {
    await t.step(JSON.stringify(options), () => {
      assert.throws(() => stripe.create({ pageSize: 4096, seed: 1, pages: 8, options }), {
        name: "UsageError",
        message,
      });
    });
  }
});

Deno.test("fillStripes() cuts the last stripe at the page end", () => {
  const page = new Uint8Array(100).fill(9);
  fillStripes(page, 1, 1, 64, new Uint8Array([7]));
  assert.ok(page.every((x) => x === 7));
});
