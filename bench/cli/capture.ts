/**
 * `deno task cli capture --pid PID --out FILE` (Linux): writes the anonymous memory of a live
 * process as a page file, for the `pagefile` workload, and a metadata file `FILE.json` beside it.
 *
 * Which memory: the private anonymous mappings of `/proc/PID/maps` (no file behind them, or
 * `[heap]`, `[stack]`, `[anon:...]`) that are readable: what the kernel would swap, so what zswap
 * would see. File-backed mappings, shared mappings and the kernel's special ones (`[vvar]`,
 * `[vdso]`, `[vsyscall]`) are skipped. By default only pages that are resident or swapped out
 * (`/proc/PID/pagemap` bits 63 and 62) are written, since untouched pages hold no data and are
 * never swapped; `--all` writes every page of those mappings. Pages are read from
 * `/proc/PID/mem`; a range that cannot be read is counted (`unreadablePages`) and skipped.
 * `--max-pages N` stops after N pages.
 *
 * The process keeps running while it is read, so the capture is not an atomic snapshot.
 *
 * PRIVACY: the pages are the process's private data: they can hold passwords, keys, tokens and
 * personal data. Capture only processes whose data you may keep, and do not share the file.
 *
 * Reading another process's memory needs ptrace access to it: the same user and, under Yama
 * `ptrace_scope` 1, being its parent, or root (CAP_SYS_PTRACE). Deno itself lets a program read
 * `/proc/PID/*` only with `--allow-all`, so run `deno task capture ...` (= `deno run -A bench/cli.ts capture`).
 *
 * @module
 */
import { parseFlags } from "./args.ts";
import { UsageError } from "../../registry/errors.ts";

const USAGE = `Usage: deno task capture --pid PID --out FILE [--all] [--max-pages N]

Write the anonymous memory of a live process (Linux) as a page file FILE, for the pagefile
workload, with metadata in FILE.json. Then: deno task bench --workloads 'pagefile:{"path":"FILE"}'.

  --pid PID        the process to read
  --out FILE       the page file to write (replaced if it exists)
  --all            also write pages that were never touched (read as zeros)
  --max-pages N    stop after N pages

Deno reads /proc only with --allow-all (-A), and another process's memory needs ptrace access to
it: the same user and, under Yama ptrace_scope 1, its parent, or root with CAP_SYS_PTRACE. The
pages are the process's private data (passwords, keys, personal data): keep them private.

Exit status: 0, or 2 for a usage error (no such process, no permission, a file not written).`;

/** Options of {@linkcode capture}. */
export interface CaptureOptions {
  /** The process to read. */
  pid: number;
  /** The page file to write. */
  out: string;
  /** Write every page of the mappings, not only resident and swapped ones (default false). */
  all?: boolean;
  /** Stop after this many pages (default: no limit). */
  maxPages?: number;
}

/** What {@linkcode capture} wrote, as also stored in `FILE.json`. */
export interface CaptureMetadata {
  /** Format tag: `zswapbench-pages`. */
  format: "zswapbench-pages";
  /** The process id. */
  pid: number;
  /** The process name (`/proc/PID/comm`). */
  process: string;
  /** When the capture started (ISO 8601). */
  time: string;
  /** Bytes per page. */
  pageSize: number;
  /** Pages written. */
  pages: number;
  /** Pages that could not be read and were skipped. */
  unreadablePages: number;
  /** Pages skipped because they were neither resident nor swapped (0 with `--all`). */
  untouchedPages: number;
  /** Mappings read. */
  mappings: number;
  /** Whether only resident and swapped pages were written. */
  residentOnly: boolean;
  /** Whether `--max-pages` cut the capture short. */
  truncated: boolean;
  /** A reminder that the file holds the process's private data. */
  warning: string;
}

/** One mapping of `/proc/PID/maps` that capture reads. */
interface Mapping {
  start: number;
  end: number;
  name: string;
}

/** Pages read from `/proc/PID/mem` per call. */
const BATCH_PAGES = 256;

const WARNING = "Private data of the captured process: may hold passwords, keys and personal data";

/**
 * Parse `/proc/PID/maps` text and keep the mappings capture reads: readable, private, anonymous
 * (inode 0 and no path, or `[heap]`, `[stack...]`, `[anon:...]`).
 *
 * @param text The maps file.
 * @returns The mappings, in address order.
 */
