/**
 * Contract guards for external plugins (issue 9): wrappers that check what a third-party
 * allocator, compressor, workload or strategy hands back, so nonsense fails its own cell with a
 * message naming the plugin instead of corrupting the frontend's state or crashing the run.
 *
 * - allocator: `malloc()` returns a non-negative integer handle that is not live; `free()`,
 *   `map()`, `unmap()` and the read APIs take only live handles (the wrapper tracks them);
 *   `map()` and `readBegin()` return a `Uint8Array` of exactly the allocated size,
 *   `readSegments()` views whose lengths add up to it; `totalPages()` and `compact()` return
 *   non-negative integers.
 * - compressor: `compress()` and `decompress()` return an integer from 0 to `dst.length`, and a
 *   plugin declared `async: false` returns a number, not a Promise.
 * - workload: each op has `op` store, load or invalidate, a non-negative integer `offset`, and
 *   for a store a non-negative integer `pageId`.
 * - strategy: `create()` returns a function.
 *
 * Built-in plugins run unwrapped (the guards cost a call per operation). Stored data that comes
 * back wrong is the frontend's integrity check's job (`integrity_failures`).
 *
 * @module
 */
import { Registry } from "../../registry/registry.ts";
import type {
  AllocatorPlugin,
  Compressor,
  CompressorPlugin,
  Handle,
  MapMode,
  Op,
  Plugin,
  StrategyPlugin,
  Workload,
  WorkloadPlugin,
  Zpool,
} from "../../registry/types.ts";

/**
 * A plugin broke its contract (a duplicate handle, a view of the wrong length, a length past the
 * buffer). Fails the cell it happened in.
 */
export class PluginContractError extends Error {
  /**
   * Make the error.
   *
   * @param message Names the plugin, the call and what came back.
   */
  constructor(message: string) {
    super(message);
    this.name = "PluginContractError";
  }
}

/**
 * A copy of a registry in which every plugin that is not built-in is wrapped in its guard.
 *
 * @param registry The registry (built-ins and loaded modules).
 * @returns A new registry with the same plugins and sources.
 *
 * @example
 * ```ts ignore
 * const guarded = guardRegistry(registry);
 * const result = await runCellByName(spec, guarded);
 * ```
 */
export function guardRegistry(registry: Registry): Registry {
  const out = new Registry();
  const all = registry.all({ includeInternal: true });
  for (const entries of Object.values(all)) {
    for (const { plugin, source } of entries) {
      out.register(source === "built-in" ? plugin : guardPlugin(plugin), source);
    }
  }
  return out;
}

/**
 * Wrap one plugin in the guard of its kind. The wrapper has the same data members.
 *
 * @param plugin The plugin.
 * @returns The guarded plugin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { guardPlugin } from "./guard.ts";
 * const p = guardPlugin({ kind: "strategy", name: "s", description: "", create: () => () => 0 });
 * assert.equal(p.name, "s");
 * ```
 */
export function guardPlugin<P extends Plugin>(plugin: P): P {
  switch (plugin.kind) {
    case "allocator":
      return guardAllocator(plugin) as P;
    case "compressor":
      return guardCompressor(plugin) as P;
    case "workload":
      return guardWorkload(plugin) as P;
    case "strategy":
      return guardStrategy(plugin) as P;
  }
  return plugin;
}

function guardAllocator(plugin: AllocatorPlugin): AllocatorPlugin {
  const who = `Allocator "${plugin.name}"`;
  return {
    ...plugin,
    create(env) {
      const pool = plugin.create(env);
      for (const m of ["malloc", "free", "map", "unmap", "totalPages", "stats"] as const) {
        if (typeof pool?.[m] !== "function") {
          throw new PluginContractError(`${who}: create() returned a pool without ${m}()`);
        }
      }
      return new GuardedPool(pool, who);
    },
  };
}

