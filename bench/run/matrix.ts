/**
 * Matrix expansion: a resolved config becomes cells (allocator × workload × compressor ×
 * strategy × preset × every combination of params), each with a stable name and index.
 *
 * The index is the cell's position in the full expansion, before any filter or shard, so
 * `--shard i/n` (cells whose index mod n is i − 1) picks the same cells whatever the filter, and
 * shards of one config partition its matrix exactly. A cell name reads
 * `allocator/compressor/workload/strategy/preset/params`, e.g.
 * `zsmalloc/lz4/mixed/percpu-buffer/6.8/p4096-s1-c1-t1`; a plugin with options shows them as
 * `zsmalloc[chain=4]`, and params other than pages, seed, cpus and tasks appear only when
 * they differ from the default (`-ps16384`, `-ram512`, `-mpp10`, `-atp80`, `-bfr0.1`, `-strict`).
 *
 * @module
 */
import { type Registry, unknownNameMessage } from "../../registry/registry.ts";
import type { CellParams } from "../../zswap/cell_types.ts";
import { compileFilter, ConfigError, DEFAULTS } from "./config.ts";
import type { CostModelParam, PluginRef, ResolvedConfig, Shard } from "./config.ts";
import type { BenchEngine } from "./engine.ts";
import { UsageError } from "../../registry/errors.ts";

/**
 * One cell as plugin names, options and params: serialisable, so a Worker can run it with
 * `runCellByName`.
 */
export interface CellSpec {
  /** Stable name. */
  cell: string;
  /** Position in the full expansion. */
  index: number;
  /** zpool driver. */
  allocator: PluginRef;
  /** Compressor (the workload's fixed one when `fixedCompressor`). */
  compressor: PluginRef;
  /** True when the workload fixes the compressor: results show `-` for it. */
  fixedCompressor: boolean;
  /** Workload. */
  workload: PluginRef;
  /** Strategy, or null for the preset's own. */
  strategy: PluginRef | null;
  /** Strategy name as shown in the cell name (the preset's own when `strategy` is null). */
  strategyName: string;
  /** Kernel preset. */
  preset: string;
  /** Params with RAM in pages. */
  params: CellParams;
  /** Measured runs. */
  repetitions: number;
  /** Discarded runs before measuring. */
  warmup: number;
}

/** What expansion needs besides the config. */
export interface MatrixContext {
  /** Resolves and checks plugin names. */
  registry: Registry;
  /** Knows the presets and their default strategies. */
  engine: Pick<BenchEngine, "presetNames" | "presetStrategy">;
}

/**
 * Expand a config into every cell of its matrix (no filter, no shard), checking every name.
 *
 * @param config The resolved config.
 * @param ctx Registry and preset knowledge.
 * @returns The cells in matrix order; `cells[i].index === i`.
 * @throws {RegistryError} For an unknown plugin name (with the closest known one).
 * @throws {ConfigError} For an unknown preset, options given to a preset, or two cells with one name.
 *
 * @example
 * ```ts ignore
 * const cells = expandMatrix(resolveConfig({}), { registry, engine });
 * ```
 */
