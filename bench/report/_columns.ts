/**
 * The columns of the per-group cell tables, shared by the Markdown and HTML reports.
 *
 * @module
 */
import type { CellResult } from "../results/schema.ts";
import { type CellGroup, fmtBytes, fmtCount, fmtNs, fmtRatio, fmtValue } from "./_format.ts";

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
    { header: "load p50", align: "right", value: (c) => fmtNs(c.load_p50_ns) },
    { header: "load p99", align: "right", value: (c) => fmtNs(c.load_p99_ns) },
    { header: "bytes bounced", align: "right", value: (c) => fmtBytes(c.bytes_bounced) },
    { header: "violations", align: "right", value: (c) => fmtCount(c.violations) },
    { header: "integrity failures", align: "right", value: (c) => fmtCount(c.integrity_failures) },
    { header: "status", align: "left", value: (c) => c.status },
  ];
}
