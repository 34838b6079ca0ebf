/**
 * Using zswapbench as a library, without the CLI: build a registry with your own plugins, run a
 * small matrix, read the pool ratios, and run one cell by hand through the zswap frontend.
 *
 * ```sh
 * deno run -A examples/library_api.ts                 # print the matrix and one hand-made cell
 * deno run -A examples/library_api.ts --pages 1024    # a bigger run
 * deno run -A examples/library_api.ts --out /tmp/lib  # also write results.json, CSV and reports
 * ```
 *
 * From JSR the imports read `jsr:@zswapbench/zswapbench/bench`, `.../registry` and `.../zswap`
 * instead of the relative paths below (see docs/writing-plugins.md).
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  type CellResult,
  createDefaultEngine,
  deriveRatios,
  exitCodeOf,
  HistogramRecorder,
  resolveConfig,
  type ResolvedConfig,
  runMatrix,
  runSession,
} from "../bench/mod.ts";
import { createDefaultRegistry } from "../builtins/mod.ts";
import type { Registry } from "../registry/mod.ts";
import type { Plugin } from "../registry/types.ts";
import { runCell } from "../builtins/mod.ts";
import bucketAllocator from "./bucket_alloc.ts";
import copyAlwaysStrategy from "./copy_always_strategy.ts";
import noisyPlugins from "./noisy_compressor.ts";
import stripeWorkload from "./stripe_workload.ts";

/**
 * The built-in plugins plus every example plugin of this folder.
 *
 * @returns A registry that knows `bucket`, `noisy`, `noisy-async`, `stripe` and `copy-always` too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exampleRegistry } from "./library_api.ts";
 * assert.ok(exampleRegistry().has("allocator", "bucket"));
 * ```
 */
export function exampleRegistry(): Registry {
  const registry = createDefaultRegistry();
  const mine: [Plugin, string][] = [
    [bucketAllocator, "examples/bucket_alloc.ts"],
    ...noisyPlugins.map((p): [Plugin, string] => [p, "examples/noisy_compressor.ts"]),
    [stripeWorkload, "examples/stripe_workload.ts"],
    [copyAlwaysStrategy, "examples/copy_always_strategy.ts"],
  ];
  // The source names the plugin in errors, e.g. when two plugins share a name.
  for (const [plugin, source] of mine) registry.register(plugin, source);
  return registry;
}

/**
 * The example matrix: three allocators (one of them the `bucket` example) x two compressors x
 * two workloads x two kernel presets, each preset with its own load strategy: 24 cells.
 *
 * @param pages Distinct pages per workload.
 * @returns The resolved config (zod-checked, defaults filled in).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { exampleConfig } from "./library_api.ts";
 * assert.equal(exampleConfig(64).params.pages[0], 64);
 * ```
 */
export function exampleConfig(pages: number): ResolvedConfig {
  return resolveConfig({
    allocators: ["zbud", "zsmalloc", "bucket"],
    compressors: ["lz4", "noisy"],
    workloads: ["mixed", { name: "stripe", options: { width: 32 } }],
    presets: ["6.1", "latest"],
    params: { pages },
    repetitions: 1,
    warmup: 0,
  });
}

/**
 * Run the example matrix with `runMatrix()`: results in memory, nothing written.
 *
 * @param registry Where plugin names are looked up.
 * @param pages Distinct pages per workload.
 * @returns One result per cell, in matrix order.
 *
 * @example
 * ```ts ignore
 * const cells = await runExampleMatrix(exampleRegistry(), 256);
 * console.log(cells.map((c) => `${c.cell} ${c.pool_ratio}`).join("\n"));
 * ```
 */
export async function runExampleMatrix(registry: Registry, pages: number): Promise<CellResult[]> {
  return await runMatrix(exampleConfig(pages), {
    registry,
    engine: createDefaultEngine(),
  });
}

/** What {@linkcode runOneCell} reports. */
export interface OneCellSummary {
  /** The load strategy that ran. */
  strategy: string;
  /** Stored pages x page size / pool bytes, at the pool's high-water mark. */
  poolRatio: number;
  /** Pool pages at the high-water mark. */
  poolPages: number;
  /** Loads served from zswap. */
  loadHits: number;
  /** Median load latency (ns). */
  loadP50Ns: number;
  /** Bytes the strategy copied out of the pool. */
  bytesBounced: number;
  /** Loads that came back different from what was stored. */
  integrityFailures: number;
}