export function expandMatrix(config: ResolvedConfig, ctx: MatrixContext): CellSpec[] {
  const { registry, engine } = ctx;
  for (const a of config.allocators) registry.get("allocator", a.name);
  for (const c of config.compressors) registry.get("compressor", c.name);
  for (const s of config.strategies) registry.get("strategy", s.name);
  const workloads = config.workloads.map((w) => ({
    ref: w,
    plugin: registry.get("workload", w.name),
  }));
  for (const p of config.presets) {
    if (!engine.presetNames.includes(p.name)) {
      throw new ConfigError(unknownNameMessage("preset", p.name, engine.presetNames));
    }
    if (Object.keys(p.options).length > 0) {
      throw new ConfigError(
        `Preset "${p.name}" was given options, but presets take none (use params and strategies instead)`,
      );
    }
  }
  const combos = paramCombinations(config);
  const cells: CellSpec[] = [];
  const names = new Map<string, number>();
  for (const allocator of config.allocators) {
    for (const { ref: workload, plugin: wp } of workloads) {
      const fixed = wp.fixedCompressor;
      if (fixed !== undefined) registry.get("compressor", fixed);
      if (fixed === undefined && config.compressors.length === 0) {
        throw new ConfigError(
          `Workload "${workload.name}" needs a compressor, but the compressors list is empty`,
        );
      }
      const compressors: PluginRef[] = fixed !== undefined
        ? [{ name: fixed, options: {} }]
        : config.compressors;
      for (const compressor of compressors) {
        for (const preset of config.presets) {
          const strategies: (PluginRef | null)[] = config.strategies.length === 0
            ? [null]
            : config.strategies;
          for (const strategy of strategies) {
            const strategyName = strategy === null
              ? engine.presetStrategy(preset.name)
              : label(strategy);
            for (const { params, totalRamMiB } of combos) {
              const cell = [
                label(allocator),
                fixed !== undefined ? "-" : label(compressor),
                label(workload),
                strategyName,
                preset.name,
                paramsLabel(params, totalRamMiB),
              ].join("/");
              const seen = names.get(cell);
              if (seen !== undefined) {
                throw new ConfigError(
                  `Cells ${seen} and ${cells.length} are both named "${cell}" (a plugin or value is listed twice)`,
                );
              }
              names.set(cell, cells.length);
              cells.push({
                cell,
                index: cells.length,
                allocator: clone(allocator),
                compressor: clone(compressor),
                fixedCompressor: fixed !== undefined,
                workload: clone(workload),
                strategy: strategy === null ? null : clone(strategy),
                strategyName,
                preset: preset.name,
                params: { ...params },
                repetitions: config.repetitions,
                warmup: config.warmup,
              });
            }
          }
        }
      }
    }
  }
  return cells;
}

/** Options of {@linkcode selectCells}. */
export interface SelectOptions {
  /** Keep cells whose name matches this regular expression. */
  filter?: string | null;
  /** Keep this shard's cells. */
  shard?: Shard | null;
  /** Drop cells with these names (already finished, for `--resume`). */
  skip?: ReadonlySet<string>;
}

/**
 * The cells a run executes: the filter, the shard and the skip list applied. The shard is taken
 * on the cell's index in the full matrix, so it does not depend on the filter.
 *
 * @param cells The full expansion.
 * @param options Filter, shard and skip list.
 * @returns The selected cells, in matrix order.
 *
 * @example
 * ```ts ignore
 * const mine = selectCells(cells, { shard: { index: 1, count: 2 } });
 * ```
 */
export function selectCells(cells: readonly CellSpec[], options: SelectOptions = {}): CellSpec[] {
  const re = options.filter ? compileFilter(options.filter) : null;
  const shard = options.shard ?? null;
  return cells.filter((c) =>
    (re === null || re.test(c.cell)) &&
    (shard === null || c.index % shard.count === shard.index - 1) &&
    !(options.skip?.has(c.cell) ?? false)
  );
}

/**
 * Parse `--shard i/n`.
 *
 * @param text e.g. `2/4`.
 * @returns The shard.
 * @throws {UsageError} Unless 1 ≤ i ≤ n.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseShard } from "./matrix.ts";
 * assert.equal(parseShard("2/4").count, 4);
 * ```
 */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new UsageError(
      `Shard "${text}" must be i/n with 1 <= i <= n, e.g. --shard 1/2 and --shard 2/2`,
    );
  }
  return { index, count };
}

/**
 * Every combination of the params, in a fixed order (page size, pages, seed, cpus, tasks, RAM,
 * pool percent, accept threshold, bounce failure rate, strict — the last varying fastest).
 *
 * @param config The resolved config.
 * @returns One entry per combination.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveConfig } from "./config.ts";
 * import { paramCombinations } from "./matrix.ts";
 * const c = resolveConfig({ params: { pages: [1, 2], cpus: [1, 2, 4] } });
 * assert.equal(paramCombinations(c).length, 6);
 * ```
 */
