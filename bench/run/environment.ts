/**
 * The run's environment (DESIGN §6): tool and runtime versions, git commit, CPU, OS, memory,
 * start and end time, and the timer floor. Every probe tolerates failure (no permission, no git,
 * no `/proc`): an unknown value is `null`, never an error.
 *
 * @module
 */
import { cpus } from "node:os";
import denoJson from "../../deno.json" with { type: "json" };
import { measureTimerFloor } from "../measure/timer_floor.ts";
import type { Environment } from "../results/schema.ts";

/** The tool's name in results files. */
export const TOOL_NAME = "zswapbench";
/** The tool's version (deno.json). */
export const TOOL_VERSION: string = denoJson.version;

/**
 * Probe the environment. CPU model from `node:os` (or `/proc/cpuinfo`), cores from
 * `navigator.hardwareConcurrency`, memory from `Deno.systemMemoryInfo()`, git through `git`. `ended_at` is null; set it when the run ends.
 *
 * @param startedAt The run's start (default now).
 * @returns The environment.
 *
 * @example
 * ```ts ignore
 * const env = await collectEnvironment();
 * ```
 */
export async function collectEnvironment(startedAt: Date = new Date()): Promise<Environment> {
  const [commit, dirty, cpuModel] = await Promise.all([
    git(["rev-parse", "HEAD"]),
    git(["status", "--porcelain", "--untracked-files=no"]),
    readCpuModel(),
  ]);
  const floor = measureTimerFloor();
  return {
    tool_version: TOOL_VERSION,
    git_commit: commit,
    git_dirty: dirty === null ? null : dirty.length > 0,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    typescript: Deno.version.typescript,
    cpu_model: cpuModel,
    cores: navigator.hardwareConcurrency ?? 1,
    os: osName(),
    arch: Deno.build.arch,
    total_memory_bytes: totalMemory(),
    started_at: startedAt.toISOString(),
    ended_at: null,
    timer_floor_ns: floor.floorNs,
    timer_resolution_ns: floor.resolutionNs,
  };
}

/** The checkout this module lives in, for git. */
function repoDir(): string | null {
  const url = new URL("../..", import.meta.url);
  return url.protocol === "file:" ? decodeURIComponent(url.pathname) : null;
}

async function git(args: string[]): Promise<string | null> {
  const cwd = repoDir();
  if (cwd === null) return null;
  try {
    const out = await new Deno.Command("git", {
      args,
      cwd,
      stdout: "piped",
      stderr: "null",
      stdin: "null",
    }).output();
    if (!out.success) return null;
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return null; // no git, or no --allow-run
  }
}

/** The CPU model: node:os (needs only --allow-sys; Deno reads /proc only with --allow-all). */
async function readCpuModel(): Promise<string | null> {
  try {
    const model = cpus()[0]?.model?.trim();
    if (model) return model;
  } catch {
    // no --allow-sys
  }
  try {
    const text = await Deno.readTextFile("/proc/cpuinfo");
    const m = /^(?:model name|Processor|cpu model|uarch)\s*:\s*(.+)$/m.exec(text);
    return m ? m[1].trim() : null;
  } catch {
    return null;
  }
}

function osName(): string {
  try {
    return `${Deno.build.os} ${Deno.osRelease()}`;
  } catch {
    return Deno.build.os;
  }
}

function totalMemory(): number | null {
  try {
    return Deno.systemMemoryInfo().total;
  } catch {
    return null;
  }
}
