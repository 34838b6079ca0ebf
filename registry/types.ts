/**
 * Plugin contracts of zswapbench (DESIGN §4). Every plugin is a plain object that meets one of the
 * interfaces below; `registry/schemas.ts` checks the shape of external modules with zod.
 *
 * @module
 */

/** The kinds of plugin the registry knows. */
export type PluginKind = "allocator" | "compressor" | "workload" | "strategy";

/** A zpool handle: an opaque non-negative integer that only the pool that issued it understands. */
export type Handle = number;

/** How a handle is mapped: read-only, write-only or read-write (zpool_mapmode). */
export type MapMode = "ro" | "wo" | "rw";

/** Error codes an allocator may throw from `malloc()`. */
export type AllocErrorCode = "E2BIG" | "ENOSPC" | "ENOMEM" | "EINVAL";

/**
 * An allocation refused by a pool or the arena. zswap turns `ENOSPC` into `reject_compress_poor`
 * and any other code into `reject_alloc_fail` (kernel-zswap.md §2).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AllocError } from "./types.ts";
 * const err = new AllocError("ENOSPC", "Object of 4000 bytes exceeds the zbud limit of 3968");
 * assert.equal(err.code, "ENOSPC");
 * ```
 */
export class AllocError extends Error {
  /** The errno-like code: what zswap's reject counters key on. */
  readonly code: AllocErrorCode;
  /**
   * Make an allocation error.
   *
   * @param code The errno-like code.
   * @param message What was refused and why.
   * @param options The underlying cause, if any.
   */
  constructor(code: AllocErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "AllocError";
    this.code = code;
  }
}

/** Error codes a compressor may throw. `ENOSPC`: the output does not fit the destination. */
export type CompressErrorCode = "ENOSPC" | "EINVAL";

/**
 * A compressor or decompressor failure: output that does not fit the destination (`ENOSPC`), or a
 * corrupt or truncated input block (`EINVAL`). Never a write past the destination.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CompressError } from "./types.ts";
 * const err = new CompressError("ENOSPC", "Output of 4100 bytes does not fit 4096");
 * assert.equal(err.name, "CompressError");
 * ```
 */
export class CompressError extends Error {
  /** Why the call failed. */
  readonly code: CompressErrorCode;
  /**
   * Make a compressor error.
   *
   * @param code Why the call failed.
   * @param message A sentence naming the sizes involved.
   * @param options The underlying cause, if any.
   */
  constructor(code: CompressErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CompressError";
    this.code = code;
  }
}

/**
 * A simulated physical page allocator. Pages are handed out one at a time and are not contiguous:
 * a pool must never assume that page `p + 1` follows page `p`.
 */
export interface Arena {
  /** Bytes per page (4096, 16384 or 65536). */
  readonly pageSize: number;
  /** Page limit, or `Infinity` when unlimited. */
  readonly limitPages: number;
  /**
   * Take one page. Its contents are unspecified (not zeroed).
   * @returns the page frame number, a small non-negative integer.
   * @throws {AllocError} `ENOMEM` when the limit is reached.
   */
  allocPage(): number;
  /** Give a page back. Throws a `RangeError` for a page that is not in use. */
  freePage(pfn: number): void;
  /** A view of exactly one page's bytes. Valid until the page is freed. */
  page(pfn: number): Uint8Array;
  /** Pages in use now. */
  pagesInUse(): number;
  /** The most pages ever in use at once. */
  peakPages(): number;
  /**
   * Back at least `spare` pages past the highest page handed out with memory already written
   * once, so first touches do not land inside a timed operation (the frontend calls it between
   * operations). Optional: an arena without it is used as it is.
   */
  prefault?(spare: number): void;
  /** Give every page and the memory behind it back (the cell is over). Optional. */
  release?(): void;
}

/**
 * A zpool: what zswap allocates compressed objects from (include/linux/zpool.h).
 *
 * Lock order for callers: take the CPU's mutex before `map()` when both are needed; never wait on a
 * mutex or an asynchronous compressor while a handle of a pool with `sleepMapped: false` is mapped.
 */
