/**
 * Text both reports share: the environment as key/value rows and the notes on how the figures
 * were measured.
 *
 * @module
 */
import { getPreset, PRESETS } from "../../zswap/presets.ts";
import type { Environment, RunResults } from "../results/schema.ts";
import { fmtBytes, fmtNs, fmtValue, runJobs } from "./_format.ts";

/** The environment as `[label, value]` rows, in a reading order. */
export function environmentRows(env: Environment): [string, string][] {
  const known: [string, string][] = [
    ["CPU model", fmtValue(env.cpu_model)],
    ["logical cores", fmtValue(env.cores)],
    ["OS", fmtValue(env.os)],
    ["architecture", fmtValue(env.arch)],
    [
      "memory",
      env.total_memory_bytes === null ? fmtValue(null) : fmtBytes(env.total_memory_bytes),
    ],
    ["Deno", fmtValue(env.deno)],
    ["V8", fmtValue(env.v8)],
    ["TypeScript", fmtValue(env.typescript)],
    ["zswapbench", fmtValue(env.tool_version)],
    [
      "git commit",
      env.git_commit === null
        ? fmtValue(null)
        : `${env.git_commit}${env.git_dirty ? " (uncommitted changes)" : ""}`,
    ],
    ["started", fmtValue(env.started_at)],
    ["ended", fmtValue(env.ended_at)],
    ["timer floor", fmtNs(env.timer_floor_ns)],
    ["timer resolution", fmtNs(env.timer_resolution_ns)],
  ];
  // Keys added to the environment later still show, after the known ones.
  const shown = new Set([
    "cpu_model",
    "cores",
    "os",
    "arch",
    "total_memory_bytes",
    "deno",
    "v8",
    "typescript",
    "tool_version",
    "git_commit",
    "git_dirty",
    "started_at",
    "ended_at",
    "timer_floor_ns",
    "timer_resolution_ns",
  ]);
  const extra = Object.entries(env as Record<string, unknown>)
    .filter(([k]) => !shown.has(k))
    .map(([k, v]): [string, string] => [k, fmtValue(v)]);
  return [...known, ...extra];
}

/** The notes on method, one sentence each, with this run's timer figures filled in. */
export function methodNotes(results: RunResults): string[] {
  const env = results.environment;
  const reps = [...new Set(results.cells.map((c) => c.repetitions))].sort((a, b) => a - b);
  const warmups = [...new Set(results.cells.map((c) => c.warmup))].sort((a, b) => a - b);
  const jobs = runJobs(results);
  const notes = [
    "Each store, load and writeback is timed alone: one `performance.now()` read before the " +
    "operation and one after, with hashing, the integrity check and recording done after the " +
    "second read.",
    `Timer floor: an empty operation timed the same way took ${fmtNs(env.timer_floor_ns)} ` +
    `(median), and the smallest step of the clock was ${fmtNs(env.timer_resolution_ns)}; ` +
    "latencies within a few times the floor are mostly clock, not work.",
    "Percentiles (p50, p90, p99, p99.9) come from each cell's log-linear histogram of every " +
    "timed operation (HdrHistogram style: a value is known to within 1/256 of itself)." +
    (reps.some((r) => r > 1)
      ? " With repetitions, each percentile is the median over the repetitions, and the " +
        "`*_cv` columns (standard deviation / mean of the per-repetition p50 and p99) say " +
        "how much they spread."
      : ""),
    `Repetitions per cell: ${reps.join(", ") || "none"}; warm-up runs discarded before them: ` +
    `${warmups.join(", ") || "none"}.`,
    "Pool figures (stored pages, pool size, pool ratio, compression ratio) are taken at the " +
    "pool's high-water mark; `pool_pages_end` and `stored_pages_end` give the end of the run. " +
    "Pool ratio = stored pages × page size / pool bytes.",
    `Times are wall time of the TypeScript and WebAssembly work in Deno ${env.deno} ` +
    `(V8 ${env.v8}), not kernel time: compare them between cells of one run, or between runs ` +
    "on the same machine (`compare` refuses others).",
    jobs > 1
      ? `Cells ran ${jobs} at a time: parallel cells disturb each other's latencies.`
      : "Cells ran one at a time.",
  ];
  const virtual = results.cells.filter((c) => (c.time_model ?? "").startsWith("virtual/"));
  if (virtual.length > 0) {
    const models = [...new Set(virtual.map((c) => c.time_model))].join(", ");
    notes.push(
      `${virtual.length} cell${virtual.length === 1 ? "" : "s"} report${
        virtual.length === 1 ? "s" : ""
      } virtual times (${models}): each simulated CPU has a clock, the asynchronous engine is ` +
        "modelled, and waits for the engine and the CPU mutex come from the modelled timeline " +
        "(docs/virtual-time.md); `time_model` says which model made each cell's figures.",
    );
  }
  // mm/zbud.c and mm/z3fold.c were removed in 6.15 (PR6.15): later presets with them are what-ifs.
  const counterfactual = results.cells.filter((c) =>
    (c.allocator === "zbud" || c.allocator === "z3fold") &&
    (c.preset === "6.18" || c.preset === "latest")
  );
  if (counterfactual.length > 0) {
    notes.push(
      `${counterfactual.length} cell${counterfactual.length === 1 ? "" : "s"} run zbud or ` +
        "z3fold under preset 6.18 or latest: those allocators were removed in 6.15, so these " +
        "cells are counterfactual (the allocator under that kernel's frontend). From 6.18 an " +
        "incompressible page is stored raw, which zbud cannot hold: compare `stored_pages` " +
        "before `pool_ratio`.",
    );
  }
  notes.push(...codecNotes(results));
  return notes;
}

/** The zstd library the runtime's libzstd matches exactly (6.18's and 7.x's lengths). */
const RUNTIME_ZSTD = "1.5.7";

/** What the codec figures are, where they are not the kernel's own lengths. */
function codecNotes(results: RunResults): string[] {
  const notes: string[] = [];
  const zstdPresets = [
    ...new Set(results.cells.filter((c) => c.compressor === "zstd").map((c) => c.preset)),
  ].filter((p) => Object.hasOwn(PRESETS, p) && getPreset(p).zstdLibrary !== RUNTIME_ZSTD);
  for (const p of zstdPresets) {
    // zswap/presets.ts zstdLibrary: include/linux/zstd_lib.h of that kernel.
    notes.push(
      `zstd cells under preset ${p}: that kernel bundles zstd ${getPreset(p).zstdLibrary}, the ` +
        `simulator runs the runtime's libzstd (zstd ${RUNTIME_ZSTD}'s output, exact on 6.18 and ` +
        "7.x), so their lengths are close to the kernel's, not equal (docs/kernel-check.md).",
    );
  }
  const nativeDeflate =
    results.cells.filter((c) =>
      c.compressor === "deflate" && c.compressor_options?.engine === "zlib"
    ).length;
  if (nativeDeflate > 0) {
    notes.push(
      `${nativeDeflate} deflate cell${nativeDeflate === 1 ? "" : "s"} ran the native zlib ` +
        '(`{"engine":"zlib"}`): faster, but its lengths are 0.5% to 3.3% off the kernel\'s ' +
        "(the default engine gives the kernel's exact lengths).",
    );
  }
  return notes;
}
