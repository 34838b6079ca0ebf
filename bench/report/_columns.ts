/**
 * The columns of the per-group cell tables, shared by the Markdown and HTML reports.
 *
 * @module
 */
import type { CellResult } from "../results/schema.ts";
import { unreliableTimings } from "../measure/noise.ts";
import { type CellGroup, fmtBytes, fmtCount, fmtNs, fmtRatio, fmtValue } from "./_format.ts";

/** Stores refused for any reason (the reject_* counters and pool_limit_hit), or null. */
function rejects(c: CellResult): number | null {
  const v = [
    c.reject_compress_poor,
    c.reject_compress_fail,
    c.reject_alloc_fail,
    c.reject_kmemcache_fail,
    c.pool_limit_hit,
  ];
  return v.some((x) => x === null) ? null : (v as number[]).reduce((a, b) => a + b, 0);
}

/** One column of a cell table: header and how to show a cell's value. */
export interface Column {
  header: string;
  align: "left" | "right";
  value: (c: CellResult) => string;
}

/**
 * The cell-table columns for a group: identity, the varying parameters, then the figures.
 *
 * @param g The group whose table is drawn.
 * @returns Columns in display order (shared with the HTML table).
 */
export function cellColumns(g: Pick<CellGroup, "varying">): Column[] {
  return [
    { header: "allocator", align: "left", value: (c) => c.allocator },
    { header: "compressor", align: "left", value: (c) => c.compressor },
    { header: "strategy", align: "left", value: (c) => c.strategy },
    ...g.varying.map((col): Column => ({
      header: col,
      align: "right",
      value: (c) => fmtValue(c[col]),
    })),
    { header: "pool ratio", align: "right", value: (c) => fmtRatio(c.pool_ratio) },
    { header: "compression ratio", align: "right", value: (c) => fmtRatio(c.compression_ratio) },
    { header: "stored", align: "right", value: (c) => fmtCount(c.stored_pages) },
    { header: "zero pages", align: "right", value: (c) => fmtCount(c.zero_pages) },
    { header: "rejects", align: "right", value: (c) => fmtCount(rejects(c)) },
    { header: "store p50", align: "right", value: (c) => fmtNs(c.store_p50_ns) },
    { header: "store p99", align: "right", value: (c) => fmtNs(c.store_p99_ns) },
    { header: "load p50", align: "right", value: (c) => fmtNs(c.load_p50_ns) },
    { header: "load p99", align: "right", value: (c) => fmtNs(c.load_p99_ns) },
    {
      header: "timing",
      align: "left",
      value: (c) =>
        c.status !== "ok"
          ? ""
          : c.repetitions < 2
          ? "1 rep: not for comparison"
          : unreliableTimings(c).length > 0
          ? `unreliable: ${unreliableTimings(c).join(", ")}`
          : "",
    },
    { header: "bytes bounced", align: "right", value: (c) => fmtBytes(c.bytes_bounced) },
    { header: "violations", align: "right", value: (c) => fmtCount(c.violations) },
    { header: "integrity failures", align: "right", value: (c) => fmtCount(c.integrity_failures) },
    { header: "load failed", align: "right", value: (c) => fmtCount(c.load_failed) },
    { header: "status", align: "left", value: (c) => c.status },
  ];
}
