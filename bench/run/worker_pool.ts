/**
 * Cells in Workers (issue 9): isolation, timeouts and least privilege for plugin code.
 *
 * Each request runs in a fresh module Worker (`bench/run/cell_worker.ts`) that is terminated when
 * it answers, when its time is up, or when the run is interrupted, so a plugin that hangs
 * (`while (true) {}`) or leaves state behind spoils only its own cell. The Worker is created with
 * Deno permissions narrowed to what the cell needs: read access to the plugin modules' own
 * source files (`bench/run/module_files.ts`), to the paths its plugins declare
 * (`permissions.read`) and to the paths its workload options name (`path`, `paths`, at any
 * depth), and nothing else: no writes, network, environment, subprocesses, FFI or system
 * information. External plugin modules are imported only inside such Workers: even checking a
 * module's shape ({@linkcode loadPluginsIsolated}) happens in one, which may read the modules'
 * source files and nothing else.
 *
 * Narrowed Worker permissions are an unstable Deno API in Deno 2.9: `deno.json` enables it for
 * every command of this repository (`"unstable": ["worker-options"]`); a program of another
 * project that imports zswapbench needs that entry in its own `deno.json` or
 * `--unstable-worker-options`, else Deno stops it (exit status 70) with a line naming the flag
 * when the first Worker starts. Deno 2.9 also does not narrow module imports per Worker: a
 * plugin can import code from the hosts the process may import from (`--allow-import`), but that
 * code runs in the same narrowed Worker.
 *
 * Cost: a Worker loads the runner, the frontend and every built-in plugin before its cell: a
 * 16-page cell took 95 ms in a Worker against 0.8 ms in process on the 2-core dev machine
 * (tests/bench/run/worker_pool_bench.ts), which is why runs of built-ins alone stay in process.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { RegistryError } from "../../registry/registry.ts";
import type { Registry } from "../../registry/registry.ts";
import type { Plugin, PluginKind } from "../../registry/types.ts";
import { errorFromWire } from "../../registry/wire.ts";
import type {
  CellWorkerReply,
  CellWorkerRequest,
  PluginDescriptor,
  PluginModuleRef,
} from "./cell_worker.ts";
import { localModuleGraph } from "./module_files.ts";
import type { CellSpec } from "./matrix.ts";
import type { CellExecutor } from "./runner.ts";
import { notOkResult } from "./cell_result.ts";

/** The default `--cell-timeout` when cells run in Workers: 10 minutes. */
export const DEFAULT_CELL_TIMEOUT_S = 600;

/** How long checking plugin modules may take before the check is abandoned (seconds). */
export const PLUGIN_LOAD_TIMEOUT_S = 60;

const WORKER_URL = new URL("./cell_worker.ts", import.meta.url);

/**
 * Modules a cell Worker starts Workers from, with the local modules they import: Deno wants
 * read access to a Worker's main module and to what it imports that the cell Worker has not
 * loaded itself (the `offload` compressor runs its codec in one and imports the built-in codecs
 * there). Source code only, nothing of the user's.
 */
const NESTED_WORKER_MODULES: readonly string[] = await localModuleGraph(
  fileURLToPath(new URL("../../compressors/_offload_worker.ts", import.meta.url)),
);

/** Options of {@linkcode createWorkerExecutor}. */
export interface WorkerExecutorOptions {
  /** The main process's registry: built-ins and the stand-ins of external plugins. */
  registry: Registry;
  /** Plugin module specifiers to load in each Worker, as the user gave them. */
  plugins?: readonly string[];
  /** Directory relative specifiers and paths are resolved against (default `Deno.cwd()`). */
  cwd?: string;
  /** Seconds before a cell's Worker is terminated; 0 for none (default 600). */
  cellTimeoutS?: number;
}

/**
 * An executor that runs each cell in its own Worker with narrowed permissions, terminating it
 * after `cellTimeoutS` (the cell then has `status: "timeout"`).
 *
 * @param options Registry, plugin modules, working directory, timeout.
 * @returns The executor.
 *
 * @example
 * ```ts ignore
 * const executor = createWorkerExecutor({ registry, plugins: ["./my_alloc.ts"], cellTimeoutS: 60 });
 * await runMatrix(config, { registry, executor, jobs: 2 });
 * ```
 */
