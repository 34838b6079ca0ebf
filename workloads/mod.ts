/**
 * The built-in workloads: page contents generated on demand (never all held in memory) and the
 * access patterns that store, load and invalidate them.
 *
 * Contents:
 * - `zero`, `same-filled` (one repeated 8-byte word per page), `random` (incompressible);
 * - `datagen`: binary-like pages with a target lz4 ratio (option `ratio`, default 3);
 * - `text`: English-like prose from a Zipf word model (lz4 ratio about 2);
 * - `files`: pages sampled from files and folders (option `paths`);
 * - `pagefile`: a flat file of pages (option `path`), e.g. from `deno task cli capture`;
 * - `mixed`: a weighted mix of the generated kinds, the default workload of `deno task bench`.
 *
 * Each of them takes the pattern options of `patterns.ts` (`pattern`: `store-load` by default,
 * `sequential`, `random`, `zipf`, `hotcold`, `shift`). Two more replay recordings:
 * - `trace`: an op trace (`.jsonl` or `.csv`) over a content workload;
 * - `lengths`: a CSV column of compressed lengths, run with the `lengths` pseudo-compressor.
 *
 * @example
 * ```ts
 * import { builtinWorkloads } from "./mod.ts";
 * const mixed = builtinWorkloads.find((w) => w.name === "mixed")!;
 * const w = await mixed.create({ pageSize: 4096, seed: 1, pages: 8, options: {} });
 * const page = new Uint8Array(4096);
 * for (const op of w.ops()) if (op.op === "store") w.page(op.pageId, page);
 * ```
 *
 * @module
 */

import type { WorkloadPlugin } from "../registry/types.ts";
import { datagenWorkload } from "./datagen.ts";
import { filesWorkload } from "./files.ts";
import { lengthsWorkload } from "./lengths.ts";
import { mixedWorkload } from "./mixed.ts";
import { pagefileWorkload } from "./pagefile.ts";
import { randomWorkload } from "./random.ts";
import { sameFilledWorkload } from "./same_filled.ts";
import { textWorkload } from "./text.ts";
import { traceWorkload } from "./trace.ts";
import { zeroWorkload } from "./zero.ts";

export { contentWorkload } from "./content.ts";
export type { PageFiller } from "./content.ts";
export { DatagenPages, datagenWorkload } from "./datagen.ts";
export { FilePages, filesWorkload } from "./files.ts";
export {
  LENGTH_RAW,
  LENGTH_REJECTED,
  LENGTH_SAME_FILLED,
  LENGTH_ZERO,
  LengthsPages,
  lengthsWorkload,
  parseLengthsCsv,
} from "./lengths.ts";
export { DEFAULT_MIXED_WEIGHTS, MIXED_KINDS, MixedPages, mixedWorkload } from "./mixed.ts";
export type { MixedKind } from "./mixed.ts";
export { PageFilePages, pagefileWorkload } from "./pagefile.ts";
export {
  parsePatternOptions,
  PATTERN_NAMES,
  patternOpCount,
  patternOps,
  resolvePattern,
  zipfZeta,
} from "./patterns.ts";
export type { LoadOrder, PatternName, PatternOptions, ResolvedPatternOptions } from "./patterns.ts";
export { RandomPages, randomWorkload } from "./random.ts";
export { SameFilledPages, sameFilledWorkload } from "./same_filled.ts";
export { TextPages, textWorkload } from "./text.ts";
export { checkTrace, readTrace, TRACE_CONTENT, traceFormat, traceWorkload } from "./trace.ts";
export type { TraceFormat, TraceSummary } from "./trace.ts";
export { ZeroPages, zeroWorkload } from "./zero.ts";

/** Every built-in workload, in the order `cli list` shows them. */
export const builtinWorkloads: WorkloadPlugin[] = [
  mixedWorkload,
  zeroWorkload,
  sameFilledWorkload,
  randomWorkload,
  textWorkload,
  datagenWorkload,
  filesWorkload,
  pagefileWorkload,
  traceWorkload,
  lengthsWorkload,
];
