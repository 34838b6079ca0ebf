/**
 * Progress on stderr while a run goes: cells done of total, the running cell, elapsed time and
 * an estimate of the time left. Shown only when stderr is a terminal and the run is not
 * `--quiet`; it redraws one line and clears it at the end.
 *
 * @module
 */

/** Options of {@linkcode Progress}. */
export interface ProgressOptions {
  /** Show anything at all (default: stderr is a terminal). */
  enabled?: boolean;
  /** Where to write (default stderr). */
  write?: (text: string) => void;
  /** The clock in ms (default `performance.now`). */
  now?: () => number;
  /** Terminal width for cutting the line (default from the terminal, else 100). */
  columns?: number;
}

/**
 * A one-line progress display.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Progress } from "./progress.ts";
 * const lines: string[] = [];
 * const p = new Progress(2, { enabled: true, write: (t) => lines.push(t), now: () => 0 });
 * p.start("zbud/lz4/mixed");
 * assert.ok(lines[0].includes("[0/2]"));
 * ```
 */
export class Progress {
  #total: number;
  #done = 0;
  #enabled: boolean;
  #write: (text: string) => void;
  #now: () => number;
  #startedAt: number;
  #columns: number;
  #shown = false;
  #cellStartedAt = 0;

  /**
   * Start the clock of a progress display.
   *
   * @param total Cells to run.
   * @param options Where and whether to show it.
   */
  constructor(total: number, options: ProgressOptions = {}) {
    this.#total = total;
    this.#enabled = options.enabled ?? isStderrTerminal();
    const encoder = new TextEncoder();
    this.#write = options.write ?? ((t) => Deno.stderr.writeSync(encoder.encode(t)));
    this.#now = options.now ?? (() => performance.now());
    this.#startedAt = this.#now();
    this.#columns = options.columns ?? terminalColumns();
  }

  /**
   * A cell starts.
   *
   * @param cell Its name.
   */
  start(cell: string): void {
    if (!this.#enabled) return;
    this.#cellStartedAt = this.#now();
    this.#draw(cell, "");
  }

  /**
   * Progress inside the running cell: operations done of the total, with the cell's ETA.
   *
   * @param cell Its name.
   * @param opsDone Operations done over its runs so far.
   * @param opsTotal Operations of all its runs, or null while unknown (first run).
   */
  inCell(cell: string, opsDone: number, opsTotal: number | null): void {
    if (!this.#enabled) return;
    const spent = this.#now() - this.#cellStartedAt;
    let tail: string;
    if (opsTotal === null || opsTotal <= 0) tail = `  ${compact(opsDone)} ops`;
    else {
      const left = opsDone > 0 ? (spent / opsDone) * Math.max(0, opsTotal - opsDone) : NaN;
      tail = `  ${compact(opsDone)}/${compact(opsTotal)} ops, cell ETA ${
        Number.isNaN(left) ? "?" : formatDuration(left)
      }`;
    }
    this.#draw(cell, tail);
  }

  #draw(cell: string, tail: string): void {
    const elapsed = this.#now() - this.#startedAt;
    const eta = this.#done > 0 ? (elapsed / this.#done) * (this.#total - this.#done) : NaN;
    const head = `[${this.#done}/${this.#total}] ${formatDuration(elapsed)} elapsed, ETA ${
      Number.isNaN(eta) ? "?" : formatDuration(eta)
    }  `;
    const room = Math.max(12, this.#columns - 1 - head.length - tail.length);
    const name = cell.length > room ? `${cell.slice(0, room - 1)}…` : cell;
    let line = head + name + tail;
    if (line.length > this.#columns - 1) line = line.slice(0, this.#columns - 2) + "…";
    this.#write(`\r\x1b[2K${line}`);
    this.#shown = true;
  }

  /** A cell finished. */
  done(): void {
    this.#done++;
  }

  /** Clear the line (call before printing anything else). */
  clear(): void {
    if (this.#enabled && this.#shown) this.#write("\r\x1b[2K");
    this.#shown = false;
  }
}

/**
 * `m:ss` or `h:mm:ss`.
 *
 * @param ms Milliseconds.
 * @returns The text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatDuration } from "./progress.ts";
 * assert.equal(formatDuration(75_000), "1:15");
 * ```
 */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}

/** 950, 12.3k, 262k, 1.05M. */
function compact(n: number): string {
  if (n < 1e3) return String(n);
  if (n < 1e6) return `${+(n / 1e3).toPrecision(3)}k`;
  return `${+(n / 1e6).toPrecision(3)}M`;
}

function isStderrTerminal(): boolean {
  try {
    return Deno.stderr.isTerminal();
  } catch {
    return false;
  }
}

function terminalColumns(): number {
  try {
    return Deno.consoleSize().columns;
  } catch {
    return 100;
  }
}