export function createWorkerExecutor(options: WorkerExecutorOptions): CellExecutor {
  const cwd = options.cwd ?? Deno.cwd();
  const modules: PluginModuleRef[] = (options.plugins ?? []).map((specifier) => ({
    specifier,
    cwd,
  }));
  const timeoutS = options.cellTimeoutS ?? DEFAULT_CELL_TIMEOUT_S;
  if (!(timeoutS >= 0)) throw new RangeError(`Cell timeout ${timeoutS} is not a number >= 0`);
  const { registry } = options;
  let sources: Promise<string[]> | undefined;
  const sourceFiles = () => sources ??= moduleFiles(modules);
  return {
    isolation: "worker",
    async preflight(cells) {
      const read = new Set<string>(await sourceFiles());
      for (const spec of cells) for (const p of cellReadPaths(spec, registry, cwd)) read.add(p);
      const limitS = timeoutS > 0
        ? Math.min(timeoutS, PLUGIN_LOAD_TIMEOUT_S)
        : PLUGIN_LOAD_TIMEOUT_S;
      const outcome = await exchange(
        { type: "preflight", modules, cells: [...cells] },
        { read: [...read], imports: importHosts(modules), timeoutMs: limitS * 1e3 },
      );
      // A create() that hangs is a plugin fault, not a user mistake: its cells time out and say so.
      if (outcome.kind === "timeout") return [];
      const reply = outcome.reply;
      if (reply.type === "preflighted") return reply.problems;
      if (reply.type === "error" && reply.during === "load") throw errorFromWire(reply.error);
      return []; // a crash while checking is a plugin fault: its cells will fail and say so
    },
    async run(spec, signal) {
      const started = performance.now();
      const code = await sourceFiles();
      const outcome = await exchange(
        { type: "run", modules, spec },
        {
          read: [...code, ...cellReadPaths(spec, registry, cwd)],
          imports: importHosts(modules),
          timeoutMs: timeoutS * 1e3,
          signal,
        },
      );
      const ms = performance.now() - started;
      if (outcome.kind === "timeout") {
        return notOkResult(
          spec,
          "timeout",
          `Cell timed out after ${timeoutS} s (--cell-timeout ${timeoutS}); its Worker was terminated`,
          ms,
        );
      }
      const reply = outcome.reply;
      if (reply.type === "result") return reply.result;
      if (reply.type === "error") {
        const e = reply.error;
        const what = reply.during === "load" ? "Loading the plugins failed" : "Cell Worker crashed";
        return notOkResult(spec, "failed", `${what}: ${e.name}: ${firstLine(e.message)}`, ms);
      }
      return notOkResult(spec, "failed", `Cell Worker answered "${reply.type}"`, ms);
    },
  };
}

/**
 * Load external plugin modules without running them here: a Worker with no permissions imports
 * and checks them (`Registry.load`: shape, names, collisions with the built-ins and with each
 * other), and this process registers stand-ins that carry each plugin's data members (name,
 * description, `sleepMapped`, `async`, `fixedCompressor`, `permissions`) and whose `create()`
 * throws: the plugins themselves run only in cell Workers ({@linkcode createWorkerExecutor}).
 *
 * @param registry Where to register the stand-ins.
 * @param specifiers Plugin module specifiers as the user gave them.
 * @param options The directory relative paths are resolved against (default `Deno.cwd()`).
 * @returns The stand-ins registered.
 * @throws {RegistryError} As `Registry.load` does, with the same messages; `IMPORT_FAILED` when
 *   importing takes over a minute.
 *
 * @example
 * ```ts ignore
 * const registry = createDefaultRegistry();
 * await loadPluginsIsolated(registry, ["./examples/bucket_alloc.ts"]);
 * ```
 */
export async function loadPluginsIsolated(
  registry: Registry,
  specifiers: readonly string[],
  options: { cwd?: string } = {},
): Promise<Plugin[]> {
  if (specifiers.length === 0) return [];
  const cwd = options.cwd ?? Deno.cwd();
  const modules = specifiers.map((specifier) => ({ specifier, cwd }));
  const outcome = await exchange(
    { type: "describe", modules },
    {
      read: await moduleFiles(modules),
      imports: importHosts(modules),
      timeoutMs: PLUGIN_LOAD_TIMEOUT_S * 1e3,
    },
  );
  if (outcome.kind === "timeout") {
    throw new RegistryError(
      "IMPORT_FAILED",
      `Plugin modules ${
        specifiers.join(", ")
      }: importing took over ${PLUGIN_LOAD_TIMEOUT_S} s (does the module's top-level code loop forever?)`,
    );
  }
  const reply = outcome.reply;
  if (reply.type === "error") {
    if (reply.during === "load") throw errorFromWire(reply.error);
    throw new RegistryError(
      "IMPORT_FAILED",
      `Plugin modules ${specifiers.join(", ")}: checking them crashed: ${
        firstLine(reply.error.message)
      }`,
    );
  }
  if (reply.type !== "described") throw new Error(`Plugin check answered "${reply.type}"`);
  const plugins = reply.plugins.map(standIn);
  for (let i = 0; i < plugins.length; i++) registry.register(plugins[i], reply.plugins[i].source);
  return plugins;
}

/**
 * The paths a cell's Worker may read: what its plugins declare in `permissions.read`, and every
 * string under a `path` key or in a `paths` array of its workload options (at any depth, so a
 * trace's `contentOptions.path` counts), made absolute.
 *
 * @param spec The cell.
 * @param registry Its plugins (stand-ins carry the declared permissions).
 * @param cwd The directory relative paths are against.
 * @returns Absolute paths, without duplicates.
 *
 * @example
 * ```ts ignore
 * cellReadPaths(spec, registry, "/home/me"); // ["/home/me/trace.csv"]
 * ```
 */