/** A pool that checks every handle and view its inner pool hands back. */
class GuardedPool implements Zpool {
  #pool: Zpool;
  #who: string;
  /** Live handles and their sizes. */
  #live = new Map<Handle, number>();
  compact?: () => number;
  readBegin?: (handle: Handle, localCopy: Uint8Array) => Uint8Array;
  readEnd?: (handle: Handle) => void;
  readSegments?: (handle: Handle) => Uint8Array[];
  liveObjects?: () => Iterable<[Handle, Uint8Array]>;

  constructor(pool: Zpool, who: string) {
    this.#pool = pool;
    this.#who = who;
    // Optional members stay absent when the inner pool lacks them: strategies test for them.
    if (typeof pool.compact === "function") {
      this.compact = () => this.#count("compact", pool.compact!());
    }
    if (typeof pool.readBegin === "function" && typeof pool.readEnd === "function") {
      this.readBegin = (handle, localCopy) => {
        const size = this.#size(handle, "readBegin");
        return this.#view(pool.readBegin!(handle, localCopy), size, "readBegin", handle);
      };
      this.readEnd = (handle) => {
        this.#size(handle, "readEnd");
        pool.readEnd!(handle);
      };
    }
    if (typeof pool.readSegments === "function") {
      this.readSegments = (handle) => {
        const size = this.#size(handle, "readSegments");
        const segments = pool.readSegments!(handle);
        if (
          !Array.isArray(segments) || segments.length === 0 ||
          !segments.every((s) => s instanceof Uint8Array) ||
          segments.reduce((n, s) => n + s.length, 0) !== size
        ) {
          throw new PluginContractError(
            `${who}: readSegments(${handle}) did not return views of ${size} bytes in all`,
          );
        }
        return segments;
      };
    }
    if (typeof pool.liveObjects === "function") this.liveObjects = () => pool.liveObjects!();
  }

  malloc(size: number): Handle {
    const handle = this.#pool.malloc(size);
    if (!Number.isSafeInteger(handle) || handle < 0) {
      throw new PluginContractError(
        `${this.#who}: malloc(${size}) returned ${
          describe(handle)
        }, not a non-negative integer handle`,
      );
    }
    if (this.#live.has(handle)) {
      throw new PluginContractError(
        `${this.#who}: malloc(${size}) returned handle ${handle}, which is still live (a duplicate handle)`,
      );
    }
    this.#live.set(handle, size);
    return handle;
  }

  free(handle: Handle): void {
    this.#size(handle, "free");
    this.#pool.free(handle);
    this.#live.delete(handle);
  }

  map(handle: Handle, mode: MapMode, cpu?: number): Uint8Array {
    const size = this.#size(handle, "map");
    return this.#view(this.#pool.map(handle, mode, cpu), size, "map", handle);
  }

  unmap(handle: Handle, cpu?: number): void {
    this.#size(handle, "unmap");
    this.#pool.unmap(handle, cpu);
  }

  totalPages(): number {
    return this.#count("totalPages", this.#pool.totalPages());
  }

  stats(): Record<string, unknown> {
    const stats = this.#pool.stats();
    if (typeof stats !== "object" || stats === null) {
      throw new PluginContractError(`${this.#who}: stats() returned ${describe(stats)}`);
    }
    return stats;
  }

  /** The size of a live handle; a contract error naming the call for any other handle. */
  #size(handle: Handle, call: string): number {
    const size = this.#live.get(handle);
    if (size === undefined) {
      throw new PluginContractError(
        `${this.#who}: ${call}() of handle ${
          describe(handle)
        }, which malloc() never returned or which was freed`,
      );
    }
    return size;
  }

  #view(view: unknown, size: number, call: string, handle: Handle): Uint8Array {
    if (!(view instanceof Uint8Array) || view.length !== size) {
      throw new PluginContractError(
        `${this.#who}: ${call}(${handle}) returned ${
          view instanceof Uint8Array ? `a view of ${view.length} bytes` : describe(view)
        } for an object of ${size} bytes`,
      );
    }
    return view;
  }

  #count(call: string, n: unknown): number {
    if (!Number.isSafeInteger(n) || (n as number) < 0) {
      throw new PluginContractError(
        `${this.#who}: ${call}() returned ${describe(n)}, not a non-negative integer`,
      );
    }
    return n as number;
  }
}

