/**
 * zswap entries and their LRU: one reusable object per stored page, linked into an intrusive
 * doubly-linked list (head = most recently stored, tail = next to write back).
 *
 * @module
 */

import type { EntryRef } from "../registry/types.ts";

/** A compressed object in the pool. */
export const KIND_POOL = 0;
/** A same-filled page stored as a value: no pool memory, never on the LRU (≤ 6.11). */
export const KIND_SAME = 1;
/** A page stored raw, length = PAGE_SIZE (6.18 on). */
export const KIND_RAW = 2;

/** One zswap entry (struct zswap_entry). Objects are recycled through a free list. */
export class Entry implements EntryRef {
  /** The pool handle (-1 for a same-filled entry). */
  handle = -1;
  /** Compressed length without header (0 for same-filled, PAGE_SIZE for raw). */
  length = 0;
  /** zswap header bytes in front of the data. */
  headerBytes = 0;
  /** The swap offset. */
  offset = 0;
  /** The workload page stored here: what a load must give back. */
  pageId = 0;
  /** KIND_POOL, KIND_SAME or KIND_RAW. */
  kind = KIND_POOL;
  /** Same-filled value, low 32 bits. */
  valueLo = 0;
  /** Same-filled value, high 32 bits. */
  valueHi = 0;
  /** Second-chance bit (6.12 on): set on store, cleared when writeback skips the entry once. */
  referenced = false;
  /** LRU neighbour towards the head. */
  prev: Entry | null = null;
  /** LRU neighbour towards the tail. */
  next: Entry | null = null;
  /** Is the entry on the LRU? */
  onLru = false;
}

/** The zswap-level LRU of entries. */
export class EntryLru {
  /** Most recently added. */
  head: Entry | null = null;
  /** Least recently added: the next writeback candidate. */
  tail: Entry | null = null;
  /** Entries on the list. */
  size = 0;

  /** Add at the head. */
  pushHead(e: Entry): void {
    e.prev = null;
    e.next = this.head;
    if (this.head !== null) this.head.prev = e;
    else this.tail = e;
    this.head = e;
    e.onLru = true;
    this.size++;
  }

  /** Take off the list (no-op when not on it). */
  remove(e: Entry): void {
    if (!e.onLru) return;
    if (e.prev !== null) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next !== null) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.prev = null;
    e.next = null;
    e.onLru = false;
    this.size--;
  }

  /** Move to the head (rotate). */
  moveToHead(e: Entry): void {
    if (this.head === e) return;
    this.remove(e);
    this.pushHead(e);
  }
}
