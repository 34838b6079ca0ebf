/**
 * The flags of `run`, in one table: the `parseArgs` options, the help text, the config key each
 * flag sets (and so the flag named in a message about a config path), and which flags define the
 * matrix (refused with `--resume`) are all made from {@linkcode RUN_FLAGS}. A new flag is one row.
 *
 * @module
 */
import { UsageError } from "../../registry/errors.ts";
import type { ConfigInput, ParamsInput, PluginRefInput } from "../run/config.ts";
import { splitList } from "./args.ts";

/** How a flag's value becomes config. */
export type RunFlagKind =
  /** Comma-separated plugin entries (`name` or `name:{json}`) into a top-level list. */
  | "plugins"
  /** A number, or a comma-separated list that sweeps, into `params`. */
  | "param"
  /** `true` into `params` when given. */
  | "param-switch"
  /** One of `choices`, or a comma-separated list of them that sweeps, into `params`. */
  | "param-choice"
  /** One number into a top-level key. */
  | "number"
  /** A string into a top-level key. */
  | "string"
  /** Repeatable; every value, in order, into a top-level list. */
  | "repeated"
  /** Read by `main()` itself, not config. */
  | "run"
  /** A switch read by `main()` itself. */
  | "run-switch";

/** One flag of `run`. */
export interface RunFlag {
  /** The flag without dashes, e.g. `max-pool-percent`. */
  name: string;
  /** How its value becomes config. */
  kind: RunFlagKind;
  /** The config key it sets (`params.<key>` for params); none for `run`/`run-switch`. */
  key?: string;
  /** The value's placeholder in the help, e.g. `N`, `LIST`. */
  arg?: string;
  /** Help lines: the first beside the flag, the others below it. */
  help: readonly string[];
  /** The help section. */
  section: "plugins" | "params" | "run";
  /** Defines the matrix: refused with `--resume`, which reuses the run's config. */
  matrix: boolean;
  /** A one-letter alias. */
  short?: string;
  /** The values a `param-choice` flag takes. */
  choices?: readonly string[];
}

const PLUGINS = "plugins" as const;
const PARAMS = "params" as const;
const RUN = "run" as const;

