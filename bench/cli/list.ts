/**
 * `deno task cli list [--json] [--all] [--plugin SPEC]`: every registered plugin by kind, and the
 * kernel presets.
 *
 * @module
 */
import type { Registry } from "../../registry/registry.ts";
import { PLUGIN_KINDS } from "../../registry/schemas.ts";
import type { PluginKind } from "../../registry/types.ts";
import { parseFlags } from "./args.ts";
import type { BenchEngine } from "../run/engine.ts";
import { oneLine } from "../results/text.ts";
import { type OptionDoc, optionsText, pluginOptions } from "./options_doc.ts";

/** Help text of `list`. */
export const LIST_HELP = `Usage: deno task cli list [--json] [--all] [--options] [--plugin SPEC]...

Print every registered plugin (allocators, compressors, workloads, strategies) and the kernel
presets.

  --json         machine-readable: {"allocators": [{"name", "description", "source"}], ...,
                 "presets": [{"name", "strategy"}]}
  --all          include internal plugins (marked "internal")
  --options      each plugin's options: type, default and what it does (from its schema);
                 with --json, an "options" array per plugin
  --plugin SPEC  load a plugin module first (repeatable)
  --help         this text`;

/** One plugin as `list --json` prints it. */
export interface ListedPlugin {
  /** Name. */
  name: string;
  /** One line. */
  description: string;
  /** `built-in` or the module URL. */
  source: string;
  /** Present (true) for internal plugins, listed only with `--all`. */
  internal?: true;
  /** The options (with `--options`): null when the plugin has no schema. */
  options?: OptionDoc[] | null;
  /** The zod schema (in process only, for {@linkcode formatListing}; never printed). */
  optionsSchema?: unknown;
}

/** What `list --json` prints. */
export interface Listing {
  /** zpool drivers. */
  allocators: ListedPlugin[];
  /** Compressors. */
  compressors: ListedPlugin[];
  /** Workloads. */
  workloads: ListedPlugin[];
  /** Load-path strategies. */
  strategies: ListedPlugin[];
  /** Kernel presets and the strategy each runs by default. */
  presets: { name: string; strategy: string }[];
}

/**
 * The listing of a registry and engine.
 *
 * @param registry The plugins.
 * @param engine The presets.
 * @param includeInternal Include internal plugins.
 * @returns Plugins by kind and the presets.
 */
export function buildListing(
  registry: Registry,
  engine: Pick<BenchEngine, "presetNames" | "presetStrategy">,
  includeInternal = false,
): Listing {
  const kindKey: Record<PluginKind, keyof Omit<Listing, "presets">> = {
    allocator: "allocators",
    compressor: "compressors",
    workload: "workloads",
    strategy: "strategies",
  };
  const out: Listing = {
    allocators: [],
    compressors: [],
    workloads: [],
    strategies: [],
    presets: engine.presetNames.map((name) => ({ name, strategy: engine.presetStrategy(name) })),
  };
  for (const kind of PLUGIN_KINDS) {
    for (const e of registry.entries(kind, { includeInternal })) {
      const item: ListedPlugin = {
        name: e.plugin.name,
        description: e.plugin.description,
        source: e.source,
      };
      if (registry.isInternal(kind, e.plugin.name)) item.internal = true;
      if (e.plugin.optionsSchema !== undefined) {
        Object.defineProperty(item, "optionsSchema", { value: e.plugin.optionsSchema });
      }
      out[kindKey[kind]].push(item);
    }
  }
  return out;
}

/**
 * The listing as text, a section per kind.
 *
 * @param listing What {@linkcode buildListing} gave.
 * @returns The text.
 */
export function formatListing(listing: Listing, withOptions = false): string {
  const lines: string[] = [];
  for (const key of ["allocators", "compressors", "workloads", "strategies"] as const) {
    lines.push(`${key}:`);
    const items = listing[key];
    if (items.length === 0) lines.push("  (none)");
    const width = Math.max(0, ...items.map((i) => i.name.length));
    for (const i of items) {
      const tags = [i.internal ? "internal" : "", i.source !== "built-in" ? i.source : ""]
        .filter((t) => t !== "");
      lines.push(
        `  ${i.name.padEnd(width)}  ${oneLine(i.description, 300)}${
          tags.length ? ` [${tags.join(", ")}]` : ""
        }`,
      );
      if (withOptions) lines.push(...optionsText(i));
    }
    lines.push("");
  }
  lines.push("presets (default strategy):");
  const width = Math.max(0, ...listing.presets.map((p) => p.name.length));
  for (const p of listing.presets) lines.push(`  ${p.name.padEnd(width)}  ${p.strategy}`);
  return lines.join("\n");
}

/**
 * Run the `list` subcommand.
 *
 * @param args Arguments after `list`.
 * @returns 0.
 * @throws {UsageError} For a bad flag; {@linkcode RegistryError} for a bad plugin module.
 */
export async function main(args: string[]): Promise<number> {
  const { values } = parseFlags("list", args, {
    json: { type: "boolean" },
    all: { type: "boolean" },
    options: { type: "boolean" },
    plugin: { type: "string", multiple: true },
    debug: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(LIST_HELP);
    return 0;
  }
  const { createDefaultRegistry } = await import("../../builtins/mod.ts");
  const { createDefaultEngine } = await import("../run/default_engine.ts");
  const registry = createDefaultRegistry();
  const plugins = (values.plugin as string[] | undefined) ?? [];
  if (plugins.length > 0) {
    // Checked in a Worker without permissions: plugin code never runs in this process.
    const { loadPluginsIsolated } = await import("../run/worker_pool.ts");
    await loadPluginsIsolated(registry, plugins);
  }
  const listing = buildListing(registry, createDefaultEngine(), values.all === true);
  if (values.options && values.json) {
    for (const key of ["allocators", "compressors", "workloads", "strategies"] as const) {
      for (const i of listing[key]) i.options = pluginOptions(i);
    }
  }
  console.log(
    values.json
      ? JSON.stringify(listing, null, 2)
      : formatListing(listing, values.options === true),
  );
  return 0;
}
