/**
 * Runs every example under `examples/` the way a user would, and fails unless each one works:
 * `deno task examples` (extra flags are passed on to every `run`, e.g. `deno task examples
 * --pages 1024`; `--keep` keeps the results directories).
 *
 * - A plugin module (one whose exports `cli list --plugin` accepts) runs through the bench CLI
 *   with `--plugin`, beside zsmalloc and a built-in of its own kind, under presets 6.1 and
 *   latest: `bench/cli.ts run --quick --plugin ./examples/x.ts --allocators x,zsmalloc ...`.
 *   A strategy also runs with the asynchronous `offload` compressor on 4 tasks over 2 CPUs, so
 *   its waiting paths (a contended mutex, a Promise from the codec) run too.
 * - Any other module is a script: it runs as `deno run examples/x.ts --out DIR` and must write
 *   a results directory there (as `examples/library_api.ts` does with `runSession()`).
 *
 * Either way the run must exit with status 0 and its `results.json` must hold at least one cell,
 * every cell `ok` with 0 integrity failures.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root. */
const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Permissions of the `bench` and `cli` tasks: what a user's run gets. */
const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-sys",
  "--allow-run",
];
/** Built-ins each kind of plugin runs beside. */
const BESIDE: Readonly<Record<string, readonly string[]>> = {
  allocator: ["zsmalloc"],
  compressor: ["lz4"],
  workload: ["mixed"],
  strategy: ["percpu-buffer"],
};
/** The flag that lists plugins of each kind. */
const FLAG: Readonly<Record<string, string>> = {
  allocator: "--allocators",
  compressor: "--compressors",
  workload: "--workloads",
  strategy: "--strategies",
};

/** A plugin an example module exports, as `cli list --json` shows it. */
export interface ExamplePlugin {
  /** `allocator`, `compressor`, `workload` or `strategy`. */
  kind: string;
  /** The plugin name. */
  name: string;
}

/**
 * The `run` flags (after `--plugin`) that put an example's plugins in a matrix beside built-ins.
 *
 * @param plugins What the module exports.
 * @returns Flags for `bench/cli.ts run`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { runFlags } from "./run_examples.ts";
 * const flags = runFlags([{ kind: "allocator", name: "bucket" }]);
 * assert.equal(flags.join(" "), "--allocators bucket,zsmalloc --presets 6.1,latest");
 * ```
 */
export function runFlags(plugins: readonly ExamplePlugin[]): string[] {
  const byKind = new Map<string, string[]>();
  for (const p of plugins) byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), p.name]);
  const lists = new Map<string, string[]>();
  for (const [kind, names] of byKind) {
    lists.set(kind, [...names, ...BESIDE[kind].filter((b) => !names.includes(b))]);
  }
  // Allocators: zbud (sleeps mapped) and zsmalloc (cannot) unless the module brings its own.
  if (!lists.has("allocator")) lists.set("allocator", ["zbud", "zsmalloc"]);
  if (byKind.has("strategy") && !byKind.has("compressor")) {
    lists.set("compressor", ["lz4", "offload"]);
  }
  const flags: string[] = [];
  for (const kind of ["allocator", "compressor", "workload", "strategy"]) {
    const names = lists.get(kind);
    if (names !== undefined) flags.push(FLAG[kind], names.join(","));
  }
  flags.push("--presets", "6.1,latest");
  if (byKind.has("strategy")) flags.push("--cpus", "2", "--tasks", "4");
  return flags;
}

/** What one example's run gave. */
interface Outcome {
  example: string;
  what: string;
  cells: number;
  problems: string[];
  seconds: number;
  outDir: string;
}

