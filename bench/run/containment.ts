/**
 * Containment of plugin cells (issue 16): a cell with third-party plugins runs in its own Deno
 * process with a heap limit (`bench/run/cell_process.ts`), which runs the narrowed cell Worker of
 * `bench/worker_pool.ts`. A plugin that exhausts memory or crashes V8 (a fatal error kills the
 * whole process, Workers included) then takes only its cell: the cell is `crashed` with what is
 * known (the exit status and V8's last words), and the run goes on. What a cell process answers
 * is checked again here ({@linkcode checkCellResult}): the schema, the cell it is for, and that
 * an `ok` cell lost no data.
 *
 * Cost: a process start per cell, about 170 ms on top of the Worker's start on the loaded 2-core
 * dev machine (tests/bench/run/worker_pool_bench.ts); runs of built-in plugins alone stay in the main
 * process and pay nothing.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { CellWorkerReply, CellWorkerRequest } from "./cell_worker.ts";
import { denoCommand } from "./module_graph.ts";
import { oneLine } from "../results/text.ts";
import type { CellSpec } from "./matrix.ts";
import { type CellResult, CellResultSchema } from "../results/schema.ts";

/** The default heap limit of a cell process (MiB): a plugin that needs more is `crashed`. */
export const CELL_HEAP_MIB = 2048;

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ENTRY = fileURLToPath(new URL("./cell_process.ts", import.meta.url));
const CONFIG = fileURLToPath(new URL("../../deno.json", import.meta.url));

/** What a cell process gave: its Worker's answer, a timeout, or its death. */
export type ProcessOutcome =
  | { kind: "reply"; reply: CellWorkerReply }
  | { kind: "timeout" }
  | { kind: "crashed"; message: string };

/** Options of {@linkcode exchangeInProcess}. */
export interface ProcessExchangeOptions {
  /** Paths the Worker may read. */
  read: readonly string[];
  /** Hosts it may import from. */
  imports: readonly string[];
  /** Time limit (ms); 0 for none. */
  timeoutMs: number;
  /** Abandons the cell: the process is killed and the call rejects with the reason. */
  signal?: AbortSignal;
  /** Heap limit of the process (MiB, default {@linkcode CELL_HEAP_MIB}). */
  heapMib?: number;
}

/**
 * Answer one request in a fresh cell process.
 *
 * @param request The request for the cell Worker.
 * @param options Read paths, import hosts, time limit, abort signal.
 * @returns The Worker's answer, or how the process ended.
 *
 * @example
 * ```ts ignore
 * const outcome = await exchangeInProcess({ type: "run", modules, spec }, { read, imports: [], timeoutMs: 60000 });
 * ```
 */
export async function exchangeInProcess(
  request: CellWorkerRequest,
  options: ProcessExchangeOptions,
): Promise<ProcessOutcome> {
  const { signal } = options;
  signal?.throwIfAborted();
  const nonce = `zswapbench-reply-${crypto.randomUUID()}:`;
  const read = [ROOT, ...options.read].filter((p) => !p.includes(","));
  const args = [
    "run",
    "--quiet",
    "--no-prompt",
    `--v8-flags=--max-old-space-size=${options.heapMib ?? CELL_HEAP_MIB}`,
    "--unstable-worker-options",
    ...(existsSync(CONFIG) ? ["--config", CONFIG] : []),
    `--allow-read=${read.join(",")}`,
    ...(options.imports.length > 0 ? [`--allow-import=${options.imports.join(",")}`] : []),
    ENTRY,
  ];
  const child = new Deno.Command(denoCommand(), {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  let timedOut = false;
  let aborted = false;
  const kill = () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
  };
  const timer = options.timeoutMs > 0
    ? setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs)
    : undefined;
  const onAbort = () => {
    aborted = true;
    kill();
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const input = JSON.stringify({
      nonce,
      request,
      options: { read: options.read, imports: options.imports, timeoutMs: 0 },
    });
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(input)).catch(() => {});
    await writer.close().catch(() => {});
    const [status, out, err] = await Promise.all([
      child.status,
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
    ]);
    if (aborted) throw signal!.reason;
    if (timedOut) return { kind: "timeout" };
    const at = out.lastIndexOf(nonce);
    const printed = at >= 0 ? out.slice(0, at) : out;
    if (printed.trim() !== "") await Deno.stdout.write(new TextEncoder().encode(printed));
    if (at >= 0 && status.success) {
      const line = out.slice(at + nonce.length).split("\n")[0];
      try {
        return JSON.parse(line) as ProcessOutcome;
      } catch {
        return { kind: "crashed", message: "its answer could not be read" };
      }
    }
    return { kind: "crashed", message: deathNote(status, err) };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

/** What is known of a dead cell process: its exit status and V8's or Deno's last words. */
function deathNote(status: Deno.CommandStatus, stderr: string): string {
  const how = status.signal !== null ? `killed by ${status.signal}` : `exit status ${status.code}`;
  const lines = stderr.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const telling = lines.find((l) => /out of memory|heap limit|Fatal|OOM/i.test(l)) ??
    lines.find((l) => /error/i.test(l));
  return `its process died (${how}${telling ? `: ${oneLine(telling, 300)}` : ""})`;
}

/**
 * Check a result that came from a cell Worker or process before it is kept: it must match the
 * schema, be for the cell that was asked, and an `ok` cell must have lost no data. Plugin text
 * in it is made one line and capped.
 *
 * @param spec The cell that was asked.
 * @param result What came back.
 * @returns The result, contained; or null with the reason when it cannot be trusted.
 *
 * @example
 * ```ts ignore
 * const checked = checkCellResult(spec, reply.result);
 * ```
 */
export function checkCellResult(
  spec: CellSpec,
  result: unknown,
): { result: CellResult; problem: null } | { result: null; problem: string } {
  const parsed = CellResultSchema.safeParse(result);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      result: null,
      problem: `its result does not match the schema (${issue.path.join(".")}: ${
        oneLine(issue.message, 200)
      })`,
    };
  }
  const r = parsed.data;
  if (r.cell !== spec.cell || r.index !== spec.index) {
    return { result: null, problem: `it answered for another cell (${oneLine(r.cell, 200)})` };
  }
  if (
    r.status === "ok" &&
    (r.error !== null || (r.integrity_failures ?? 0) > 0 || (r.decompress_fail ?? 0) > 0)
  ) {
    return { result: null, problem: "it answered ok for a cell that lost data" };
  }
  return {
    result: {
      ...r,
      error: r.error === null ? null : oneLine(r.error),
      violation_sites: r.violation_sites === null ? null : oneLine(r.violation_sites),
    },
    problem: null,
  };
}