export function cellReadPaths(spec: CellSpec, registry: Registry, cwd: string): string[] {
  const out = new Set<string>(NESTED_WORKER_MODULES);
  const add = (p: string) => out.add(isAbsolute(p) ? p : resolve(cwd, p));
  const refs: [PluginKind, string][] = [
    ["allocator", spec.allocator.name],
    ["compressor", spec.compressor.name],
    ["workload", spec.workload.name],
  ];
  if (spec.strategy !== null) refs.push(["strategy", spec.strategy.name]);
  for (const [kind, name] of refs) {
    if (!registry.has(kind, name)) continue;
    for (const p of registry.get(kind, name).permissions?.read ?? []) add(p);
  }
  collectPaths(spec.workload.options, add);
  return [...out];
}

function collectPaths(value: unknown, add: (p: string) => void): void {
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) collectPaths(v, add);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (k === "path" && typeof v === "string" && v !== "") add(v);
    else if (k === "paths" && Array.isArray(v)) {
      for (const p of v) if (typeof p === "string" && p !== "") add(p);
    } else collectPaths(v, add);
  }
}

/**
 * The local source files of the plugin modules' import graphs: a dynamic `import()` needs read
 * access to each local module it loads (`bench/run/module_files.ts`).
 */
async function moduleFiles(modules: readonly PluginModuleRef[]): Promise<string[]> {
  const files = new Set<string>();
  for (const m of modules) {
    if (/^(npm|jsr|https?|data):/.test(m.specifier)) continue;
    const entry = m.specifier.startsWith("file:")
      ? fileURLToPath(m.specifier)
      : isAbsolute(m.specifier)
      ? m.specifier
      : resolve(m.cwd, m.specifier);
    for (const f of await localModuleGraph(entry)) files.add(f);
  }
  return [...files];
}

/** Hosts of `http(s):` plugin specifiers: the only remote imports a Worker is allowed. */
function importHosts(modules: readonly PluginModuleRef[]): string[] {
  const hosts = new Set<string>();
  for (const m of modules) {
    if (/^https?:/.test(m.specifier)) hosts.add(new URL(m.specifier).host);
  }
  return [...hosts];
}

interface ExchangeOptions {
  read: readonly string[];
  imports: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

type Outcome = { kind: "reply"; reply: CellWorkerReply } | { kind: "timeout" };

/** Start a narrowed Worker, send it one request, and wait for its answer, its end, or the time. */
function exchange(request: CellWorkerRequest, options: ExchangeOptions): Promise<Outcome> {
  const { signal } = options;
  signal?.throwIfAborted();
  const worker = new Worker(WORKER_URL, {
    type: "module",
    name: `zswapbench ${request.type}`,
    deno: {
      permissions: {
        read: options.read.length > 0 ? [...options.read] : false,
        write: false,
        net: false,
        env: false,
        run: false,
        ffi: false,
        sys: false,
        import: options.imports.length > 0 ? [...options.imports] : false,
      },
    },
  } as WorkerOptions);
  return new Promise<Outcome>((resolvePromise, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const finish = (settle: () => void) => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      worker.terminate();
      settle();
    };
    const onAbort = () => finish(() => reject(signal!.reason));
    signal?.addEventListener("abort", onAbort, { once: true });
    if (options.timeoutMs > 0) {
      timer = setTimeout(
        () => finish(() => resolvePromise({ kind: "timeout" })),
        options.timeoutMs,
      );
    }
    worker.onmessage = (e: MessageEvent) => {
      finish(() => resolvePromise({ kind: "reply", reply: e.data as CellWorkerReply }));
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      finish(() =>
        resolvePromise({
          kind: "reply",
          reply: {
            type: "error",
            during: "crash",
            error: { name: "Error", message: e.message ?? "the Worker failed" },
          },
        })
      );
    };
    worker.onmessageerror = () => {
      finish(() =>
        resolvePromise({
          kind: "reply",
          reply: {
            type: "error",
            during: "crash",
            error: { name: "Error", message: "its answer could not be read" },
          },
        })
      );
    };
    worker.postMessage(request);
  });
}

function standIn(d: PluginDescriptor): Plugin {
  const create = () => {
    throw new Error(
      `Plugin ${d.kind} "${d.name}" runs only in cell Workers (it comes from ${d.source})`,
    );
  };
  const base = {
    name: d.name,
    description: d.description,
    create,
    ...(d.internal ? { internal: true } : {}),
    ...(d.permissions ? { permissions: d.permissions } : {}),
  };
  switch (d.kind) {
    case "allocator":
      return { ...base, kind: "allocator", sleepMapped: d.sleepMapped === true };
    case "compressor":
      return { ...base, kind: "compressor", async: d.async === true };
    case "workload":
      return {
        ...base,
        kind: "workload",
        ...(d.fixedCompressor !== undefined ? { fixedCompressor: d.fixedCompressor } : {}),
      };
    case "strategy":
      return { ...base, kind: "strategy" };
  }
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}
