/**
 * The harness's own tools out of plugin reach (issue 16). A cell Worker calls
 * {@linkcode hardenRealm} before it imports any plugin module: from then on plugin code cannot
 * replace or patch what the integrity check, the contract guards, the timer and the way back to
 * the main process use.
 *
 * - Every standard global the harness names (typed arrays, `performance`, `Math`, `Object`,
 *   `Array`, `Promise`, `structuredClone`, ...) becomes a non-writable, non-configurable property
 *   of the global object: `globalThis.Uint32Array = ...` throws (modules are strict code).
 * - The constructors' own members (`Object.is`, `Number.isSafeInteger`, `Date.now`, ...) and the
 *   prototypes of the built-in classes (`Array.prototype`, `%TypedArray%.prototype`,
 *   `Map.prototype`, `Promise.prototype`, the iterator prototypes, `Object.prototype`, ...) are
 *   frozen: `Uint8Array.prototype.set = ...` or a getter on `Object.prototype` (a forged
 *   `then`, a made-up option) throws.
 * - `performance.now` becomes an own, frozen member of `performance` bound to the real clock.
 * - The exports of the harness's modules (passed by the caller) are frozen, with their classes'
 *   prototypes: a plugin that imports `bench/runner.ts` cannot patch `HistogramRecorder`.
 *
 * Freezing a prototype turns an assignment to an inherited member (`obj.toString = f`) into a
 * TypeError: the "override mistake". For the few prototypes ordinary code assigns through
 * (`Object.prototype`, `Function.prototype`, the error prototypes), each data member becomes an
 * accessor whose setter defines the member on the object assigned to, as SES's lockdown does,
 * so such code keeps working. This is the part of SES's idea a benchmark needs, not SES itself:
 * it is written for Deno's Worker globals and leaves the rest of the realm alone.
 *
 * Persistent storage is removed: `caches` (the Web Cache API writes under the Deno cache
 * folder) and, where present, `localStorage`, `sessionStorage` and `indexedDB`.
 *
 * @module
 */

const GLOBALS = [
  "Object",
  "Function",
  "Array",
  "Number",
  "String",
  "Boolean",
  "Symbol",
  "BigInt",
  "Math",
  "JSON",
  "Reflect",
  "Proxy",
  "Promise",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "WeakRef",
  "FinalizationRegistry",
  "Date",
  "RegExp",
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "EvalError",
  "URIError",
  "AggregateError",
  "ArrayBuffer",
  "SharedArrayBuffer",
  "DataView",
  "Atomics",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "Float16Array",
  "Iterator",
  "performance",
  "structuredClone",
  "queueMicrotask",
  "setTimeout",
  "clearTimeout",
  "setInterval",
  "clearInterval",
  "TextEncoder",
  "TextDecoder",
  "WebAssembly",
  "Intl",
  "isFinite",
  "isNaN",
  "parseInt",
  "parseFloat",
  "Deno",
] as const;

/** Constructors and namespaces whose own members are frozen. */
const FROZEN_STATICS = [
  "Object",
  "Array",
  "Number",
  "String",
  "Boolean",
  "Symbol",
  "BigInt",
  "Math",
  "JSON",
  "Reflect",
  "Promise",
  "Map",
  "Set",
  "WeakMap",
  "WeakSet",
  "Date",
  "ArrayBuffer",
  "SharedArrayBuffer",
  "DataView",
  "Atomics",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
  "BigInt64Array",
  "BigUint64Array",
  "Float16Array",
] as const;

/** Prototypes ordinary code assigns through: frozen with overridable members. */
const OVERRIDABLE = [
  "Object",
  "Function",
  "Error",
  "TypeError",
  "RangeError",
  "SyntaxError",
  "ReferenceError",
  "EvalError",
  "URIError",
  "AggregateError",
] as const;

const STORAGE = ["caches", "localStorage", "sessionStorage", "indexedDB"] as const;

let hardened = false;

