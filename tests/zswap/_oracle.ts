/**
 * Reading the kernels' ground truth in tests/oracle (README there): every
 * `kernel-<V>-<set>-results.csv` with its lengths and pool-trace files. A page set dropped in
 * with the same file names is picked up by every test that uses {@link oracleCells}.
 */

/** The oracle folder. */
export const ORACLE_DIR = new URL("../oracle/", import.meta.url);

/** A CSV file as rows of name -> value. */
export function readCsv(url: URL): Record<string, string>[] {
  const [head, ...rows] = Deno.readTextFileSync(url).trim().split(/\r?\n/);
  const names = head.split(",");
  return rows.map((r) => Object.fromEntries(r.split(",").map((v, i) => [names[i], v])));
}

/** One zpool x compressor the kernel ran on a page set. */
export interface OracleCell {
  /** Kernel version of the file name, e.g. `6.12`. */
  kernel: string;
  /** Page set, e.g. `text`. */
  set: string;
  /** The results row (debugfs counters; empty where the kernel has no such counter). */
  row: Record<string, string>;
  /** The lengths file. */
  lengths: URL;
  /** The pool size after each page, or undefined when there is no trace file. */
  trace: number[] | undefined;
}

const RESULTS_RE = /^kernel-(\d+\.\d+)-([a-z0-9]+)-results\.csv$/;

/** Every cell of every kernel and page set in tests/oracle, kernels in version order. */
export function oracleCells(): OracleCell[] {
  const files: [string, string, string][] = [];
  for (const e of Deno.readDirSync(ORACLE_DIR)) {
    const m = RESULTS_RE.exec(e.name);
    if (m) files.push([e.name, m[1], m[2]]);
  }
  const key = (v: string) => v.split(".").map(Number).reduce((a, b) => a * 1000 + b, 0);
  files.sort((a, b) => key(a[1]) - key(b[1]) || a[2].localeCompare(b[2]));
  const cells: OracleCell[] = [];
  for (const [name, kernel, set] of files) {
    const traceUrl = new URL(`kernel-${kernel}-${set}-pool-trace.csv`, ORACLE_DIR);
    let trace: Record<string, string>[] | undefined;
    try {
      trace = readCsv(traceUrl);
    } catch {
      trace = undefined;
    }
    for (const row of readCsv(new URL(name, ORACLE_DIR))) {
      const col = `${row.zpool}_${row.compressor}`;
      cells.push({
        kernel,
        set,
        row,
        lengths: new URL(`kernel-${kernel}-${set}-lengths.csv`, ORACLE_DIR),
        trace: trace?.[0]?.[col] === undefined ? undefined : trace.map((r) => Number(r[col])),
      });
    }
  }
  return cells;
}
