/**
 * Small fakes for the zswap frontend tests: a pool whose objects may span pages, a "prefix"
 * compressor whose output length the page decides, scripted workloads, a recorder and plans.
 *
 * @module
 */

import { zsmallocAllocator } from "../../allocators/zsmalloc.ts";
import {
  type AllocatorPlugin,
  AllocError,
  type Arena,
  CompressError,
  type Compressor,
  type CompressorPlugin,
  type Handle,
  type MapMode,
  type Op,
  type Workload,
  type WorkloadPlugin,
  type Zpool,
} from "../../registry/types.ts";
import type { CellParams, CellPlan, OpRecorder } from "../../zswap/cell_types.ts";

/** Options of {@link fakeAllocator}. */
export interface FakePoolOptions {
  /** Plugin name (default `fakepool`). */
  name?: string;
  /** zpool_driver.sleep_mapped. */
  sleepMapped: boolean;
  /** Pack objects back to back across page boundaries (default true). */
  spanning?: boolean;
  /** Offer `readBegin`/`readEnd`. */
  readBegin?: boolean;
  /** Offer `readSegments`. */
  readSegments?: boolean;
  /** Largest object; larger ones throw ENOSPC (default the page size). */
  maxSize?: number;
  /** Throw this code from every malloc. */
  failWith?: "ENOMEM" | "EINVAL" | "ENOSPC";
}

/** A bump allocator over arena pages; pages are freed when no live object touches them. */
export class FakePool implements Zpool {
  readonly arena: Arena;
  readonly pageSize: number;
  readonly options: FakePoolOptions;
  /** Maps of spanning objects handed out (copies). */
  spanningMaps = 0;
  /** The mode of every map() call, in order. */
  readonly mapModes: MapMode[] = [];
  #pages: number[] = []; // linear page index -> pfn (-1 when freed)
  #live: number[] = []; // live objects touching each linear page
  #addr: number[] = [];
  #size: number[] = [];
  #alive: boolean[] = [];
  #bump = 0;
  #held = 0;
  #areas: Uint8Array[] = [];
  #areaMode: MapMode[] = [];

