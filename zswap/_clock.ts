/**
 * Virtual time for the simulated machine: one clock per simulated CPU and a scheduler that decides
 * which simulated task runs next. Used by the frontend when the compressor is a modelled
 * asynchronous engine (see `compressors/engines.ts`): then tasks sleep in virtual time — on the
 * engine, on the CPU mutex, on an offset another task has in flight — and the task that runs next
 * is the one whose CPU is free earliest, not whichever Promise the event loop settles first.
 *
 * Model: a CPU runs one task at a time and never preempts it (a task runs until it sleeps or
 * finishes an operation); a task that wakes while its CPU is busy waits for the CPU. Ties go to the
 * task that became runnable first, then the lower task number, so a run is a function of its
 * inputs. Only one task executes JavaScript at a time: every sleep hands control back here.
 *
 * Invariant: `#current` is the task executing now, or null while the scheduler picks.
 *
 * @module
 */

/** A task as the clock sees it. */
interface ClockTask {
  readonly id: number;
  readonly cpu: number;
  /** Virtual time at which it may run; Infinity while blocked with no wake-up planned. */
  wakeAt: number;
  /** Order in which tasks became runnable (FIFO among equal times). */
  seq: number;
  /** Resumes the task; null while it runs or after it finished. */
  resume: (() => void) | null;
  /** Counts the task's sleeps, so a late wake-up of an earlier sleep does nothing. */
  gen: number;
  done: boolean;
}

/** A blocked task's wake-up call: runnable at `atNs` (default: the waker's CPU clock now). */
export type Wake = (atNs?: number) => void;

/** Thrown when every unfinished task is blocked with nothing left to wake it: a model bug. */
export class VirtualDeadlockError extends Error {
  /** @param detail Which tasks were stuck. */
  constructor(detail: string) {
    super(`Virtual-time deadlock: every task is blocked (${detail})`);
    this.name = "VirtualDeadlockError";
  }
}

/** The clocks and the scheduler of one cell. Register every task, then `run()`. */
export class VirtualClock {
  /** Each CPU's clock (ns since the start of the cell). */
  readonly now: Float64Array;
  readonly #tasks: ClockTask[] = [];
  #current: ClockTask | null = null;
  #seq = 0;
  #parked: (() => void) | null = null;
  #live = 0;

  /** @param cpus Simulated CPUs. */
  constructor(cpus: number) {
    this.now = new Float64Array(cpus);
  }

  /** Add task `id` (ids 0, 1, 2, ... in order) running on `cpu`; it starts runnable at time 0. */
  register(id: number, cpu: number): void {
    if (id !== this.#tasks.length) throw new RangeError(`Task ${id} registered out of order`);
    this.#tasks.push({ id, cpu, wakeAt: 0, seq: this.#seq++, resume: null, gen: 0, done: false });
    this.#live++;
  }

  /** The clock of the CPU task `id` runs on. */
  timeOf(id: number): number {
    return this.now[this.#tasks[id].cpu];
  }

  /** Charge `ns` of work to the CPU of task `id`. */
  advance(id: number, ns: number): void {
    if (ns > 0) this.now[this.#tasks[id].cpu] += ns;
  }

  /** Task `id` gives its CPU up and is runnable again at once (between operations). */
  yield(id: number): Promise<void> {
    return this.sleepUntil(id, this.timeOf(id));
  }

  /** Task `id` sleeps until virtual time `atNs` (an engine completion). */
  sleepUntil(id: number, atNs: number): Promise<void> {
    const { promise, wake } = this.block(id);
    wake(atNs);
    return promise;
  }

  /**
   * Task `id` sleeps until someone calls the returned `wake` (a mutex handoff, an offset
   * released). `wake()` without an argument wakes it at the waker's CPU time.
   */
  block(id: number): { promise: Promise<void>; wake: Wake } {
    const task = this.#tasks[id];
    task.wakeAt = Infinity;
    const gen = ++task.gen;
    const promise = new Promise<void>((resolve) => {
      task.resume = resolve;
    });
    this.#park(task);
    const wake: Wake = (atNs?: number): void => {
      if (task.done || task.gen !== gen || task.wakeAt !== Infinity) return;
      const cur = this.#current;
      task.wakeAt = atNs ?? (cur !== null ? this.now[cur.cpu] : this.now[task.cpu]);
      task.seq = this.#seq++;
    };
    return { promise, wake };
  }

  /** Task `id` has no more work. */
  finish(id: number): void {
    const task = this.#tasks[id];
    if (task.done) return;
    task.done = true;
    task.resume = null;
    this.#live--;
    this.#park(task);
  }

  /**
   * Run the tasks until all have finished, always resuming the runnable task with the earliest
   * start time (its wake time, or later if its CPU is still busy).
   * @throws {VirtualDeadlockError} When tasks remain but none can run.
   */
  async run(): Promise<void> {
    while (this.#live > 0) {
      const next = this.#pick();
      if (next === null) {
        const stuck = this.#tasks.filter((t) => !t.done).map((t) => `task ${t.id}`).join(", ");
        throw new VirtualDeadlockError(stuck);
      }
      const start = Math.max(this.now[next.cpu], next.wakeAt);
      this.now[next.cpu] = start;
      const resume = next.resume!;
      next.resume = null;
      next.wakeAt = Infinity;
      this.#current = next;
      const parked = new Promise<void>((resolve) => {
        this.#parked = resolve;
      });
      resume();
      await parked;
    }
  }

  #pick(): ClockTask | null {
    let best: ClockTask | null = null;
    let bestStart = Infinity;
    for (const t of this.#tasks) {
      if (t.done || t.resume === null || t.wakeAt === Infinity) continue;
      const start = Math.max(this.now[t.cpu], t.wakeAt);
      if (start < bestStart || (start === bestStart && best !== null && t.seq < best.seq)) {
        best = t;
        bestStart = start;
      }
    }
    return best;
  }

  #park(task: ClockTask): void {
    if (this.#current !== task) return;
    this.#current = null;
    const parked = this.#parked;
    this.#parked = null;
    parked?.();
  }
}
