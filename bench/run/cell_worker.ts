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

async function answer(request: CellWorkerRequest): Promise<CellWorkerReply> {
  const registry = createDefaultRegistry();
  const loaded: Plugin[] = [];
  try {
    for (const m of request.modules) {
      loaded.push(...await registry.load(m.specifier, { cwd: m.cwd }));
    }
  } catch (err) {
    return { type: "error", error: errorToWire(err), during: "load" };
  }
  if (request.type === "describe") {
    return { type: "described", plugins: describe(registry, loaded) };
  }
  const guarded = guardRegistry(registry);
  if (request.type === "preflight") {
    const { checkPluginOptions } = await import("./preflight.ts");
    return { type: "preflighted", problems: await checkPluginOptions(request.cells, guarded) };
  }
  const { runCellByName } = await import("./runner.ts");
  const { createDefaultEngine } = await import("./default_engine.ts");
  const result = await runCellByName(request.spec, guarded, { engine: createDefaultEngine() });
  return { type: "result", result };
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
  scope.onmessage = (e: MessageEvent) => {
    scope.onmessage = null;
    answer(e.data as CellWorkerRequest).then(reply, crash);
  };
}