export function paramCombinations(
  config: ResolvedConfig,
): { params: CellParams; totalRamMiB: number }[] {
  const p = config.params;
  const out: { params: CellParams; totalRamMiB: number }[] = [];
  for (const pageSize of p.pageSize) {
    for (const pages of p.pages) {
      for (const seed of p.seed) {
        for (const cpus of p.cpus) {
          for (const tasks of p.tasks) {
            for (const totalRamMiB of p.totalRamMiB) {
              for (const maxPoolPercent of p.maxPoolPercent) {
                for (const acceptThresholdPercent of p.acceptThresholdPercent) {
                  for (const bounceFailRate of p.bounceFailRate) {
                    for (const strict of p.strict) {
                      out.push({
                        totalRamMiB,
                        params: {
                          pages,
                          seed,
                          cpus,
                          tasks,
                          pageSize,
                          totalRamPages: Math.floor(totalRamMiB * 1048576 / pageSize),
                          maxPoolPercent,
                          acceptThresholdPercent,
                          bounceFailRate,
                          strict,
                        },
                      });
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  return withTimeParams(out, p.thinkUs ?? [0], p.costModel ?? ["measured"]);
}

/** Cross the combinations with the virtual-time params (think time, cost model). */
function withTimeParams(
  combos: { params: CellParams; totalRamMiB: number }[],
  thinkUs: number[],
  costModels: CostModelParam[],
): { params: CellParams; totalRamMiB: number }[] {
  const out: { params: CellParams; totalRamMiB: number }[] = [];
  for (const c of combos) {
    for (const think of thinkUs) {
      for (const costModel of costModels) {
        out.push({ ...c, params: { ...c.params, thinkUs: think, costModel } });
      }
    }
  }
  return out;
}

/** A cost model's name for labels and result columns: `measured`, `calibrated`, `calibrated*`. */
export function costModelName(m: CostModelParam | undefined): string {
  if (m === undefined) return "measured";
  if (typeof m === "string") return m;
  const name = typeof m.model === "string" ? m.model : "measured";
  return m.table !== undefined ? `${name}*` : name;
}

/**
 * The params part of a cell name.
 *
 * @param params The cell's params.
 * @param totalRamMiB The RAM in MiB the params were made from.
 * @returns e.g. `p4096-s1-c1-t1` or `p4096-s1-c2-t4-ps16384-strict`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paramsLabel } from "./matrix.ts";
 * const params = {
 *   pages: 4096, seed: 1, cpus: 1, tasks: 1, pageSize: 4096, totalRamPages: 262144,
 *   maxPoolPercent: 20, acceptThresholdPercent: 90, bounceFailRate: 0, strict: false,
 * };
 * assert.equal(paramsLabel(params, 1024), "p4096-s1-c1-t1");
 * ```
 */
export function paramsLabel(params: CellParams, totalRamMiB: number): string {
  const d = DEFAULTS.params;
  let s = `p${params.pages}-s${params.seed}-c${params.cpus}-t${params.tasks}`;
  if (params.pageSize !== d.pageSize[0]) s += `-ps${params.pageSize}`;
  if (totalRamMiB !== d.totalRamMiB[0]) s += `-ram${totalRamMiB}`;
  if (params.maxPoolPercent !== d.maxPoolPercent[0]) s += `-mpp${params.maxPoolPercent}`;
  if (params.acceptThresholdPercent !== d.acceptThresholdPercent[0]) {
    s += `-atp${params.acceptThresholdPercent}`;
  }
  if (params.bounceFailRate !== d.bounceFailRate[0]) s += `-bfr${params.bounceFailRate}`;
  if (params.strict) s += "-strict";
  if ((params.thinkUs ?? 0) !== 0) s += `-think${params.thinkUs}`;
  const cm = costModelName(params.costModel);
  if (cm !== "measured") s += `-${cm.replace("*", "-table")}`;
  return s;
}

/**
 * A plugin's part of a cell name: its name, with its options when it has any.
 *
 * @param ref The plugin entry.
 * @returns e.g. `zsmalloc` or `zsmalloc[chain=4]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { label } from "./matrix.ts";
 * assert.equal(label({ name: "zstd", options: { level: 3 } }), "zstd[level=3]");
 * ```
 */
export function label(ref: PluginRef): string {
  const keys = Object.keys(ref.options).sort();
  if (keys.length === 0) return ref.name;
  const parts = keys.map((k) => {
    const v = ref.options[k];
    return `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`;
  });
  return `${ref.name}[${parts.join(",")}]`;
}

function clone(ref: PluginRef): PluginRef {
  return { name: ref.name, options: structuredClone(ref.options) };
}
