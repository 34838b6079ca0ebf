/**
 * The resolved config: a config with every default filled, the shape `results.json` records and
 * the matrix expands. `config.ts` makes one from user input ({@linkcode ResolvedConfig}); this
 * module holds its types and the schema that reads it back from a results file.
 *
 * @module
 */
import { z } from "zod";

/** A plugin entry with its options resolved (`{}` when none were given). */
export interface PluginRef {
  /** Plugin (or preset) name. */
  name: string;
  /** Options for the plugin's `create()`. */
  options: Record<string, unknown>;
}

/** Resolved params: every one an array (one value when not swept). */
export interface ResolvedParams {
  /** Distinct pages the workload uses. */
  pages: number[];
  /** Seeds. */
  seed: number[];
  /** Simulated CPUs. */
  cpus: number[];
  /** Simulated tasks. */
  tasks: number[];
  /** Bytes per page. */
  pageSize: number[];
  /** Total RAM in MiB. */
  totalRamMiB: number[];
  /** zswap.max_pool_percent. */
  maxPoolPercent: number[];
  /** zswap.accept_threshold_percent. */
  acceptThresholdPercent: number[];
  /** GFP_ATOMIC bounce failure probability. */
  bounceFailRate: number[];
  /** Strict mode. */
  strict: boolean[];
  /** Mean think times (µs); absent in results written before virtual time. */
  thinkUs?: number[];
  /** Cost models; absent in results written before virtual time. */
  costModel?: CostModelParam[];
}

/** One cost model as a param: a name, or `{ model, table }` (checked by `resolveCostModel`). */
export type CostModelParam = "measured" | "calibrated" | Record<string, unknown>;

/** A shard of the matrix: cells whose index mod `count` is `index - 1`. */
export interface Shard {
  /** 1-based shard number. */
  index: number;
  /** Number of shards. */
  count: number;
}

/** A config with every default filled: what a run records in `results.json`. */
export interface ResolvedConfig {
  /** zpool drivers. */
  allocators: PluginRef[];
  /** Compressors. */
  compressors: PluginRef[];
  /** Workloads. */
  workloads: PluginRef[];
  /** Strategies; empty for each preset's own. */
  strategies: PluginRef[];
  /** Kernel presets. */
  presets: PluginRef[];
  /** Params, each swept over its values. */
  params: ResolvedParams;
  /** Measured runs per cell. */
  repetitions: number;
  /** Discarded runs per cell before measuring. */
  warmup: number;
  /** Plugin module specifiers, as given. */
  plugins: string[];
  /** Cell name filter (a regular expression), or null. */
  filter: string | null;
  /** The shard this run covers, or null for all cells. */
  shard: Shard | null;
}

/** The resolved config schema, to read a config back from `results.json` or `results.jsonl`. */
export const ResolvedConfigSchema: z.ZodType<ResolvedConfig> = z.strictObject({
  allocators: z.array(
    z.strictObject({ name: z.string(), options: z.record(z.string(), z.unknown()) }),
  ),
  compressors: z.array(
    z.strictObject({ name: z.string(), options: z.record(z.string(), z.unknown()) }),
  ),
  workloads: z.array(
    z.strictObject({ name: z.string(), options: z.record(z.string(), z.unknown()) }),
  ),
  strategies: z.array(
    z.strictObject({ name: z.string(), options: z.record(z.string(), z.unknown()) }),
  ),
  presets: z.array(
    z.strictObject({ name: z.string(), options: z.record(z.string(), z.unknown()) }),
  ),
  params: z.strictObject({
    pages: z.array(z.number()),
    seed: z.array(z.number()),
    cpus: z.array(z.number()),
    tasks: z.array(z.number()),
    pageSize: z.array(z.number()),
    totalRamMiB: z.array(z.number()),
    maxPoolPercent: z.array(z.number()),
    acceptThresholdPercent: z.array(z.number()),
    bounceFailRate: z.array(z.number()),
    strict: z.array(z.boolean()),
    thinkUs: z.array(z.number()).optional(),
    costModel: z.array(
      z.union([z.enum(["measured", "calibrated"]), z.record(z.string(), z.unknown())]),
    ).optional(),
  }),
  repetitions: z.number().int().min(1),
  warmup: z.number().int().min(0),
  plugins: z.array(z.string()),
  filter: z.string().nullable(),
  shard: z.strictObject({ index: z.number().int().min(1), count: z.number().int().min(1) })
    .nullable(),
});
