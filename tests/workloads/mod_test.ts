import assert from "node:assert/strict";
import { builtinWorkloads } from "../../workloads/mod.ts";
import { collectOps, make, oracle, pageOf, sameBytes, tempDir } from "./_helpers.ts";

const dir = tempDir();
const tracePath = `${dir}/ops.jsonl`;
// Removed when the module's tests are done, not by a "test" that asserts nothing.
globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
Deno.writeTextFileSync(
  tracePath,
  Array.from({ length: 40 }, (_, i) => JSON.stringify({ op: "store", offset: i, page: i }))
    .join("\n"),
);

/** Options that make each workload runnable here. */
const OPTIONS: Record<string, unknown> = {
  files: { paths: [new URL("../../workloads", import.meta.url).pathname] },
  pagefile: { path: oracle("text.pages") },
  lengths: { path: oracle("kernel-6.1-text-lengths.csv"), column: "lz4" },
  trace: { path: tracePath },
};

Deno.test("builtinWorkloads holds every workload once, with lower-case names", () => {
  const names = builtinWorkloads.map((w) => w.name);
  assert.deepEqual([...names].sort(), [
    "datagen",
    "files",
    "lengths",
    "mixed",
    "pagefile",
    "random",
    "same-filled",
    "text",
    "trace",
    "zero",
  ]);
  for (const w of builtinWorkloads) {
    assert.equal(w.kind, "workload");
    assert.match(w.name, /^[a-z][a-z0-9-]*$/);
    assert.ok(w.description.length > 10);
  }
  assert.equal(builtinWorkloads.find((w) => w.name === "lengths")?.fixedCompressor, "lengths");
});

Deno.test("every workload is deterministic from seed and page id", async (t) => {
  for (const plugin of builtinWorkloads) {
    await t.step(plugin.name, async () => {
      const options = OPTIONS[plugin.name] ?? {};
      const a = await make(plugin, options, { seed: 7, pages: 40 });
      const b = await make(plugin, options, { seed: 7, pages: 40 });
      const ops = collectOps(a);
      assert.ok(ops.length >= 40);
      assert.deepEqual(collectOps(b), ops);
      // same bytes whatever the call order
      const forward = [0, 1, 2, 3, 39].map((id) => pageOf(a, id));
      const backward = [39, 3, 2, 1, 0].map((id) => pageOf(b, id)).reverse();
      forward.forEach((p, i) => assert.ok(sameBytes(p, backward[i]), `page ${i}`));
      assert.ok(sameBytes(pageOf(a, 2), forward[2]), "page 2 again");
      // another seed changes what seeds choose
      const c = await make(plugin, options, { seed: 8, pages: 40 });
      const seeded = !["zero", "pagefile", "lengths", "trace"].includes(plugin.name);
      if (seeded) {
        const differs = [0, 1, 2, 3].some((id) => !sameBytes(pageOf(c, id), forward[id]));
        assert.ok(differs, "another seed gives other pages");
      }
      if (plugin.name !== "trace" && plugin.name !== "lengths") {
        assert.notDeepEqual(collectOps(c), ops, "another load order");
      }
      for (const w of [a, b, c]) w.close?.();
    });
  }
});

Deno.test("every workload fills whole pages of 16 KiB too", async (t) => {
  for (const plugin of builtinWorkloads) {
    if (plugin.name === "pagefile" || plugin.name === "lengths") continue; // 4 KiB recordings
    await t.step(plugin.name, async () => {
      const w = await make(plugin, OPTIONS[plugin.name] ?? {}, { pageSize: 16384, pages: 8 });
      const page = new Uint8Array(16384).fill(0xee);
      w.page(5, page);
      const again = new Uint8Array(16384);
      w.page(5, again);
      assert.ok(sameBytes(page, again));
      w.close?.();
    });
  }
});

Deno.test("workload create() refuses a page size that is not a power of two", async () => {
  for (const plugin of builtinWorkloads) {
    await assert.rejects(
      async () => await make(plugin, OPTIONS[plugin.name] ?? {}, { pageSize: 5000 }),
      RangeError,
    );
  }
});
