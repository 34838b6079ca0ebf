/**
 * Turn `kernel-check --trace ... --json` output into a tests/oracle fixture: one row per op of the
 * trace, with the kernel's pool pages and stored pages after it for each zpool x compressor
 * (columns `<zpool>-<compressor>-pool`, `<zpool>-<compressor>-stored`).
 *
 * ```sh
 * deno task cli kernel-check --trace tests/oracle/trace-zipf.csv --pages tests/oracle/text.pages \
 *   --json > zipf.json
 * deno run -A scripts/trace_fixture.ts zipf.json > tests/oracle/kernel-6.1-trace-zipf.csv
 * ```
 *
 * @module
 */

/** The fields of a trace check report this script reads. */
interface ReportRows {
  rows: {
    zpool: string;
    compressor: string;
    status: string;
    kernel_pool_pages_by_op: number[] | null;
    kernel_stored_pages_by_op: number[] | null;
  }[];
}

/**
 * The fixture CSV of a trace check report (cells whose boot failed are left out).
 *
 * @param report The parsed `--json` output.
 * @returns The CSV text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fixtureCsv } from "./trace_fixture.ts";
 * const csv = fixtureCsv({ rows: [{ zpool: "zbud", compressor: "lz4", status: "ok",
 *   kernel_pool_pages_by_op: [1, 1], kernel_stored_pages_by_op: [1, 2] }] });
 * assert.equal(csv, "op,zbud-lz4-pool,zbud-lz4-stored\n0,1,1\n1,1,2\n");
 * ```
 */
export function fixtureCsv(report: ReportRows): string {
  const rows = report.rows.filter((r) =>
    r.status === "ok" && r.kernel_pool_pages_by_op && r.kernel_stored_pages_by_op
  );
  const header = [
    "op",
    ...rows.flatMap((
      r,
    ) => [`${r.zpool}-${r.compressor}-pool`, `${r.zpool}-${r.compressor}-stored`]),
  ];
  const n = rows[0]?.kernel_pool_pages_by_op?.length ?? 0;
  const lines = [header.join(",")];
  for (let i = 0; i < n; i++) {
    lines.push(
      [i, ...rows.flatMap((r) => [r.kernel_pool_pages_by_op![i], r.kernel_stored_pages_by_op![i]])]
        .join(","),
    );
  }
  return lines.join("\n") + "\n";
}

if (import.meta.main) {
  const parts = await Promise.all(
    Deno.args.map(async (f) => JSON.parse(await Deno.readTextFile(f)) as ReportRows),
  );
  // Several reports of the same trace (e.g. one per zpool) merge into one file.
  const merged: ReportRows = { rows: parts.flatMap((p) => p.rows) };
  await Deno.stdout.write(new TextEncoder().encode(fixtureCsv(merged)));
}