async function deno(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/** The plugins a module exports, or null when it exports none (a script). */
async function pluginsOf(path: string): Promise<ExamplePlugin[] | null> {
  const r = await deno(["run", ...PERMISSIONS, "bench/cli.ts", "list", "--json", "--plugin", path]);
  if (r.code !== 0) {
    if (r.stderr.includes("exports no plugins")) return null;
    throw new Error(`"cli list --plugin ${path}" failed (status ${r.code}): ${r.stderr.trim()}`);
  }
  const listing = JSON.parse(r.stdout) as Record<string, { name: string; source: string }[]>;
  const url = new URL(path, new URL("..", import.meta.url)).href;
  const kinds: [string, string][] = [
    ["allocators", "allocator"],
    ["compressors", "compressor"],
    ["workloads", "workload"],
    ["strategies", "strategy"],
  ];
  const found: ExamplePlugin[] = [];
  for (const [key, kind] of kinds) {
    for (const p of listing[key] ?? []) if (p.source === url) found.push({ kind, name: p.name });
  }
  return found;
}

/** Every problem with a results directory: missing file, no cell, a cell not ok. */
async function checkResults(outDir: string): Promise<{ cells: number; problems: string[] }> {
  let doc: {
    cells?: {
      cell: string;
      status: string;
      error: string | null;
      integrity_failures: number | null;
    }[];
  };
  try {
    doc = JSON.parse(await Deno.readTextFile(join(outDir, "results.json")));
  } catch (err) {
    return { cells: 0, problems: [`no readable results.json: ${(err as Error).message}`] };
  }
  const cells = doc.cells ?? [];
  const problems: string[] = [];
  if (cells.length === 0) problems.push("results.json holds no cell");
  for (const c of cells) {
    if (c.status !== "ok") problems.push(`${c.cell}: ${c.status}: ${c.error ?? ""}`);
    else if (c.integrity_failures !== 0) {
      problems.push(`${c.cell}: ${c.integrity_failures} integrity failures`);
    }
  }
  return { cells: cells.length, problems };
}

async function runExample(path: string, extra: string[]): Promise<Outcome> {
  const started = performance.now();
  const outDir = await Deno.makeTempDir({ prefix: "zswapbench-example-" });
  const plugins = await pluginsOf(path);
  let args: string[];
  let what: string;
  if (plugins === null) {
    what = "script";
    args = ["run", ...PERMISSIONS, path, "--out", outDir];
  } else {
    what = plugins.map((p) => `${p.kind} ${p.name}`).join(", ");
    args = [
      "run",
      ...PERMISSIONS,
      "bench/cli.ts",
      "run",
      "--quick",
      "--quiet",
      "--plugin",
      path,
      ...runFlags(plugins),
      ...extra,
      "--out",
      outDir,
    ];
  }
  const r = await deno(args);
  const { cells, problems } = await checkResults(outDir);
  if (r.code !== 0) {
    const why = r.stderr.trim().split("\n").slice(-3).join(" / ");
    problems.unshift(`exit status ${r.code}${why ? `: ${why}` : ""}`);
  }
  return {
    example: path,
    what,
    cells,
    problems,
    seconds: (performance.now() - started) / 1000,
    outDir,
  };
}

async function main(args: string[]): Promise<number> {
  const keep = args.includes("--keep");
  const extra = args.filter((a) => a !== "--keep");
  const files: string[] = [];
  for await (const e of Deno.readDir(join(ROOT, "examples"))) {
    if (e.isFile && e.name.endsWith(".ts")) files.push(`./examples/${e.name}`);
  }
  files.sort();
  if (files.length === 0) {
    console.error("No examples found under examples/");
    return 1;
  }
  let failed = 0;
  for (const file of files) {
    let o: Outcome;
    try {
      o = await runExample(file, extra);
    } catch (err) {
      console.log(`FAIL ${file}: ${(err as Error).message}`);
      failed++;
      continue;
    }
    const status = o.problems.length === 0 ? "ok  " : "FAIL";
    console.log(
      `${status} ${o.example} (${o.what}): ${o.cells} cells in ${o.seconds.toFixed(1)} s` +
        (keep ? `, results in ${o.outDir}` : ""),
    );
    for (const p of o.problems.slice(0, 10)) console.log(`       ${p}`);
    if (o.problems.length > 10) console.log(`       and ${o.problems.length - 10} more`);
    if (o.problems.length > 0) failed++;
    if (!keep) await Deno.remove(o.outDir, { recursive: true });
  }
  console.log(
    failed === 0
      ? `All ${files.length} examples ran: every cell ok, no integrity failure`
      : `${failed} of ${files.length} examples failed`,
  );
  return failed === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