export interface Zpool {
  /**
   * Allocate an object of `size` bytes.
   * @throws {AllocError} `ENOSPC` (too big for this allocator), `ENOMEM` (arena full), `EINVAL`.
   */
  malloc(size: number): Handle;
  /** Free an object. Throws a `RangeError` for an unknown or already freed handle. */
  free(handle: Handle): void;
  /**
   * A view of exactly the object's bytes (`size` as given to `malloc`). For pools that cannot sleep
   * mapped this leaves the caller atomic; pair with `unmap()`. `cpu` selects the per-CPU map area
   * where a pool copies objects that span pages (default 0).
   */
  map(handle: Handle, mode: MapMode, cpu?: number): Uint8Array;
  /** End a mapping. A write mapping of a copied object is copied back here. */
  unmap(handle: Handle, cpu?: number): void;
  /** Pages taken from the arena now (pool_total_size / PAGE_SIZE). */
  totalPages(): number;
  /** Move objects to free whole pages; returns the pages freed. */
  compact?(): number;
  /** Run work the pool deferred, as a kernel workqueue would (the frontend calls it after each op). */
  drain?(): void;
  /** Allocator-specific figures, e.g. per-class counts for zsmalloc. */
  stats(): Record<string, unknown>;
  /**
   * zsmalloc's read API (6.15, `zs_obj_read_begin`): a view into the page when the object lies in
   * one page, else a copy of both halves into `localCopy` (and the returned view is a subarray of
   * it). May be held across a sleep. Pair with `readEnd()`.
   */
  readBegin?(handle: Handle, localCopy: Uint8Array): Uint8Array;
  /** End a `readBegin()`. */
  readEnd?(handle: Handle): void;
  /**
   * The SG read API (after 6.18): the one or two page segments that hold the object, no copy.
   */
  readSegments?(handle: Handle): Uint8Array[];
  /** Every live object's bytes by handle, for tests and fuzzers (not for the hot path). */
  liveObjects?(): Iterable<[Handle, Uint8Array]>;
}

/** What `AllocatorPlugin.create()` receives. */
export interface AllocatorEnv {
  /** The arena to take pages from. */
  arena: Arena;
  /** Bytes per page; equals `arena.pageSize`. */
  pageSize: number;
  /** Simulated CPUs: per-CPU map areas are sized by this. */
  cpus: number;
  /** Plugin options, unvalidated: parse them with the plugin's zod schema. */
  options: unknown;
}

/** A zpool driver. */
export interface AllocatorPlugin {
  /** Discriminator. */
  kind: "allocator";
  /** Lower-case unique name, e.g. `zsmalloc`. */
  name: string;
  /** One line for `cli list`. */
  description: string;
  /**
   * The zod schema of the options, with a description and default per field: the one source of
   * the plugin's option docs (`cli list --options`, `docs/plugins.md`). Optional.
   */
  optionsSchema?: unknown;
  /** May the caller sleep while a handle is mapped? (zpool_driver.sleep_mapped, 5.12) */
  sleepMapped: boolean;
  /** Make a pool. Throws for bad options, before the first store. */
  create(env: AllocatorEnv): Zpool;
  /**
   * What a kernel preset may set on this allocator (zswap/presets.ts); absent: nothing. The
   * frontend reads this, never the allocator's name.
   */
  presetSettable?: AllocatorPresetSettable;
  // --- least privilege (issue 9): see PluginPermissions ---
  /** What the plugin may touch in its cell Worker (nothing when absent). */
  permissions?: PluginPermissions;
}

/**
 * The rules of a kernel preset an allocator takes on (each false when absent). zsmalloc takes all
 * three: its size-class rule and chain length, its too-big counter and its writeback changed with
 * the kernel version.
 */
export interface AllocatorPresetSettable {
  /** The preset's size-class options (`rule`, `chain`) go under the user's allocator options. */
  classOptions?: boolean;
  /** The preset says how an object too big for the pool is counted (mm/zsmalloc.c, 6.8). */
  tooBigCounter?: boolean;
  /** The preset says whether the pool can write back (no zsmalloc shrink before 6.5). */
  writeback?: boolean;
}

/** A compressor instance. Both calls write into caller buffers and return the length written. */
export interface Compressor {
  /**
   * Compress `src` into `dst`; returns the raw compressed length (no container header).
   * @throws {CompressError} `ENOSPC` when the output does not fit `dst`.
   */
  compress(src: Uint8Array, dst: Uint8Array): number | Promise<number>;
  /**
   * Decompress `src` into `dst`; returns the length written.
   * @throws {CompressError} `EINVAL` for a corrupt block, `ENOSPC` when it does not fit `dst`.
   */
  decompress(src: Uint8Array, dst: Uint8Array): number | Promise<number>;
  /** Release workers or wasm memory, if any. */
  close?(): void | Promise<void>;
  /**
   * Set when the compressor stands for a modelled asynchronous device (the `offload` compressor's
   * default): the frontend runs `engine.codec` in this thread and lets each call complete at the
   * virtual time the device model gives, sleeping the caller until then.
   */
  readonly engine?: EngineModel;
}

