/** Run the zswapbench CLI in a subprocess from the repository root, for end-to-end tests. */
const CLI = new URL("../../bench/cli.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;

/** The outcome of a CLI run. */
export interface CliOutput {
  /** Exit status. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error. */
  stderr: string;
}

/** Run `deno run -A bench/cli.ts ...args` and collect its output. */
export async function runCli(...args: string[]): Promise<CliOutput> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
    cwd: ROOT,
    // INIT_CWD as `deno task` sets it from the root, whatever directory the suite was run in.
    env: { NO_COLOR: "1", RUST_BACKTRACE: "1", INIT_CWD: ROOT },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Start the CLI without waiting, for tests that signal it. */
export function spawnCli(...args: string[]): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    stdout: "piped",
    stderr: "piped",
    cwd: ROOT,
    env: { NO_COLOR: "1", INIT_CWD: ROOT },
  }).spawn();
}

/** Columns that depend on the clock: left out when comparing two runs of the same cells. */
export function isTimingColumn(key: string): boolean {
  return key === "duration_ms" || key === "latency_cdf" || key === "latency_reps" ||
    /_ns(_cv)?$|_mbps$/.test(key);
}

/** A cell without its clock-dependent columns. */
export function stableColumns(cell: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(cell).filter(([k]) => !isTimingColumn(k)));
}
