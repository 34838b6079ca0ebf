import assert from "node:assert/strict";
import { guardPlugin, guardRegistry } from "../../../bench/run/guard.ts";
import { resolveConfig } from "../../../bench/run/config.ts";
import { createDefaultEngine } from "../../../bench/run/default_engine.ts";
import { expandMatrix } from "../../../bench/run/matrix.ts";
import { runCellByName } from "../../../bench/run/runner.ts";
import { createArena } from "../../../allocators/arena.ts";
import { zbudAllocator } from "../../../allocators/zbud.ts";
import { createDefaultRegistry } from "../../../builtins/mod.ts";
import type {
  AllocatorPlugin,
  Compressor,
  CompressorPlugin,
  Op,
  WorkloadPlugin,
  Zpool,
} from "../../../registry/types.ts";
import { stableColumns } from "../_cli.ts";

const env = () => ({ arena: createArena(4096), pageSize: 4096, cpus: 1, options: {} });

/** An allocator plugin whose pool is zbud with some members replaced. */
function allocator(patch: (pool: Zpool) => Partial<Zpool>): AllocatorPlugin {
  return {
    kind: "allocator",
    name: "patched",
    description: "zbud with a patch",
    sleepMapped: true,
    create: (e) => {
      const pool = zbudAllocator.create(e);
      return {
        malloc: (s) => pool.malloc(s),
        free: (h) => pool.free(h),
        map: (h, m, c) => pool.map(h, m, c),
        unmap: (h, c) => pool.unmap(h, c),
        totalPages: () => pool.totalPages(),
        stats: () => pool.stats(),
        ...patch(pool),
      };
    },
  };
}

Deno.test("guardPlugin() passes a well-behaved pool through", () => {
  const pool = guardPlugin(allocator(() => ({}))).create(env());
  const h = pool.malloc(700);
  const view = pool.map(h, "wo");
  assert.equal(view.length, 700);
  view.fill(7);
  pool.unmap(h);
  assert.equal(pool.map(h, "ro")[699], 7);
  pool.unmap(h);
  assert.equal(pool.totalPages(), 1);
  pool.free(h);
  assert.equal(pool.readBegin, undefined, "optional members stay absent");
});

Deno.test("guardPlugin() turns allocator nonsense into errors naming the plugin", async (t) => {
  const cases: [string, (pool: Zpool) => Partial<Zpool>, (p: Zpool) => void, RegExp][] = [
    [
      "a duplicate handle",
      (pool) => {
        let first: number | undefined;
        return { malloc: (s) => first ?? (first = pool.malloc(s)) };
      },
      (p) => {
        p.malloc(100);
        p.malloc(100);
      },
      /Allocator "patched": malloc\(100\) returned handle \d+, which is still live/,
    ],
    [
      "a negative handle",
      () => ({ malloc: () => -1 }),
      (p) => p.malloc(100),
      /malloc\(100\) returned -1, not a non-negative integer handle/,
    ],
    [
      "a handle that is not a number",
      () => ({ malloc: () => "h1" as unknown as number }),
      (p) => p.malloc(100),
      /malloc\(100\) returned "h1"/,
    ],
    [
      "a view of the wrong length",
      (pool) => ({ map: (h, m) => pool.map(h, m).subarray(1) }),
      (p) => p.map(p.malloc(100), "ro"),
      /map\(\d+\) returned a view of 99 bytes for an object of 100 bytes/,
    ],
    [
      "a view that is not a Uint8Array",
      () => ({ map: () => [1, 2] as unknown as Uint8Array }),
      (p) => p.map(p.malloc(2), "ro"),
      /map\(\d+\) returned an array for an object of 2 bytes/,
    ],
    [
      "a free of a handle it never gave",
      () => ({}),
      (p) => p.free(12345),
      /free\(\) of handle 12345, which malloc\(\) never returned or which was freed/,
    ],
    [
      "a map after free",
      () => ({}),
      (p) => {
        const h = p.malloc(10);
        p.free(h);
        p.map(h, "ro");
      },
      /map\(\) of handle \d+, which malloc\(\) never returned or which was freed/,
    ],
    [
      "a page count that is not a count",
      () => ({ totalPages: () => 1.5 }),
      (p) => p.totalPages(),
      /totalPages\(\) returned 1\.5, not a non-negative integer/,
    ],
  ];
  for (const [name, patch, act, message] of cases) {
    await t.step(name, () => {
      const pool = guardPlugin(allocator(patch)).create(env());
      assert.throws(() => act(pool), { name: "PluginContractError", message });
    });
  }
  await t.step("a pool without malloc", () => {
    const bad: AllocatorPlugin = { ...allocator(() => ({})), create: () => ({}) as Zpool };
    assert.throws(
      () => guardPlugin(bad).create(env()),
      /create\(\) returned a pool without malloc\(\)/,
    );
  });
});

