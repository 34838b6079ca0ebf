/**
 * The per-CPU sleeping mutex of the compression context (mm/zswap.c 5.11 on: `acomp_ctx->mutex`).
 * Waiters are served first in, first out; `unlock()` hands the mutex straight to the next waiter.
 *
 * @module
 */

/** Something that can own the mutex: a simulated task. */
export interface MutexOwner {
  /** The task number, for messages. */
  readonly task: number;
}

/** A sleeping mutex. Invariant: `owner` is null exactly when nobody holds it and nobody waits. */
export class CpuMutex {
  /** The CPU this mutex belongs to, for messages. */
  readonly cpu: number;
  /** The task holding the mutex, or null. */
  owner: MutexOwner | null = null;
  #waiters: MutexOwner[] = [];
  #wakers: (() => void)[] = [];

  /** @param cpu The CPU this mutex belongs to. */
  constructor(cpu: number) {
    this.cpu = cpu;
  }

  /**
   * Take the mutex: at once (returns undefined) when it is free, else a Promise that resolves
   * once `unlock()` hands it over (the caller sleeps). With `wake` (virtual time), a contended
   * lock queues the caller, returns undefined, and `unlock()` calls `wake` at the handover.
   * @throws {Error} When `who` already holds it (it would wait for itself forever).
   */
  lock(who: MutexOwner, wake?: () => void): Promise<void> | undefined {
    if (this.owner === null) {
      this.owner = who;
      return undefined;
    }
    if (this.owner === who) {
      throw new Error(
        `Task ${who.task} locked the CPU ${this.cpu} mutex it already holds (a strategy locked twice)`,
      );
    }
    if (wake !== undefined) {
      this.#waiters.push(who);
      this.#wakers.push(wake);
      return undefined;
    }
    return new Promise<void>((resolve) => {
      this.#waiters.push(who);
      this.#wakers.push(resolve);
    });
  }

  /** Take the mutex if it is free; never sleeps. */
  trylock(who: MutexOwner): boolean {
    if (this.owner !== null) return false;
    this.owner = who;
    return true;
  }

  /** Release the mutex; the first waiter, if any, becomes the owner and wakes up. */
  unlock(who: MutexOwner): void {
    if (this.owner !== who) {
      throw new Error(
        `Task ${who.task} unlocked the CPU ${this.cpu} mutex it does not hold (a strategy unlocked twice)`,
      );
    }
    if (this.#waiters.length === 0) {
      this.owner = null;
      return;
    }
    this.owner = this.#waiters.shift()!;
    this.#wakers.shift()!();
  }
}
