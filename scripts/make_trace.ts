/**
 * Write an op trace (CSV `op,offset,page`) from one of the project's access patterns
 * (workloads/patterns.ts), for `kernel-check --trace`. The traces under tests/oracle came from it:
 *
 * ```sh
 * deno run -A scripts/make_trace.ts --pattern zipf --pages 1024 --ops 5000 --seed 1 \
 *   --load-share 0.5 --invalidate-share 0.3 > tests/oracle/trace-zipf.csv
 * ```
 *
 * It prints the mix (stores, loads, invalidations) on stderr.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type PatternName, patternOps, resolvePattern } from "../workloads/patterns.ts";

/**
 * The CSV text of a pattern's ops.
 *
 * @param pattern An access pattern other than `store-load`.
 * @param pages Offsets (each stored once first).
 * @param ops Ops after the first store pass.
 * @param seed The pattern's seed.
 * @param loadShare Share of loads among those ops.
 * @param invalidateShare Share of invalidations.
 * @returns The CSV and the op counts.
 */
export function traceCsv(
  pattern: PatternName,
  pages: number,
  ops: number,
  seed: number,
  loadShare: number,
  invalidateShare: number,
): { csv: string; counts: Record<string, number> } {
  const p = resolvePattern({ pattern, ops, loadShare, invalidateShare }, pages, "trace");
  const lines = ["op,offset,page"];
  const counts: Record<string, number> = { store: 0, load: 0, invalidate: 0 };
  for (const op of patternOps(pages, seed, p)) {
    counts[op.op]++;
    lines.push(`${op.op},${op.offset},${op.op === "store" ? op.pageId : ""}`);
  }
  return { csv: lines.join("\n") + "\n", counts };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      pattern: { type: "string", default: "random" },
      pages: { type: "string", default: "1024" },
      ops: { type: "string", default: "5000" },
      seed: { type: "string", default: "1" },
      "load-share": { type: "string", default: "0.5" },
      "invalidate-share": { type: "string", default: "0.3" },
    },
  });
  const { csv, counts } = traceCsv(
    values.pattern as PatternName,
    Number(values.pages),
    Number(values.ops),
    Number(values.seed),
    Number(values["load-share"]),
    Number(values["invalidate-share"]),
  );
  const total = counts.store + counts.load + counts.invalidate;
  const pct = (n: number) => `${Math.round((n / total) * 1000) / 10} %`;
  console.error(
    `${total} ops: ${counts.store} stores, ${counts.load} loads (${
      pct(counts.load)
    }), ${counts.invalidate} invalidations (${pct(counts.invalidate)})`,
  );
  await Deno.stdout.write(new TextEncoder().encode(csv));
}
