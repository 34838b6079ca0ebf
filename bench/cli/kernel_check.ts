/**
 * `deno task cli kernel-check --pages FILE`: runs the same pages through a real kernel's zswap
 * (Debian's 6.1 kernel under QEMU by default) and through the simulator, and prints both side by
 * side: pool pages (simulator with the real codec, and replaying the kernel's own lengths), stored,
 * same-filled and rejected pages, compressed bytes, and how many pages got the identical length.
 * See docs/kernel-check.md.
 *
 * @module
 */
import { unknownNameMessage } from "../../registry/registry.ts";
import { PRESETS } from "../../zswap/presets.ts";
import { parseFlags } from "./args.ts";
import { UsageError } from "../../registry/errors.ts";
import type { KernelCheckRow } from "../../kernel/compare.ts";
import { type KernelCheckReport, runKernelCheck } from "../../kernel/run.ts";
import { recordOracle } from "../../kernel/record.ts";
import { formatTraceReport, runTraceCheck, traceFailures } from "../../kernel/trace_run.ts";

const USAGE = `Usage: deno task cli kernel-check --pages FILE [options]

Boot a real kernel under QEMU once per zpool x compressor, page the pages out into its zswap, and
compare its pool with the simulator's on the same pages (docs/kernel-check.md).

Options:
  --pages FILE            A flat file of 4096-byte pages (e.g. the oracle's text.pages)
  --trace FILE            Replay this op trace (.csv or .jsonl, the trace workload's format) op
                          by op instead, its page ids indexing --pages, and compare the pool
                          after every op (preset: the booted kernel's unless --preset)
  --boots N               With --trace: boot each cell N times and check the records repeat
  --allocators LIST       zpools, comma-separated (default: every one the kernel's config has;
                          zbud,zsmalloc when it is unknown)
  --compressors LIST      Compressors, comma-separated (default lz4)
  --kernel-version V      A Debian kernel by version, e.g. 5.10, 6.1, 6.12, 6.18, 7.3: the newest
                          amd64 kernel of V in bullseye, bookworm(-backports), trixie(-backports)
                          or sid, fetched with the tool's own apt lists in the cache
  --kernel PATH           Boot this bzImage instead of Debian's 6.1 kernel package
  --modules DIR           Its modules (lib/modules/<version>); default: all built in
  --kernel-package NAME   Pin the Debian package (default: what apt offers, e.g.
                          linux-image-6.1.0-56-amd64)
  --cache DIR             Cache for the kernel, guest program and initramfs
                          (default ~/.cache/zswapbench/kernel)
  --accel auto|tcg|kvm    QEMU accelerator (default auto: KVM when /dev/kvm works, else TCG;
                          kvm too falls back to TCG, with a line on stderr, when KVM fails)
  --memory MB             Guest RAM (default 512)
  --timeout SECONDS       Per-boot limit (default 300)
  --preset NAME           Simulator kernel preset (default: the booted kernel's, e.g. 5.10 for
                          5.10.0-32-amd64, latest for 7.x; see "list")
  --record DIR            Also write the kernel's figures as tests/oracle files in DIR
                          (kernel-<V>-<set>-results.csv, -lengths.csv, -pool-trace.csv)
  --tolerance PCT         Exit 1 when a simulator pool differs from the kernel's by more than PCT %
                          (with --trace: when more than PCT % of the ops disagree)
  --kernel-only           Kernel figures only, no simulator
  --json                  Print the report as one JSON object
  -h, --help              Show this help

Exit status: 0 when every cell ran (and is within --tolerance), 1 when a boot failed, a page came
back wrong, or a pool is out of tolerance, 2 for a usage error. A failed simulator run shows "-"
and its message under the table; it fails the check only with --tolerance.`;

function list(value: string | undefined, fallback: string, flag: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) {
    throw new UsageError(`${flag} needs at least one name (e.g. ${flag} ${fallback})`);
  }
  return [...new Set(items)];
}

