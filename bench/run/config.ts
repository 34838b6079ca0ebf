/**
 * The bench config: which plugins, presets and parameters to run (DESIGN §2). A config file, the
 * command line, or a library call gives a {@linkcode ConfigInput}; {@linkcode resolveConfig}
 * checks it with zod (strict: unknown keys are errors) and fills the defaults, giving a
 * {@linkcode ResolvedConfig} — what `results.json` records.
 *
 * Every list entry may be a name or `{ "name": ..., "options": {...} }`. Every param may be one
 * value or an array to sweep. RAM is given as `totalRamMiB` (mebibytes, independent of the page
 * size); a cell gets `totalRamPages = totalRamMiB × 2^20 / pageSize`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "./config.ts";
 * const config = resolveConfig({ allocators: ["zbud"], params: { pages: [256, 1024] } });
 * assert.equal(config.params.pages.length, 2);
 * assert.equal(config.allocators[0].name, "zbud");
 * ```
 *
 * @module
 */
import { z } from "zod";
import { closestName } from "../../registry/registry.ts";
import { formatZodIssues, PluginNameSchema } from "../../registry/schemas.ts";
import { UsageError } from "../../registry/errors.ts";
import { resolveCostModel } from "../../zswap/cost_model.ts";
import type {
  CostModelParam,
  PluginRef,
  ResolvedConfig,
  ResolvedParams,
  Shard,
} from "./resolved_config.ts";

export {
  type CostModelParam,
  type PluginRef,
  type ResolvedConfig,
  ResolvedConfigSchema,
  type ResolvedParams,
  type Shard,
} from "./resolved_config.ts";

/** Largest `pages` value accepted (16 Mi pages). */
export const MAX_PAGES = 16 * 1024 * 1024;
/** Largest `cpus` value accepted. */
export const MAX_CPUS = 64;
/** Largest `tasks` value accepted. */
export const MAX_TASKS = 256;
/** Page sizes the model supports. */
export const PAGE_SIZES: readonly number[] = Object.freeze([4096, 16384, 65536]);

/**
 * A config error: the source (file or command line), the path of the bad value and what is
 * wrong. A user mistake: the CLI prints the message alone and exits with status 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ConfigError } from "./config.ts";
 * const err = new ConfigError("Config file x.json: params.pages: must be at least 1 (got 0)");
 * assert.equal(err.name, "ConfigError");
 * ```
 */
