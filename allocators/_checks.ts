// Argument checks shared by the pools (private to allocators/).
import { type AllocatorEnv, AllocError } from "../registry/types.ts";
import { checkPageSize } from "./_page_size.ts";

/**
 * Throw unless the pool's page size is modelled and matches its arena's.
 * @param env What `create()` was given.
 * @param who The allocator's name, for the message.
 */
export function checkPoolEnv(env: AllocatorEnv, who: string): void {
  checkPageSize(env.pageSize, who);
  if (env.arena.pageSize !== env.pageSize) {
    throw new RangeError(
      `Pool page size ${env.pageSize} differs from the arena's ${env.arena.pageSize}`,
    );
  }
}

/**
 * Throw the errors of a pool's `malloc()`: EINVAL unless `size` is an integer from 1, ENOSPC
 * above `limit`.
 * @param size Bytes asked for.
 * @param limit The largest object the pool takes.
 * @param who The allocator's name, for the message.
 */
export function checkMallocSize(size: number, limit: number, who: string): void {
  if (!Number.isInteger(size) || size <= 0) {
    throw new AllocError("EINVAL", `Cannot allocate ${size} bytes (sizes are integers from 1)`);
  }
  if (size > limit) {
    throw new AllocError("ENOSPC", `Object of ${size} bytes exceeds the ${who} limit of ${limit}`);
  }
}
