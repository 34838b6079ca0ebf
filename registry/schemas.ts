/**
 * zod schemas for plugin objects, used to check what an external plugin module exports before it
 * reaches the registry, and {@linkcode formatZodIssues}, which turns zod issues into one readable
 * line (`field "sleepMapped" must be a boolean (got undefined)`).
 *
 * Plugin objects are loose: extra members (an options schema, helpers) are allowed; only the
 * contract's members are checked. Functions are checked for presence, not signature.
 *
 * @module
 */
import { z } from "zod";
import type { PluginKind } from "./types.ts";

/** Plugin names: lower-case letters, digits, ".", "_" and "-", starting with a letter or digit. */
export const PLUGIN_NAME_PATTERN: RegExp = /^[a-z0-9][a-z0-9._-]*$/;

/** The kinds, in the order `cli list` shows them. */
export const PLUGIN_KINDS: readonly PluginKind[] = Object.freeze([
  "allocator",
  "compressor",
  "workload",
  "strategy",
] as PluginKind[]);

/** Schema of a plugin name. */
export const PluginNameSchema: z.ZodString = z.string().regex(PLUGIN_NAME_PATTERN, {
  error: 'must be lower-case letters, digits, ".", "_" or "-", starting with a letter or digit',
});

// deno-lint-ignore ban-types
const fn = z.custom<Function>((v) => typeof v === "function", { error: "must be a function" });

/**
 * Schema of `permissions` (issue 9, least privilege): strict, so a plugin cannot ask for more
 * than read access (`write`, `net`, `env`, `run` are unknown keys).
 */
export const PluginPermissionsSchema = z.strictObject({
  read: z.array(z.string().min(1)).optional(),
});

const common = {
  name: PluginNameSchema,
  description: z.string({ error: "must be a string" }),
  permissions: PluginPermissionsSchema.optional(),
};

/** Schema of an {@linkcode AllocatorPlugin}. */
export const AllocatorPluginSchema = z.looseObject({
  kind: z.literal("allocator"),
  ...common,
  sleepMapped: z.boolean(),
  create: fn,
});

/** Schema of a {@linkcode CompressorPlugin}. */
export const CompressorPluginSchema = z.looseObject({
  kind: z.literal("compressor"),
  ...common,
  async: z.boolean(),
  create: fn,
});

/** Schema of a {@linkcode WorkloadPlugin}. */
export const WorkloadPluginSchema = z.looseObject({
  kind: z.literal("workload"),
  ...common,
  fixedCompressor: PluginNameSchema.optional(),
  create: fn,
});

/** Schema of a {@linkcode StrategyPlugin}. */
export const StrategyPluginSchema = z.looseObject({
  kind: z.literal("strategy"),
  ...common,
  create: fn,
});

/** Schema for each kind. */
export const PLUGIN_SCHEMAS = {
  allocator: AllocatorPluginSchema,
  compressor: CompressorPluginSchema,
  workload: WorkloadPluginSchema,
  strategy: StrategyPluginSchema,
} as const;

/**
 * Check one plugin object. Returns `null` when it is valid, else one line naming the plugin and
 * the first bad field, e.g. `allocator "foo": field "sleepMapped" must be a boolean (got
 * undefined)`.
 *
 * @param value The candidate plugin.
 * @returns `null`, or what is wrong.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPlugin } from "./schemas.ts";
 * const msg = checkPlugin({ kind: "allocator", name: "foo", description: "x", create() {} });
 * assert.equal(msg, 'allocator "foo": field "sleepMapped" must be a boolean (got undefined)');
 * ```
 */
export function checkPlugin(value: unknown): string | null {
  if (typeof value !== "object" || value === null) {
    return `a plugin must be an object (got ${describeValue(value)})`;
  }
  const rec = value as Record<string, unknown>;
  const kind = rec.kind;
  const label = typeof rec.name === "string" ? `"${rec.name}"` : "(no name)";
  if (typeof kind !== "string" || !(kind in PLUGIN_SCHEMAS)) {
    return `plugin ${label}: field "kind" must be one of ${PLUGIN_KINDS.join(", ")} (got ${
      describeValue(kind)
    })`;
  }
  const result = PLUGIN_SCHEMAS[kind as PluginKind].safeParse(value);
  if (result.success) return null;
  return `${kind} ${label}: ${formatZodIssues(result.error.issues, value, { style: "field" })}`;
}

/** How {@linkcode formatZodIssues} names a path. */
export interface FormatIssuesOptions {
  /** `field`: `field "a.b" must …`; `path`: `a.b: must …` (default). */
  style?: "field" | "path";
  /** How many issues to show before "and N more" (default 3). */
  max?: number;
  /** Rename a path for display, e.g. `params.pages` as `--pages`. */
  pathLabel?: (path: string) => string;
  /** Quote the bad value, `(got -1)` (default true; false when the input is not at hand). */
  quoteValues?: boolean;
}

/** A zod issue as {@linkcode formatZodIssues} reads it (a subset of zod's issue shapes). */
export interface ZodIssueLike {
  /** zod's issue code. */
  code: string;
  /** Where in the input. */
  path: PropertyKey[];
  /** zod's message. */
  message: string;
  /** For `invalid_type`. */
  expected?: string;
  /** For `too_small` / `too_big`. */
  minimum?: number | bigint;
  /** For `too_big`. */
  maximum?: number | bigint;
  /** For `too_small` / `too_big`. */
  inclusive?: boolean;
  /** For `too_small` / `too_big`: number, array, string. */
  origin?: string;
  /** For `invalid_value`. */
  values?: unknown[];
  /** For `unrecognized_keys`. */
  keys?: string[];
  /** For `invalid_union`: the issues of each branch. */
  errors?: ZodIssueLike[][];
}

