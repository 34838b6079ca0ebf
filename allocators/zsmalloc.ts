/**
 * zsmalloc: size classes of zspages (chains of up to 16 pages) whose objects lie back to back and
 * may span two pages. A mapping cannot sleep (`sleepMapped: false`): an object that spans two pages
 * is copied into a per-CPU area by `map()`, and a write mapping is copied back by `unmap()`.
 *
 * Two eras, picked with `rule`:
 * - `"old"` (<= 6.2, e.g. 6.1): pages per zspage by the used-percent rule, at most 4 pages (`chain`
 *   may raise that, which reproduces the tables of Documentation/mm/zsmalloc.rst); four fullness
 *   groups (empty, almost empty <= 3N/4, almost full, full) and a zspage with fewer objects in use
 *   than the head of its group inserted behind the head.
 * - `"new"` (>= 6.3/6.4): pages per zspage by least waste up to `chain` (4..16, default 8); twelve
 *   fullness groups by the in-use ratio (0, 1..10 for each started 10%, 100%), insertion at the head.
 *
 * Both: allocation from the head of the fullest non-full group, else a new zspage; free objects
 * in a LIFO list per zspage (a fresh zspage hands out 0, 1, 2, ...); a zspage that becomes empty is
 * freed at once; `compact()` moves objects from the emptiest zspages into the fullest.
 *
 * Reading an object: `map()` decides "spans two pages" by the class size, as zs_map_object does
 * (<= 6.14), and so does `readBegin()` (zs_obj_read_begin, 6.15), which copies such an object
 * into the caller's buffer and gives a view into the page for any other. `readSegments()` (the SG
 * read of 7.x) gives the one or two page views that hold the object's bytes, no copy.
 *
 * `stats()`: `pages` (pages_allocated), `objects`, `objAllocated`, `objUsed`, `freeable`,
 * `pagesCompacted`, `hugeClassSize` (zs_huge_class_size), `fullnessGroups` (group names) and
 * `classes`: one {@linkcode ZsmallocClassStats} row per distinct class, like debugfs
 * zsmalloc/<pool>/classes.
 *
 * @module
 */

import { z } from "zod";
import type {
  AllocatorEnv,
  AllocatorPlugin,
  Arena,
  Handle,
  MapMode,
  Zpool,
} from "../registry/types.ts";
import { HandleTable } from "./_handles.ts";
import { PageBytes } from "./_page_bytes.ts";
import { checkMallocSize, checkPoolEnv } from "./_checks.ts";
import { growInt32, growUint16, growUint8 } from "./_typed.ts";
import {
  buildSizeClasses,
  type SizeClassTable,
  slotForBytes,
  ZS_HANDLE_SIZE,
  type ZsmallocRule,
} from "./size_classes.ts";
import { parsePluginOptions } from "../registry/errors.ts";

// zsmalloc options: the class rule of the kernel era and the chain size.
const ZsmallocOptionsSchema = z
  .object({
    rule: z.enum(["old", "new"]).default("new").describe(
      "Class rules: old (<= 6.2: used-percent pages, 4 fullness groups) or new (>= 6.3)",
    ),
    chain: z.number().int().min(4).max(16).optional().meta({
      description: "Most pages per zspage, CONFIG_ZSMALLOC_CHAIN_SIZE (a preset sets its own)",
      default: "8 (4 with rule old)",
    }),
  })
  .strict();

/** zsmalloc options as a user gives them. */
export interface ZsmallocOptions {
  /** "old": <= 6.2 rules (used-percent pages, 4 fullness groups); "new" (default): >= 6.3. */
  rule?: ZsmallocRule;
  /** Most pages per zspage, 4..16: CONFIG_ZSMALLOC_CHAIN_SIZE (default 8; 4 for the old rule). */
  chain?: number;
}

/** zsmalloc options with defaults applied. */
export interface ResolvedZsmallocOptions {
  /** The kernel era's rules. */
  rule: ZsmallocRule;
  /** Most pages per zspage. */
  chain: number;
}