export function anonymousMappings(text: string): { start: number; end: number; name: string }[] {
  const out: Mapping[] = [];
  for (const line of text.split("\n")) {
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+(\S{4})\s+\S+\s+\S+\s+(\d+)\s*(.*)$/.exec(line);
    if (m === null) continue;
    const [, start, end, perms, inode, name] = m;
    if (perms[0] !== "r" || perms[3] !== "p" || inode !== "0") continue;
    const anonymous = name === "" || name === "[heap]" || name.startsWith("[stack") ||
      name.startsWith("[anon:");
    if (!anonymous) continue;
    out.push({ start: parseInt(start, 16), end: parseInt(end, 16), name });
  }
  return out;
}

/** The kernel's page size, from the first `KernelPageSize` of `/proc/self/smaps` (else 4096). */
function systemPageSize(): number {
  try {
    const file = Deno.openSync("/proc/self/smaps");
    try {
      const buf = new Uint8Array(8192);
      const n = file.readSync(buf) ?? 0;
      const kb = /KernelPageSize:\s+(\d+) kB/.exec(new TextDecoder().decode(buf.subarray(0, n)));
      if (kb !== null) return Number(kb[1]) * 1024;
    } finally {
      file.close();
    }
  } catch {
    // no smaps: fall through
  }
  return 4096;
}

/** Read into `buf` at `position`; returns false when the range cannot be read. */
function tryRead(file: Deno.FsFile, position: number, buf: Uint8Array): boolean {
  try {
    file.seekSync(position, Deno.SeekMode.Start);
    let got = 0;
    while (got < buf.length) {
      const n = file.readSync(got === 0 ? buf : buf.subarray(got));
      if (n === null || n === 0) return false;
      got += n;
    }
    return true;
  } catch {
    return false;
  }
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
}

function procError(pid: number, what: string, err: unknown): UsageError {
  if (err instanceof Deno.errors.NotFound) {
    return new UsageError(`No process with pid ${pid}`, { cause: err });
  }
  if (err instanceof Deno.errors.PermissionDenied) {
    return new UsageError(
      `No permission to read ${what} of process ${pid} (needs ptrace access: its user, and its parent under Yama ptrace_scope 1, or root with CAP_SYS_PTRACE)`,
      { cause: err },
    );
  }
  if (err instanceof Deno.errors.NotCapable) {
    return new UsageError(
      `Reading ${what} of process ${pid} needs --allow-all (Deno guards /proc): run "deno task capture ..."`,
      { cause: err },
    );
  }
  return new UsageError(
    `Cannot read ${what} of process ${pid}: ${err instanceof Error ? err.message : String(err)}`,
    { cause: err },
  );
}

/**
 * Capture a process's anonymous memory into a page file and `out + ".json"`.
 *
 * @param options What to capture and where.
 * @returns The metadata written.
 * @throws {UsageError} for a missing process, no permission, or not Linux.
 *
 * @example
 * ```ts ignore
 * import { capture } from "./capture.ts";
 * const meta = capture({ pid: Deno.pid, out: "/tmp/self.pages", maxPages: 1000 });
 * console.log(meta.pages, meta.unreadablePages);
 * ```
 */
