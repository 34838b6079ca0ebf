/**
 * `deno task bench` / `deno task cli run`: run the matrix and write the results.
 *
 * @module
 */
import { parseFlags, splitList } from "./_args.ts";
import { parseJsonOrThrow } from "./_json.ts";
import {
  type ConfigInput,
  type ParamsInput,
  type PluginRefInput,
  readConfigFile,
  resolveConfig,
  type ResolvedConfig,
  ResolvedConfigSchema,
} from "./config.ts";
import { UsageError } from "./errors.ts";
import { parseShard } from "./matrix.ts";
import { readJsonl, RESULT_FILES } from "./output.ts";
import type { CellExecutor } from "./runner.ts";
import { defaultOutDir, type ResumeState, runSession } from "./session.ts";
import { join } from "node:path";

/** Help text of `run`. */
export const RUN_HELP = `Usage: deno task bench [flags]      (= deno task cli run [flags])

Run every cell of the matrix (allocator x compressor x workload x strategy x preset x params)
and write results.json, results.csv, results.jsonl, report.md and report.html.

Plugins and presets (comma-separated; an entry may carry options as name:{"json":...}):
  --allocators LIST      zpool drivers (default zbud,z3fold,zsmalloc)
  --compressors LIST     compressors (default lz4,zstd)
  --workloads LIST       workloads (default mixed)
  --strategies LIST      load-path strategies (default: each preset's own)
  --presets LIST         kernel presets: 5.10 5.11 5.12 6.1 6.8 6.12 6.18 latest
                         (default 6.1,6.8,latest)
  --plugin SPEC          load a plugin module (path, file: URL, npm:, jsr:, https:); repeatable

Params (a comma-separated list sweeps):
  --pages N              distinct pages per workload (default 4096; --quick 256)
  --seed S               seed (default 1)
  --cpus N               simulated CPUs (default 1)
  --tasks N              simulated tasks (default 1)
  --page-size N          4096, 16384 or 65536 (default 4096)
  --total-ram-mib N      total RAM in MiB, base of the pool limit (default 1024)
  --max-pool-percent N   zswap.max_pool_percent (default 20)
  --accept-threshold N   zswap.accept_threshold_percent (default 90)
  --bounce-fail-rate R   GFP_ATOMIC bounce allocation failure probability 0..1 (default 0)
  --strict               fail a cell at its first sleep-in-atomic violation

Run:
  --config FILE          a JSON config (same keys; flags override it; schema: "cli schema")
  --repetitions N        measured runs per cell (default 3; latencies are their medians)
  --warmup N             discarded runs per cell before measuring (default 1)
  --quick                a smoke run (256 pages, one repetition, no warm-up; not for latencies)
  --filter REGEX         run only cells whose name matches
  --shard I/N            run the cells whose matrix index mod N is I-1
  --out DIR              results directory, not holding a run yet (default results/<timestamp>/)
  --resume DIR           continue the run in DIR from its results.jsonl
  --cell-timeout S       run each cell in its own Worker and stop it after S seconds (status
                         "timeout"; 0 = no limit). Cells run in Workers anyway when a plugin
                         module is loaded (default limit 600 s) or with --jobs above 1
  --jobs N               cells at once, each in a Worker (default 1; more disturbs latencies)
  --quiet                no progress line and no summary table
  --debug                print stack traces of errors
  --help                 this text

Plugin modules run only in Workers with Deno permissions narrowed to what they declare
(docs/plugins-security.md).

Exit status: 0 all cells ok, 1 a cell failed, timed out or had integrity failures, 2 a usage
error, 3 an internal error, 130 interrupted (Ctrl-C; finished cells are kept: continue with
--resume DIR).`;