/**
 * Validate zsmalloc options and apply defaults: rule "new", chain 8 for the new rule and 4 for
 * the old one.
 *
 * @param options Unvalidated options (undefined means all defaults).
 * @returns The resolved options.
 * @throws {Error} A zod error for an unknown key or a bad value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveZsmallocOptions } from "./zsmalloc.ts";
 * assert.equal(resolveZsmallocOptions({ rule: "old" }).chain, 4);
 * ```
 */
export function resolveZsmallocOptions(options: unknown): ResolvedZsmallocOptions {
  const o = parsePluginOptions("allocator", "zsmalloc", ZsmallocOptionsSchema, options);
  return { rule: o.rule, chain: o.chain ?? (o.rule === "old" ? 4 : 8) };
}

/** One row of `stats().classes`, as debugfs zsmalloc/<pool>/classes shows it. */
export interface ZsmallocClassStats {
  /** Class index (its largest slot). */
  index: number;
  /** Object size in bytes, handle included. */
  size: number;
  /** Pages per zspage. */
  pagesPerZspage: number;
  /** Objects per zspage. */
  objsPerZspage: number;
  /** Object slots in this class's zspages (obj_allocated). */
  objAllocated: number;
  /** Objects in use (obj_used). */
  objUsed: number;
  /** Zspages of this class. */
  zspages: number;
  /** Pages of this class (pages_used). */
  pagesUsed: number;
  /** Pages compaction could free: floor((allocated - used) / objsPerZspage) * pagesPerZspage. */
  freeable: number;
  /** Zspages per fullness group, in the order of `stats().fullnessGroups`. */
  fullness: number[];
}

const NO_OBJ = 0xffff;
const NOT_LISTED = 255;
const MODE_RO = 0;
const MODE_WO = 1;
const MODE_RW = 2;
const OLD_GROUPS = ["empty", "almost_empty", "almost_full", "full"];
const NEW_GROUPS = [
  "0%",
  "10%",
  "20%",
  "30%",
  "40%",
  "50%",
  "60%",
  "70%",
  "80%",
  "90%",
  "99%",
  "100%",
];

/**
 * The zsmalloc pool. Metadata lives in typed arrays: per zspage (class, slot base, in-use count,
 * free-list head, fullness, list links, first pfn), per pfn (next page of the zspage), and per
 * class one Int32Array of object slots holding either the handle of an allocated object (>= 2^23)
 * or the index of the next free object, as the kernel's link_free union does in the object itself.
 */
class ZsPool implements Zpool {
  readonly #arena: Arena;
  readonly #bytes: PageBytes;
  readonly #pageSize: number;
  readonly #pageShift: number;
  readonly #old: boolean;
  readonly #groups: number;
  readonly #table: SizeClassTable;
  readonly #handles = new HandleTable();
  // Class position (in table.classes) for each object length 1..pageSize.
  readonly #lenToClass: Uint16Array;
  // Per class.
  readonly #cSize: Int32Array;
  readonly #cPages: Int32Array;
  readonly #cObjs: Int32Array;
  readonly #cHuge: Uint8Array;
  readonly #cAllocated: Float64Array;
  readonly #cUsed: Float64Array;
  readonly #cFg: Uint8Array[];
  readonly #cHeads: Int32Array;
  readonly #cSlots: Int32Array[];
  readonly #cBlockFree: Int32Array[];
  readonly #cBlockNFree: Int32Array;
  readonly #cBlockTop: Int32Array;
  // Per zspage id.
  #zClass = new Uint16Array(0);
  #zBase = new Int32Array(0);
  #zInuse = new Uint16Array(0);
  #zFree = new Uint16Array(0);
  #zFg = new Uint8Array(0);
  #zPrev = new Int32Array(0);
  #zNext = new Int32Array(0);
  #zFirst = new Int32Array(0);
  #zIdFree = new Int32Array(0);
  #zIdNFree = 0;
  #zIdTop = 0;
  // Per pfn: the next page of its zspage, -1 for the last.
  #pageNext = new Int32Array(0);
  #pagesAllocated = 0;
  #pagesCompacted = 0;
  // Per CPU: the copy area for spanning objects (vm_buf) and the mode of the last map().
  readonly #areas: (Uint8Array | null)[];
  readonly #areaMode: Uint8Array;
  readonly #scratch: Uint8Array;