/** Every flag of `run`, in help order. */
export const RUN_FLAGS: readonly RunFlag[] = [
  ...([
    ["allocators", "zpool drivers (default zbud,z3fold,zsmalloc)"],
    ["compressors", "compressors (default lz4,zstd)"],
    ["workloads", "workloads (default mixed)"],
    ["strategies", "load-path strategies (default: each preset's own)"],
  ] as const).map(([name, help]): RunFlag => ({
    name,
    kind: "plugins",
    key: name,
    arg: "LIST",
    help: [help],
    section: PLUGINS,
    matrix: true,
  })),
  {
    name: "presets",
    kind: "plugins",
    key: "presets",
    arg: "LIST",
    help: [
      "kernel presets: 5.10 5.11 5.12 6.1 6.8 6.12 6.18 latest",
      "(default 6.1,6.8,latest)",
    ],
    section: PLUGINS,
    matrix: true,
  },
  {
    name: "plugin",
    kind: "repeated",
    key: "plugins",
    arg: "SPEC",
    help: ["load a plugin module (path, file: URL, npm:, jsr:, https:); repeatable"],
    section: PLUGINS,
    matrix: true,
  },
  ...([
    ["pages", "pages", "N", "distinct pages per workload (default 4096; --quick 256)"],
    ["seed", "seed", "S", "seed (default 1)"],
    ["cpus", "cpus", "N", "simulated CPUs (default 1)"],
    ["tasks", "tasks", "N", "simulated tasks (default 1)"],
    ["page-size", "pageSize", "N", "4096, 16384 or 65536 (default 4096)"],
    [
      "total-ram-mib",
      "totalRamMiB",
      "N",
      "total RAM in MiB, base of the pool limit (default 1024)",
    ],
    ["max-pool-percent", "maxPoolPercent", "N", "zswap.max_pool_percent (default 20)"],
    [
      "accept-threshold",
      "acceptThresholdPercent",
      "N",
      "zswap.accept_threshold_percent (default 90)",
    ],
    [
      "bounce-fail-rate",
      "bounceFailRate",
      "R",
      "GFP_ATOMIC bounce allocation failure probability 0..1 (default 0)",
    ],
    [
      "think-us",
      "thinkUs",
      "T",
      "mean think time (µs) between a task's operations (virtual time; default 0)",
    ],
  ] as const).map(([name, key, arg, help]): RunFlag => ({
    name,
    kind: "param",
    key,
    arg,
    help: [help],
    section: PARAMS,
    matrix: true,
  })),
  {
    name: "strict",
    kind: "param-switch",
    key: "strict",
    help: ["fail a cell at its first sleep-in-atomic violation"],
    section: PARAMS,
    matrix: true,
  },
  {
    name: "cost-model",
    kind: "param-choice",
    key: "costModel",
    arg: "M",
    choices: ["measured", "calibrated"],
    help: [
      "measured (default) or calibrated: what synchronous work costs in",
      "virtual time (a custom table: params.costModel in a config)",
    ],
    section: PARAMS,
    matrix: true,
  },
  {
    name: "config",
    kind: "run",
    arg: "FILE",
    help: ['a JSON config (same keys; flags override it; schema: "cli schema")'],
    section: RUN,
    matrix: true,
  },
  {
    name: "repetitions",
    kind: "number",
    key: "repetitions",
    arg: "N",
    help: ["measured runs per cell (default 3; latencies are their medians)"],
    section: RUN,
    matrix: true,
  },
  {
    name: "warmup",
    kind: "number",
    key: "warmup",
    arg: "N",
    help: ["discarded runs per cell before measuring (default 1)"],
    section: RUN,
    matrix: true,
  },
  {
    name: "quick",
    kind: "run-switch",
    help: ["a smoke run (256 pages, one repetition, no warm-up; not for latencies)"],
    section: RUN,
    matrix: true,
  },
  {
    name: "filter",
    kind: "string",
    key: "filter",
    arg: "REGEX",
    help: ["run only cells whose name matches"],
    section: RUN,
    matrix: true,
  },
  {
    name: "shard",
    kind: "run",
    arg: "I/N",
    help: ["run the cells whose matrix index mod N is I-1"],
    section: RUN,
    matrix: true,
  },
  {
    name: "out",
    kind: "run",
    arg: "DIR",
    help: ["results directory, not holding a run yet (default results/<timestamp>/)"],
    section: RUN,
    matrix: false,
  },
  {
    name: "resume",
    kind: "run",
    arg: "DIR",
    help: ["continue the run in DIR from its results.jsonl"],
    section: RUN,
    matrix: false,
  },
  {
    name: "retry-crashed",
    kind: "run-switch",
    help: ["with --resume: run the cells that crashed again (default: kept)"],
    section: RUN,
    matrix: false,
  },
  {
    name: "cell-timeout",
    kind: "run",
    arg: "S",
    help: [
      "run each cell in its own Worker and stop it after S seconds (status",
      '"timeout"; 0 = no limit). Cells run in Workers anyway when a plugin',
      "module is loaded (default limit 600 s) or with --jobs above 1",
    ],
    section: RUN,
    matrix: false,
  },
  {
    name: "jobs",
    kind: "run",
    arg: "N",
    help: ["cells at once, each in a Worker (default 1; more disturbs latencies)"],
    section: RUN,
    matrix: false,
  },
  {
    name: "cell-heap-mib",
    kind: "run",
    arg: "N",
    help: [
      "heap limit of each cell process when plugin modules are loaded (default",
      '2048): a cell that needs more is "crashed" and the run goes on',
    ],
    section: RUN,
    matrix: false,
  },
  {
    name: "quiet",
    kind: "run-switch",
    help: ["no progress line and no summary table"],
    section: RUN,
    matrix: false,
  },
  {
    name: "debug",
    kind: "run-switch",
    help: ["print stack traces of errors"],
    section: RUN,
    matrix: false,
  },
  {
    name: "help",
    kind: "run-switch",
    help: ["this text"],
    section: RUN,
    matrix: false,
    short: "h",
  },
];

/** A `parseArgs` option. */
export type FlagOption = { type: "string" | "boolean"; multiple?: boolean; short?: string };

