/**
 * The module a cell Worker runs (`bench/run/worker_pool.ts` starts one per request, with Deno
 * permissions narrowed to what the plugins need). It answers exactly one request and is then
 * terminated:
 *
 * - `describe`: import the plugin modules, check them (`Registry.load`) and post back their data
 *   members, so the main process never runs untrusted code;
 * - `preflight`: make each plugin of the cells once with its options (`bench/run/preflight.ts`);
 * - `run`: run one cell with {@linkcode runCellByName}, external plugins wrapped in their
 *   contract guards (`bench/run/guard.ts`), and post back its {@linkcode CellResult}.
 *
 * Before any plugin code runs, `Deno.exit()` and `close()` are replaced by functions that throw
 * (a plugin cannot end the Worker silently), the way back to the main process is kept private,
 * and uncaught errors are caught and posted instead of printed.
 *
 * @module
 */
import { createDefaultRegistry } from "../../builtins/mod.ts";
import type { Registry } from "../../registry/registry.ts";
import type { Plugin } from "../../registry/types.ts";
import { errorToWire, type WireError } from "../../registry/wire.ts";
import { guardRegistry } from "./guard.ts";
import type { CellSpec } from "./matrix.ts";
import type { CellResult } from "../results/schema.ts";
import { RegistryError, resolveSpecifier } from "../../registry/registry.ts";
import { hardenRealm } from "./intrinsics.ts";
import { oneLine } from "../results/text.ts";
// The harness's modules, loaded before any plugin so their exports can be frozen
// (bench/run/intrinsics.ts): a plugin that imports one of them gets the frozen instance.
import * as runnerModule from "./runner.ts";
import * as histogramModule from "../measure/histogram.ts";
import * as recorderModule from "../measure/recorder.ts";
import * as guardModule from "./guard.ts";
import * as dataLossModule from "./data_loss.ts";
import * as defaultEngineModule from "./default_engine.ts";
import * as preflightModule from "./preflight.ts";
import * as matrixModule from "./matrix.ts";
import * as zswapModule from "../../zswap/mod.ts";
import * as frontendModule from "../../zswap/_frontend.ts";
import * as pagesModule from "../../zswap/_pages.ts";
import * as runCellModule from "../../zswap/run_cell.ts";
import * as strategiesModule from "../../zswap/strategies.ts";
import * as typesModule from "../../registry/types.ts";
import * as registryModule from "../../registry/registry.ts";
import * as defineModule from "../../registry/define.ts";
import * as builtinsModule from "../../builtins/mod.ts";
import * as builtinsRunCellModule from "../../builtins/run_cell.ts";
import * as allocatorsModule from "../../allocators/mod.ts";
import * as arenaModule from "../../allocators/arena.ts";
import * as compressorsModule from "../../compressors/mod.ts";
import * as workloadsModule from "../../workloads/mod.ts";

const HARNESS_MODULES: readonly object[] = [
  runnerModule,
  histogramModule,
  recorderModule,
  guardModule,
  dataLossModule,
  defaultEngineModule,
  preflightModule,
  matrixModule,
  zswapModule,
  frontendModule,
  pagesModule,
  runCellModule,
  strategiesModule,
  typesModule,
  registryModule,
  defineModule,
  builtinsModule,
  builtinsRunCellModule,
  allocatorsModule,
  arenaModule,
  compressorsModule,
  workloadsModule,
];

/** A plugin module to load: the specifier as the user gave it and the directory it is against. */
export interface PluginModuleRef {
  /** Path, `file:` URL, or `npm:`/`jsr:`/`https:` specifier. */
  specifier: string;
  /** Directory a relative path is resolved against. */
  cwd: string;
}

/** A plugin's data members: what the main process registers in place of the plugin itself. */
export interface PluginDescriptor {
  /** The kind. */
  kind: Plugin["kind"];
  /** The name. */
  name: string;
  /** The description. */
  description: string;
  /** Allocators: may the caller sleep mapped. */
  sleepMapped?: boolean;
  /** Compressors: asynchronous. */
  async?: boolean;
  /** Workloads: the compressor they fix. */
  fixedCompressor?: string;
  /** Hidden from `cli list`. */
  internal?: boolean;
  /** Declared permissions. */
  permissions?: { read?: string[] };
  /** The module URL it came from. */
  source: string;
}

/** What the main process asks. */
export type CellWorkerRequest =
  | { type: "describe"; modules: PluginModuleRef[] }
  | { type: "preflight"; modules: PluginModuleRef[]; cells: CellSpec[] }
  | { type: "run"; modules: PluginModuleRef[]; spec: CellSpec };

/** What the Worker answers. */
export type CellWorkerReply =
  | { type: "described"; plugins: PluginDescriptor[] }
  | { type: "preflighted"; problems: string[] }
  | { type: "result"; result: CellResult }
  | { type: "error"; error: WireError; during: "load" | "crash" };