/**
 * A modelled compression engine (a hardware accelerator behind crypto_acomp): how many requests
 * it serves at once and how long each takes. A request waits for a free engine, occupies it for
 * its transfer time (`bytes / throughput`, or the codec's own cost when no throughput is given)
 * and completes `latencyNs` (+ jitter) after that.
 */
export interface EngineModel {
  /** Preset name, or `custom`. */
  readonly name: string;
  /** The codec that computes the bytes (runs for real, synchronously, in this thread). */
  readonly codec: Compressor;
  /** The codec's name (cost tables). */
  readonly codecName: string;
  /** Engines (or hardware queues) serving requests in parallel. */
  readonly engines: number;
  /** Fixed completion latency per request, by direction (ns). */
  readonly latencyNs: { readonly compress: number; readonly decompress: number };
  /** MB/s of uncompressed data per engine, by direction; null: the codec's own cost. */
  readonly throughputMBps: { readonly compress: number | null; readonly decompress: number | null };
  /** Random extra latency per request: none, uniform on [0, ns), or exponential with mean ns. */
  readonly jitter: { readonly dist: "none" | "uniform" | "exponential"; readonly ns: number };
}

/** A compression algorithm. */
export interface CompressorPlugin {
  /** Discriminator. */
  kind: "compressor";
  /** Lower-case unique name, e.g. `lz4`. */
  name: string;
  /** One line for `cli list`. */
  description: string;
  /**
   * The zod schema of the options, with a description and default per field: the one source of
   * the plugin's option docs (`cli list --options`, `docs/plugins.md`). Optional.
   */
  optionsSchema?: unknown;
  /** True: calls complete later (an offload engine) and the caller must sleep while waiting. */
  async: boolean;
  /** Make an instance. Throws for bad options. */
  create(options: unknown): Compressor | Promise<Compressor>;
  // --- least privilege (issue 9): see PluginPermissions ---
  /** What the plugin may touch in its cell Worker (nothing when absent). */
  permissions?: PluginPermissions;
}

/** One operation of a workload. Workloads may reuse one object: read it before the next `next()`. */
export interface Op {
  /** What to do. */
  op: "store" | "load" | "invalidate";
  /** The swap offset (the key in zswap's tree). */
  offset: number;
  /** For `store`: which page's contents to store. */
  pageId: number;
}

/** What `WorkloadPlugin.create()` receives. */
export interface WorkloadEnv {
  /** Bytes per page. */
  pageSize: number;
  /** Seed for every random choice: same seed, same ops and contents. */
  seed: number;
  /** Number of distinct pages the workload should use (the `pages` param). */
  pages: number;
  /** Plugin options, unvalidated. */
  options: unknown;
}

/** A stream of operations with page contents generated on demand. */
export interface Workload {
  /** The operations, in order. Never materialises all pages. */
  ops(): Iterable<Op>;
  /** Write page `pageId`'s contents into `into` (exactly one page). */
  page(pageId: number, into: Uint8Array): void;
  /** Release files or other resources, if any. */
  close?(): void;
  /**
   * The codec whose recorded lengths the pages replay (the `lengths` workload), so the preset's
   * rules for that codec apply (5.10's lzo has no output bound); absent for real page contents.
   */
  codec?: string;
}

/** A generator of page contents and access patterns. */
export interface WorkloadPlugin {
  /** Discriminator. */
  kind: "workload";
  /** Lower-case unique name, e.g. `mixed`. */
  name: string;
  /** One line for `cli list`. */
  description: string;
  /**
   * The zod schema of the options, with a description and default per field: the one source of
   * the plugin's option docs (`cli list --options`, `docs/plugins.md`). Optional.
   */
  optionsSchema?: unknown;
  /**
   * When set, cells of this workload use this compressor and report `compressor` as `-` (the
   * `lengths` workload replays compressed lengths, so no real codec runs).
   */
  fixedCompressor?: string;
  /** Make a workload. Throws for bad options. */
  create(env: WorkloadEnv): Workload | Promise<Workload>;
  // --- least privilege (issue 9): see PluginPermissions ---
  /**
   * What the plugin may touch in its cell Worker (nothing when absent). Paths in the cell's
   * workload options `path` and `paths` are granted without being declared.
   */
  permissions?: PluginPermissions;
}