/** The `parseArgs` options of `run`, from {@linkcode RUN_FLAGS}. */
export const RUN_PARSE_OPTIONS: Readonly<Record<string, FlagOption>> = Object.fromEntries(
  RUN_FLAGS.map((f) => {
    const type = f.kind === "param-switch" || f.kind === "run-switch" ? "boolean" : "string";
    const o: FlagOption = { type };
    if (f.kind === "repeated") o.multiple = true;
    if (f.short !== undefined) o.short = f.short;
    return [f.name, o];
  }),
);

/** Flags that define the matrix: not allowed with `--resume`, which reuses the run's config. */
export const MATRIX_FLAGS: readonly string[] = RUN_FLAGS.filter((f) => f.matrix).map((f) => f.name);

const HELP_COLUMN = 25;

/**
 * The flag lines of one help section, aligned.
 *
 * @param section The section.
 * @returns The lines, joined with newlines.
 */
export function helpLines(section: RunFlag["section"]): string {
  const out: string[] = [];
  for (const f of RUN_FLAGS.filter((x) => x.section === section)) {
    const head = `  --${f.name}${f.arg === undefined ? "" : ` ${f.arg}`}`;
    out.push(`${head.padEnd(HELP_COLUMN)}${f.help[0]}`);
    for (const more of f.help.slice(1)) out.push(`${" ".repeat(HELP_COLUMN)}${more}`);
  }
  return out.join("\n");
}

/**
 * The config the flags set: every flag with a config key, its value parsed by its kind.
 *
 * @param values Parsed flag values by flag name.
 * @param parsePluginRef Turns one list entry into a plugin reference.
 * @returns The config (only the keys a flag set).
 * @throws {UsageError} For a value that is not a number, an empty list, or a list where one
 * number is wanted.
 */
export function configFromFlags(
  values: Record<string, unknown>,
  parsePluginRef: (entry: string, flag: string) => PluginRefInput,
): ConfigInput {
  const out: Record<string, unknown> = {};
  const params: Record<string, unknown> = {};
  for (const f of RUN_FLAGS) {
    const v = values[f.name];
    if (f.key === undefined || v === undefined) continue;
    switch (f.kind) {
      case "plugins":
        if (typeof v === "string") {
          out[f.key] = splitList(v).map((entry) => parsePluginRef(entry, `--${f.name}`));
        }
        break;
      case "param":
        if (typeof v === "string") params[f.key] = numbers(f.name, v);
        break;
      case "param-switch":
        if (v === true) params[f.key] = true;
        break;
      case "param-choice":
        if (typeof v === "string") {
          const words = splitList(v).map((w) => {
            if (!(f.choices ?? []).includes(w)) {
              throw new UsageError(
                `--${f.name}: "${w}" is not ${(f.choices ?? []).join(" or ")}`,
              );
            }
            return w;
          });
          if (words.length === 0) throw new UsageError(`--${f.name} needs a value`);
          params[f.key] = words.length === 1 ? words[0] : words;
        }
        break;
      case "number":
        if (typeof v === "string") {
          const n = numbers(f.name, v);
          if (Array.isArray(n)) throw new UsageError(`--${f.name} takes one number`);
          out[f.key] = n;
        }
        break;
      case "string":
        if (typeof v === "string") out[f.key] = v;
        break;
      case "repeated":
        if (Array.isArray(v)) out[f.key] = v as string[];
        break;
    }
  }
  if (Object.keys(params).length > 0) out.params = params as ParamsInput;
  return out as ConfigInput;
}

function numbers(flag: string, text: string): number | number[] {
  const list = splitList(text).map((s) => {
    const n = Number(s);
    if (s === "" || !Number.isFinite(n)) throw new UsageError(`--${flag}: "${s}" is not a number`);
    return n;
  });
  if (list.length === 0) throw new UsageError(`--${flag} needs a value`);
  return list.length === 1 ? list[0] : list;
}

/**
 * The flag that sets a config key, by the key's last part (`pageSize` -> `page-size`,
 * `plugins` -> `plugin`); undefined when no flag sets it.
 *
 * @param key A config key (`pageSize`, `allocators`, ...).
 * @returns The flag's name without dashes.
 */
export function flagOfKey(key: string): string | undefined {
  return RUN_FLAGS.find((f) => f.key === key)?.name;
}