function guardCompressor(plugin: CompressorPlugin): CompressorPlugin {
  const who = `Compressor "${plugin.name}"`;
  const wrap = (c: Compressor): Compressor => {
    for (const m of ["compress", "decompress"] as const) {
      if (typeof c?.[m] !== "function") {
        throw new PluginContractError(`${who}: create() returned an instance without ${m}()`);
      }
    }
    const check = (call: string, n: unknown, dst: Uint8Array): number => {
      if (!Number.isSafeInteger(n) || (n as number) < 0 || (n as number) > dst.length) {
        throw new PluginContractError(
          `${who}: ${call}() returned ${describe(n)}, not a length from 0 to ${dst.length}`,
        );
      }
      return n as number;
    };
    const call = (
      name: "compress" | "decompress",
      src: Uint8Array,
      dst: Uint8Array,
    ): number | Promise<number> => {
      const r = c[name](src, dst);
      if (r instanceof Promise) {
        if (!plugin.async) {
          throw new PluginContractError(
            `${who}: ${name}() returned a Promise, but the plugin is declared async: false`,
          );
        }
        return r.then((n) => check(name, n, dst));
      }
      return check(name, r, dst);
    };
    const guarded: Compressor = {
      compress: (src, dst) => call("compress", src, dst),
      decompress: (src, dst) => call("decompress", src, dst),
    };
    if (typeof c.close === "function") guarded.close = () => c.close!();
    return guarded;
  };
  return {
    ...plugin,
    create(options) {
      const c = plugin.create(options);
      return c instanceof Promise ? c.then(wrap) : wrap(c);
    },
  };
}

const OPS = new Set(["store", "load", "invalidate"]);

function guardWorkload(plugin: WorkloadPlugin): WorkloadPlugin {
  const who = `Workload "${plugin.name}"`;
  const wrap = (w: Workload): Workload => {
    for (const m of ["ops", "page"] as const) {
      if (typeof w?.[m] !== "function") {
        throw new PluginContractError(`${who}: create() returned a workload without ${m}()`);
      }
    }
    const guarded: Workload = {
      *ops(): Iterable<Op> {
        let i = 0;
        for (const op of w.ops()) {
          checkOp(who, op, i++);
          yield op;
        }
      },
      page: (pageId, into) => w.page(pageId, into),
    };
    if (typeof w.close === "function") guarded.close = () => w.close!();
    return guarded;
  };
  return {
    ...plugin,
    create(env) {
      const w = plugin.create(env);
      return w instanceof Promise ? w.then(wrap) : wrap(w);
    },
  };
}

function checkOp(who: string, op: Op, index: number): void {
  const bad = (what: string): never => {
    throw new PluginContractError(`${who}: op ${index} ${what}`);
  };
  if (typeof op !== "object" || op === null) bad(`is ${describe(op)}, not an object`);
  if (!OPS.has(op.op)) bad(`has op ${describe(op.op)} (expected store, load or invalidate)`);
  if (!Number.isSafeInteger(op.offset) || op.offset < 0) {
    bad(`has offset ${describe(op.offset)}, not a non-negative integer`);
  }
  if (op.op === "store" && (!Number.isSafeInteger(op.pageId) || op.pageId < 0)) {
    bad(`stores page ${describe(op.pageId)}, not a non-negative integer page id`);
  }
}

function guardStrategy(plugin: StrategyPlugin): StrategyPlugin {
  return {
    ...plugin,
    create(options) {
      const fn = plugin.create(options);
      if (typeof fn !== "function") {
        throw new PluginContractError(
          `Strategy "${plugin.name}": create() returned ${describe(fn)}, not a function`,
        );
      }
      return fn;
    },
  };
}

function describe(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v);
  if (typeof v === "number" || typeof v === "boolean" || v == null) return String(v);
  if (v instanceof Promise) return "a Promise";
  if (Array.isArray(v)) return "an array";
  return `a ${typeof v}`;
}
