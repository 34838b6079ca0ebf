import assert from "node:assert/strict";
import { type InspectedClass, main } from "../../../bench/cli/inspect.ts";

/** Run `inspect` with console.log captured. */
async function run(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.join(" "));
  try {
    const code = await main(args);
    return { code, out: lines.join("\n") };
  } finally {
    console.log = log;
  }
}

Deno.test("inspect zsmalloc --json lists the distinct classes with their slots", async (t) => {
  await t.step("old rule (kernel-zswap.md §4: 69 classes)", async () => {
    const { code, out } = await run(["zsmalloc", "--rule", "old", "--json"]);
    assert.equal(code, 0);
    const rows = JSON.parse(out) as InspectedClass[];
    assert.equal(rows.length, 69);
    assert.deepEqual(rows.find((r) => r.index === 40), {
      index: 40,
      size: 672,
      pagesPerZspage: 1,
      objsPerZspage: 6,
      slots: [39, 40],
    });
    assert.deepEqual(rows.at(-1), {
      index: 254,
      size: 4096,
      pagesPerZspage: 1,
      objsPerZspage: 1,
      slots: [203, 254],
    });
  });
  await t.step("default: new rule, chain 8 (119 classes)", async () => {
    const rows = JSON.parse((await run(["zsmalloc", "--json"])).out) as InspectedClass[];
    assert.equal(rows.length, 119);
    assert.deepEqual(rows.find((r) => r.index === 225)!.slots, [223, 225]);
  });
  await t.step("chain 4 and 64 KiB pages", async () => {
    const c4 = JSON.parse((await run(["zsmalloc", "--chain", "4", "--json"])).out);
    assert.equal(c4.length, 69);
    const big = JSON.parse((await run(["zsmalloc", "--page-size", "65536", "--json"])).out);
    assert.deepEqual(big[1], {
      index: 1,
      size: 288,
      pagesPerZspage: 2,
      objsPerZspage: 455,
      slots: [1, 1],
    });
  });
});

Deno.test("inspect zsmalloc prints a class table", async () => {
  const { code, out } = await run(["zsmalloc", "--rule", "old"]);
  assert.equal(code, 0);
  assert.match(out, /69 classes over 255 slots/);
  assert.match(out, /huge objects: 3257 bytes and more/);
  assert.match(out, /^ +202 +3264 +4 +5 +64 +191-202$/m);
});

Deno.test("inspect zbud and z3fold print their chunk geometry", async (t) => {
  await t.step("zbud --json", async () => {
    const g = JSON.parse((await run(["zbud", "--json"])).out);
    assert.deepEqual(g, {
      allocator: "zbud",
      pageSize: 4096,
      chunkSize: 64,
      headerBytes: 64,
      chunks: 63,
      maxObjectBytes: 3968,
    });
  });
  await t.step("z3fold --page-size 16384 --json", async () => {
    const g = JSON.parse((await run(["z3fold", "--page-size", "16384", "--json"])).out);
    assert.equal(g.chunkSize, 256);
    assert.equal(g.headerBytes, 256);
    assert.equal(g.chunks, 63);
    assert.equal(g.headlessAbove, 15872);
  });
  await t.step("z3fold text", async () => {
    const { out } = await run(["z3fold"]);
    assert.match(out, /chunks +62 usable/);
    assert.match(out, /header +128 bytes \(2 chunks\)/);
    assert.match(out, /above 3904 bytes/);
  });
});

Deno.test("inspect refuses bad arguments with a UsageError", async (t) => {
  const table: [string[], RegExp][] = [
    [[], /Name one allocator/],
    [["zpool"], /Unknown allocator "zpool" \(known: zbud, z3fold, zsmalloc\)/],
    [["zbud", "--chain", "8"], /zsmalloc only/],
    [["zsmalloc", "--chain", "20"], /Chain "20"/],
    [["zsmalloc", "--rule", "older"], /Rule "older"/],
    [["zsmalloc", "--page-size", "8192"], /Page size "8192"/],
    [["zsmalloc", "--chian", "8"], /did you mean --chain/],
  ];
  for (const [args, message] of table) {
    await t.step(args.join(" ") || "(none)", async () => {
      await assert.rejects(() => run(args), { name: "UsageError", message });
    });
  }
});

Deno.test("inspect --help prints the usage", async () => {
  const { code, out } = await run(["--help"]);
  assert.equal(code, 0);
  assert.match(out, /^Usage: deno task cli inspect <allocator>/);
});
