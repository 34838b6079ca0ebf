/**
 * Everything the frontend knows per swap offset, in one table of typed-array columns: zswap's
 * entries (struct zswap_entry: the tree and the LRU), the swap zeromap (6.12 on) and the pages on
 * the simulated swap device. An offset is in at most one of those, so one slot per offset holds a
 * kind and the fields that kind needs.
 *
 * Slots: an offset below `direct` (the cell's page count: content workloads use offsets
 * `0..pages-1`) is its own slot, found without hashing, like the kernel's xarray finds a dense
 * key; any other offset gets a slot above `direct` through a `Map`. A slot takes 21 bytes
 * (kind 1, page id 4, handle 4, length 4, LRU links 8); no object is made per entry. The length
 * is 32-bit because an object can be a whole 64 KiB page (65536 does not fit 16 bits).
 *
 * The LRU is intrusive (`prev`/`next` slot links): head = most recently added, tail = the next
 * to write back. Same-filled entries are never on it, so their second value word lives in
 * `next`.
 *
 * @module
 */

/** No entry, no zeromap bit, not on the device. */
export const KIND_EMPTY = 0;
/** A compressed object in the pool. */
export const KIND_POOL = 1;
/** A same-filled page stored as a value: no pool memory, never on the LRU (≤ 6.11). */
export const KIND_SAME = 2;
/** A page stored raw, length = PAGE_SIZE (6.18 on). */
export const KIND_RAW = 3;
/** Not in zswap: on the simulated swap device (rejected or written back). */
export const KIND_DEVICE = 4;
/** Not in zswap: a zero page in the swap zeromap (6.12 on). */
export const KIND_ZERO = 5;

const KIND_MASK = 7;
/** Second-chance bit (6.12 on): set on store, cleared when writeback skips the entry once. */
const F_REFERENCED = 8;
/** On the LRU. */
const F_ON_LRU = 16;
/** A device page with a hash of its bytes in `handle` (written back, not rejected). */
const F_HASH = 32;
/** Read back and still in the swap cache, its swap slot kept (non-exclusive loads). */
const F_SWAPCACHE = 64;

/** Page ids at or above this are kept in a side map (the column is 32-bit). */
const BIG_PAGE_ID = 0xffffffff;
/** Most offsets addressed directly (21 bytes each, reserved up front). */
const MAX_DIRECT = 1 << 27;

/** The frontend's per-offset state. Slot numbers are stable while the slot is in use. */
export class EntryTable {
  /** Kind (low 3 bits) and flags. */
  flags: Uint8Array;
  /** The workload page stored here (< 2^32 - 1; larger ids live in a side map). */
  pageIds: Uint32Array;
  /** Pool handle; the low value word of a same-filled page; a device page's hash. */
  handles: Int32Array;
  /** Compressed length (pool entries): up to PAGE_SIZE, so 65536 at 64 KiB pages. */
  lengths: Uint32Array;
  /** LRU link towards the head (-1: none). */
  prev: Int32Array;
  /** LRU link towards the tail (-1: none); the high value word of a same-filled page. */
  next: Int32Array;
  /** Most recently added LRU slot, -1 when empty. */
  head = -1;
  /** Next writeback candidate, -1 when empty. */
  tail = -1;
  /** Slots on the LRU. */
  lruSize = 0;
  readonly #direct: number;
  readonly #overflow = new Map<number, number>();
  #overflowOffsets = new Float64Array(0);
  #freeSlots: number[] = [];
  #top: number;
  #bigPageIds: Map<number, number> | null = null;

  /** @param direct Offsets `0..direct-1` are their own slots (the cell's page count). */
  constructor(direct: number) {
    const n = Math.max(0, Math.min(MAX_DIRECT, Math.floor(direct)));
    this.#direct = n;
    this.#top = n;
    this.flags = new Uint8Array(n);
    this.pageIds = new Uint32Array(n);
    this.handles = new Int32Array(n);
    this.lengths = new Uint32Array(n);
    this.prev = new Int32Array(n);
    this.next = new Int32Array(n);
  }

