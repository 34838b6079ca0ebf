import assert from "node:assert/strict";
import { importSpecifiers, localModuleGraph } from "../../../bench/run/module_files.ts";
import { resolveConfig } from "../../../bench/run/config.ts";
import { createDefaultEngine } from "../../../bench/run/default_engine.ts";
import { type CellSpec, expandMatrix } from "../../../bench/run/matrix.ts";
import { runCellByName } from "../../../bench/run/runner.ts";
import {
  cellReadPaths,
  createWorkerExecutor,
  loadPluginsIsolated,
} from "../../../bench/run/worker_pool.ts";
import { createDefaultRegistry } from "../../../builtins/mod.ts";
import { stableColumns } from "../_cli.ts";

const ROOT = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
const PROBE = "./tests/fixtures/permission_probe.ts";
const FAULTY = "./tests/fixtures/faulty_plugins.ts";

/** A registry with the stand-ins of some plugin modules, and the cells of a config. */
async function setup(plugins: string[], input: Record<string, unknown>) {
  const registry = createDefaultRegistry();
  await loadPluginsIsolated(registry, plugins, { cwd: ROOT });
  const config = resolveConfig({ repetitions: 1, warmup: 0, ...input, plugins });
  const cells = expandMatrix(config, { registry, engine: createDefaultEngine() });
  return { registry, cells };
}

Deno.test("createWorkerExecutor() runs a built-in cell as the in-process runner does", async () => {
  const { registry, cells } = await setup([], {
    allocators: ["zsmalloc"],
    compressors: ["lz4"],
    params: { pages: 128 },
  });
  const executor = createWorkerExecutor({ registry, cwd: ROOT, cellTimeoutS: 60 });
  assert.equal(executor.isolation, "worker");
  const inWorker = await executor.run(cells[0]);
  const here = await runCellByName(cells[0], registry);
  assert.equal(inWorker.status, "ok", inWorker.error ?? "");
  assert.deepEqual(stableColumns(inWorker), stableColumns(here));
});

Deno.test("loadPluginsIsolated() registers stand-ins and never runs plugin code here", async () => {
  const registry = createDefaultRegistry();
  const loaded = await loadPluginsIsolated(registry, [PROBE], { cwd: ROOT });
  assert.deepEqual(loaded.map((p) => p.name), ["probe"]);
  assert.equal((globalThis as Record<string, unknown>).__zswapbenchProbeImported, undefined);
  const probe = registry.get("compressor", "probe");
  assert.equal(probe.async, false);
  assert.deepEqual(probe.permissions, { read: ["tests/fixtures/permission_probe_data.txt"] });
  assert.match(registry.entry("compressor", "probe").source, /^file:.*permission_probe\.ts$/);
  assert.throws(() => probe.create({}), /runs only in cell Workers/);
  await assert.rejects(
    loadPluginsIsolated(createDefaultRegistry(), ["./tests/fixtures/registry_plugin_bad.ts"], {
      cwd: ROOT,
    }),
    { name: "RegistryError", code: "INVALID_PLUGIN", message: /field "sleepMapped" must be/ },
  );
});

Deno.test("cell Workers allow what a plugin declares and refuse everything else", async (t) => {
  const tries = [
    "read-declared",
    "read-other",
    "write",
    "env",
    "run",
    "net",
    "sys",
    "exit",
    "post",
  ];
  const { registry, cells } = await setup([PROBE], {
    allocators: ["zbud"],
    compressors: tries.map((x) => ({ name: "probe", options: { try: x } })),
    presets: ["latest"],
    params: { pages: 32 },
  });
  const executor = createWorkerExecutor({
    registry,
    plugins: [PROBE],
    cwd: ROOT,
    cellTimeoutS: 60,
  });
  const expected: Record<string, RegExp | "ok"> = {
    "read-declared": "ok",
    "read-other": /NotCapable: Requires read access to "\/etc\/hostname"/,
    write: /NotCapable: Requires write access/,
    env: /NotCapable: Requires env access/,
    run: /NotCapable: Requires run access/,
    net: /NotCapable: Requires net access/,
    sys: /NotCapable: Requires sys access/,
    exit: /Deno\.exit\(\) is not allowed in a cell Worker/,
    post: /postMessage\(\) is not allowed in a cell Worker/,
  };
  const results = await Promise.all(cells.map((c) => executor.run(c)));
  for (let i = 0; i < tries.length; i++) {
    await t.step(tries[i], () => {
      const r = results[i];
      const want = expected[tries[i]];
      if (want === "ok") {
        assert.equal(r.status, "ok", r.error ?? "");
        assert.equal(r.integrity_failures, 0);
      } else {
        assert.equal(r.status, "failed");
        assert.match(r.error!, want);
      }
    });
  }
});

