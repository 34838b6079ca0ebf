/**
 * The zswapbench command line: `deno task cli <subcommand> [flags]` (`deno task bench` is
 * `cli run`). Each subcommand lives in `bench/cli/<name>.ts`, imported only when called, so a
 * slow or broken module never delays the others.
 *
 * Errors: a user mistake ({@linkcode UsageError}, a registry error, an invalid config) prints one
 * line `zswapbench: <message>` and exits 2; anything else is a bug: one line, a request to
 * report it, and exit 3. `--debug` adds the stack to either.
 *
 * @example
 * ```ts ignore
 * import { main } from "./cli.ts";
 * Deno.exit(await main(["list", "--json"]));
 * ```
 *
 * @module
 */
import { UsageError } from "../registry/errors.ts";
import { closestName } from "../registry/registry.ts";
import { formatZodIssues } from "../registry/schemas.ts";

/** A subcommand: its module and a one-line summary. */
interface Subcommand {
  load: () => Promise<{ main(args: string[]): Promise<number> }>;
  summary: string;
}

/** The subcommands, in the order `--help` lists them. */
const SUBCOMMANDS: Record<string, Subcommand> = {
  run: {
    load: () => import("./cli/run.ts"),
    summary: "run the benchmark matrix and write results and reports (deno task bench)",
  },
  list: { load: () => import("./cli/list.ts"), summary: "list plugins and kernel presets" },
  merge: {
    load: () => import("./cli/merge.ts"),
    summary: "join shard results (--shard i/n) into one run",
  },
  compare: {
    load: () => import("./cli/compare.ts"),
    summary: "compare two runs cell by cell",
  },
  report: {
    load: () => import("./cli/report.ts"),
    summary: "rebuild report.md and report.html from a results directory",
  },
  inspect: {
    load: () => import("./cli/inspect.ts"),
    summary: "print an allocator's geometry (zsmalloc size classes, chunk sizes)",
  },
  compress: {
    load: () => import("./cli/compress.ts"),
    summary: "compress a page file page by page: lengths and times",
  },
  capture: {
    load: () => import("./cli/capture.ts"),
    summary: "capture page contents of a process into a page file",
  },
  "kernel-check": {
    load: () => import("./cli/kernel_check.ts"),
    summary: "boot a real kernel under QEMU and compare its zswap with the model",
  },
  schema: {
    load: () => import("./cli/schema.ts"),
    summary: "print the JSON Schema of config files",
  },
};

/** Help text of the CLI. */
export const CLI_HELP = `zswapbench: benchmark zswap designs without building a kernel

Usage: deno task cli <subcommand> [flags]      (deno task bench = deno task cli run)

Subcommands:
${Object.entries(SUBCOMMANDS).map(([name, s]) => `  ${name.padEnd(13)} ${s.summary}`).join("\n")}

Run "deno task cli <subcommand> --help" for its flags. --debug prints stack traces (run, list,
merge, inspect, schema); --version prints the version. Guides: README.md and docs/cli.md.`;

/** Errors that are the user's to fix: printed as one line, exit status 2. */
const USER_ERROR_NAMES = new Set(["UsageError", "ConfigError", "RegistryError"]);

/**
 * Run the CLI.
 *
 * @param args The command line after the program (`Deno.args`).
 * @returns The exit status: the subcommand's, 2 for a user mistake, 3 for an internal error.
 */