  /** The slot of an offset, or -1 when the offset has none (its kind is then KIND_EMPTY). */
  find(offset: number): number {
    if (offset < this.#direct && offset >= 0 && Math.floor(offset) === offset) return offset;
    return this.#overflow.get(offset) ?? -1;
  }

  /** The slot of an offset, made (empty) when it has none. */
  slot(offset: number): number {
    if (offset < this.#direct && offset >= 0 && Math.floor(offset) === offset) return offset;
    const s = this.#overflow.get(offset);
    if (s !== undefined) return s;
    const made = this.#freeSlots.pop() ?? this.#newSlot();
    this.#overflow.set(offset, made);
    this.#overflowOffsets[made - this.#direct] = offset;
    return made;
  }

  /** The offset a slot belongs to. */
  offsetOf(s: number): number {
    return s < this.#direct ? s : this.#overflowOffsets[s - this.#direct];
  }

  /** The kind of a slot (KIND_EMPTY for -1). */
  kind(s: number): number {
    return s < 0 ? KIND_EMPTY : this.flags[s] & KIND_MASK;
  }

  /** Give a slot a kind and a page id; clears the flags (the caller puts it on the LRU). */
  set(s: number, kind: number, pageId: number): void {
    this.flags[s] = kind;
    if (pageId >= 0 && pageId < BIG_PAGE_ID) {
      if (this.pageIds[s] === BIG_PAGE_ID) this.#bigPageIds?.delete(s);
      this.pageIds[s] = pageId;
    } else {
      this.pageIds[s] = BIG_PAGE_ID;
      (this.#bigPageIds ??= new Map()).set(s, pageId);
    }
  }

  /** The page id of a slot. */
  pageId(s: number): number {
    const id = this.pageIds[s];
    return id !== BIG_PAGE_ID ? id : this.#bigPageIds!.get(s)!;
  }

  /** Mark a slot empty but keep it (a store in progress fills it again). Off the LRU first. */
  markEmpty(s: number): void {
    this.flags[s] = KIND_EMPTY;
  }

  /** Make a slot empty; an overflow slot is given back. The caller took it off the LRU. */
  clear(s: number): void {
    this.flags[s] = KIND_EMPTY;
    if (this.pageIds[s] === BIG_PAGE_ID) this.#bigPageIds?.delete(s);
    this.pageIds[s] = 0;
    if (s >= this.#direct) {
      this.#overflow.delete(this.#overflowOffsets[s - this.#direct]);
      this.#freeSlots.push(s);
    }
  }

  /** Is the second-chance bit set? */
  referenced(s: number): boolean {
    return (this.flags[s] & F_REFERENCED) !== 0;
  }

  /** Set or clear the second-chance bit. */
  setReferenced(s: number, on: boolean): void {
    this.flags[s] = on ? this.flags[s] | F_REFERENCED : this.flags[s] & ~F_REFERENCED;
  }

  /** Was the page read back and kept in the swap cache with its slot (non-exclusive loads)? */
  inSwapCache(s: number): boolean {
    return (this.flags[s] & F_SWAPCACHE) !== 0;
  }

  /** Mark the page read back into the swap cache (cleared by `set`, i.e. by the next store). */
  setSwapCache(s: number): void {
    this.flags[s] |= F_SWAPCACHE;
  }

  /** Is the slot on the LRU? */
  onLru(s: number): boolean {
    return (this.flags[s] & F_ON_LRU) !== 0;
  }

  /** Does the device page carry a hash of its bytes? */
  hasHash(s: number): boolean {
    return (this.flags[s] & F_HASH) !== 0;
  }

  /** Record a device page's hash. */
  setHash(s: number, hash: number): void {
    this.handles[s] = hash;
    this.flags[s] |= F_HASH;
  }

  /** Add at the LRU head. */
  pushHead(s: number): void {
    const head = this.head;
    this.prev[s] = -1;
    this.next[s] = head;
    if (head >= 0) this.prev[head] = s;
    else this.tail = s;
    this.head = s;
    this.flags[s] |= F_ON_LRU;
    this.lruSize++;
  }

  /** Take off the LRU (no-op when not on it). */
  remove(s: number): void {
    const f = this.flags[s];
    if ((f & F_ON_LRU) === 0) return;
    const prev = this.prev[s];
    const next = this.next[s];
    if (prev >= 0) this.next[prev] = next;
    else this.head = next;
    if (next >= 0) this.prev[next] = prev;
    else this.tail = prev;
    this.flags[s] = f & ~F_ON_LRU;
    this.lruSize--;
  }

  /** Move to the LRU head (rotate). */
  moveToHead(s: number): void {
    if (this.head === s) return;
    this.remove(s);
    this.pushHead(s);
  }

  /** Drop every entry and the memory behind them (the cell is over). */
  release(): void {
    this.flags = new Uint8Array(0);
    this.pageIds = new Uint32Array(0);
    this.handles = new Int32Array(0);
    this.lengths = new Uint32Array(0);
    this.prev = new Int32Array(0);
    this.next = new Int32Array(0);
    this.#overflow.clear();
    this.#overflowOffsets = new Float64Array(0);
    this.#freeSlots = [];
    this.#bigPageIds = null;
    this.head = this.tail = -1;
    this.lruSize = 0;
  }

  #newSlot(): number {
    const s = this.#top++;
    if (s >= this.flags.length) {
      const n = Math.max(16, Math.ceil(this.flags.length * 1.5), s + 1);
      this.flags = grow(this.flags, new Uint8Array(n));
      this.pageIds = grow(this.pageIds, new Uint32Array(n));
      this.handles = grow(this.handles, new Int32Array(n));
      this.lengths = grow(this.lengths, new Uint32Array(n));
      this.prev = grow(this.prev, new Int32Array(n));
      this.next = grow(this.next, new Int32Array(n));
    }
    const k = s - this.#direct;
    if (k >= this.#overflowOffsets.length) {
      this.#overflowOffsets = grow(
        this.#overflowOffsets,
        new Float64Array(Math.max(16, Math.ceil(this.#overflowOffsets.length * 1.5), k + 1)),
      );
    }
    return s;
  }
}

function grow<T extends Uint8Array | Uint32Array | Int32Array | Float64Array>(
  from: T,
  to: T,
): T {
  (to as Uint8Array).set(from as unknown as Uint8Array);
  return to;
}

/**
 * What a load strategy is handed: one reusable object per task, filled from the table before
 * each load or writeback (strategies only read it during that call).
 */
export class EntryView {
  /** The pool handle. */
  handle = -1;
  /** Compressed length (PAGE_SIZE for a raw entry). */
  length = 0;
  /** zswap header bytes in front of the data. */
  headerBytes = 0;
}
