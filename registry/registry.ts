/**
 * The plugin registry: the one place that knows how plugins are found (DESIGN §3). Built-ins are
 * registered by `builtins/mod.ts`; external modules are loaded with
 * {@linkcode Registry.load} from a path, a `file:` URL or an `npm:`/`jsr:`/`https:` specifier.
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { checkPlugin, PLUGIN_KINDS } from "./schemas.ts";
import type { Plugin, PluginByKind, PluginKind } from "./types.ts";

/** Why the registry refused something. */
export type RegistryErrorCode =
  | "UNKNOWN_PLUGIN"
  | "INVALID_PLUGIN"
  | "DUPLICATE_PLUGIN"
  | "IMPORT_FAILED"
  | "NO_PLUGINS";

/**
 * `import()` of a plugin module whose specifier is known only at run time. It goes through a
 * function built at run time on purpose: `deno publish` cannot analyse a user's plugin specifier
 * and would warn about a direct `import(url)`; the specifier is always absolute here (a `file:` URL
 * or an `npm:`/`jsr:`/`https:` specifier), so no import map or referrer is needed to resolve it.
 */
const importPluginModule = new Function("specifier", "return import(specifier)") as (
  specifier: string,
) => Promise<Record<string, unknown>>;

/**
 * A registry failure the user can act on (unknown name, bad module, name collision). The CLI
 * prints its message alone and exits with status 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RegistryError } from "./registry.ts";
 * const err = new RegistryError("UNKNOWN_PLUGIN", 'Unknown compressor "lz5" (known: lz4)');
 * assert.equal(err.code, "UNKNOWN_PLUGIN");
 * ```
 */
export class RegistryError extends Error {
  /** What went wrong. */
  readonly code: RegistryErrorCode;
  /**
   * Make a registry error.
   *
   * @param code What went wrong.
   * @param message One line naming the plugin or module and the way out.
   * @param options The underlying cause, if any.
   */
  constructor(code: RegistryErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RegistryError";
    this.code = code;
  }
}

/** A registered plugin and where it came from. */
export interface RegistryEntry<K extends PluginKind = PluginKind> {
  /** The plugin. */
  plugin: PluginByKind[K];
  /** `built-in`, or the module URL it was loaded from. */
  source: string;
}

/** Options of {@linkcode Registry.load}. */
export interface LoadOptions {
  /** Directory a relative path is resolved against (default `Deno.cwd()`). */
  cwd?: string;
}

/** Options of {@linkcode Registry.list}. */
export interface ListOptions {
  /**
   * Include internal plugins: a compressor that is some workload's `fixedCompressor`, or any
   * plugin with `internal: true` (default false).
   */
  includeInternal?: boolean;
}

/**
 * Plugins by kind and name. Names are unique per kind; a second plugin with a taken name is an
 * error naming both sources.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Registry } from "./registry.ts";
 * const registry = new Registry();
 * registry.register({
 *   kind: "strategy",
 *   name: "noop",
 *   description: "Does nothing",
 *   create: () => () => 0,
 * });
 * assert.equal(registry.get("strategy", "noop").name, "noop");
 * ```
 */
