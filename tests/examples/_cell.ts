/**
 * Run one cell of the zswap frontend for the example tests: the real frontend, built-in plugins by
 * name from the default registry plus every example plugin, small defaults.
 *
 * @module
 */
import { HistogramRecorder } from "../../bench/measure/recorder.ts";
import { exampleRegistry } from "../../examples/library_api.ts";
import type { CellCounters, CellParams } from "../../zswap/cell_types.ts";
import { runCell } from "../../builtins/run_cell.ts";

/** One cell by plugin names; omitted fields take the defaults below. */
export interface ExampleCell {
  allocator?: string;
  compressor?: string;
  compressorOptions?: unknown;
  workload?: string;
  workloadOptions?: unknown;
  /** A strategy name, or undefined for the preset's own. */
  strategy?: string;
  strategyOptions?: unknown;
  preset?: string;
  params?: Partial<CellParams>;
}

const registry = exampleRegistry();

/**
 * Run the cell and return its counters and the strategy that ran.
 *
 * @param cell Names and options.
 * @returns The counters, the strategy and the first violation sites.
 */
export async function runExampleCell(
  cell: ExampleCell,
): Promise<{ counters: CellCounters; strategy: string; violationSites: string[] }> {
  const run = await runCell({
    allocator: registry.get("allocator", cell.allocator ?? "zsmalloc"),
    allocatorOptions: {},
    compressor: registry.get("compressor", cell.compressor ?? "lz4"),
    compressorOptions: cell.compressorOptions ?? {},
    workload: registry.get("workload", cell.workload ?? "mixed"),
    workloadOptions: cell.workloadOptions ?? {},
    strategy: cell.strategy === undefined ? undefined : registry.get("strategy", cell.strategy),
    strategyOptions: cell.strategyOptions ?? {},
    preset: cell.preset ?? "latest",
    params: {
      pages: 128,
      seed: 1,
      cpus: 1,
      tasks: 1,
      pageSize: 4096,
      totalRamPages: 262144,
      maxPoolPercent: 20,
      acceptThresholdPercent: 90,
      strict: false,
      bounceFailRate: 0,
      ...cell.params,
    },
  }, new HistogramRecorder());
  return { counters: run.counters, strategy: run.strategy, violationSites: run.violationSites };
}
