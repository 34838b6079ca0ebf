/**
 * Warnings both reports show about their timings: a run with one repetition per cell (`--quick`)
 * has no noise estimate, and cells whose repetitions spread too much have unreliable timings.
 *
 * @module
 */
import type { RunResults } from "../results/schema.ts";
import { UNRELIABLE_CV, UNRELIABLE_TAIL_CV, unreliableTimings } from "../measure/noise.ts";

/**
 * The timing warnings of a run, one sentence each (no final period).
 *
 * @param results The run.
 * @returns The warnings; empty when the timings can be compared.
 *
 * @example
 * ```ts ignore
 * for (const w of timingWarnings(results)) console.log(`Warning: ${w}.`);
 * ```
 */
export function timingWarnings(results: RunResults): string[] {
  const ok = results.cells.filter((c) => c.status === "ok");
  const out: string[] = [];
  if (ok.length > 0 && ok.every((c) => c.repetitions < 2)) {
    out.push(
      "Every cell ran once (a --quick run, or --repetitions 1): the latencies have no noise " +
        "estimate and are not for comparison; densities and counters are exact",
    );
  }
  const noisy = ok.filter((c) => unreliableTimings(c).length > 0);
  if (noisy.length > 0) {
    out.push(
      `The timings of ${noisy.length} of ${ok.length} ok cells are unreliable: a median spread ` +
        `by more than ${UNRELIABLE_CV * 100} % across repetitions, or a p99 by more than ` +
        `${UNRELIABLE_TAIL_CV * 100} % (coefficient of variation; see the "timing" column). ` +
        `Rerun them on a quieter machine or with more repetitions`,
    );
  }
  return out;
}