function compressor(impl: Partial<Compressor>, async = false): CompressorPlugin {
  return {
    kind: "compressor",
    name: "liar",
    description: "returns lengths it likes",
    async,
    create: () => ({ compress: () => 0, decompress: () => 0, ...impl }),
  };
}

Deno.test("guardPlugin() checks compressor lengths against the destination", async () => {
  const src = new Uint8Array(4096);
  const dst = new Uint8Array(100);
  const past = await guardPlugin(compressor({ compress: () => 101 })).create({});
  assert.throws(() => past.compress(src, dst), {
    name: "PluginContractError",
    message: 'Compressor "liar": compress() returned 101, not a length from 0 to 100',
  });
  const nan = await guardPlugin(compressor({ decompress: () => NaN })).create({});
  assert.throws(() => nan.decompress(src, dst), /decompress\(\) returned NaN/);
  const sneaky = await guardPlugin(compressor({ compress: () => Promise.resolve(3) })).create({});
  assert.throws(
    () => sneaky.compress(src, dst),
    /returned a Promise, but the plugin is declared async: false/,
  );
  const asyncOk = await guardPlugin(compressor({ compress: () => Promise.resolve(3) }, true))
    .create({});
  assert.equal(await asyncOk.compress(src, dst), 3);
  const asyncBad = await guardPlugin(compressor({ compress: () => Promise.resolve(-2) }, true))
    .create({});
  await assert.rejects(Promise.resolve(asyncBad.compress(src, dst)), /returned -2/);
  const fine = await guardPlugin(compressor({ compress: () => 100 })).create({});
  assert.equal(fine.compress(src, dst), 100);
});

Deno.test("guardPlugin() checks each workload op", async (t) => {
  const workload = (ops: unknown[]): WorkloadPlugin => ({
    kind: "workload",
    name: "odd",
    description: "odd ops",
    create: () => ({ ops: () => ops as Op[], page: (_id, into) => into.fill(0) }),
  });
  const cases: [unknown, RegExp][] = [
    [{ op: "store", offset: -1, pageId: 0 }, /op 1 has offset -1, not a non-negative integer/],
    [
      { op: "stor", offset: 0, pageId: 0 },
      /op 1 has op "stor" \(expected store, load or invalidate\)/,
    ],
    [{ op: "store", offset: 1, pageId: 0.5 }, /op 1 stores page 0\.5, not a non-negative integer/],
    [null, /op 1 is null, not an object/],
  ];
  for (const [op, message] of cases) {
    await t.step(JSON.stringify(op), async () => {
      const w = await guardPlugin(workload([{ op: "load", offset: 0, pageId: -1 }, op]))
        .create({ pageSize: 4096, seed: 1, pages: 1, options: {} });
      assert.throws(() => [...w.ops()], { name: "PluginContractError", message });
    });
  }
});

Deno.test("guardRegistry() wraps only plugins that are not built-in, and a guarded cell matches", async () => {
  const registry = createDefaultRegistry();
  registry.register({ ...zbudAllocator, name: "zbud-ext" }, "file:///x/zbud_ext.ts");
  const guarded = guardRegistry(registry);
  assert.equal(guarded.get("allocator", "zbud"), registry.get("allocator", "zbud"));
  assert.notEqual(guarded.get("allocator", "zbud-ext"), registry.get("allocator", "zbud-ext"));
  assert.equal(guarded.entry("allocator", "zbud-ext").source, "file:///x/zbud_ext.ts");

  const config = resolveConfig({
    allocators: ["zbud", "zbud-ext"],
    compressors: ["lz4"],
    presets: ["latest"],
    params: { pages: 128 },
    repetitions: 1,
    warmup: 0,
  });
  const engine = createDefaultEngine();
  const [plain, ext] = expandMatrix(config, { registry, engine });
  const a = await runCellByName(plain, registry, { engine });
  const b = await runCellByName(ext, guarded, { engine });
  assert.equal(b.status, "ok", b.error ?? "");
  const strip = (c: object) => {
    const { cell: _c, index: _i, allocator: _a, ...rest } = stableColumns(
      c as Record<string, unknown>,
    );
    return rest;
  };
  assert.deepEqual(strip(b), strip(a), "the guard changes no figure");
});