export class ConfigError extends UsageError {
  /**
   * Make a config error.
   *
   * @param message Source, path and problem.
   * @param options The underlying cause, if any.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}

const Options = z.record(z.string(), z.unknown()).describe("Options for the plugin's create()");

/** A plugin entry as written in a config: a name, or a name with options. */
export type PluginRefInput = string | {
  /** Plugin (or preset) name. */
  name: string;
  /** Options for the plugin's `create()`. */
  options?: Record<string, unknown>;
};

const PluginRefUnion = z.union([
  PluginNameSchema.describe("Plugin name"),
  z.strictObject({
    name: PluginNameSchema.describe("Plugin name"),
    options: Options.optional(),
  }),
]);

/** The zod schema of {@linkcode PluginRefInput}. */
export const PluginRefSchema: z.ZodType<PluginRefInput> = PluginRefUnion;

function sweep<T extends z.ZodType>(item: T, description: string) {
  return z.union([item, z.array(item).min(1)]).describe(
    `${description}. One value, or an array of values to sweep`,
  );
}

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** Params as written in a config: each a value or an array of values to sweep. */
export interface ParamsInput {
  /** Distinct pages the workload uses (1..16777216). */
  pages?: number | number[];
  /** Seed of the workload and of random choices (0..2^32-1). */
  seed?: number | number[];
  /** Simulated CPUs (1..64). */
  cpus?: number | number[];
  /** Simulated tasks (1..256); task i runs on CPU i mod cpus. */
  tasks?: number | number[];
  /** Bytes per page: 4096, 16384 or 65536. */
  pageSize?: number | number[];
  /** Total RAM in MiB, the base of maxPoolPercent. */
  totalRamMiB?: number | number[];
  /** zswap.max_pool_percent (1..100). */
  maxPoolPercent?: number | number[];
  /** zswap.accept_threshold_percent (1..100). */
  acceptThresholdPercent?: number | number[];
  /** Probability (0..1) that a GFP_ATOMIC bounce allocation fails. */
  bounceFailRate?: number | number[];
  /** Fail a cell at its first sleep-in-atomic violation. */
  strict?: boolean | boolean[];
  /** Mean think time (µs) between a task's operations, virtual time only (default 0). */
  thinkUs?: number | number[];
  /** Cost model: `measured` (default), `calibrated`, or `{ model, table }` (zswap/cost_model.ts). */
  costModel?: CostModelParam | CostModelParam[];
}

const ParamsObject = z.strictObject({
  pages: sweep(int(1, MAX_PAGES), "Distinct pages the workload uses").optional(),
  seed: sweep(int(0, 0xffff_ffff), "Seed of the workload and of random choices").optional(),
  cpus: sweep(int(1, MAX_CPUS), "Simulated CPUs").optional(),
  tasks: sweep(int(1, MAX_TASKS), "Simulated tasks; task i runs on CPU i mod cpus").optional(),
  pageSize: sweep(
    z.number().refine((v) => PAGE_SIZES.includes(v), { error: "must be 4096, 16384 or 65536" }),
    "Bytes per page: 4096, 16384 or 65536",
  ).optional(),
  totalRamMiB: sweep(
    int(1, 1 << 24),
    "Total RAM in MiB, the base of maxPoolPercent (pages = MiB x 2^20 / pageSize)",
  ).optional(),
  maxPoolPercent: sweep(int(1, 100), "zswap.max_pool_percent").optional(),
  acceptThresholdPercent: sweep(int(1, 100), "zswap.accept_threshold_percent").optional(),
  bounceFailRate: sweep(
    z.number().min(0).max(1),
    "Probability (0..1) that a GFP_ATOMIC bounce allocation fails",
  ).optional(),
  strict: sweep(z.boolean(), "Fail a cell at its first sleep-in-atomic violation").optional(),
  thinkUs: sweep(
    z.number().min(0).max(10_000_000),
    "Mean think time (µs) between a task's operations, off its CPU (virtual time only)",
  ).optional(),
  costModel: sweep(
    z.union([z.enum(["measured", "calibrated"]), z.record(z.string(), z.unknown())]),
    'Cost model: "measured", "calibrated" or { "model", "table" }',
  ).optional(),
});

/** The zod schema of {@linkcode ParamsInput}. */
export const ParamsSchema: z.ZodType<ParamsInput> = ParamsObject;

/** A config as written in a file or passed to {@linkcode resolveConfig}: every key optional. */
export interface ConfigInput {
  /** JSON Schema reference for editors (ignored). */
  $schema?: string;
  /** zpool drivers (default zbud, z3fold, zsmalloc). */
  allocators?: PluginRefInput[];
  /** Compressors (default lz4, zstd); not crossed with workloads that fix their own. */
  compressors?: PluginRefInput[];
  /** Workloads (default mixed). */
  workloads?: PluginRefInput[];
  /** Load-path strategies; empty (the default) runs each preset's own. */
  strategies?: PluginRefInput[];
  /** Kernel presets (default 6.1,6.8,latest). */
  presets?: PluginRefInput[];
  /** Params, each a value or an array to sweep. */
  params?: ParamsInput;
  /** Measured runs per cell (default 3). */
  repetitions?: number;
  /** Discarded runs per cell before measuring (default 1). */
  warmup?: number;
  /** Plugin modules to load. */
  plugins?: string[];
  /** Regular expression: run only cells whose name matches. */
  filter?: string;
}

const ConfigObject = z.strictObject({
  $schema: z.string().optional().describe("JSON Schema reference for editors (ignored)"),
  allocators: z.array(PluginRefUnion).min(1).optional().describe(
    "zpool drivers (default zbud, z3fold, zsmalloc)",
  ),
  compressors: z.array(PluginRefUnion).optional().describe(
    "Compressors (default lz4, zstd); not crossed with workloads that fix their own",
  ),
  workloads: z.array(PluginRefUnion).min(1).optional().describe("Workloads (default mixed)"),
  strategies: z.array(PluginRefUnion).optional().describe(
    "Load-path strategies; empty (the default) runs each preset's own",
  ),
  presets: z.array(PluginRefUnion).min(1).optional().describe(
    "Kernel presets: 5.10 5.11 5.12 6.1 6.8 6.12 6.18 latest (default 6.1,6.8,latest)",
  ),
  params: ParamsObject.optional(),
  repetitions: int(1, 1000).optional().describe("Measured runs per cell (default 3)"),
  warmup: int(0, 100).optional().describe("Discarded runs per cell before measuring (default 1)"),
  plugins: z.array(z.string().min(1)).optional().describe(
    "Plugin modules to load: paths (relative to the current directory), file: URLs, npm:, jsr: or https: specifiers",
  ),
  filter: z.string().optional().describe("Regular expression: run only cells whose name matches"),
});

/** The zod schema of {@linkcode ConfigInput} (strict: unknown keys are errors). */
export const ConfigSchema: z.ZodType<ConfigInput> = ConfigObject;

/** The defaults of a normal run: `deno task bench` with no flags. */
export const DEFAULTS: Readonly<
  Omit<ResolvedConfig, "params" | "filter" | "shard"> & { params: Readonly<ResolvedParams> }
> = Object.freeze({
  allocators: [ref("zbud"), ref("z3fold"), ref("zsmalloc")],
  compressors: [ref("lz4"), ref("zstd")],
  workloads: [ref("mixed")],
  strategies: [],
  presets: [ref("6.1"), ref("6.8"), ref("latest")],
  params: {
    // 4096 pages (16 MiB of 4 KiB pages): thousands of samples per latency histogram, and the
    // default run (6 cells x (1 warm-up + 3 repetitions)) took 4 s on the 2-core dev machine.
    pages: [4096],
    seed: [1],
    cpus: [1],
    tasks: [1],
    pageSize: [4096],
    totalRamMiB: [1024],
    maxPoolPercent: [20],
    acceptThresholdPercent: [90],
    bounceFailRate: [0],
    strict: [false],
    thinkUs: [0],
    costModel: ["measured" as const],
  },
  // Three repetitions give a noise estimate (the *_cv columns); one warm-up run per cell keeps
  // JIT compilation out of the first cell's tail latencies (its load p99 fell from 38 µs to
  // 10 µs, in line with the other cells).
  repetitions: 3,
  warmup: 1,
  plugins: [],
});

/** What `--quick` changes: a tiny smoke run (256 pages, one repetition, no warm-up). */
export const QUICK: Readonly<{ pages: number; repetitions: number; warmup: number }> = Object
  .freeze({ pages: 256, repetitions: 1, warmup: 0 });

function ref(name: string): PluginRef {
  return { name, options: {} };
}

/** Options of {@linkcode resolveConfig}. */
export interface ResolveConfigOptions {
  /** Where the input came from, for messages (default `Config`). */
  source?: string;
  /** Apply {@linkcode QUICK} where the input leaves pages, repetitions or warm-up unset. */
  quick?: boolean;
  /** Overrides from the command line, checked with the same schema; they win over `input`. */
  overrides?: ConfigInput;
  /** Name of the source of `overrides` (default `Command line`). */
  overridesSource?: string;
  /** How to name a path in `overrides` in messages (e.g. `params.pages` as `--pages`). */
  overridesPathLabel?: (path: string) => string;
  /** The shard to record. */
  shard?: Shard | null;
}

/**
 * Check a config input and fill the defaults.
 *
 * @param input The config (from a file or a library call).
 * @param options Source name for messages, `--quick`, command-line overrides, shard.
 * @returns The resolved config.
 * @throws {ConfigError} For an unknown key, a wrong type or a value out of range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "./config.ts";
 * const c = resolveConfig({}, { quick: true });
 * assert.equal(c.params.pages[0], 256);
 * ```
 */
export function resolveConfig(
  input: unknown,
  options: ResolveConfigOptions = {},
): ResolvedConfig {
  const base = checkConfig(input, options.source ?? "Config");
  const over = options.overrides === undefined ? {} : checkConfig(
    options.overrides,
    options.overridesSource ?? "Command line",
    options.overridesPathLabel,
  );
  const merged = { ...base, ...over, params: { ...base.params, ...over.params } };
  const p = merged.params;
  const d = DEFAULTS.params;
  const quick = options.quick === true;
  const list = <T>(v: T | T[] | undefined, fallback: readonly T[]): T[] =>
    v === undefined ? [...fallback] : Array.isArray(v) ? [...v] : [v];
  const params: ResolvedParams = {
    pages: list(p.pages, quick ? [QUICK.pages] : d.pages),
    seed: list(p.seed, d.seed),
    cpus: list(p.cpus, d.cpus),
    tasks: list(p.tasks, d.tasks),
    pageSize: list(p.pageSize, d.pageSize),
    totalRamMiB: list(p.totalRamMiB, d.totalRamMiB),
    maxPoolPercent: list(p.maxPoolPercent, d.maxPoolPercent),
    acceptThresholdPercent: list(p.acceptThresholdPercent, d.acceptThresholdPercent),
    bounceFailRate: list(p.bounceFailRate, d.bounceFailRate),
    strict: list(p.strict, d.strict),
    thinkUs: list(p.thinkUs, d.thinkUs ?? [0]),
    costModel: list(p.costModel, d.costModel ?? []),
  };
  for (const m of params.costModel ?? []) resolveCostModel(m); // a bad table fails here
  const filter = merged.filter ?? null;
  if (filter !== null) compileFilter(filter);
  return {
    allocators: refs(merged.allocators, DEFAULTS.allocators),
    compressors: refs(merged.compressors, DEFAULTS.compressors),
    workloads: refs(merged.workloads, DEFAULTS.workloads),
    strategies: refs(merged.strategies, DEFAULTS.strategies),
    presets: refs(merged.presets, DEFAULTS.presets),
    params,
    repetitions: merged.repetitions ?? (quick ? QUICK.repetitions : DEFAULTS.repetitions),
    warmup: merged.warmup ?? (quick ? QUICK.warmup : DEFAULTS.warmup),
    plugins: [...(merged.plugins ?? DEFAULTS.plugins)],
    filter,
    shard: options.shard ?? null,
  };
}

function refs(v: PluginRefInput[] | undefined, fallback: readonly PluginRef[]): PluginRef[] {
  if (v === undefined) return fallback.map((r) => ({ name: r.name, options: { ...r.options } }));
  return v.map((r) =>
    typeof r === "string" ? { name: r, options: {} } : { name: r.name, options: r.options ?? {} }
  );
}

/**
 * Check a config input against {@linkcode ConfigSchema}.
 *
 * @param input The value.
 * @param source What to call it in messages.
 * @param pathLabel How to name a path in messages (default: the path itself).
 * @returns The checked input.
 * @throws {ConfigError} With the path and the problem.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkConfig } from "./config.ts";
 * assert.throws(() => checkConfig({ params: { pages: -1 } }, "Config file x.json"), {
 *   name: "ConfigError",
 *   message: /^Config file x\.json: params\.pages:/,
 * });
 * ```
 */
export function checkConfig(
  input: unknown,
  source: string,
  pathLabel?: (path: string) => string,
): ConfigInput {
  const result = ConfigObject.safeParse(input);
  if (!result.success) {
    const text = formatZodIssues(result.error.issues, input, { pathLabel });
    throw new ConfigError(`${source}: ${text}${keyHint(result.error.issues)}`, {
      cause: result.error,
    });
  }
  return result.data;
}

/** "; did you mean ..." for unknown top-level or `params` keys close to a known one. */
function keyHint(issues: readonly z.core.$ZodIssue[]): string {
  const hints: string[] = [];
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    const where = issue.path.length === 0
      ? Object.keys(ConfigObject.shape)
      : issue.path.length === 1 && issue.path[0] === "params"
      ? Object.keys(ParamsObject.shape)
      : undefined;
    if (where === undefined) continue;
    for (const key of issue.keys) {
      // Also match across spellings: total_ram_mib -> totalRamMiB.
      const plain = (k: string) => k.replaceAll(/[_-]/g, "").toLowerCase();
      const guess = where.find((k) => plain(k) === plain(key)) ?? closestName(key, where);
      if (guess !== undefined) hints.push(`${JSON.stringify(key)} -> "${guess}"`);
    }
  }
  return hints.length === 0 ? "" : ` (did you mean ${hints.join(", ")}?)`;
}

/**
 * Compile a cell filter.
 *
 * @param filter A regular expression source.
 * @returns The RegExp.
 * @throws {ConfigError} When it is not a valid regular expression.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileFilter } from "./config.ts";
 * assert.ok(compileFilter("zsmalloc/lz4").test("zsmalloc/lz4/mixed"));
 * ```
 */
export function compileFilter(filter: string): RegExp {
  try {
    return new RegExp(filter);
  } catch (err) {
    throw new ConfigError(
      `Filter "${filter}" is not a valid regular expression: ${(err as Error).message}`,
    );
  }
}

// Compile-time checks that the interfaces and the schemas agree.
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
const _sameConfig: Same<z.input<typeof ConfigObject>, ConfigInput> = true;
const _sameConfigOut: Same<z.output<typeof ConfigObject>, ConfigInput> = true;
void [_sameConfig, _sameConfigOut];