/**
 * Run one cell by hand with the frontend's `runCell()`: zsmalloc, lz4, the `stripe` workload
 * with a Zipf access pattern, and the `copy-always` strategy under the 6.8 preset's rules.
 *
 * @param registry Where the plugins come from.
 * @param pages Distinct pages of the workload.
 * @returns A few of the counters, and the median load latency from the recorder.
 *
 * @example
 * ```ts ignore
 * const one = await runOneCell(exampleRegistry(), 256);
 * console.log(one.poolRatio, one.bytesBounced);
 * ```
 */
export async function runOneCell(registry: Registry, pages: number): Promise<OneCellSummary> {
  const pageSize = 4096;
  const recorder = new HistogramRecorder(); // one latency histogram per kind of operation
  const run = await runCell({
    allocator: registry.get("allocator", "zsmalloc"),
    allocatorOptions: {}, // the preset's size-class rule and chain size fill these in
    compressor: registry.get("compressor", "lz4"),
    compressorOptions: {},
    workload: registry.get("workload", "stripe"),
    workloadOptions: { width: 16, colors: 8, pattern: "zipf", ops: 4 * pages },
    strategy: registry.get("strategy", "copy-always"),
    strategyOptions: { buffer: "percpu" },
    preset: "6.8",
    params: {
      pages,
      seed: 7,
      cpus: 1,
      tasks: 1,
      pageSize,
      totalRamPages: (1024 * 1024 * 1024) / pageSize, // 1 GiB
      maxPoolPercent: 20,
      acceptThresholdPercent: 90,
      strict: false,
      bounceFailRate: 0,
    },
  }, recorder);
  const c = run.counters;
  return {
    strategy: run.strategy,
    poolRatio: deriveRatios(c, pageSize).pool_ratio,
    poolPages: c.pool_pages,
    loadHits: c.load_hits,
    loadP50Ns: Math.round(recorder.loads.percentile(50)),
    bytesBounced: c.bytes_bounced,
    integrityFailures: c.integrity_failures,
  };
}

/** One line per cell: name, status, pool and compression ratio, load p50, integrity failures. */
function formatCells(cells: readonly CellResult[]): string {
  const width = Math.max(...cells.map((c) => c.cell.length));
  const fixed = (v: number | null, digits: number) => (v === null ? "-" : v.toFixed(digits));
  const lines = [
    `${"cell".padEnd(width)}  status  pool_ratio  compr_ratio  load_p50_ns  integrity`,
  ];
  for (const c of cells) {
    lines.push(
      `${c.cell.padEnd(width)}  ${c.status.padEnd(6)}  ${fixed(c.pool_ratio, 3).padStart(10)}  ${
        fixed(c.compression_ratio, 3).padStart(11)
      }  ${fixed(c.load_p50_ns, 0).padStart(11)}  ${
        String(c.integrity_failures ?? "-").padStart(9)
      }`,
    );
  }
  return lines.join("\n");
}

/**
 * The script: run the example matrix (into `--out DIR` with `runSession()`, which writes
 * results.jsonl, results.json, results.csv and the reports like the CLI, or in memory with
 * `runMatrix()`), print it, then run one cell by hand.
 *
 * @param args `--pages N` (default 256), `--out DIR`.
 * @returns 0 when every cell is ok with no integrity failure, else 1.
 */
async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { pages: { type: "string", default: "256" }, out: { type: "string" } },
    strict: true,
  });
  const pages = Number(values.pages);
  if (!Number.isInteger(pages) || pages < 1) {
    console.error(`--pages "${values.pages}" is not a positive integer (e.g. --pages 256)`);
    return 2;
  }
  const registry = exampleRegistry();
  let cells: CellResult[];
  if (values.out !== undefined) {
    const outcome = await runSession({
      config: exampleConfig(pages),
      registry,
      engine: createDefaultEngine(),
      outDir: values.out,
      quiet: true,
    });
    cells = outcome.results.cells;
  } else {
    cells = await runExampleMatrix(registry, pages);
  }
  console.log(formatCells(cells));

  const one = await runOneCell(registry, pages);
  console.log(
    `\nrunCell(zsmalloc, lz4, stripe/zipf, ${one.strategy}, 6.8): pool ratio ${
      one.poolRatio.toFixed(3)
    } over ${one.poolPages} pages, ${one.loadHits} loads (p50 ${one.loadP50Ns} ns), ` +
      `${one.bytesBounced} bytes bounced, ${one.integrityFailures} integrity failures`,
  );
  if (values.out !== undefined) console.log(`Results in ${values.out}/`);
  const bad = one.integrityFailures > 0 ? 1 : 0;
  return Math.max(exitCodeOf(cells, false), bad);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