export async function main(args: string[]): Promise<number> {
  const debug = args.includes("--debug");
  // --debug is the CLI's, not a subcommand's: every subcommand accepts it.
  const [name, ...rest] = args.filter((a, i) => i === 0 || a !== "--debug");
  try {
    if (name === undefined || name === "--help" || name === "-h" || name === "help") {
      console.log(CLI_HELP);
      return name === undefined ? 2 : 0;
    }
    if (name === "--version" || name === "-V") {
      const { TOOL_VERSION } = await import("./run/environment.ts");
      console.log(`zswapbench ${TOOL_VERSION}`);
      return 0;
    }
    // `bench` is what `deno task bench` runs: accept it as another name for `run`.
    const sub = name === "bench"
      ? SUBCOMMANDS.run
      : Object.hasOwn(SUBCOMMANDS, name)
      ? SUBCOMMANDS[name]
      : undefined;
    if (sub === undefined) {
      const guess = closestName(name, Object.keys(SUBCOMMANDS));
      throw new UsageError(
        `Unknown subcommand "${name}" (known: ${Object.keys(SUBCOMMANDS).join(", ")}${
          guess ? `; did you mean "${guess}"?` : ""
        })`,
      );
    }
    let mod: { main(args: string[]): Promise<number> };
    try {
      mod = await sub.load();
    } catch (err) {
      throw new Error(`The "${name}" subcommand could not be loaded: ${firstLine(err)}`, {
        cause: err,
      });
    }
    return await mod.main(rest);
  } catch (err) {
    return reportError(err, debug);
  }
}

/**
 * Print an error the CLI way and give the exit status.
 *
 * @param err What was thrown.
 * @param debug Print the stack too.
 * @returns 2 for a user mistake, 3 otherwise.
 */
export function reportError(err: unknown, debug: boolean): number {
  const user = err instanceof UsageError ||
    (err instanceof Error && USER_ERROR_NAMES.has(err.name));
  const issues = (err as { issues?: unknown })?.issues;
  if (err instanceof Error && err.name === "ZodError" && Array.isArray(issues)) {
    // A zod check that escaped its layer (normally configs become ConfigError): still the user's.
    console.error(
      `zswapbench: invalid value: ${formatZodIssues(issues, undefined, { quoteValues: false })}`,
    );
    if (debug && err.stack) console.error(err.stack);
    return 2;
  }
  if (user) {
    console.error(`zswapbench: ${firstLine(err)}`);
    if (debug && err instanceof Error && err.stack) console.error(err.stack);
    return 2;
  }
  console.error(`zswapbench: internal error: ${firstLine(err)}`);
  if (debug && err instanceof Error && err.stack) console.error(err.stack);
  else {console.error(
      "This is a bug in zswapbench: please report it (run with --debug for the stack)",
    );}
  return 3;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split("\n")[0];
}

/** The project root: where `deno task` starts every task, whatever directory the user is in. */
const PROJECT_ROOT = new URL("../", import.meta.url);

/**
 * The directory the user typed the command in, when it is not the one this process runs in.
 * `deno task` runs tasks from the project root and keeps the user's directory in `INIT_CWD`;
 * it is honoured only while the process is at the root, so a child started elsewhere with an
 * inherited `INIT_CWD` keeps its own directory.
 *
 * @param initCwd The value of `INIT_CWD` (unset: undefined).
 * @param cwd The process's directory.
 * @returns The directory to resolve the user's relative paths against, or undefined.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { userDirectory } from "./cli.ts";
 * assert.equal(userDirectory(undefined, "/repo"), undefined);
 * assert.equal(userDirectory("/elsewhere", "/not/the/root"), undefined);
 * ```
 */
export function userDirectory(initCwd: string | undefined, cwd: string): string | undefined {
  if (!initCwd) return undefined;
  const real = (path: string) => {
    try {
      return Deno.realPathSync(path);
    } catch {
      return undefined;
    }
  };
  const root = real(PROJECT_ROOT.pathname);
  const here = real(cwd);
  const user = real(initCwd);
  if (root === undefined || user === undefined || here !== root || user === here) return undefined;
  return user;
}

if (import.meta.main) {
  // Relative paths on the command line (--out, --plugin, --config, --pages) mean what the user
  // typed: from the directory the command was typed in, not the root `deno task` runs from.
  let dir: string | undefined;
  try {
    dir = userDirectory(Deno.env.get("INIT_CWD"), Deno.cwd());
  } catch {
    dir = undefined; // no permission to read the environment: stay where we are
  }
  if (dir !== undefined) Deno.chdir(dir);
  // Any rejection that escapes main() is still an internal error, not a runtime backtrace.
  globalThis.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    Deno.exit(reportError(e.reason, Deno.args.includes("--debug")));
  });
  Deno.exit(await main(Deno.args));
}