export class Registry {
  #byKind: { [K in PluginKind]: Map<string, RegistryEntry<K>> } = {
    allocator: new Map(),
    compressor: new Map(),
    workload: new Map(),
    strategy: new Map(),
  };

  /**
   * Add a plugin after checking its shape.
   *
   * @param plugin The plugin object.
   * @param source Where it came from, named in collision errors (default `built-in`).
   * @throws {RegistryError} `INVALID_PLUGIN` for a bad shape, `DUPLICATE_PLUGIN` for a taken name.
   */
  register(plugin: Plugin, source = "built-in"): void {
    const problem = checkPlugin(plugin);
    if (problem !== null) {
      throw new RegistryError(
        "INVALID_PLUGIN",
        `Invalid plugin from ${sourceLabel(source)}: ${problem}`,
      );
    }
    const map = this.#byKind[plugin.kind] as Map<string, RegistryEntry>;
    const taken = map.get(plugin.name);
    if (taken !== undefined) {
      throw new RegistryError(
        "DUPLICATE_PLUGIN",
        `Two ${plural(plugin.kind)} are named "${plugin.name}": one from ${
          sourceLabel(taken.source)
        }, one from ${sourceLabel(source)} (rename one of them)`,
      );
    }
    map.set(plugin.name, { plugin, source });
  }

  /**
   * Is a plugin of this kind and name registered?
   *
   * @param kind The kind.
   * @param name The name.
   * @returns true when registered.
   */
  has(kind: PluginKind, name: string): boolean {
    return this.#byKind[kind].has(name);
  }

  /**
   * The plugin of this kind and name.
   *
   * @param kind The kind.
   * @param name The name.
   * @returns The plugin.
   * @throws {RegistryError} `UNKNOWN_PLUGIN`, listing the known names and the closest one.
   */
  get<K extends PluginKind>(kind: K, name: string): PluginByKind[K] {
    return this.entry(kind, name).plugin;
  }

  /**
   * The plugin of this kind and name with its source.
   *
   * @param kind The kind.
   * @param name The name.
   * @returns The entry.
   * @throws {RegistryError} `UNKNOWN_PLUGIN`, listing the known names and the closest one.
   */
  entry<K extends PluginKind>(kind: K, name: string): RegistryEntry<K> {
    const found = this.#byKind[kind].get(name);
    if (found !== undefined) return found as RegistryEntry<K>;
    const known = this.list(kind, { includeInternal: true }).map((p) => p.name);
    throw new RegistryError("UNKNOWN_PLUGIN", unknownNameMessage(kind, name, known));
  }

  /**
   * The plugins of one kind, sorted by name.
   *
   * @param kind The kind.
   * @param options Whether to include internal plugins.
   * @returns The plugins.
   */
  list<K extends PluginKind>(kind: K, options: ListOptions = {}): PluginByKind[K][] {
    return this.entries(kind, options).map((e) => e.plugin);
  }

  /**
   * The entries of one kind (plugin and source), sorted by name.
   *
   * @param kind The kind.
   * @param options Whether to include internal plugins.
   * @returns The entries.
   */
  entries<K extends PluginKind>(kind: K, options: ListOptions = {}): RegistryEntry<K>[] {
    const all = [...this.#byKind[kind].values()] as RegistryEntry<K>[];
    const shown = options.includeInternal === true
      ? all
      : all.filter((e) => !this.isInternal(kind, e.plugin.name));
    return shown.sort((a, b) => (a.plugin.name < b.plugin.name ? -1 : 1));
  }

  /**
   * Is this plugin internal (hidden from `cli list` and from default lists)? True for a plugin
   * with `internal: true` and for a compressor named as some workload's `fixedCompressor`.
   *
   * @param kind The kind.
   * @param name The name.
   * @returns true when internal.
   */
  isInternal(kind: PluginKind, name: string): boolean {
    const entry = this.#byKind[kind].get(name);
    if (entry === undefined) return false;
    if ((entry.plugin as unknown as { internal?: unknown }).internal === true) return true;
    if (kind !== "compressor") return false;
    for (const w of this.#byKind.workload.values()) {
      if (w.plugin.fixedCompressor === name) return true;
    }
    return false;
  }

  /**
   * Import an external plugin module and register what it exports: its default export (a plugin
   * or an array of plugins) or, failing that, a named `plugins` array.
   *
   * @param specifier A path (relative paths against `options.cwd`), a `file:` URL, or an `npm:`,
   *   `jsr:`, `http:` or `https:` specifier.
   * @param options The directory relative paths are resolved against.
   * @returns The plugins registered.
   * @throws {RegistryError} `IMPORT_FAILED`, `NO_PLUGINS`, `INVALID_PLUGIN`, `DUPLICATE_PLUGIN`.
   */
  async load(specifier: string, options: LoadOptions = {}): Promise<Plugin[]> {
    const url = resolveSpecifier(specifier, options.cwd);
    let mod: Record<string, unknown>;
    try {
      mod = await importPluginModule(url);
    } catch (err) {
      const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
      throw new RegistryError(
        "IMPORT_FAILED",
        `Plugin module ${specifier}: import failed: ${message}`,
        { cause: err },
      );
    }
    const exported = mod.default !== undefined ? mod.default : mod.plugins;
    if (exported === undefined) {
      throw new RegistryError(
        "NO_PLUGINS",
        `Plugin module ${specifier}: exports no plugins (export default a plugin or an array of plugins, or export a "plugins" array)`,
      );
    }
    const list = Array.isArray(exported) ? exported : [exported];
    if (list.length === 0) {
      throw new RegistryError(
        "NO_PLUGINS",
        `Plugin module ${specifier}: the plugin array is empty`,
      );
    }
    // Check every plugin before registering any, so a bad module leaves the registry unchanged.
    for (const plugin of list) {
      const problem = checkPlugin(plugin);
      if (problem !== null) {
        throw new RegistryError("INVALID_PLUGIN", `Plugin module ${specifier}: ${problem}`);
      }
    }
    const seen = new Set<string>();
    for (const plugin of list as Plugin[]) {
      const key = `${plugin.kind}:${plugin.name}`;
      if (seen.has(key)) {
        throw new RegistryError(
          "DUPLICATE_PLUGIN",
          `Plugin module ${specifier}: exports two ${
            plural(plugin.kind)
          } named "${plugin.name}" (rename one of them)`,
        );
      }
      seen.add(key);
      const taken = this.#byKind[plugin.kind].get(plugin.name);
      if (taken !== undefined) {
        throw new RegistryError(
          "DUPLICATE_PLUGIN",
          `Two ${plural(plugin.kind)} are named "${plugin.name}": one from ${
            sourceLabel(taken.source)
          }, one from plugin module ${specifier} (rename one of them)`,
        );
      }
    }
    for (const plugin of list as Plugin[]) this.register(plugin, url);
    return list as Plugin[];
  }

  /**
   * Every registered plugin of every kind, for `cli list`.
   *
   * @param options Whether to include internal plugins.
   * @returns Plugins by kind.
   */
  all(options: ListOptions = {}): { [K in PluginKind]: RegistryEntry<K>[] } {
    const out = {} as { [K in PluginKind]: RegistryEntry<K>[] };
    for (const kind of PLUGIN_KINDS) {
      (out as Record<PluginKind, RegistryEntry[]>)[kind] = this.entries(kind, options);
    }
    return out;
  }
}