/** Registered in the main process's place: the data members of each plugin in `registry`. */
function describe(registry: Registry, plugins: Plugin[]): PluginDescriptor[] {
  return plugins.map((p) => {
    const rec = p as unknown as Record<string, unknown>;
    const d: PluginDescriptor = {
      kind: p.kind,
      name: p.name,
      description: p.description,
      source: registry.entry(p.kind, p.name).source,
    };
    if (typeof rec.sleepMapped === "boolean") d.sleepMapped = rec.sleepMapped;
    if (typeof rec.async === "boolean") d.async = rec.async;
    if (typeof rec.fixedCompressor === "string") d.fixedCompressor = rec.fixedCompressor;
    if (rec.internal === true) d.internal = true;
    if (p.permissions !== undefined) {
      d.permissions = structuredClone({ read: p.permissions.read });
    }
    return d;
  });
}

/** Errors that already say what the user must fix. */
const USER_ERRORS = new Set(["RegistryError", "UsageError", "ConfigError"]);

/**
 * Refuse exports that are not plain data: a plugin whose members are getters (which may throw,
 * or say one name when checked and another when registered).
 */
function checkPlainExports(specifier: string, mod: Record<string, unknown>): void {
  const exported = mod.default !== undefined ? mod.default : mod.plugins;
  const list = Array.isArray(exported) ? [...exported] : [exported];
  for (const plugin of list) {
    if (typeof plugin !== "object" || plugin === null) continue;
    for (const key of Reflect.ownKeys(plugin)) {
      const d = Object.getOwnPropertyDescriptor(plugin, key);
      if (d !== undefined && !("value" in d)) {
        throw new RegistryError(
          "INVALID_PLUGIN",
          `Plugin module ${specifier}: member ${
            oneLine(String(key), 60)
          } is a getter; a plugin's members must be plain values`,
        );
      }
    }
  }
}

async function loadModule(
  registry: Registry,
  m: PluginModuleRef,
): Promise<Plugin[]> {
  try {
    let mod: Record<string, unknown> | undefined;
    try {
      mod = await import(resolveSpecifier(m.specifier, m.cwd));
    } catch {
      mod = undefined; // registry.load imports it again and says why it failed
    }
    if (mod !== undefined) checkPlainExports(m.specifier, mod);
    return await registry.load(m.specifier, { cwd: m.cwd });
  } catch (err) {
    if (err instanceof Error && USER_ERRORS.has(err.name)) throw err;
    // A Proxy or a throwing getter in the exports: the module's fault, told as the user's.
    const e = errorToWire(err);
    throw new RegistryError(
      "INVALID_PLUGIN",
      `Plugin module ${m.specifier}: reading its exports threw ${oneLine(e.name, 60)}: ${
        oneLine(e.message, 300)
      }`,
    );
  }
}

async function answer(request: CellWorkerRequest): Promise<CellWorkerReply> {
  const registry = createDefaultRegistry();
  const loaded: Plugin[] = [];
  try {
    for (const m of request.modules) loaded.push(...await loadModule(registry, m));
  } catch (err) {
    return { type: "error", error: errorToWire(err), during: "load" };
  }
  if (request.type === "describe") {
    return { type: "described", plugins: describe(registry, loaded) };
  }
  const guarded = guardRegistry(registry);
  if (request.type === "preflight") {
    const problems = await preflightModule.checkPluginOptions(request.cells, guarded);
    return { type: "preflighted", problems: problems.map((p) => oneLine(p)) };
  }
  const result = await runnerModule.runCellByName(request.spec, guarded, {
    engine: defaultEngineModule.createDefaultEngine(),
  });
  return { type: "result", result };
}

/** Let pending timers and rejections of plugin code fire before answering (they fail the cell). */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(() => setTimeout(resolve, 0), 0));
}

if (typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== "undefined") {
  const scope = globalThis as unknown as {
    postMessage(message: unknown): void;
    close(): void;
    onmessage: ((e: MessageEvent) => void) | null;
    addEventListener(type: string, fn: (e: Event) => void): void;
  };
  // Keep the way back private: plugin code must not be able to post a made-up result.
  const post = scope.postMessage.bind(scope);
  let replied = false;
  const reply = (message: CellWorkerReply): void => {
    if (replied) return;
    replied = true;
    post(message);
  };
  const refuse = (what: string) => () => {
    throw new Error(`${what} is not allowed in a cell Worker`);
  };
  for (const target of [scope, Object.getPrototypeOf(scope)]) {
    try {
      Object.defineProperty(target, "postMessage", { value: refuse("postMessage()") });
      Object.defineProperty(target, "close", { value: refuse("close()") });
    } catch {
      // not configurable here: the timeout still ends a Worker that never answers
    }
  }
  try {
    Object.defineProperty(Deno, "exit", { value: refuse("Deno.exit()") });
  } catch {
    // as above
  }
  const crash = (err: unknown): void => {
    reply({ type: "error", error: errorToWire(err), during: "crash" });
  };
  scope.addEventListener("error", (e) => {
    e.preventDefault();
    crash((e as ErrorEvent).error ?? new Error((e as ErrorEvent).message));
  });
  scope.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    crash((e as PromiseRejectionEvent).reason);
  });
  // From here on plugin code cannot patch what the harness uses (bench/run/intrinsics.ts).
  hardenRealm(HARNESS_MODULES);
  scope.onmessage = (e: MessageEvent) => {
    scope.onmessage = null;
    answer(e.data as CellWorkerRequest).then(
      (r) => settle().then(() => reply(r)),
      crash,
    );
  };
}
