// Small helpers of `deno task perf` (private to bench/perf/main.ts).

import process from "node:process";

/** Is a full garbage collection available (`--v8-flags=--expose-gc`)? */
export function gcExposed(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === "function";
}

/** Run a full garbage collection when exposed; a no-op otherwise. */
export function fullGc(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === "function") {
    gc();
    gc(); // a second pass frees what the first one's finalisation released
  }
}

/** The median: the one of `bench/measure/stats.ts`. */
export { median } from "../measure/stats.ts";

/**
 * A seeded uniform generator in [0, 1) (mulberry32).
 *
 * @param seed Any integer.
 * @returns The generator.
 */
export function seededUnit(seed: number): () => number {
  let s = seed >>> 0;
  return (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The process's peak resident set so far (getrusage ru_maxrss, bytes), or null where it cannot be
 * read (no `--allow-sys`).
 *
 * @returns Bytes, or null.
 */
export function peakRssBytes(): number | null {
  try {
    const kib = process.resourceUsage().maxRSS;
    return Number.isFinite(kib) && kib > 0 ? kib * 1024 : null;
  } catch {
    return null;
  }
}