function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${flag} "${value}" is not a positive number`);
  }
  return n;
}

/** Rows of the text table: label and how to read it from a row. */
const TABLE: readonly [string, (r: KernelCheckRow) => unknown][] = [
  ["status", (r) => r.status],
  ["kernel", (r) => r.kernel],
  ["kernel_pool_pages", (r) => r.kernel_pool_pages],
  ["sim_pool_pages", (r) => r.sim_pool_pages],
  ["  diff %", (r) => r.sim_pool_diff_pct],
  ["sim_pool_pages_replay", (r) => r.sim_pool_pages_replay],
  ["  diff %", (r) => r.replay_pool_diff_pct],
  [
    "first pool difference (page)",
    (r) => r.status !== "ok" ? null : `${r.replay_first_pool_diff ?? "none"}`,
  ],
  [
    "  codec run",
    (r) => r.sim_pool_pages === null ? null : `${r.sim_first_pool_diff ?? "none"}`,
  ],
  [
    "stored (kernel/sim/replay)",
    (r) => triple(r.kernel_stored_pages, r.sim_stored_pages, r.sim_stored_pages_replay),
  ],
  [
    "same-filled (kernel/sim)",
    (r) => `${r.kernel_same_filled_pages ?? "-"}/${r.sim_same_filled_pages ?? "-"}`,
  ],
  [
    "rejects (kernel/sim/replay)",
    (r) => triple(r.kernel_rejects, r.sim_rejects, r.sim_rejects_replay),
  ],
  ["  poor/fail/alloc kernel", (r) => r.kernel_reject_counters],
  ["  poor/fail/alloc sim", (r) => r.sim_reject_counters],
  ["  poor/fail/alloc replay", (r) => r.sim_reject_counters_replay],
  ["zero pages (kernel/replay)", (r) => pair(r.kernel_zero_pages, r.sim_zero_pages_replay)],
  ["stored raw (kernel/replay)", (r) => pair(r.kernel_raw_pages, r.sim_raw_pages_replay)],
  ["compressed bytes kernel", (r) => r.kernel_compressed_bytes],
  ["compressed bytes sim", (r) => r.sim_compressed_bytes],
  ["compressed bytes replay", (r) => r.sim_compressed_bytes_replay],
  [
    "same length (pages)",
    (r) => r.length_agree === null ? null : `${r.length_agree}/${r.length_pages}`,
  ],
  ["same length %", (r) => r.length_agree_pct],
  ["kernel read-back mismatches", (r) => r.kernel_mismatches],
  ["sim integrity failures", (r) => r.sim_integrity_failures],
  ["boot wall time (ms)", (r) => r.kernel_wall_ms],
  ["accel", (r) => r.accel],
];

function pair(a: number | null, b: number | null): string | null {
  return a === null && b === null ? null : `${a ?? "-"}/${b ?? "-"}`;
}

function triple(a: number | null, b: number | null, c: number | null): string {
  return [a, b, c].map((x) => x ?? "-").join("/");
}

/**
 * The report as a text table: one column per cell, one line per figure.
 *
 * @param report The kernel check's report.
 * @returns The lines, joined.
 */
export function formatReport(report: KernelCheckReport): string {
  const head = [
    `Kernel check: ${report.pagesPath} (${report.pages} pages), kernel ${report.kernelSource}, simulator preset ${report.preset}`,
    "",
  ];
  const cols = report.rows.map((r) => `${r.zpool}/${r.compressor}`);
  const cells = TABLE.map((
    [label, get],
  ) => [label, ...report.rows.map((r) => String(get(r) ?? "-"))]);
  const header = ["", ...cols];
  const widths = header.map((_, i) => Math.max(...[header, ...cells].map((row) => row[i].length)));
  const fmt = (row: string[]) =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  const lines = [...head, fmt(header), ...cells.map(fmt)];
  const notes = report.rows.flatMap((r) => [
    ...(r.error ? [`${r.zpool}/${r.compressor}: kernel run failed: ${r.error}`] : []),
    ...(r.sim_error ? [`${r.zpool}/${r.compressor}: simulator: ${r.sim_error}`] : []),
  ]);
  return [...lines, ...(notes.length ? ["", ...notes] : [])].join("\n");
}

/**
 * Cells that fail the check: a failed boot, a page that came back wrong, or a pool beyond the
 * tolerance.
 *
 * @param rows The rows.
 * @param tolerancePct Allowed |sim - kernel| / kernel in percent, or undefined for no limit.
 * @returns One sentence per failing cell.
 */
export function failures(rows: readonly KernelCheckRow[], tolerancePct?: number): string[] {
  const out: string[] = [];
  for (const r of rows) {
    const name = `${r.zpool}/${r.compressor}`;
    if (r.status !== "ok") out.push(`${name}: the kernel run failed`);
    if ((r.kernel_mismatches ?? 0) > 0) {
      out.push(`${name}: ${r.kernel_mismatches} pages came back wrong from the kernel`);
    }
    if (r.sim_error) out.push(`${name}: simulator: ${r.sim_error}`);
    if ((r.sim_integrity_failures ?? 0) > 0) {
      out.push(`${name}: ${r.sim_integrity_failures} simulator integrity failures`);
    }
    if (tolerancePct !== undefined && r.status === "ok") {
      for (
        const [what, d] of [["codec", r.sim_pool_diff_pct], [
          "replay",
          r.replay_pool_diff_pct,
        ]] as const
      ) {
        if (d === null) out.push(`${name}: no simulator ${what} figure to hold to --tolerance`);
        else if (Math.abs(d) > tolerancePct) {
          out.push(
            `${name}: simulator pool (${what}) differs by ${d} % (tolerance ${tolerancePct} %)`,
          );
        }
      }
    }
  }
  return out;
}

/**
 * Run the `kernel-check` subcommand.
 *
 * @param args The arguments after `kernel-check`.
 * @returns The exit code: 0, or 1 when a cell failed (see {@link failures}).
 * @throws {UsageError} For a bad flag, a missing tool, kernel or module, or a bad page file.
 */
export async function main(args: string[]): Promise<number> {
  const { values } = parseFlags("kernel-check", args, {
    pages: { type: "string" },
    trace: { type: "string" },
    boots: { type: "string" },
    allocators: { type: "string" },
    compressors: { type: "string" },
    kernel: { type: "string" },
    modules: { type: "string" },
    "kernel-package": { type: "string" },
    "kernel-version": { type: "string" },
    record: { type: "string" },
    cache: { type: "string" },
    accel: { type: "string" },
    memory: { type: "string" },
    timeout: { type: "string" },
    preset: { type: "string" },
    tolerance: { type: "string" },
    "kernel-only": { type: "boolean" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const pages = values.pages as string | undefined;
  if (!pages) throw new UsageError("Missing --pages FILE (a flat file of 4096-byte pages)");
  const accel = (values.accel as string | undefined) ?? "auto";
  if (accel !== "auto" && accel !== "tcg" && accel !== "kvm") {
    throw new UsageError(`--accel "${accel}" is not auto, tcg or kvm`);
  }
  const memory = positiveNumber(values.memory as string | undefined, "--memory");
  const timeout = positiveNumber(values.timeout as string | undefined, "--timeout");
  const tolerance = values.tolerance === undefined ? undefined : Number(values.tolerance as string);
  if (tolerance !== undefined && (!Number.isFinite(tolerance) || tolerance < 0)) {
    throw new UsageError(`--tolerance "${values.tolerance}" is not a percentage such as 1`);
  }
  const preset = values.preset as string | undefined;
  if (preset !== undefined && !Object.hasOwn(PRESETS, preset)) {
    throw new UsageError(`--preset: ${unknownNameMessage("preset", preset, Object.keys(PRESETS))}`);
  }
  const json = values.json === true;
  const zpools = list(values.allocators as string | undefined, "zbud,zsmalloc", "--allocators");
  const compressors = list(values.compressors as string | undefined, "lz4", "--compressors");
  const kernelOptions = {
    kernel: values.kernel as string | undefined,
    modules: values.modules as string | undefined,
    kernelPackage: values["kernel-package"] as string | undefined,
    kernelVersion: values["kernel-version"] as string | undefined,
    cacheDir: values.cache as string | undefined,
    accel: accel as "auto" | "tcg" | "kvm",
    memoryMb: memory === undefined ? undefined : Math.ceil(memory),
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    preset,
    kernelOnly: values["kernel-only"] === true,
    log: (line: string) => console.error(line),
  };
  if (values.trace !== undefined) {
    const boots = positiveNumber(values.boots as string | undefined, "--boots");
    const report = await runTraceCheck(values.trace as string, pages, zpools, compressors, {
      ...kernelOptions,
      boots,
      onRow: (r) =>
        console.error(
          `${r.zpool}/${r.compressor}: ${
            r.status === "ok"
              ? `first divergent op ${r.first_divergent_op ?? "none"}, ${
                r.agree_pct ?? "-"
              } % of ops agree`
              : `failed: ${r.error}`
          }`,
        ),
    });
    const bad = traceFailures(report.rows, tolerance);
    const { kernelRuns: _, ...summary } = report;
    if (json) console.log(JSON.stringify({ ...summary, failures: bad }));
    else {
      console.log(formatTraceReport(report));
      for (const f of bad) console.log(`FAIL ${f}`);
    }
    return bad.length > 0 ? 1 : 0;
  }
  if (values.boots !== undefined) throw new UsageError("--boots goes with --trace");
  const report = await runKernelCheck(
    pages,
    list(values.allocators as string | undefined, "zbud,zsmalloc", "--allocators"),
    list(values.compressors as string | undefined, "lz4", "--compressors"),
    {
      kernel: values.kernel as string | undefined,
      modules: values.modules as string | undefined,
      kernelPackage: values["kernel-package"] as string | undefined,
      kernelVersion: values["kernel-version"] as string | undefined,
      cacheDir: values.cache as string | undefined,
      accel,
      memoryMb: memory === undefined ? undefined : Math.ceil(memory),
      timeoutMs: timeout === undefined ? undefined : timeout * 1000,
      preset,
      kernelOnly: values["kernel-only"] === true,
      log: (line) => console.error(line),
      onRow: (r) =>
        console.error(
          `${r.zpool}/${r.compressor}: ${
            r.status === "ok"
              ? `kernel ${r.kernel_pool_pages} pool pages, sim ${r.sim_pool_pages ?? "-"}, replay ${
                r.sim_pool_pages_replay ?? "-"
              } (${r.kernel_wall_ms} ms boot)`
              : `failed: ${r.error}`
          }`,
        ),
    },
  );
  const record = values.record as string | undefined;
  if (record !== undefined) {
    const files = await recordOracle(report, record);
    console.error(`Recorded ${files.results}, ${files.lengths}, ${files.trace}`);
  }
  const bad = failures(report.rows, tolerance);
  const { kernelRuns: _, ...summary } = report;
  if (json) console.log(JSON.stringify({ ...summary, failures: bad }, null, 2));
  else {
    console.log(formatReport(report));
    for (const f of bad) console.log(`FAIL ${f}`);
  }
  return bad.length > 0 ? 1 : 0;
}