  constructor(env: AllocatorEnv, options: ResolvedZsmallocOptions) {
    this.#arena = env.arena;
    this.#bytes = new PageBytes(env.arena);
    this.#pageSize = env.pageSize;
    this.#pageShift = Math.log2(env.pageSize);
    this.#old = options.rule === "old";
    this.#groups = this.#old ? OLD_GROUPS.length : NEW_GROUPS.length;
    const table = buildSizeClasses(env.pageSize, options);
    this.#table = table;
    const n = table.classes.length;
    this.#lenToClass = new Uint16Array(env.pageSize + 1);
    for (let len = 1; len <= env.pageSize; len++) {
      // mm/zsmalloc.c zs_malloc: the 8-byte handle is added before the class lookup.
      this.#lenToClass[len] = table.slotToClass[slotForBytes(table, len + ZS_HANDLE_SIZE)];
    }
    this.#cSize = new Int32Array(n);
    this.#cPages = new Int32Array(n);
    this.#cObjs = new Int32Array(n);
    this.#cHuge = new Uint8Array(n);
    this.#cAllocated = new Float64Array(n);
    this.#cUsed = new Float64Array(n);
    this.#cHeads = new Int32Array(n * this.#groups).fill(-1);
    this.#cFg = [];
    this.#cSlots = [];
    this.#cBlockFree = [];
    this.#cBlockNFree = new Int32Array(n);
    this.#cBlockTop = new Int32Array(n);
    for (let c = 0; c < n; c++) {
      const k = table.classes[c];
      this.#cSize[c] = k.size;
      this.#cPages[c] = k.pagesPerZspage;
      this.#cObjs[c] = k.objsPerZspage;
      this.#cHuge[c] = k.huge ? 1 : 0;
      const fg = new Uint8Array(k.objsPerZspage + 1);
      for (let inuse = 0; inuse <= k.objsPerZspage; inuse++) {
        fg[inuse] = this.#fullnessOf(inuse, k.objsPerZspage);
      }
      this.#cFg.push(fg);
      this.#cSlots.push(new Int32Array(0));
      this.#cBlockFree.push(new Int32Array(0));
    }
    const cpus = env.cpus ?? 1;
    if (!(Number.isInteger(cpus) && cpus >= 1)) {
      throw new RangeError(`CPU count ${JSON.stringify(cpus)} is not a positive integer`);
    }
    this.#areas = new Array(cpus).fill(null);
    this.#areaMode = new Uint8Array(this.#areas.length);
    this.#scratch = new Uint8Array(env.pageSize);
  }

