// Page-size checks shared by the arena and the pools (private to allocators/).

/** The page sizes zswapbench models: x86_64/arm64 4K, arm64 16K, arm64/ppc64 64K. */
export const PAGE_SIZES: readonly number[] = [4096, 16384, 65536];

/**
 * Throw unless `pageSize` is one of the modelled page sizes.
 * @param pageSize Bytes per page.
 * @param who What is asking, for the message.
 * @returns log2(pageSize), the kernel's PAGE_SHIFT.
 */
export function checkPageSize(pageSize: number, who: string): number {
  if (!PAGE_SIZES.includes(pageSize)) {
    throw new RangeError(
      `${who} does not support a page size of ${
        JSON.stringify(pageSize)
      } (use 4096, 16384 or 65536)`,
    );
  }
  return Math.log2(pageSize);
}