Deno.test("cellReadPaths() grants declared paths and workload paths at any depth", async () => {
  const { registry, cells } = await setup([PROBE], {
    allocators: ["zbud"],
    compressors: ["probe"],
    workloads: [{
      name: "trace",
      options: {
        path: "traces/a.csv",
        content: "files",
        contentOptions: { paths: ["/data/x", "rel/y"] },
      },
    }],
  });
  const paths = cellReadPaths(cells[0] as CellSpec, registry, "/home/me");
  for (
    const p of [
      "/home/me/tests/fixtures/permission_probe_data.txt",
      "/home/me/traces/a.csv",
      "/data/x",
      "/home/me/rel/y",
    ]
  ) {
    assert.ok(paths.includes(p), `${p} in ${paths.join(", ")}`);
  }
  assert.ok(!paths.some((p) => p === "/" || p === "/home/me"), "nothing wider");
});

Deno.test("a workload's page file is readable in its cell Worker without being declared", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const pages = new Uint8Array(4096 * 8);
    for (let i = 0; i < pages.length; i++) pages[i] = (i * 7) & 0x3f;
    await Deno.writeFile(`${dir}/p.pages`, pages);
    const { registry, cells } = await setup([], {
      allocators: ["zbud"],
      compressors: ["lz4"],
      workloads: [{ name: "pagefile", options: { path: `${dir}/p.pages` } }],
      params: { pages: 8 },
    });
    const executor = createWorkerExecutor({ registry, cwd: ROOT, cellTimeoutS: 60 });
    assert.deepEqual(await executor.preflight(cells), []);
    const r = await executor.run(cells[0]);
    assert.equal(r.status, "ok", r.error ?? "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("createWorkerExecutor() ends a hung cell at its timeout, and on abort", async () => {
  const { registry, cells } = await setup([FAULTY], {
    allocators: ["hang-alloc"],
    compressors: ["lz4"],
    params: { pages: 64 },
  });
  const executor = createWorkerExecutor({
    registry,
    plugins: [FAULTY],
    cwd: ROOT,
    cellTimeoutS: 1,
  });
  const r = await executor.run(cells[0]);
  assert.equal(r.status, "timeout");
  assert.equal(r.error, "Cell timed out after 1 s (--cell-timeout 1); its Worker was terminated");
  assert.equal(r.stored_pages, null);

  const untimed = createWorkerExecutor({
    registry,
    plugins: [FAULTY],
    cwd: ROOT,
    cellTimeoutS: 0,
  });
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DOMException("Interrupted", "AbortError")), 300);
  await assert.rejects(untimed.run(cells[0], controller.signal), { name: "AbortError" });
});

Deno.test("localModuleGraph() lists a plugin's local modules, not its npm imports", async () => {
  assert.deepEqual(
    importSpecifiers(
      'import { a } from "./a.ts";\nimport type {\n  B,\n} from "../b.ts";\nexport * from "npm:zod";\n' +
        'import "./side.js";\nconst c = await import("./c.ts");\n',
    ).sort(),
    ["../b.ts", "./a.ts", "./c.ts", "./side.js", "npm:zod"],
  );
  const files = await localModuleGraph(`${ROOT}/tests/fixtures/faulty_plugins.ts`);
  assert.equal(files[0], `${ROOT}/tests/fixtures/faulty_plugins.ts`);
  for (const f of ["allocators/zbud.ts", "registry/define.ts", "registry/types.ts"]) {
    assert.ok(files.includes(`${ROOT}/${f}`), f);
  }
  assert.ok(files.every((f) => /\.(ts|js|json|wasm)$/.test(f)));
});
