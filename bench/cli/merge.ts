/**
 * `deno task cli merge DIR... --out DIR`: join the results of shards (`--shard i/n`) into one
 * run whose cells are those of an unsharded run, in matrix order.
 *
 * @module
 */
import { join, resolve } from "node:path";
import { parseFlags } from "./args.ts";
import { type ResolvedConfig, ResolvedConfigSchema } from "../run/config.ts";
import { UsageError } from "../../registry/errors.ts";
import { expandMatrix, selectCells } from "../run/matrix.ts";
import {
  formatSummaryTable,
  JsonlWriter,
  readJsonl,
  readResultsJson,
  RESULT_FILES,
  writeResultsFiles,
} from "../results/files.ts";
import { writeReports } from "../report/mod.ts";
import {
  type CellResult,
  type Environment,
  RESULTS_SCHEMA_VERSION,
  type RunResults,
} from "../results/schema.ts";
import { exitCodeOf } from "../run/session.ts";
import { exists } from "../results/files.ts";

/** Help text of `merge`. */
export const MERGE_HELP = `Usage: deno task cli merge DIR... --out DIR [--force] [--quiet]

Join the results of shards (runs with --shard i/n of one config) into one run whose cells are
those of an unsharded run, in matrix order. Reads each DIR's results.jsonl (or results.json) and
writes results.json, results.csv, results.jsonl and the reports into --out.

  --out DIR     where to write the merged run (required; not an input; not a folder that
                already holds a run, unless --force)
  --force       merge even when configs, environments or shards do not match, or cells are
                missing (the first copy of a duplicated cell wins)
  --quiet       no summary table
  --help        this text

Refuses, unless --force: different configs (other than the shard), runs on different kinds of
machine or tool versions, a cell present in two inputs, a missing shard, missing cells.

Exit status: 0, or 1 when a merged cell failed or had integrity failures; 2 for a usage error.`;

/** One run directory read for merging. */
export interface MergeInput {
  /** Where it came from, for messages. */
  source: string;
  /** Its resolved config. */
  config: ResolvedConfig;
  /** Its environment. */
  environment: Environment;
  /** Its cells. */
  cells: CellResult[];
}

/** Options of {@linkcode mergeRuns}. */
export interface MergeOptions {
  /** Merge despite mismatches; the first copy of a duplicated cell wins. */
  force?: boolean;
  /**
   * The cell names an unsharded run of the config would produce, in order, when known (the
   * plugins could be resolved): the merge then checks that none is missing or extra.
   */
  expected?: readonly string[];
  /** Receives warnings about what `force` let through. */
  warn?: (message: string) => void;
}

/** Environment keys that must agree: the kind of machine and tool, not the time. */
const ENVIRONMENT_KIND_KEYS = [
  "tool_version",
  "deno",
  "cpu_model",
  "cores",
  "arch",
] as const satisfies readonly (keyof Environment)[];

/**
 * Join shard runs into one.
 *
 * @param inputs The runs (at least one).
 * @param options Force, the expected cell names, a warning sink.
 * @returns The merged document: the shared config with `shard` null, the first input's
 *   environment spanning the earliest start to the latest end, every cell in matrix order.
 * @throws {UsageError} For mismatched configs or environments, duplicate cells, missing shards or
 *   missing cells (unless `force`).
 *
 * @example
 * ```ts ignore
 * const merged = mergeRuns([shard1, shard2]);
 * ```
 */