  constructor(arena: Arena, cpus: number, options: FakePoolOptions) {
    this.arena = arena;
    this.pageSize = arena.pageSize;
    this.options = options;
    for (let c = 0; c < cpus; c++) {
      this.#areas.push(new Uint8Array(2 * this.pageSize));
      this.#areaMode.push("ro");
    }
    if (options.readBegin) {
      this.readBegin = (h: Handle, local: Uint8Array): Uint8Array => {
        const segs = this.segments(h);
        if (segs.length === 1) return segs[0];
        local.set(segs[0], 0);
        local.set(segs[1], segs[0].length);
        return local.subarray(0, this.#size[h]);
      };
      this.readEnd = (): void => {};
    }
    if (options.readSegments) this.readSegments = (h: Handle): Uint8Array[] => this.segments(h);
  }

  readBegin?: (handle: Handle, localCopy: Uint8Array) => Uint8Array;
  readEnd?: (handle: Handle) => void;
  readSegments?: (handle: Handle) => Uint8Array[];

  malloc(size: number): Handle {
    if (this.options.failWith !== undefined) {
      throw new AllocError(this.options.failWith, `Injected ${this.options.failWith}`);
    }
    if (size < 1) throw new AllocError("EINVAL", `Cannot allocate ${size} bytes`);
    const max = this.options.maxSize ?? this.pageSize;
    if (size > max) throw new AllocError("ENOSPC", `Object of ${size} bytes exceeds ${max}`);
    const ps = this.pageSize;
    let a = this.#bump;
    const spanning = this.options.spanning ?? true;
    if (!spanning && (a % ps) + size > ps) a = Math.ceil(a / ps) * ps;
    const first = Math.floor(a / ps);
    const last = Math.floor((a + size - 1) / ps);
    for (let p = first; p <= last; p++) {
      if (this.#pages[p] === undefined || this.#pages[p] < 0) {
        this.#pages[p] = this.arena.allocPage();
        this.#live[p] = 0;
        this.#held++;
      }
      this.#live[p]++;
    }
    this.#bump = a + size;
    const h = this.#addr.length;
    this.#addr.push(a);
    this.#size.push(size);
    this.#alive.push(true);
    return h;
  }

  free(handle: Handle): void {
    if (!this.#alive[handle]) throw new RangeError(`Handle ${handle} is not live`);
    this.#alive[handle] = false;
    const ps = this.pageSize;
    const a = this.#addr[handle];
    const first = Math.floor(a / ps);
    const last = Math.floor((a + this.#size[handle] - 1) / ps);
    const bumpPage = Math.floor(this.#bump / ps);
    for (let p = first; p <= last; p++) {
      if (--this.#live[p] === 0 && p !== bumpPage) {
        this.arena.freePage(this.#pages[p]);
        this.#pages[p] = -1;
        this.#held--;
      }
    }
  }

  #spans(handle: Handle): boolean {
    const a = this.#addr[handle];
    return (a % this.pageSize) + this.#size[handle] > this.pageSize;
  }

  /** The one or two page segments of an object (no copy). */
  segments(handle: Handle): Uint8Array[] {
    const ps = this.pageSize;
    const a = this.#addr[handle];
    const size = this.#size[handle];
    const p = Math.floor(a / ps);
    const off = a % ps;
    const head = this.arena.page(this.#pages[p]).subarray(off, Math.min(ps, off + size));
    if (head.length === size) return [head];
    return [head, this.arena.page(this.#pages[p + 1]).subarray(0, size - head.length)];
  }

  map(handle: Handle, mode: MapMode, cpu = 0): Uint8Array {
    if (!this.#alive[handle]) throw new RangeError(`Handle ${handle} is not live`);
    this.mapModes.push(mode);
    const segs = this.segments(handle);
    if (segs.length === 1) return segs[0];
    this.spanningMaps++;
    const area = this.#areas[cpu];
    this.#areaMode[cpu] = mode;
    if (mode !== "wo") {
      area.set(segs[0], 0);
      area.set(segs[1], segs[0].length);
    }
    return area.subarray(0, this.#size[handle]);
  }

  unmap(handle: Handle, cpu = 0): void {
    if (!this.#spans(handle) || this.#areaMode[cpu] === "ro") return;
    const segs = this.segments(handle);
    const area = this.#areas[cpu];
    segs[0].set(area.subarray(0, segs[0].length));
    segs[1].set(area.subarray(segs[0].length, this.#size[handle]));
  }

  totalPages(): number {
    return this.#held;
  }

  /** Every live object: handle, size and whether it spans two pages. */
  objects(): { handle: Handle; size: number; spans: boolean }[] {
    const out = [];
    for (let h = 0; h < this.#addr.length; h++) {
      if (this.#alive[h]) out.push({ handle: h, size: this.#size[h], spans: this.#spans(h) });
    }
    return out;
  }

  stats(): Record<string, unknown> {
    return { pages: this.#held, spanningMaps: this.spanningMaps };
  }

  *liveObjects(): Iterable<[Handle, Uint8Array]> {
    for (let h = 0; h < this.#addr.length; h++) {
      if (!this.#alive[h]) continue;
      const segs = this.segments(h);
      if (segs.length === 1) yield [h, segs[0]];
    }
  }
}

/**
 * An allocator plugin over {@link FakePool}; `pools` collects every pool it made. A fake named
 * `zsmalloc` stands in for it and declares what zsmalloc lets a preset set.
 */
export function fakeAllocator(options: FakePoolOptions): AllocatorPlugin & { pools: FakePool[] } {
  const pools: FakePool[] = [];
  return {
    kind: "allocator",
    name: options.name ?? "fakepool",
    description: "test pool",
    sleepMapped: options.sleepMapped,
    ...(options.name === "zsmalloc" ? { presetSettable: zsmallocAllocator.presetSettable } : {}),
    pools,
    create(env) {
      const pool = new FakePool(env.arena, env.cpus, options);
      pools.push(pool);
      return pool;
    },
  };
}

/** The prefix codec: output = 2-byte length L + the first L bytes, L = last non-zero byte + 1. */
export class PrefixCodec implements Compressor {
  compress(src: Uint8Array, dst: Uint8Array): number {
    let l = src.length;
    while (l > 0 && src[l - 1] === 0) l--;
    if (l + 2 > dst.length) {
      throw new CompressError("ENOSPC", `Output of ${l + 2} bytes does not fit ${dst.length}`);
    }
    dst[0] = l & 0xff;
    dst[1] = l >>> 8;
    dst.set(src.subarray(0, l), 2);
    return l + 2;
  }

  decompress(src: Uint8Array, dst: Uint8Array): number {
    const l = src[0] | (src[1] << 8);
    if (src.length !== l + 2 || l > dst.length) {
      throw new CompressError("EINVAL", `Corrupt prefix block (${src.length} bytes, says ${l})`);
    }
    dst.set(src.subarray(2, 2 + l));
    dst.fill(0, l);
    return dst.length;
  }
}

/** The prefix codec as a synchronous plugin. */
export const prefixCompressor: CompressorPlugin = {
  kind: "compressor",
  name: "prefix",
  description: "test codec",
  async: false,
  create: () => new PrefixCodec(),
};

/** The prefix codec answering later: after a microtask, or a timer with `{ timer: true }`. */
export const asyncPrefixCompressor: CompressorPlugin = {
  kind: "compressor",
  name: "async-prefix",
  description: "test codec, asynchronous",
  async: true,
  create(options: unknown): Compressor {
    const timer = (options as { timer?: boolean } | undefined)?.timer === true;
    const codec = new PrefixCodec();
    const later = async (f: () => number): Promise<number> => {
      if (timer) await new Promise((r) => setTimeout(r, 0));
      else await null;
      return f();
    };
    return {
      compress: (src, dst) => later(() => codec.compress(src, dst)),
      decompress: (src, dst) => later(() => codec.decompress(src, dst)),
    };
  },
};

/**
 * Page `id` of the prefix test pages: `len(id)` non-zero bytes then zeros, so the prefix codec
 * makes an object of `len(id) + 2` bytes.
 */
export function prefixPage(id: number, len: number, into: Uint8Array): void {
  into.fill(0);
  let x = (id * 2654435761 + 12345) >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    into[i] = (x & 0xff) | 1;
  }
}

/** A workload plugin from a list (or generator) of ops and a page function. */
export function scriptWorkload(
  ops: () => Iterable<Op>,
  page: (id: number, into: Uint8Array) => void,
): WorkloadPlugin {
  return {
    kind: "workload",
    name: "script",
    description: "test workload",
    create(): Workload {
      return { ops, page };
    },
  };
}

/** Ops that store pages 0..n-1 at offsets 0..n-1, then load them in order. */
export function* storeThenLoad(n: number): Iterable<Op> {
  for (let i = 0; i < n; i++) yield { op: "store", offset: i, pageId: i };
  for (let i = 0; i < n; i++) yield { op: "load", offset: i, pageId: 0 };
}

/** A recorder that keeps every sample. */
export function collectRecorder(): OpRecorder & {
  stores: number[];
  loads: number[];
  writebacks: number[];
} {
  const stores: number[] = [];
  const loads: number[] = [];
  const writebacks: number[] = [];
  return {
    stores,
    loads,
    writebacks,
    store: (ns) => void stores.push(ns),
    load: (ns) => void loads.push(ns),
    writeback: (ns) => void writebacks.push(ns),
  };
}

/** Default cell parameters for tests: one CPU, one task, 4 KiB pages, a limit that never binds. */
export function testParams(over: Partial<CellParams> = {}): CellParams {
  return {
    pages: 64,
    seed: 1,
    cpus: 1,
    tasks: 1,
    pageSize: 4096,
    totalRamPages: 1 << 20,
    maxPoolPercent: 20,
    acceptThresholdPercent: 90,
    strict: false,
    bounceFailRate: 0,
    ...over,
  };
}

/** A plan with test defaults. */
export function testPlan(
  over: Partial<Omit<CellPlan, "params">> & { params?: Partial<CellParams> } = {},
): CellPlan {
  const { params, ...given } = over;
  // An override of `undefined` keeps the default.
  const rest = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return {
    allocator: fakeAllocator({ sleepMapped: true }),
    allocatorOptions: undefined,
    compressor: prefixCompressor,
    compressorOptions: undefined,
    workload: scriptWorkload(() => storeThenLoad(8), (id, into) => prefixPage(id, 100, into)),
    workloadOptions: undefined,
    strategy: undefined,
    strategyOptions: undefined,
    preset: "6.8",
    ...rest,
    params: testParams(params),
  };
}