const FLAGS = {
  allocators: { type: "string" },
  compressors: { type: "string" },
  workloads: { type: "string" },
  strategies: { type: "string" },
  presets: { type: "string" },
  plugin: { type: "string", multiple: true },
  pages: { type: "string" },
  seed: { type: "string" },
  cpus: { type: "string" },
  tasks: { type: "string" },
  "page-size": { type: "string" },
  "total-ram-mib": { type: "string" },
  "max-pool-percent": { type: "string" },
  "accept-threshold": { type: "string" },
  "bounce-fail-rate": { type: "string" },
  strict: { type: "boolean" },
  config: { type: "string" },
  repetitions: { type: "string" },
  warmup: { type: "string" },
  quick: { type: "boolean" },
  filter: { type: "string" },
  shard: { type: "string" },
  out: { type: "string" },
  resume: { type: "string" },
  "cell-timeout": { type: "string" },
  jobs: { type: "string" },
  quiet: { type: "boolean" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Flags that define the matrix: not allowed with `--resume`, which reuses the run's config. */
const MATRIX_FLAGS = Object.keys(FLAGS).filter((f) =>
  !["resume", "quiet", "debug", "help", "out", "cell-timeout", "jobs"].includes(f)
);

/** Largest `--jobs`. */
const MAX_JOBS = 64;
/** Largest `--cell-timeout`: a week. */
const MAX_CELL_TIMEOUT_S = 7 * 24 * 3600;

/**
 * Run the `run` subcommand.
 *
 * @param args Arguments after `run`.
 * @returns The exit status.
 * @throws {UsageError} For a bad flag or config.
 *
 * @example
 * ```ts ignore
 * Deno.exit(await main(["--quick"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const { values } = parseFlags("run", args, FLAGS);
  if (values.help) {
    console.log(RUN_HELP);
    return 0;
  }
  const str = (k: string) => values[k] as string | undefined;
  let config: ResolvedConfig;
  let resume: ResumeState | undefined;
  let outDir: string;
  if (str("resume") !== undefined) {
    const dir = str("resume")!;
    const given = MATRIX_FLAGS.filter((f) => values[f] !== undefined);
    if (given.length > 0) {
      throw new UsageError(
        `--resume takes the config from ${dir}/${RESULT_FILES.jsonl}; drop ${
          given.map((f) => `--${f}`).join(", ")
        }`,
      );
    }
    if (str("out") !== undefined && str("out") !== dir) {
      throw new UsageError(`--resume writes into ${dir}; drop --out ${str("out")}`);
    }
    const previous = await readJsonl(join(dir, RESULT_FILES.jsonl));
    const parsed = ResolvedConfigSchema.safeParse(previous.header.config);
    if (!parsed.success) {
      throw new UsageError(`${dir}/${RESULT_FILES.jsonl}: the header holds no valid config`);
    }
    config = parsed.data;
    resume = { header: previous.header, cells: previous.cells };
    outDir = dir;
  } else {
    const file: ConfigInput = str("config") !== undefined
      ? await readConfigFile(str("config")!)
      : {};
    const overrides = flagsToConfig(values);
    if (overrides.plugins !== undefined && file.plugins !== undefined) {
      overrides.plugins = [...file.plugins, ...overrides.plugins];
    }
    config = resolveConfig(file, {
      source: str("config") !== undefined ? `Config file ${str("config")}` : "Config",
      overrides,
      overridesSource: "Command line",
      overridesPathLabel: flagForPath,
      quick: values.quick === true,
      shard: str("shard") !== undefined ? parseShard(str("shard")!) : null,
    });
    outDir = str("out") ?? defaultOutDir();
  }

  const jobs = str("jobs") === undefined ? 1 : parseJobs(str("jobs")!);
  const timeoutFlag = str("cell-timeout");
  const cellTimeoutS = timeoutFlag === undefined ? undefined : parseCellTimeout(timeoutFlag);

  // Imported here, not at the top, so the flag helpers load without every plugin.
  const { createDefaultRegistry } = await import("../registry/builtins.ts");
  const { createDefaultEngine } = await import("./default_engine.ts");
  const registry = createDefaultRegistry();
  const engine = createDefaultEngine();
  // Built-ins alone run in this process (no Worker start-up per cell); plugin modules, a cell
  // timeout and parallel cells need Workers, and plugin code never runs outside them.
  const isolate = config.plugins.length > 0 || cellTimeoutS !== undefined || jobs > 1;
  let executor: CellExecutor | undefined;
  let timeoutS: number | null = null;
  if (isolate) {
    const { createWorkerExecutor, DEFAULT_CELL_TIMEOUT_S, loadPluginsIsolated } = await import(
      "./worker_pool.ts"
    );
    await loadPluginsIsolated(registry, config.plugins);
    timeoutS = cellTimeoutS ?? DEFAULT_CELL_TIMEOUT_S;
    executor = createWorkerExecutor({
      registry,
      plugins: config.plugins,
      cellTimeoutS: timeoutS,
    });
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) Deno.exit(130);
    if (!values.quiet) {
      console.error(
        "\nInterrupted: abandoning the running cell, keeping the finished ones (Ctrl-C again to quit now)",
      );
    }
    controller.abort(new DOMException("Interrupted", "AbortError"));
  };
  let listening = false;
  try {
    Deno.addSignalListener("SIGINT", onSigint);
    listening = true;
  } catch {
    // signals unsupported here (e.g. Windows without a console): Ctrl-C then kills the run
  }
  try {
    const outcome = await runSession({
      config,
      registry,
      engine,
      executor,
      jobs,
      cellTimeoutS: timeoutS === 0 ? null : timeoutS,
      outDir,
      resume,
      signal: controller.signal,
      quiet: values.quiet === true,
    });
    return outcome.exitCode;
  } finally {
    if (listening) Deno.removeSignalListener("SIGINT", onSigint);
  }
}

/**
 * The config overrides the `run` flags give.
 *
 * @param values Parsed flag values.
 * @returns A config input (only the keys the flags set).
 * @throws {UsageError} For a number that is not one, or bad JSON options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagsToConfig } from "./cmd_run.ts";
 * const c = flagsToConfig({ pages: "256,1024", allocators: "zbud" });
 * assert.ok(Array.isArray(c.params?.pages));
 * ```
 */
export function flagsToConfig(values: Record<string, unknown>): ConfigInput {
  const out: ConfigInput = {};
  const refs = (flag: string): PluginRefInput[] | undefined => {
    const v = values[flag];
    if (typeof v !== "string") return undefined;
    return splitList(v).map((entry) => parsePluginRef(entry, `--${flag}`));
  };
  out.allocators = refs("allocators");
  out.compressors = refs("compressors");
  out.workloads = refs("workloads");
  out.strategies = refs("strategies");
  out.presets = refs("presets");
  const params: ParamsInput = {};
  const nums = (flag: string): number | number[] | undefined => {
    const v = values[flag];
    if (typeof v !== "string") return undefined;
    const list = splitList(v).map((s) => {
      const n = Number(s);
      if (s === "" || !Number.isFinite(n)) {
        throw new UsageError(`--${flag}: "${s}" is not a number`);
      }
      return n;
    });
    if (list.length === 0) throw new UsageError(`--${flag} needs a value`);
    return list.length === 1 ? list[0] : list;
  };
  params.pages = nums("pages");
  params.seed = nums("seed");
  params.cpus = nums("cpus");
  params.tasks = nums("tasks");
  params.pageSize = nums("page-size");
  params.totalRamMiB = nums("total-ram-mib");
  params.maxPoolPercent = nums("max-pool-percent");
  params.acceptThresholdPercent = nums("accept-threshold");
  params.bounceFailRate = nums("bounce-fail-rate");
  if (values.strict === true) params.strict = true;
  const setParams = Object.fromEntries(
    Object.entries(params).filter(([, v]) => v !== undefined),
  );
  if (Object.keys(setParams).length > 0) out.params = setParams;
  const one = (flag: string) => {
    const n = nums(flag);
    if (Array.isArray(n)) throw new UsageError(`--${flag} takes one number`);
    return n;
  };
  out.repetitions = one("repetitions");
  out.warmup = one("warmup");
  if (typeof values.filter === "string") out.filter = values.filter;
  if (Array.isArray(values.plugin)) out.plugins = values.plugin as string[];
  return Object.fromEntries(
    Object.entries(out).filter(([, v]) => v !== undefined),
  ) as ConfigInput;
}

/**
 * Parse `--jobs`.
 *
 * @param text The flag value.
 * @returns An integer from 1 to 64.
 * @throws {UsageError} For anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJobs } from "./cmd_run.ts";
 * assert.equal(parseJobs("2"), 2);
 * ```
 */
export function parseJobs(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isInteger(n) || n < 1 || n > MAX_JOBS) {
    throw new UsageError(`--jobs: "${text}" is not a whole number from 1 to ${MAX_JOBS}`);
  }
  return n;
}

/**
 * Parse `--cell-timeout`.
 *
 * @param text Seconds (fractions allowed); 0 for no limit.
 * @returns The seconds.
 * @throws {UsageError} For a negative, absurd (over a week) or non-numeric value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseCellTimeout } from "./cmd_run.ts";
 * assert.equal(parseCellTimeout("2.5"), 2.5);
 * ```
 */
export function parseCellTimeout(text: string): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n < 0 || n > MAX_CELL_TIMEOUT_S) {
    throw new UsageError(
      `--cell-timeout: "${text}" is not a number of seconds from 0 (no limit) to ${MAX_CELL_TIMEOUT_S}`,
    );
  }
  return n;
}