/**
 * Resolve a plugin module specifier to what `import()` takes.
 *
 * @param specifier A path, `file:` URL or `npm:`/`jsr:`/`http(s):` specifier.
 * @param cwd The directory for relative paths (default `Deno.cwd()`).
 * @returns A URL string.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveSpecifier } from "./registry.ts";
 * assert.equal(resolveSpecifier("./x.ts", "/tmp"), "file:///tmp/x.ts");
 * ```
 */
export function resolveSpecifier(specifier: string, cwd?: string): string {
  if (/^(npm|jsr|https?|file|data):/.test(specifier)) return specifier;
  const path = isAbsolute(specifier) ? specifier : resolve(cwd ?? Deno.cwd(), specifier);
  return pathToFileURL(path).href;
}

/**
 * The message for an unknown plugin name: the known names and the closest one.
 *
 * @param kind The kind asked for.
 * @param name The unknown name.
 * @param known The registered names.
 * @returns e.g. `Unknown compressor "lz5" (known: deflate, lz4, zstd; did you mean "lz4"?)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unknownNameMessage } from "./registry.ts";
 * const msg = unknownNameMessage("compressor", "lz5", ["deflate", "lz4", "zstd"]);
 * assert.equal(msg, 'Unknown compressor "lz5" (known: deflate, lz4, zstd; did you mean "lz4"?)');
 * ```
 */
export function unknownNameMessage(kind: string, name: string, known: readonly string[]): string {
  const list = known.length > 0 ? `known: ${known.join(", ")}` : `no ${plural(kind)} are known`;
  const guess = closestName(name, known);
  return `Unknown ${kind} "${name}" (${list}${guess ? `; did you mean "${guess}"?` : ""})`;
}

/**
 * The known name closest to `name` by edit distance, when close enough to be a typo.
 *
 * @param name What the user typed.
 * @param known The candidates.
 * @returns The best candidate, or undefined when none is within a third of the length (at least 2).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closestName } from "./registry.ts";
 * assert.equal(closestName("zsmaloc", ["zbud", "zsmalloc"]), "zsmalloc");
 * ```
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  // A shortened name ("percpu") or an over-long one ("6.1.0"): the one known name it begins or
  // that begins it.
  const lower = name.toLowerCase();
  const related = known.filter((k) =>
    k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase())
  );
  if (related.length === 1) return related[0];
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(name.length / 3));
  return bestDistance <= limit ? best : undefined;
}

/**
 * Levenshtein distance (insert, delete, substitute; each costs 1).
 *
 * @param a One string.
 * @param b The other.
 * @returns The number of edits.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { editDistance } from "./registry.ts";
 * assert.equal(editDistance("lz5", "lz4"), 1);
 * ```
 */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    prev = cur;
  }
  return prev[b.length];
}

function plural(kind: string): string {
  return kind.endsWith("y") ? `${kind.slice(0, -1)}ies` : `${kind}s`;
}

function sourceLabel(source: string): string {
  if (source === "built-in") return "built-in";
  return source.startsWith("file:") ? `plugin module ${decodeURI(new URL(source).pathname)}` : (
    `plugin module ${source}`
  );
}