/**
 * Harden this realm (a cell Worker) before plugin code runs. Idempotent.
 *
 * @param harnessModules Module namespaces of the harness whose exports are frozen.
 *
 * @example
 * ```ts ignore
 * import * as runner from "./runner.ts";
 * hardenRealm([runner]);
 * ```
 */
export function hardenRealm(harnessModules: readonly object[] = []): void {
  if (hardened) return;
  hardened = true;
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of STORAGE) {
    try {
      delete g[name];
    } catch {
      // not configurable: leave it
    }
  }
  // performance.now: an own frozen member bound to the real clock, whatever the prototype says.
  const perf = g.performance as Performance | undefined;
  if (perf !== undefined) {
    const now = Object.getPrototypeOf(perf).now.bind(perf);
    Object.defineProperty(perf, "now", { value: now, writable: false, configurable: false });
  }

  const protos = new Set<object>();
  const overridable = new Set<object>();
  for (const name of OVERRIDABLE) {
    const ctor = g[name] as { prototype?: object } | undefined;
    if (ctor?.prototype) overridable.add(ctor.prototype);
  }
  for (const name of GLOBALS) {
    const v = g[name] as { prototype?: unknown } | undefined;
    if (typeof v === "function" && typeof v.prototype === "object" && v.prototype !== null) {
      protos.add(v.prototype);
    }
  }
  const typedArray = Object.getPrototypeOf(Uint8Array) as { prototype: object };
  protos.add(typedArray.prototype);
  protos.add(Object.getPrototypeOf(perf ?? {}));
  for (const it of [[][Symbol.iterator](), new Map()[Symbol.iterator](), new Set().values()]) {
    protos.add(Object.getPrototypeOf(it));
  }
  protos.add(Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
  protos.add(Object.getPrototypeOf("x"[Symbol.iterator]()));
  const gen = Object.getPrototypeOf(function* () {});
  protos.add(gen);
  protos.add(gen.prototype);
  const asyncFn = Object.getPrototypeOf(async function () {});
  protos.add(asyncFn);
  const asyncGen = Object.getPrototypeOf(async function* () {});
  protos.add(asyncGen);
  protos.add(asyncGen.prototype);
  protos.add(Object.getPrototypeOf(asyncGen.prototype));

  for (const p of overridable) enableOverrides(p);
  for (const p of protos) Object.freeze(p);
  Object.freeze(typedArray);
  for (const name of FROZEN_STATICS) {
    const v = g[name];
    if (v !== undefined && v !== null) Object.freeze(v);
  }
  for (const name of GLOBALS) {
    if (!(name in g)) continue;
    const value = g[name];
    try {
      Object.defineProperty(globalThis, name, { value, writable: false, configurable: false });
    } catch {
      // already non-configurable
    }
  }
  for (const ns of harnessModules) freezeExports(ns);
}

/** Freeze a module's exported functions (and their prototypes) and objects, one level deep. */
function freezeExports(ns: object): void {
  for (const value of Object.values(ns)) {
    if (typeof value === "function") {
      if (typeof value.prototype === "object" && value.prototype !== null) {
        Object.freeze(value.prototype);
      }
      Object.freeze(value);
    } else if (typeof value === "object" && value !== null && !ArrayBuffer.isView(value)) {
      Object.freeze(value);
    }
  }
}

/**
 * Turn each data member of a prototype into an accessor whose getter gives the value and whose
 * setter defines an own member on the object assigned to (never on the prototype itself).
 */
function enableOverrides(proto: object): void {
  for (const key of Reflect.ownKeys(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, key)!;
    if (!("value" in d) || !d.configurable) continue;
    const value = d.value;
    Object.defineProperty(proto, key, {
      get() {
        return value;
      },
      set(this: object, v: unknown) {
        if (this === proto) {
          throw new TypeError(`Cannot assign to ${String(key)} of a frozen prototype`);
        }
        Object.defineProperty(this, key, {
          value: v,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      },
      enumerable: d.enumerable,
      configurable: false,
    });
  }
}
