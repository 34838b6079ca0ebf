/**
 * A fresh set of cell counters, shared by the zswap frontend and the bench test fakes.
 *
 * @module
 */
import type { CellCounters } from "./cell_types.ts";

/** New counters, all zero. */
export function zeroCounters(): CellCounters {
  return {
    stored_pages: 0,
    pool_total_size: 0,
    pool_pages: 0,
    same_filled_pages: 0,
    zero_pages: 0,
    stored_incompressible_pages: 0,
    reject_compress_poor: 0,
    reject_compress_fail: 0,
    reject_alloc_fail: 0,
    reject_kmemcache_fail: 0,
    reject_reclaim_fail: 0,
    pool_limit_hit: 0,
    written_back_pages: 0,
    duplicate_entry: 0,
    decompress_fail: 0,
    original_bytes: 0,
    compressed_bytes: 0,
    pool_pages_end: 0,
    stored_pages_end: 0,
    bytes_bounced: 0,
    trylock_failed: 0,
    mutex_waits: 0,
    violations: 0,
    integrity_failures: 0,
    stores: 0,
    loads: 0,
    load_hits: 0,
    invalidates: 0,
    load_failed: 0,
    keepalive: 0,
  };
}
