/**
 * Whole-page helpers of the frontend, over 32-bit word views of a page (page sizes are powers of
 * two of at least 4 KiB, so a page is a whole number of 8-byte words).
 *
 * @module
 */

/**
 * Is every 8-byte word of the page equal to the first? (mm/zswap.c (D6.1)
 * zswap_is_page_same_filled compares `unsigned long` words, 8 bytes on x86_64.)
 */
export function isSameFilled(words: Uint32Array): boolean {
  const lo = words[0];
  const hi = words[1];
  // Compare the last word first: pages that differ usually differ there soon.
  const n = words.length;
  if (words[n - 2] !== lo || words[n - 1] !== hi) return false;
  for (let i = 2; i < n; i += 2) {
    if (words[i] !== lo || words[i + 1] !== hi) return false;
  }
  return true;
}

/** Is the page all zero? (mm/page_io.c (D6.12) is_folio_zero_filled.) */
export function isZeroFilled(words: Uint32Array): boolean {
  const n = words.length;
  if (words[0] !== 0 || words[n - 1] !== 0) return false;
  for (let i = 1; i < n; i++) if (words[i] !== 0) return false;
  return true;
}

/** Fill a page with one 8-byte word given as two 32-bit halves (memset_l). */
export function fillWord(words: Uint32Array, lo: number, hi: number): void {
  if (lo === hi) {
    words.fill(lo);
    return;
  }
  for (let i = 0; i < words.length; i += 2) {
    words[i] = lo;
    words[i + 1] = hi;
  }
}

/** Do two pages hold the same bytes? */
export function pagesEqual(a: Uint32Array, b: Uint32Array): boolean {
  const n = a.length;
  if (n !== b.length) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A 32-bit FNV-1a-style hash over the page's 32-bit words (for pages written to the swap device). */
export function hashPage(words: Uint32Array): number {
  let h = 0x811c9dc5 ^ words.length;
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  return h >>> 0;
}

/** A 32-bit word view of a whole page. */
export function wordsOf(page: Uint8Array): Uint32Array {
  return new Uint32Array(page.buffer, page.byteOffset, page.length >>> 2);
}

/** mulberry32: a small seeded generator for the frontend's random choices (bounce failures). */
export function seededRandom(seed: number): () => number {
  let s = (seed ^ 0x6d2b79f5) >>> 0;
  return (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