const PARAM_FLAGS: Record<string, string> = {
  pageSize: "page-size",
  totalRamMiB: "total-ram-mib",
  maxPoolPercent: "max-pool-percent",
  acceptThresholdPercent: "accept-threshold",
  bounceFailRate: "bounce-fail-rate",
};

/**
 * The flag that sets a config path, for messages about command-line values.
 *
 * @param path A config path such as `params.pageSize` or `allocators[1].name`.
 * @returns e.g. `--page-size`, `--allocators`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagForPath } from "./cmd_run.ts";
 * assert.equal(flagForPath("params.pageSize"), "--page-size");
 * ```
 */
export function flagForPath(path: string): string {
  const m = /^(?:params\.)?([A-Za-z]+)/.exec(path);
  if (!m) return path;
  if (m[1] === "plugins") return "--plugin";
  return `--${PARAM_FLAGS[m[1]] ?? m[1]}`;
}

/**
 * A list entry from the command line: `name` or `name:{...json options...}`.
 *
 * @param entry The entry.
 * @param flag The flag, for messages.
 * @returns A name or `{ name, options }`.
 * @throws {UsageError} When the options are not a JSON object.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePluginRef } from "./cmd_run.ts";
 * const ref = parsePluginRef('zstd:{"level":3}', "--compressors");
 * assert.ok(typeof ref === "object" && ref.name === "zstd");
 * ```
 */
export function parsePluginRef(entry: string, flag: string): PluginRefInput {
  const brace = entry.indexOf(":{");
  if (brace < 0) return entry;
  const name = entry.slice(0, brace);
  const value = parseJsonOrThrow(entry.slice(brace + 1), `${flag} options of "${name}"`);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`${flag}: the options of "${name}" must be a JSON object`);
  }
  return { name, options: value as Record<string, unknown> };
}
