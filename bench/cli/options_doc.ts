/**
 * Plugin option docs from one source, the plugins' zod schemas (`optionsSchema`): each field's
 * name, type, default and description, for `cli list --options` and `docs/plugin-options.md`
 * (which a test keeps equal to {@linkcode optionsMarkdown}).
 *
 * @module
 */
import { z } from "zod";

/** One documented option. */
export interface OptionDoc {
  /** The key in the plugin's options object. */
  name: string;
  /** Its type, e.g. `integer 1..22`, `"zlib" | "pako"`. */
  type: string;
  /** Its default as JSON text, `(required)`, or `(none)` when absent means "not set". */
  default: string;
  /** What it does. */
  description: string;
}

/** A plugin as far as its option docs go. */
export interface DocumentedPlugin {
  /** Name. */
  name: string;
  /** The zod schema of its options, if it has one. */
  optionsSchema?: unknown;
}

/**
 * The options a plugin's schema documents, in schema order.
 *
 * @param plugin The plugin.
 * @returns One entry per option; empty when it takes none; null when it has no schema.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { pluginOptions } from "./options_doc.ts";
 * const schema = z.strictObject({ level: z.int().min(1).max(9).default(6).describe("Level") });
 * assert.deepEqual(pluginOptions({ name: "x", optionsSchema: schema }), [
 *   { name: "level", type: "integer 1..9", default: "6", description: "Level" },
 * ]);
 * ```
 */
export function pluginOptions(plugin: DocumentedPlugin): OptionDoc[] | null {
  const schema = plugin.optionsSchema;
  if (!(schema instanceof z.ZodType)) return null;
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, p]) => ({
    name,
    type: typeText(p),
    default: "default" in p
      ? (typeof p.default === "string" &&
          (p.enum ? !p.enum.includes(p.default) : p.type !== "string")
        ? p.default
        : JSON.stringify(p.default))
      : required.has(name)
      ? "(required)"
      : "(none)",
    description: p.description ?? "",
  }));
}

interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  items?: JsonSchema | false;
  prefixItems?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  anyOf?: JsonSchema[];
  default?: unknown;
  description?: string;
}

function typeText(p: JsonSchema): string {
  if (p.enum) return p.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (p.anyOf) return p.anyOf.map(typeText).join(" or ");
  if (p.prefixItems) return `[${p.prefixItems.map(typeText).join(", ")}]`;
  const t = Array.isArray(p.type) ? p.type.join(" | ") : p.type;
  if (t === "number" || t === "integer") {
    const lo = p.minimum ?? p.exclusiveMinimum;
    const hi = p.maximum ?? p.exclusiveMaximum;
    const small = (v: number | undefined) =>
      v === undefined || Math.abs(v) >= 2 ** 52 ? undefined : v;
    const l = small(lo);
    const h = small(hi);
    if (l === undefined && h === undefined) return t;
    const range = `${l ?? ""}${p.exclusiveMinimum !== undefined ? " (excl.)" : ""}..${h ?? ""}${
      p.exclusiveMaximum !== undefined ? " (excl.)" : ""
    }`;
    return `${t} ${range}`;
  }
  if (t === "array") {
    return `array of ${p.items ? typeText(p.items) : "any"}${p.minLength !== undefined ? "" : ""}`;
  }
  if (t === "object") {
    if (p.properties) return `{ ${Object.keys(p.properties).join(", ")} }`;
    return "object";
  }
  return t ?? "any";
}

/** A plugin kind's heading and its plugins, for {@linkcode optionsMarkdown}. */
export interface DocumentedKind {
  /** Heading, e.g. `Compressors`. */
  title: string;
  /** The plugins, in listing order. */
  plugins: DocumentedPlugin[];
}

/**
 * The options of every plugin as Markdown: a section per kind, a table per plugin.
 *
 * @param kinds The plugins by kind.
 * @returns The Markdown text (the body of `docs/plugin-options.md`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { optionsMarkdown } from "./options_doc.ts";
 * assert.match(optionsMarkdown([{ title: "Allocators", plugins: [{ name: "zbud" }] }]), /### zbud/);
 * ```
 */
export function optionsMarkdown(kinds: readonly DocumentedKind[]): string {
  const out: string[] = [];
  for (const k of kinds) {
    out.push(`## ${k.title}`, "");
    for (const p of k.plugins) {
      out.push(`### ${p.name}`, "");
      const opts = pluginOptions(p);
      if (opts === null) out.push("No schema: the plugin documents no options.", "");
      else if (opts.length === 0) out.push("No options.", "");
      else {
        out.push("| option | type | default | description |", "| --- | --- | --- | --- |");
        for (const o of opts) {
          const cell = (s: string) => s.replace(/\|/g, "\\|");
          out.push(
            `| \`${o.name}\` | ${cell(o.type)} | ${cell(o.default)} | ${cell(o.description)} |`,
          );
        }
        out.push("");
      }
    }
  }
  return out.join("\n");
}

/**
 * A plugin's options as indented text lines for `cli list --options`.
 *
 * @param plugin The plugin.
 * @param indent Leading spaces.
 * @returns The lines (one saying "no options" when it takes none).
 */
export function optionsText(plugin: DocumentedPlugin, indent = "      "): string[] {
  const opts = pluginOptions(plugin);
  if (opts === null) return [`${indent}(options not documented)`];
  if (opts.length === 0) return [`${indent}(no options)`];
  const w = Math.max(...opts.map((o) => o.name.length));
  return opts.flatMap((o) => [
    `${indent}${o.name.padEnd(w)}  ${o.type}, default ${o.default}`,
    ...(o.description ? [`${indent}${" ".repeat(w)}  ${o.description}`] : []),
  ]);
}