/** The primitives a load-path strategy composes; the frontend tracks atomic context through them. */
export interface LoadContext {
  /** Bytes per page. */
  readonly pageSize: number;
  /** Can the pool's caller sleep while a handle is mapped? */
  readonly poolSleepMapped: boolean;
  /** Is the compressor asynchronous (its calls sleep)? */
  readonly compressorAsync: boolean;
  /** The pool, for optional read APIs (`readBegin`, `readSegments`). */
  readonly pool: Zpool;
  /** This CPU's 2 x PAGE_SIZE context buffer; only valid while the CPU mutex is held. */
  readonly buffer: Uint8Array;
  /** Take this CPU's mutex; may sleep (a violation if the task is atomic). */
  lock(): void | Promise<void>;
  /** Try the mutex without sleeping; false when another task holds it (counted in trylock_failed). */
  trylock(): boolean;
  /** Release this CPU's mutex. */
  unlock(): void;
  /** Map a handle; leaves the task atomic when the pool cannot sleep mapped. Pair with `unmap`. */
  map(handle: Handle, mode: MapMode): Uint8Array;
  /** Unmap a handle mapped with `map`. */
  unmap(handle: Handle): void;
  /** Decompress; for an asynchronous compressor this sleeps (a violation if atomic). */
  decompress(src: Uint8Array, dst: Uint8Array): number | Promise<number>;
  /**
   * A temporary buffer as kmalloc gives it; `atomic` true for GFP_ATOMIC (cannot sleep, may fail
   * by injection), false for GFP_KERNEL (may sleep: a violation if atomic). Returns null on failure.
   */
  kmalloc(size: number, atomic: boolean): Uint8Array | null;
  /** Count bytes copied into a bounce buffer. */
  bounced(bytes: number): void;
}

/** A stored entry as a strategy sees it. */
export interface EntryRef {
  /** The pool handle. */
  readonly handle: Handle;
  /** Compressed length in bytes (without any zswap header). */
  readonly length: number;
  /** zswap header bytes in front of the data in the object (8 where the preset stores one). */
  readonly headerBytes: number;
}

/**
 * A load-path strategy: bring the entry's page back into `page`. Returns the decompressed length
 * (must equal the page size). Throws when a bounce allocation fails (the load fails).
 */
export type LoadStrategy = (
  ctx: LoadContext,
  entry: EntryRef,
  page: Uint8Array,
) => number | Promise<number>;

/** A load-path strategy plugin. */
export interface StrategyPlugin {
  /** Discriminator. */
  kind: "strategy";
  /** Lower-case unique name, e.g. `percpu-buffer`. */
  name: string;
  /** One line for `cli list`. */
  description: string;
  /**
   * The zod schema of the options, with a description and default per field: the one source of
   * the plugin's option docs (`cli list --options`, `docs/plugins.md`). Optional.
   */
  optionsSchema?: unknown;
  /** Make the strategy function. Throws for bad options. */
  create(options: unknown): LoadStrategy;
  // --- least privilege (issue 9): see PluginPermissions ---
  /** What the plugin may touch in its cell Worker (nothing when absent). */
  permissions?: PluginPermissions;
}

// --- least privilege (issue 9) ---

/**
 * The Deno permissions an external plugin asks for. External plugin modules run only inside cell
 * Workers whose permissions are narrowed to these (docs/plugins-security.md): no network, no
 * environment, no subprocesses, no writes, and reads of the paths listed here (plus the paths a
 * cell's workload options name). Built-in plugins run unrestricted in the main process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PluginPermissions } from "./types.ts";
 * const permissions: PluginPermissions = { read: ["./data/lengths.csv"] };
 * assert.ok(permissions.read?.length === 1);
 * ```
 */
export interface PluginPermissions {
  /** Files or folders the plugin reads (relative paths against the working directory). */
  read?: string[];
}

/** Any plugin. */
export type Plugin = AllocatorPlugin | CompressorPlugin | WorkloadPlugin | StrategyPlugin;

/** Maps a kind to its plugin type. */
export interface PluginByKind {
  /** zpool drivers */
  allocator: AllocatorPlugin;
  /** compression algorithms */
  compressor: CompressorPlugin;
  /** page contents and access patterns */
  workload: WorkloadPlugin;
  /** load-path strategies */
  strategy: StrategyPlugin;
}