export function mergeRuns(inputs: readonly MergeInput[], options: MergeOptions = {}): RunResults {
  if (inputs.length === 0) throw new UsageError("merge needs at least one results directory");
  const force = options.force === true;
  const warn = options.warn ?? (() => {});
  const problem = (message: string) => {
    if (!force) throw new UsageError(`${message} (use --force to merge anyway)`);
    warn(message);
  };
  const first = inputs[0];
  const baseConfig = canonical({ ...first.config, shard: null });
  for (const input of inputs.slice(1)) {
    const diff = firstDifference(
      JSON.parse(baseConfig),
      JSON.parse(canonical({ ...input.config, shard: null })),
    );
    if (diff !== null) {
      problem(`${input.source} has another config than ${first.source}: ${diff} differs`);
    }
    for (const key of ENVIRONMENT_KIND_KEYS) {
      if (input.environment[key] !== first.environment[key]) {
        problem(
          `${input.source} ran on another kind of environment than ${first.source}: ${key} is ${
            JSON.stringify(input.environment[key])
          }, not ${JSON.stringify(first.environment[key])}`,
        );
      }
    }
  }
  // Shards: one of each of 1..n.
  const sharded = inputs.filter((i) => i.config.shard !== null);
  if (sharded.length > 0) {
    const counts = new Set(sharded.map((i) => i.config.shard!.count));
    if (counts.size > 1) {
      problem(`The inputs split the matrix differently: into ${[...counts].join(" and ")} shards`);
    }
    const count = Math.max(...counts);
    const seen = new Map<number, string>();
    for (const input of sharded) {
      const idx = input.config.shard!.index;
      const other = seen.get(idx);
      if (other !== undefined) {
        problem(`Shard ${idx}/${count} appears twice: ${other} and ${input.source}`);
      }
      seen.set(idx, input.source);
    }
    const missing = [];
    for (let i = 1; i <= count; i++) if (!seen.has(i)) missing.push(`${i}/${count}`);
    if (missing.length > 0 && sharded.length === inputs.length) {
      problem(`Shard${missing.length > 1 ? "s" : ""} ${missing.join(", ")} missing`);
    }
  }
  // Cells: each once, in matrix order.
  const byName = new Map<string, { cell: CellResult; source: string }>();
  for (const input of inputs) {
    for (const cell of input.cells) {
      const other = byName.get(cell.cell);
      if (other !== undefined) {
        problem(`Cell "${cell.cell}" is in both ${other.source} and ${input.source}`);
        continue;
      }
      byName.set(cell.cell, { cell, source: input.source });
    }
  }
  if (options.expected !== undefined) {
    const expected = new Set(options.expected);
    const missing = options.expected.filter((n) => !byName.has(n));
    const extra = [...byName.keys()].filter((n) => !expected.has(n));
    if (missing.length > 0) {
      problem(
        `${missing.length} cell${missing.length > 1 ? "s" : ""} of the matrix ${
          missing.length > 1 ? "are" : "is"
        } missing, e.g. "${missing[0]}" (an interrupted shard? finish it with --resume)`,
      );
    }
    if (extra.length > 0) {
      problem(`${extra.length} cells are not in the matrix of the config, e.g. "${extra[0]}"`);
    }
  }
  const cells = [...byName.values()].map((v) => v.cell).sort((a, b) => a.index - b.index);
  const starts = inputs.map((i) => i.environment.started_at).sort();
  const ends = inputs.map((i) => i.environment.ended_at).filter((e): e is string => e !== null)
    .sort();
  return {
    schema_version: RESULTS_SCHEMA_VERSION,
    tool: { name: "zswapbench", version: first.environment.tool_version },
    environment: {
      ...first.environment,
      started_at: starts[0],
      ended_at: ends.length > 0 ? ends[ends.length - 1] : null,
    },
    config: { ...first.config, shard: null } as unknown as Record<string, unknown>,
    cells,
  };
}

/**
 * Read a run directory: its `results.jsonl` when present (it holds every finished cell), else
 * its `results.json`.
 *
 * @param dir The directory.
 * @returns The run.
 * @throws {UsageError} When neither file is there or readable.
 */
export async function readRunDir(dir: string): Promise<MergeInput> {
  const jsonl = join(dir, RESULT_FILES.jsonl);
  let config: unknown;
  let environment: Environment;
  let cells: CellResult[];
  if (await exists(jsonl)) {
    const contents = await readJsonl(jsonl);
    config = contents.header.config;
    environment = contents.header.environment;
    cells = contents.cells;
    if (await exists(join(dir, RESULT_FILES.json))) {
      const json = await readResultsJson(join(dir, RESULT_FILES.json));
      environment = { ...environment, ended_at: json.environment.ended_at };
    }
  } else {
    const json = await readResultsJson(join(dir, RESULT_FILES.json));
    config = json.config;
    environment = json.environment;
    cells = json.cells;
  }
  const parsed = ResolvedConfigSchema.safeParse(config);
  if (!parsed.success) throw new UsageError(`${dir}: the results hold no valid config`);
  return { source: dir, config: parsed.data, environment, cells };
}

