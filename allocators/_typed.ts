// Growable typed arrays for the pools' per-page and per-handle metadata (private to allocators/).

/**
 * A copy of `a` with room for at least `min` elements (by half), new slots set to `fill`.
 * @param a The array to grow.
 * @param min The length needed.
 * @param fill The value of the new slots.
 * @returns `a` itself when it is already long enough, else a longer copy.
 */
export function growInt32(a: Int32Array, min: number, fill = 0): Int32Array<ArrayBuffer> {
  if (a.length >= min) return a as Int32Array<ArrayBuffer>;
  const b = new Int32Array(newLength(a.length, min));
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

/**
 * A copy of `a` with room for at least `min` elements (by half), new slots zero.
 * @param a The array to grow.
 * @param min The length needed.
 * @returns `a` itself when it is already long enough, else a longer copy.
 */
export function growUint16(a: Uint16Array, min: number): Uint16Array<ArrayBuffer> {
  if (a.length >= min) return a as Uint16Array<ArrayBuffer>;
  const b = new Uint16Array(newLength(a.length, min));
  b.set(a);
  return b;
}

/**
 * A copy of `a` with room for at least `min` elements (by half), new slots zero.
 * @param a The array to grow.
 * @param min The length needed.
 * @returns `a` itself when it is already long enough, else a longer copy.
 */
export function growUint8(a: Uint8Array, min: number): Uint8Array<ArrayBuffer> {
  if (a.length >= min) return a as Uint8Array<ArrayBuffer>;
  const b = new Uint8Array(newLength(a.length, min));
  b.set(a);
  return b;
}

// Grow by half: metadata is kept per object and per page, and doubling would leave up to half of
// it unused (at a million objects that is megabytes the perf tool counts as harness memory).
function newLength(current: number, min: number): number {
  let n = Math.max(current, 64);
  while (n < min) n = Math.ceil(n * 1.5);
  return n;
}

/**
 * A copy of `a` with room for at least `min` elements (by half), new slots set to `fill`.
 * @param a The array to grow.
 * @param min The length needed.
 * @param fill The value of the new slots.
 * @returns `a` itself when it is already long enough, else a longer copy.
 */
export function growInt8(a: Int8Array, min: number, fill = 0): Int8Array<ArrayBuffer> {
  if (a.length >= min) return a as Int8Array<ArrayBuffer>;
  const b = new Int8Array(newLength(a.length, min));
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}