  // mm/zsmalloc.c get_fullness_group. Old (6.1): 0 empty, 1 almost empty (inuse <= 3N/4),
  // 2 almost full, 3 full. New (>= 6.4): 0, 100*inuse/N/10 + 1 (1..10), 11 for full.
  #fullnessOf(inuse: number, objs: number): number {
    if (this.#old) {
      if (inuse === 0) return 0;
      if (inuse === objs) return 3;
      return inuse <= Math.floor((3 * objs) / 4) ? 1 : 2;
    }
    if (inuse === 0) return 0;
    if (inuse === objs) return 11;
    return Math.floor(Math.floor((100 * inuse) / objs) / 10) + 1;
  }

  malloc(size: number): Handle {
    // mm/zsmalloc.c (6.12): above ZS_MAX_ALLOC_SIZE = PAGE_SIZE, -ENOSPC (6.1 said -EINVAL;
    // the zswap frontend maps the code per preset).
    checkMallocSize(size, this.#pageSize, "zsmalloc");
    const c = this.#lenToClass[size];
    const hi = this.#handles.take(size);
    let zs = this.#findZspage(c);
    if (zs < 0) {
      try {
        zs = this.#newZspage(c);
      } catch (err) {
        this.#handles.release(hi);
        throw err;
      }
    }
    // obj_malloc: take the head of the zspage's free list.
    const slots = this.#cSlots[c];
    const idx = this.#zFree[zs];
    const si = this.#zBase[zs] + idx;
    this.#zFree[zs] = slots[si];
    const h = this.#handles.handleOf(hi);
    slots[si] = h;
    const inuse = ++this.#zInuse[zs];
    this.#cUsed[c]++;
    this.#handles.loc[hi] = zs;
    this.#handles.aux[hi] = idx;
    const fg = this.#cFg[c][inuse];
    if (fg !== this.#zFg[zs]) this.#moveTo(zs, c, fg);
    return h;
  }

  free(handle: Handle): void {
    const handles = this.#handles;
    const hi = handles.index(handle);
    const zs = handles.loc[hi];
    const idx = handles.aux[hi];
    handles.release(hi);
    const c = this.#zClass[zs];
    // obj_free: the freed object becomes the head of the free list (LIFO).
    this.#cSlots[c][this.#zBase[zs] + idx] = this.#zFree[zs];
    this.#zFree[zs] = idx;
    const inuse = --this.#zInuse[zs];
    this.#cUsed[c]--;
    const fg = this.#cFg[c][inuse];
    if (fg !== this.#zFg[zs]) this.#moveTo(zs, c, fg);
    // mm/zsmalloc.c zs_free: a zspage that became empty is freed at once.
    if (inuse === 0) this.#freeZspage(zs, c);
  }

  map(handle: Handle, mode: MapMode, cpu = 0): Uint8Array {
    const hi = this.#handles.index(handle);
    const area = this.#area(cpu);
    const m = mode === "ro" ? MODE_RO : mode === "wo" ? MODE_WO : MODE_RW;
    this.#areaMode[cpu] = m;
    const zs = this.#handles.loc[hi];
    const idx = this.#handles.aux[hi];
    const size = this.#handles.sizeOf(hi);
    const c = this.#zClass[zs];
    const off = idx * this.#cSize[c];
    const inPage = off & (this.#pageSize - 1);
    const pfn = this.#pfnAt(zs, off >>> this.#pageShift);
    const start = this.#cHuge[c] ? inPage : inPage + ZS_HANDLE_SIZE;
    // mm/zsmalloc.c zs_map_object (<= 6.14): the class size decides whether the object spans.
    if (inPage + this.#cSize[c] <= this.#pageSize) {
      return this.#bytes.view(pfn, start, start + size);
    }
    if (m !== MODE_WO) this.#copyOut(pfn, start, size, area);
    return area.subarray(0, size);
  }

  unmap(handle: Handle, cpu = 0): void {
    const hi = this.#handles.index(handle);
    const area = this.#area(cpu);
    const zs = this.#handles.loc[hi];
    const c = this.#zClass[zs];
    const off = this.#handles.aux[hi] * this.#cSize[c];
    const inPage = off & (this.#pageSize - 1);
    if (inPage + this.#cSize[c] <= this.#pageSize) return;
    // __zs_unmap_object: copy back unless the last mapping on this CPU was read-only.
    if (this.#areaMode[cpu] === MODE_RO) return;
    const pfn = this.#pfnAt(zs, off >>> this.#pageShift);
    this.#copyIn(pfn, inPage + ZS_HANDLE_SIZE, this.#handles.sizeOf(hi), area);
  }

  readBegin(handle: Handle, localCopy: Uint8Array): Uint8Array {
    const hi = this.#handles.index(handle);
    const zs = this.#handles.loc[hi];
    const size = this.#handles.sizeOf(hi);
    const c = this.#zClass[zs];
    const off = this.#handles.aux[hi] * this.#cSize[c];
    const inPage = off & (this.#pageSize - 1);
    const pfn = this.#pfnAt(zs, off >>> this.#pageShift);
    const start = this.#cHuge[c] ? inPage : inPage + ZS_HANDLE_SIZE;
    // mm/zsmalloc.c zs_obj_read_begin (6.15): copy only an object whose class slot spans pages.
    if (inPage + this.#cSize[c] <= this.#pageSize) {
      return this.#bytes.view(pfn, start, start + size);
    }
    if (localCopy.length < size) {
      throw new RangeError(
        `Local copy of ${localCopy.length} bytes cannot hold the ${size}-byte object (pass a page-sized buffer)`,
      );
    }
    this.#copyOut(pfn, start, size, localCopy);
    return localCopy.subarray(0, size);
  }

  readEnd(handle: Handle): void {
    this.#handles.index(handle);
  }

  readSegments(handle: Handle): Uint8Array[] {
    const hi = this.#handles.index(handle);
    const zs = this.#handles.loc[hi];
    const size = this.#handles.sizeOf(hi);
    const c = this.#zClass[zs];
    const off = this.#handles.aux[hi] * this.#cSize[c];
    const inPage = off & (this.#pageSize - 1);
    const pfn = this.#pfnAt(zs, off >>> this.#pageShift);
    const start = this.#cHuge[c] ? inPage : inPage + ZS_HANDLE_SIZE;
    const first = Math.min(size, this.#pageSize - start);
    const head = this.#bytes.view(pfn, start, start + first);
    if (first === size) return [head];
    return [head, this.#bytes.view(this.#pageNext[pfn], 0, size - first)];
  }

  totalPages(): number {
    return this.#pagesAllocated;
  }

  compact(): number {
    let freed = 0;
    // mm/zsmalloc.c zs_compact: classes from the largest down.
    for (let c = this.#table.classes.length - 1; c >= 0; c--) {
      freed += this.#old ? this.#compactClassOld(c) : this.#compactClassNew(c);
    }
    this.#pagesCompacted += freed;
    return freed;
  }

  stats(): Record<string, unknown> {
    const classes: ZsmallocClassStats[] = [];
    let objAllocated = 0;
    let objUsed = 0;
    let freeable = 0;
    for (let c = 0; c < this.#table.classes.length; c++) {
      const k = this.#table.classes[c];
      const fullness = new Array<number>(this.#groups).fill(0);
      for (let g = 0; g < this.#groups; g++) {
        for (let zs = this.#cHeads[c * this.#groups + g]; zs >= 0; zs = this.#zNext[zs]) {
          fullness[g]++;
        }
      }
      const allocated = this.#cAllocated[c];
      const zspages = allocated / k.objsPerZspage;
      const row: ZsmallocClassStats = {
        index: k.index,
        size: k.size,
        pagesPerZspage: k.pagesPerZspage,
        objsPerZspage: k.objsPerZspage,
        objAllocated: allocated,
        objUsed: this.#cUsed[c],
        zspages,
        pagesUsed: zspages * k.pagesPerZspage,
        freeable: this.#canCompact(c),
        fullness,
      };
      classes.push(row);
      objAllocated += allocated;
      objUsed += row.objUsed;
      freeable += row.freeable;
    }
    return {
      rule: this.#old ? "old" : "new",
      chain: this.#table.chain,
      pages: this.#pagesAllocated,
      objects: this.#handles.live,
      objAllocated,
      objUsed,
      freeable,
      pagesCompacted: this.#pagesCompacted,
      hugeClassSize: this.#table.hugeWatermark - (ZS_HANDLE_SIZE - 1),
      fullnessGroups: this.#old ? OLD_GROUPS : NEW_GROUPS,
      classes,
    };
  }

  *liveObjects(): Generator<[Handle, Uint8Array]> {
    for (const h of this.#handles.handles()) {
      const segments = this.readSegments(h);
      if (segments.length === 1) {
        yield [h, segments[0]];
      } else {
        const copy = new Uint8Array(segments[0].length + segments[1].length);
        copy.set(segments[0]);
        copy.set(segments[1], segments[0].length);
        yield [h, copy];
      }
    }
  }

  // --- zspages and fullness lists -------------------------------------------------------------

  #findZspage(c: number): number {
    // find_get_zspage: the head of the fullest non-full group (old: almost full, almost empty;
    // new: 99% down to 10%). Empty zspages are freed at once, so group 0 is never searched.
    const heads = this.#cHeads;
    const base = c * this.#groups;
    for (let g = this.#groups - 2; g >= 1; g--) {
      const zs = heads[base + g];
      if (zs >= 0) return zs;
    }
    return -1;
  }

  #moveTo(zs: number, c: number, fg: number): void {
    if (this.#zFg[zs] !== NOT_LISTED) this.#unlink(zs, c);
    this.#insert(zs, c, fg);
  }

  #insert(zs: number, c: number, fg: number): void {
    const slot = c * this.#groups + fg;
    const head = this.#cHeads[slot];
    this.#zFg[zs] = fg;
    // mm/zsmalloc.c insert_zspage (<= 6.2): a zspage with fewer objects in use than the head goes
    // right behind it; otherwise (and always from 6.3) it becomes the head.
    if (this.#old && head >= 0 && this.#zInuse[zs] < this.#zInuse[head]) {
      const next = this.#zNext[head];
      this.#zPrev[zs] = head;
      this.#zNext[zs] = next;
      this.#zNext[head] = zs;
      if (next >= 0) this.#zPrev[next] = zs;
      return;
    }
    this.#zPrev[zs] = -1;
    this.#zNext[zs] = head;
    if (head >= 0) this.#zPrev[head] = zs;
    this.#cHeads[slot] = zs;
  }

  #unlink(zs: number, c: number): void {
    const prev = this.#zPrev[zs];
    const next = this.#zNext[zs];
    if (prev >= 0) this.#zNext[prev] = next;
    else this.#cHeads[c * this.#groups + this.#zFg[zs]] = next;
    if (next >= 0) this.#zPrev[next] = prev;
    this.#zFg[zs] = NOT_LISTED;
  }

  #newZspage(c: number): number {
    const pages = this.#cPages[c];
    const objs = this.#cObjs[c];
    // alloc_zspage: one page at a time; on failure give back what was taken.
    let first = -1;
    let last = -1;
    try {
      for (let i = 0; i < pages; i++) {
        const pfn = this.#arena.allocPage();
        if (pfn >= this.#pageNext.length) this.#pageNext = growInt32(this.#pageNext, pfn + 1, -1);
        this.#pageNext[pfn] = -1;
        if (last >= 0) this.#pageNext[last] = pfn;
        else first = pfn;
        last = pfn;
      }
    } catch (err) {
      for (let pfn = first; pfn >= 0;) {
        const next = this.#pageNext[pfn];
        this.#arena.freePage(pfn);
        pfn = next;
      }
      throw err;
    }
    let zs: number;
    if (this.#zIdNFree > 0) {
      zs = this.#zIdFree[--this.#zIdNFree];
    } else {
      zs = this.#zIdTop++;
      if (zs >= this.#zClass.length) this.#growZspages(zs + 1);
    }
    // A block of `objs` slots in the class's slot array.
    let block: number;
    if (this.#cBlockNFree[c] > 0) {
      block = this.#cBlockFree[c][--this.#cBlockNFree[c]];
    } else {
      block = this.#cBlockTop[c]++;
      const need = (block + 1) * objs;
      if (need > this.#cSlots[c].length) this.#cSlots[c] = growInt32(this.#cSlots[c], need);
      if (block >= this.#cBlockFree[c].length) {
        this.#cBlockFree[c] = growInt32(this.#cBlockFree[c], block + 1);
      }
    }
    const base = block * objs;
    // init_zspage: free list 0 -> 1 -> ... -> objs-1.
    const slots = this.#cSlots[c];
    for (let i = 0; i < objs - 1; i++) slots[base + i] = i + 1;
    slots[base + objs - 1] = NO_OBJ;
    this.#zClass[zs] = c;
    this.#zBase[zs] = base;
    this.#zInuse[zs] = 0;
    this.#zFree[zs] = 0;
    this.#zFg[zs] = NOT_LISTED;
    this.#zFirst[zs] = first;
    this.#pagesAllocated += pages;
    this.#cAllocated[c] += objs;
    return zs;
  }

  #freeZspage(zs: number, c: number): void {
    if (this.#zFg[zs] !== NOT_LISTED) this.#unlink(zs, c);
    for (let pfn = this.#zFirst[zs]; pfn >= 0;) {
      const next = this.#pageNext[pfn];
      this.#arena.freePage(pfn);
      pfn = next;
    }
    this.#cBlockFree[c][this.#cBlockNFree[c]++] = this.#zBase[zs] / this.#cObjs[c];
    this.#zIdFree[this.#zIdNFree++] = zs;
    this.#pagesAllocated -= this.#cPages[c];
    this.#cAllocated[c] -= this.#cObjs[c];
  }

  #growZspages(min: number): void {
    this.#zClass = growUint16(this.#zClass, min);
    this.#zBase = growInt32(this.#zBase, min);
    this.#zInuse = growUint16(this.#zInuse, min);
    this.#zFree = growUint16(this.#zFree, min);
    this.#zFg = growUint8(this.#zFg, min);
    this.#zPrev = growInt32(this.#zPrev, min);
    this.#zNext = growInt32(this.#zNext, min);
    this.#zFirst = growInt32(this.#zFirst, min);
    this.#zIdFree = growInt32(this.#zIdFree, this.#zClass.length);
  }

  #pfnAt(zs: number, k: number): number {
    let pfn = this.#zFirst[zs];
    while (k-- > 0) pfn = this.#pageNext[pfn];
    return pfn;
  }

  // --- copies across the page boundary ---------------------------------------------------------

  #area(cpu: number): Uint8Array {
    if (!(cpu >= 0 && cpu < this.#areas.length && (cpu | 0) === cpu)) {
      throw new RangeError(
        `CPU ${cpu} has no map area (this pool has ${this.#areas.length} CPUs, 0..${
          this.#areas.length - 1
        })`,
      );
    }
    return this.#areas[cpu] ??= new Uint8Array(this.#pageSize);
  }

  // Copy `size` bytes that start at `start` in page `pfn` (and continue in the next page) to `dst`.
  #copyOut(pfn: number, start: number, size: number, dst: Uint8Array): void {
    const first = Math.min(size, this.#pageSize - start);
    this.#bytes.read(pfn, start, start + first, dst, 0);
    if (first < size) this.#bytes.read(this.#pageNext[pfn], 0, size - first, dst, first);
  }

  // The reverse of #copyOut.
  #copyIn(pfn: number, start: number, size: number, src: Uint8Array): void {
    const first = Math.min(size, this.#pageSize - start);
    this.#bytes.write(pfn, start, src, 0, first);
    if (first < size) this.#bytes.write(this.#pageNext[pfn], 0, src, first, size);
  }

  // --- compaction --------------------------------------------------------------------------------

  // zs_can_compact: pages that whole unused zspages' worth of free slots would free.
  #canCompact(c: number): number {
    const wasted = this.#cAllocated[c] - this.#cUsed[c];
    if (wasted <= 0) return 0;
    return Math.floor(wasted / this.#cObjs[c]) * this.#cPages[c];
  }

  // Take the head of the first non-empty group among `groups`, off its list.
  #isolate(c: number, groups: readonly number[]): number {
    for (const g of groups) {
      const zs = this.#cHeads[c * this.#groups + g];
      if (zs >= 0) {
        this.#unlink(zs, c);
        return zs;
      }
    }
    return -1;
  }

  // Put an isolated zspage back in the group its in-use count calls for.
  #putback(zs: number, c: number): number {
    const fg = this.#cFg[c][this.#zInuse[zs]];
    this.#insert(zs, c, fg);
    return fg;
  }

  // Move one object (index `idx` of zspage `src`) into the head free slot of `dst`.
  #migrateObject(c: number, src: number, idx: number, dst: number): void {
    const slots = this.#cSlots[c];
    const h = slots[this.#zBase[src] + idx];
    const hi = this.#handles.index(h);
    const size = this.#handles.sizeOf(hi);
    const csize = this.#cSize[c];
    const huge = this.#cHuge[c] ? 0 : ZS_HANDLE_SIZE;
    const sOff = idx * csize;
    const sIn = sOff & (this.#pageSize - 1);
    this.#copyOut(this.#pfnAt(src, sOff >>> this.#pageShift), sIn + huge, size, this.#scratch);
    // obj_malloc in dst.
    const didx = this.#zFree[dst];
    const dsi = this.#zBase[dst] + didx;
    this.#zFree[dst] = slots[dsi];
    slots[dsi] = h;
    this.#zInuse[dst]++;
    const dOff = didx * csize;
    const dIn = dOff & (this.#pageSize - 1);
    this.#copyIn(this.#pfnAt(dst, dOff >>> this.#pageShift), dIn + huge, size, this.#scratch);
    this.#handles.loc[hi] = dst;
    this.#handles.aux[hi] = didx;
    // obj_free in src.
    slots[this.#zBase[src] + idx] = this.#zFree[src];
    this.#zFree[src] = idx;
    this.#zInuse[src]--;
  }

  // mm/zsmalloc.c __zs_compact (6.1): isolate a source (almost empty first), move its objects in
  // index order into destinations (almost full first) until it is empty or no destination is left.
  #compactClassOld(c: number): number {
    const SRC = [1, 2];
    const DST = [2, 1];
    const objs = this.#cObjs[c];
    const slots = this.#cSlots[c];
    let freed = 0;
    let src: number;
    while ((src = this.#isolate(c, SRC)) >= 0) {
      if (this.#canCompact(c) === 0) break;
      let idx = 0;
      let dst = -1;
      let srcDone = false;
      while ((dst = this.#isolate(c, DST)) >= 0) {
        // migrate_zspage: 0 when the source ran out of objects, -ENOMEM when dst filled up.
        let full = false;
        for (; idx < objs; idx++) {
          if (slots[this.#zBase[src] + idx] <= NO_OBJ) continue; // a free slot
          if (this.#zInuse[dst] === objs) {
            full = true;
            break;
          }
          this.#migrateObject(c, src, idx, dst);
        }
        if (!full) {
          srcDone = true;
          break;
        }
        this.#putback(dst, c);
      }
      if (!srcDone) break;
      this.#putback(dst, c);
      if (this.#putback(src, c) === 0) {
        this.#freeZspage(src, c);
        freed += this.#cPages[c];
      }
      src = -1;
    }
    if (src >= 0) this.#putback(src, c);
    return freed;
  }

  // mm/zsmalloc.c __zs_compact (>= 6.4): keep one destination (fullest first) and feed it sources
  // (emptiest first) until it is full or nothing is left to gain.
  #compactClassNew(c: number): number {
    const SRC = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const DST = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    const objs = this.#cObjs[c];
    const slots = this.#cSlots[c];
    let freed = 0;
    let dst = -1;
    while (this.#canCompact(c) > 0) {
      if (dst < 0) {
        dst = this.#isolate(c, DST);
        if (dst < 0) break;
      }
      const src = this.#isolate(c, SRC);
      if (src < 0) break;
      for (let idx = 0; idx < objs; idx++) {
        if (slots[this.#zBase[src] + idx] <= NO_OBJ) continue; // a free slot
        this.#migrateObject(c, src, idx, dst);
        if (this.#zInuse[dst] === objs || this.#zInuse[src] === 0) break;
      }
      if (this.#putback(src, c) === 0) {
        this.#freeZspage(src, c);
        freed += this.#cPages[c];
      }
      if (this.#zInuse[dst] === objs) {
        this.#putback(dst, c);
        dst = -1;
      }
    }
    if (dst >= 0) this.#putback(dst, c);
    return freed;
  }
}

/**
 * The zsmalloc allocator plugin. Options: `{ rule?: "old" | "new", chain?: 4..16 }` (default
 * `{ rule: "new", chain: 8 }`; the old rule defaults to 4 pages). The 6.1 preset passes
 * `{ rule: "old" }`; 6.3 and later `{ rule: "new", chain: 8 }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createArena } from "./arena.ts";
 * import { zsmallocAllocator } from "./zsmalloc.ts";
 * const arena = createArena(4096);
 * const pool = zsmallocAllocator.create({ arena, pageSize: 4096, cpus: 1, options: { rule: "old" } });
 * const h = pool.malloc(1000);
 * pool.map(h, "wo").fill(7);
 * pool.unmap(h);
 * assert.equal(pool.totalPages(), 1);
 * ```
 */
export const zsmallocAllocator: AllocatorPlugin = {
  kind: "allocator",
  name: "zsmalloc",
  description: "Size classes over multi-page zspages; objects may span pages (mm/zsmalloc.c)",
  optionsSchema: ZsmallocOptionsSchema,
  sleepMapped: false,
  // mm/zsmalloc.c, mm/zswap.c: class rule and chain size, the too-big counter and writeback follow
  // the kernel version (zswap/presets.ts).
  presetSettable: { classOptions: true, tooBigCounter: true, writeback: true },
  create(env: AllocatorEnv): Zpool {
    checkPoolEnv(env, "zsmalloc");
    return new ZsPool(env, resolveZsmallocOptions(env.options));
  },
};