/**
 * Run the `merge` subcommand.
 *
 * @param args Arguments after `merge`.
 * @returns The exit status: 0, or 1 when a merged cell failed or had integrity failures.
 * @throws {UsageError} For bad flags, unreadable inputs or mismatches.
 */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseFlags("merge", args, {
    out: { type: "string" },
    force: { type: "boolean" },
    quiet: { type: "boolean" },
    debug: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) {
    console.log(MERGE_HELP);
    return 0;
  }
  if (positionals.length === 0) {
    throw new UsageError('merge needs the results directories to join, e.g. "merge a b --out c"');
  }
  const out = values.out as string | undefined;
  if (out === undefined) throw new UsageError("merge needs --out DIR for the merged run");
  // Compare resolved paths: "a/" and "./a" are the same folder as "a".
  if (positionals.some((dir) => resolve(dir) === resolve(out))) {
    throw new UsageError(`--out ${out} is also an input; write the merged run elsewhere`);
  }
  for (const name of [RESULT_FILES.jsonl, RESULT_FILES.json]) {
    if (values.force !== true && await exists(join(out, name))) {
      throw new UsageError(
        `--out ${out} already holds a run (${name}); choose another folder or add --force`,
      );
    }
  }
  const inputs = [];
  for (const dir of positionals) inputs.push(await readRunDir(dir));
  const expected = await expectedCells(inputs[0].config);
  const warn = (m: string) => console.error(`zswapbench: warning: ${m}`);
  if (expected === undefined) {
    warn("could not expand the config here, so missing cells are not checked");
  }
  const merged = mergeRuns(inputs, { force: values.force === true, expected, warn });
  await Deno.mkdir(out, { recursive: true });
  const writer = await JsonlWriter.create(join(out, RESULT_FILES.jsonl), {
    type: "header",
    schema_version: RESULTS_SCHEMA_VERSION,
    tool: merged.tool,
    environment: merged.environment,
    config: merged.config,
  });
  try {
    for (const cell of merged.cells) await writer.append(cell);
  } finally {
    writer.close();
  }
  await writeResultsFiles(out, merged);
  await writeReports(out, merged);
  if (!values.quiet) {
    console.log(formatSummaryTable(merged.cells));
    console.log(
      `\nMerged ${merged.cells.length} cells from ${inputs.length} runs into ${resolve(out)}/`,
    );
  }
  return exitCodeOf(merged.cells, false);
}

/** The cell names of an unsharded run of the config, or undefined when it cannot be expanded. */
async function expectedCells(config: ResolvedConfig): Promise<string[] | undefined> {
  try {
    const { createDefaultRegistry } = await import("../../builtins/mod.ts");
    const { createDefaultEngine } = await import("../run/default_engine.ts");
    const registry = createDefaultRegistry();
    for (const spec of config.plugins) await registry.load(spec);
    const all = expandMatrix(config, { registry, engine: createDefaultEngine() });
    return selectCells(all, { filter: config.filter }).map((c) => c.cell);
  } catch {
    return undefined;
  }
}

/** JSON with sorted object keys, to compare configs. */
function canonical(value: unknown): string {
  return JSON.stringify(
    value,
    (_k, v) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
        : v,
  );
}

function firstDifference(a: unknown, b: unknown, path = "config"): string | null {
  if (JSON.stringify(a) === JSON.stringify(b)) return null;
  if (
    typeof a === "object" && a !== null && typeof b === "object" && b !== null &&
    Array.isArray(a) === Array.isArray(b)
  ) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const sub = Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`;
      const d = firstDifference(
        (a as Record<string, unknown>)[k],
        (b as Record<string, unknown>)[k],
        sub,
      );
      if (d !== null) return d;
    }
  }
  return path;
}
