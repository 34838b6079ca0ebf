/**
 * `deno task bench` / `deno task cli run`: run the matrix and write the results.
 *
 * @module
 */
import { parseFlags } from "./args.ts";
import {
  configFromFlags,
  flagOfKey,
  helpLines,
  MATRIX_FLAGS,
  RUN_PARSE_OPTIONS,
} from "./run_flags.ts";
import { parseJsonOrThrow } from "../results/json.ts";
import {
  type ConfigInput,
  type PluginRefInput,
  resolveConfig,
  type ResolvedConfig,
  ResolvedConfigSchema,
} from "../run/config.ts";
import { UsageError } from "../../registry/errors.ts";
import { parseShard } from "../run/matrix.ts";
import { readJsonl, RESULT_FILES } from "../results/files.ts";
import type { CellExecutor } from "../run/runner.ts";
import { defaultOutDir, type ResumeState, runSession } from "../run/session.ts";
import { join } from "node:path";
import { readConfigFile } from "../run/config_file.ts";

/** Help text of `run`. */
export const RUN_HELP: string = `Usage: deno task bench [flags]      (= deno task cli run [flags])

Run every cell of the matrix (allocator x compressor x workload x strategy x preset x params)
and write results.json, results.csv, results.jsonl, report.md and report.html.

Plugins and presets (comma-separated; an entry may carry options as name:{"json":...}):
${helpLines("plugins")}

Params (a comma-separated list sweeps):
${helpLines("params")}

Run:
${helpLines("run")}

Plugin modules run only in Workers with Deno permissions narrowed to what they declare
(docs/plugins-security.md).

Exit status: 0 all cells ok, 1 a cell failed, timed out or had integrity failures, 2 a usage
error, 3 an internal error, 130 interrupted (Ctrl-C; finished cells are kept: continue with
--resume DIR).`;

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
  const { values } = parseFlags("run", args, RUN_PARSE_OPTIONS);
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
    resume = { header: previous.header, cells: previous.cells, parts: previous.parts };
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
  if (values["retry-crashed"] === true && resume === undefined) {
    throw new UsageError("--retry-crashed goes with --resume DIR");
  }

  const jobs = str("jobs") === undefined ? 1 : parseJobs(str("jobs")!);
  const timeoutFlag = str("cell-timeout");
  const cellTimeoutS = timeoutFlag === undefined ? undefined : parseCellTimeout(timeoutFlag);
  const heapFlag = str("cell-heap-mib");
  if (heapFlag !== undefined && (!/^\d+$/.test(heapFlag) || Number(heapFlag) < 64)) {
    throw new UsageError(`--cell-heap-mib: "${heapFlag}" is not a whole number of MiB from 64`);
  }
  const cellHeapMib = heapFlag === undefined ? undefined : Number(heapFlag);

  // Imported here, not at the top, so the flag helpers load without every plugin.
  const { createDefaultRegistry } = await import("../../builtins/mod.ts");
  const { createDefaultEngine } = await import("../run/default_engine.ts");
  const registry = createDefaultRegistry();
  const engine = createDefaultEngine();
  // Built-ins alone run in this process (no Worker start-up per cell); plugin modules, a cell
  // timeout and parallel cells need Workers, and plugin code never runs outside them.
  const isolate = config.plugins.length > 0 || cellTimeoutS !== undefined || jobs > 1;
  let executor: CellExecutor | undefined;
  let timeoutS: number | null = null;
  if (isolate) {
    const { createWorkerExecutor, DEFAULT_CELL_TIMEOUT_S, loadPluginsIsolated } = await import(
      "../run/worker_pool.ts"
    );
    await loadPluginsIsolated(registry, config.plugins, { heapMib: cellHeapMib });
    timeoutS = cellTimeoutS ?? DEFAULT_CELL_TIMEOUT_S;
    executor = createWorkerExecutor({
      registry,
      plugins: config.plugins,
      cellTimeoutS: timeoutS,
      cellHeapMib,
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
  const { toolHash } = await import("../run/hashes.ts");
  const { pluginHashes } = await import("../run/worker_pool.ts");
  const hashes = { tool: await toolHash(), plugins: await pluginHashes(config.plugins) };
  try {
    const outcome = await runSession({
      hashes,
      retryCrashed: values["retry-crashed"] === true,
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
 * import { flagsToConfig } from "./run.ts";
 * const c = flagsToConfig({ pages: "256,1024", allocators: "zbud" });
 * assert.ok(Array.isArray(c.params?.pages));
 * ```
 */
export function flagsToConfig(values: Record<string, unknown>): ConfigInput {
  return configFromFlags(values, parsePluginRef);
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
 * import { parseJobs } from "./run.ts";
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
 * import { parseCellTimeout } from "./run.ts";
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

/**
 * The flag that sets a config path, for messages about command-line values.
 *
 * @param path A config path such as `params.pageSize` or `allocators[1].name`.
 * @returns e.g. `--page-size`, `--allocators`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flagForPath } from "./run.ts";
 * assert.equal(flagForPath("params.pageSize"), "--page-size");
 * ```
 */
export function flagForPath(path: string): string {
  const m = /^(?:params\.)?([A-Za-z]+)/.exec(path);
  if (!m) return path;
  return `--${flagOfKey(m[1]) ?? m[1]}`;
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
 * import { parsePluginRef } from "./run.ts";
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