/**
 * Turn zod issues into one line: each issue as `path: what is wrong (got value)`, joined by "; ".
 * Union errors are narrowed to the branch that fits the input best, and a scalar accepted in
 * place of an array is named without the array index.
 *
 * @param issues The issues of a failed `safeParse`.
 * @param input The value that was parsed, to quote the bad values.
 * @param options Path style and how many issues to show.
 * @returns One line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { z } from "zod";
 * import { formatZodIssues } from "./schemas.ts";
 * const input = { pages: -1 };
 * const r = z.strictObject({ pages: z.number().positive() }).safeParse(input);
 * assert.equal(formatZodIssues(r.error!.issues, input), "pages: must be greater than 0 (got -1)");
 * ```
 */
export function formatZodIssues(
  issues: readonly ZodIssueLike[],
  input: unknown,
  options: FormatIssuesOptions = {},
): string {
  const flat: { path: PropertyKey[]; text: string }[] = [];
  for (const issue of issues) flattenIssue(issue, [], input, flat);
  const max = options.max ?? 3;
  const parts = flat.slice(0, max).map(({ path, text: full }) => {
    const text = options.quoteValues === false ? full.replace(/ \(got .*\)$/, "") : full;
    const raw = displayPath(path, input);
    const shown = raw !== "" && options.pathLabel ? options.pathLabel(raw) : raw;
    if (options.style === "field") {
      return shown === "" ? text : `field "${shown}" ${text}`;
    }
    return shown === "" ? text : `${shown}: ${text}`;
  });
  if (flat.length > max) parts.push(`and ${flat.length - max} more`);
  return parts.join("; ");
}

function flattenIssue(
  issue: ZodIssueLike,
  prefix: PropertyKey[],
  input: unknown,
  out: { path: PropertyKey[]; text: string }[],
): void {
  const path = [...prefix, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors && issue.errors.length > 0) {
    // Prefer a branch whose root type matched: its issues say what is really wrong.
    const branches = issue.errors;
    const value = valueAt(input, path);
    const matched = branches.filter((b) =>
      !b.some((i) =>
        i.path.length === 0 &&
        (i.code === "invalid_value" ||
          (i.code === "invalid_type" && !(i.expected === "int" && typeof value === "number")))
      )
    );
    if (matched.length > 0) {
      for (const sub of matched[0]) flattenIssue(sub, path, input, out);
      return;
    }
    const expected = branches.map((b) => b[0] ? expectedOf(b[0]) : "").filter((s) => s !== "");
    out.push({
      path,
      text: `must be ${[...new Set(expected)].join(" or ")} (got ${describeValue(value)})`,
    });
    return;
  }
  out.push({ path, text: describeIssue(issue, valueAt(input, path)) });
}

function expectedOf(issue: ZodIssueLike): string {
  if (issue.code === "invalid_type" && issue.expected) return article(issue.expected);
  if (issue.code === "invalid_value" && issue.values) {
    return issue.values.map((v) => JSON.stringify(v)).join(" or ");
  }
  return "";
}

function describeIssue(issue: ZodIssueLike, value: unknown): string {
  const got = ` (got ${describeValue(value)})`;
  switch (issue.code) {
    case "invalid_type":
      return `must be ${article(issue.expected ?? "value")}${got}`;
    case "too_small":
      if (issue.origin === "array") return `must have at least ${issue.minimum} entries`;
      if (issue.origin === "string") {
        return `must have at least ${issue.minimum} characters${got}`;
      }
      return `must be ${issue.inclusive ? "at least" : "greater than"} ${issue.minimum}${got}`;
    case "too_big":
      if (issue.origin === "array") return `must have at most ${issue.maximum} entries`;
      if (issue.origin === "string") return `must have at most ${issue.maximum} characters`;
      return `must be ${issue.inclusive ? "at most" : "less than"} ${issue.maximum}${got}`;
    case "invalid_value":
      return `must be ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(" or ")}${got}`;
    case "unrecognized_keys":
      return `unknown key${(issue.keys ?? []).length > 1 ? "s" : ""} ${
        (issue.keys ?? []).map((k) => JSON.stringify(k)).join(", ")
      }`;
    case "not_multiple_of":
    case "invalid_format":
    case "custom":
      return `${lowerFirst(issue.message)}${got}`;
    default:
      return `${lowerFirst(issue.message)}${got}`;
  }
}

function lowerFirst(s: string): string {
  return s.length > 0 && !/^[A-Z]{2}/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

function article(type: string): string {
  if (type === "int") return "an integer";
  if (type === "array") return "an array";
  if (type === "object") return "an object";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (typeof key === "number" && !Array.isArray(v)) continue;
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function displayPath(path: readonly PropertyKey[], input: unknown): string {
  let shown = "";
  let v: unknown = input;
  for (const key of path) {
    if (typeof key === "number") {
      if (!Array.isArray(v)) continue; // a scalar given where a list is allowed
      shown += `[${key}]`;
    } else {
      // A key with odd characters (a newline, a quote) is shown quoted: one line, unambiguous.
      const name = /^[\w$-]*$/.test(String(key)) ? String(key) : JSON.stringify(String(key));
      shown += shown === "" ? name : `.${name}`;
    }
    v = typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return shown;
}

/**
 * A short description of a value for an error message: strings quoted, long values cut.
 *
 * @param value Any value.
 * @returns e.g. `"lz5"`, `-1`, `undefined`, `an object`, `a function`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeValue } from "./schemas.ts";
 * assert.equal(describeValue("lz5"), '"lz5"');
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return value.length <= 4 ? cut(JSON.stringify(value)) : "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") return cut(JSON.stringify(value));
  return cut(String(value));
}

function cut(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
