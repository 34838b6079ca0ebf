/**
 * Offsets in flight: the model's stand-in for the swap cache and the page lock, which in the
 * kernel keep two operations on one swap slot from overlapping (not zswap's code, so it lives
 * apart from the frontend). With several simulated tasks, an operation takes its offset first;
 * a second one on the same offset waits its turn (FIFO), and writeback skips an offset in flight
 * (`-EEXIST`: the page is in the swap cache).
 *
 * @module
 */

/** Per-offset FIFO locks. `null`: held, nobody waiting. */
export class OffsetLocks {
  readonly #inFlight = new Map<number, (() => void)[] | null>();

  /**
   * Take an offset: at once (`undefined`) when nobody has it in flight, else queue (FIFO).
   * With `block` (virtual time) the caller sleeps on the scheduler: `block()` gives the Promise to
   * wait on and the wake-up that `release()` calls.
   */
  acquire(
    offset: number,
    block?: () => { promise: Promise<void>; wake: () => void },
  ): Promise<void> | undefined {
    const q = this.#inFlight.get(offset);
    if (q === undefined) {
      this.#inFlight.set(offset, null);
      return undefined;
    }
    if (block !== undefined) {
      const { promise, wake } = block();
      if (q === null) this.#inFlight.set(offset, [wake]);
      else q.push(wake);
      return promise;
    }
    return new Promise<void>((resolve) => {
      if (q === null) this.#inFlight.set(offset, [resolve]);
      else q.push(resolve);
    });
  }

  /** Take an offset known to be free (writeback picks only offsets not in flight). */
  take(offset: number): void {
    this.#inFlight.set(offset, null);
  }

  /** Is the offset in flight? */
  held(offset: number): boolean {
    return this.#inFlight.has(offset);
  }

  /** Give an offset up: the first waiter, if any, now holds it. */
  release(offset: number): void {
    const q = this.#inFlight.get(offset);
    if (q === null || q === undefined || q.length === 0) {
      this.#inFlight.delete(offset);
      return;
    }
    q.shift()!();
  }

  /** Forget every offset (the cell is over). */
  clear(): void {
    this.#inFlight.clear();
  }
}