export function capture(options: CaptureOptions): CaptureMetadata {
  const { pid, out } = options;
  const residentOnly = options.all !== true;
  const maxPages = options.maxPages ?? Infinity;
  if (Deno.build.os !== "linux") {
    throw new UsageError(`capture needs Linux (/proc/PID/mem); this is ${Deno.build.os}`);
  }
  const time = new Date().toISOString();
  let mapsText: string;
  try {
    mapsText = Deno.readTextFileSync(`/proc/${pid}/maps`);
  } catch (err) {
    throw procError(pid, "the memory map", err);
  }
  let name = "";
  try {
    name = Deno.readTextFileSync(`/proc/${pid}/comm`).trim();
  } catch {
    // the name is only informational
  }
  const mappings = anonymousMappings(mapsText);
  const pageSize = systemPageSize();
  let mem: Deno.FsFile;
  try {
    mem = Deno.openSync(`/proc/${pid}/mem`, { read: true });
  } catch (err) {
    throw procError(pid, "the memory", err);
  }
  let pagemap: Deno.FsFile | null = null;
  if (residentOnly) {
    try {
      pagemap = Deno.openSync(`/proc/${pid}/pagemap`, { read: true });
    } catch (err) {
      mem.close();
      throw procError(pid, "the page map (or use --all)", err);
    }
  }
  let outFile: Deno.FsFile;
  try {
    outFile = Deno.openSync(out, { write: true, create: true, truncate: true });
  } catch (err) {
    mem.close();
    pagemap?.close();
    throw new UsageError(
      `Cannot write "${out}": ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
  const meta: CaptureMetadata = {
    format: "zswapbench-pages",
    pid,
    process: name,
    time,
    pageSize,
    pages: 0,
    unreadablePages: 0,
    untouchedPages: 0,
    mappings: mappings.length,
    residentOnly,
    truncated: false,
    warning: WARNING,
  };
  try {
    const buf = new Uint8Array(BATCH_PAGES * pageSize);
    const entries = new Uint8Array(BATCH_PAGES * 8);
    const entryView = new DataView(entries.buffer);
    const present = new Uint8Array(BATCH_PAGES);
    outer: for (const m of mappings) {
      for (let addr = m.start; addr < m.end; addr += BATCH_PAGES * pageSize) {
        const count = Math.min(BATCH_PAGES, (m.end - addr) / pageSize);
        // which pages hold data: pagemap bit 63 = present, bit 62 = swapped
        if (pagemap !== null) {
          const e = entries.subarray(0, count * 8);
          if (!tryRead(pagemap, (addr / pageSize) * 8, e)) {
            throw new UsageError(`Cannot read the page map of process ${pid} (or use --all)`);
          }
          for (let i = 0; i < count; i++) {
            present[i] = (entryView.getUint32(i * 8 + 4, true) & 0xc0000000) !== 0 ? 1 : 0;
          }
        } else present.fill(1, 0, count);
        // runs of wanted pages, read in one call each, page by page when that fails
        let i = 0;
        while (i < count) {
          if (present[i] === 0) {
            meta.untouchedPages++;
            i++;
            continue;
          }
          let j = i;
          while (j < count && present[j] === 1) j++;
          if (meta.pages + (j - i) > maxPages) j = i + (maxPages - meta.pages);
          const run = buf.subarray(0, (j - i) * pageSize);
          if (tryRead(mem, addr + i * pageSize, run)) {
            writeAll(outFile, run);
            meta.pages += j - i;
          } else {
            for (let k = i; k < j; k++) {
              const page = buf.subarray(0, pageSize);
              if (tryRead(mem, addr + k * pageSize, page)) {
                writeAll(outFile, page);
                meta.pages++;
              } else meta.unreadablePages++;
            }
          }
          if (meta.pages >= maxPages) {
            meta.truncated = true;
            break outer;
          }
          i = j;
        }
      }
    }
  } finally {
    outFile.close();
    mem.close();
    pagemap?.close();
  }
  Deno.writeTextFileSync(`${out}.json`, JSON.stringify(meta, null, 2) + "\n");
  return meta;
}

/**
 * Run the `capture` subcommand.
 *
 * @param args The arguments after `capture`.
 * @returns The exit code: 0.
 * @throws {UsageError} for a bad flag, a missing process or no permission.
 */
export function main(args: string[]): Promise<number> {
  try {
    return Promise.resolve(run(args));
  } catch (err) {
    return Promise.reject(err);
  }
}

function run(args: string[]): number {
  const { values } = parseFlags("capture", args, {
    pid: { type: "string" },
    out: { type: "string" },
    all: { type: "boolean" },
    "max-pages": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const pidText = values.pid as string | undefined;
  const out = values.out as string | undefined;
  if (pidText === undefined) throw new UsageError("Missing --pid (the process to capture)");
  if (out === undefined) throw new UsageError("Missing --out FILE (the page file to write)");
  if (!/^\d+$/.test(pidText) || Number(pidText) < 1) {
    throw new UsageError(`--pid "${pidText}" is not a process id (a positive integer)`);
  }
  const maxText = values["max-pages"] as string | undefined;
  if (maxText !== undefined && (!/^\d+$/.test(maxText) || Number(maxText) < 1)) {
    throw new UsageError(`--max-pages "${maxText}" is not a positive integer`);
  }
  const meta = capture({
    pid: Number(pidText),
    out,
    all: values.all === true,
    maxPages: maxText === undefined ? undefined : Number(maxText),
  });
  console.log(
    `Captured ${meta.pages} pages of ${meta.pageSize} bytes from process ${meta.pid} (${meta.process})` +
      ` into ${out}; ${meta.unreadablePages} unreadable, ${meta.untouchedPages} untouched skipped;` +
      ` metadata in ${out}.json`,
  );
  console.log("The pages are the process's private data: keep the file private.");
  return 0;
}
