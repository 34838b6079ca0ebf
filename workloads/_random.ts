/**
 * Seeded randomness for workloads: a 32-bit integer hash, a small fast PRNG and an O(1)-memory
 * permutation of `[0, n)`. Everything here is deterministic from its inputs, so a page's contents
 * depend only on (seed, page id) and never on call order.
 *
 * @module
 */

const TWO_POW_32 = 4294967296;

/**
 * A 32-bit integer finaliser (the "lowbias32" constants of Chris Wellons' hash prospector): every
 * input bit affects every output bit.
 *
 * @param x Any number; only its low 32 bits are used.
 * @returns An unsigned 32-bit integer.
 */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/**
 * Fold any finite number (negative, fractional or beyond 32 bits) into a 32-bit seed, so that seeds
 * that differ anywhere in their value give different streams.
 *
 * @param seed The user's seed.
 * @returns An unsigned 32-bit integer.
 */
export function seed32(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`Seed ${seed} is not a finite number`);
  const whole = Math.trunc(seed);
  const frac = Math.round((Math.abs(seed) - Math.abs(whole)) * TWO_POW_32) >>> 0;
  const lo = whole >>> 0;
  const hi = Math.floor(whole / TWO_POW_32) >>> 0;
  return mix32(mix32(lo ^ 0x2545f491) ^ Math.imul(hi, 0x9e3779b9) ^ mix32(frac + 0x6a09e667));
}

/**
 * Hash (seed, salt, id) to 32 bits. `id` may be any non-negative integer up to 2^53.
 *
 * @param seed A 32-bit seed from {@linkcode seed32}.
 * @param salt A per-use constant, so that two uses of the same id draw independent values.
 * @param id Usually a page id or an operation index.
 * @returns An unsigned 32-bit integer.
 */
export function hash32(seed: number, salt: number, id: number): number {
  const lo = id >>> 0;
  const hi = (id / TWO_POW_32) >>> 0;
  let h = mix32(seed ^ Math.imul(salt, 0x9e3779b9));
  h = mix32(h ^ lo);
  return mix32(h + Math.imul(hi, 0x85ebca6b) + 0x68e31da4);
}

/**
 * A uniform float in `[0, 1)` from a 32-bit integer.
 *
 * @param u32 An unsigned 32-bit integer.
 * @returns `u32 / 2^32`.
 */
export function unit(u32: number): number {
  return u32 / TWO_POW_32;
}

/**
 * sfc32 (Chris Doty-Humphrey's small fast counting generator): four 32-bit words of state, period at
 * least 2^32, passes PractRand far beyond what a page needs. `reseed()` makes one instance reusable
 * per page without allocating.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "./_random.ts";
 * const rng = new Rng(1, 2, 3);
 * const a = rng.nextU32();
 * rng.reseed(1, 2, 3);
 * assert.equal(rng.nextU32(), a);
 * ```
 */
export class Rng {
  /** State word a (public for inlined hot loops; treat as private). */
  a = 0;
  /** State word b. */
  b = 0;
  /** State word c. */
  c = 0;
  /** State word d (the counter). */
  d = 0;

  /**
   * Make the generator.
   *
   * @param seed A 32-bit seed.
   * @param salt A per-use constant.
   * @param id A page id or stream id.
   */
  constructor(seed: number, salt: number, id: number) {
    this.reseed(seed, salt, id);
  }

  /**
   * Restart the stream from (seed, salt, id).
   *
   * @param seed A 32-bit seed.
   * @param salt A per-use constant.
   * @param id A page id or stream id.
   */
  reseed(seed: number, salt: number, id: number): void {
    const h = hash32(seed, salt, id);
    this.a = mix32(h ^ 0x243f6a88) | 0;
    this.b = mix32(h ^ 0x85a308d3) | 0;
    this.c = mix32(h ^ 0x13198a2e) | 0;
    this.d = 1;
    for (let i = 0; i < 6; i++) this.nextU32();
  }

  /**
   * The next unsigned 32-bit integer.
   *
   * @returns An integer in `[0, 2^32)`.
   */
  nextU32(): number {
    const a = this.a, b = this.b, c = this.c;
    const d = (this.d + 1) | 0;
    const t = (((a + b) | 0) + d) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    this.c = (((c << 21) | (c >>> 11)) + t) | 0;
    this.d = d;
    return t >>> 0;
  }

  /**
   * The next float in `[0, 1)` (32 bits of resolution).
   *
   * @returns A uniform float.
   */
  nextFloat(): number {
    return this.nextU32() / TWO_POW_32;
  }

  /**
   * A uniform integer in `[0, n)` for `n` up to 2^32 (multiply-shift; bias below 2^-20 for the
   * sizes workloads use).
   *
   * @param n The exclusive upper bound.
   * @returns An integer in `[0, n)`.
   */
  below(n: number): number {
    return Math.floor((this.nextU32() / TWO_POW_32) * n);
  }
}

/**
 * A seeded bijection of `[0, size)` in O(1) memory: three keyed rounds of add, odd multiply and
 * xor-shift on `ceil(log2 size)` bits (each invertible modulo 2^bits), with cycle walking to stay
 * below `size` (fewer than 2 rounds on average, since 2^bits < 2 x size).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Permutation } from "./_random.ts";
 * const p = new Permutation(10, 42);
 * const seen = new Set(Array.from({ length: 10 }, (_, i) => p.at(i)));
 * assert.equal(seen.size, 10);
 * ```
 */
export class Permutation {
  /** The domain size. */
  readonly size: number;
  #mask: number;
  #shift: number;
  #k0: number;
  #k1: number;
  #k2: number;
  #m0: number;
  #m1: number;
  #m2: number;

  /**
   * Make the permutation.
   *
   * @param size The domain size, 1 to 2^31.
   * @param key A 32-bit key; another key gives an unrelated permutation.
   */
  constructor(size: number, key: number) {
    if (!Number.isInteger(size) || size < 1 || size > 2 ** 31) {
      throw new RangeError(`Permutation size ${size} is not an integer from 1 to 2^31`);
    }
    this.size = size;
    let bits = 1;
    while (2 ** bits < size) bits++;
    this.#mask = bits === 31 ? 0x7fffffff : (1 << bits) - 1;
    this.#shift = Math.max(1, (bits + 1) >>> 1);
    this.#k0 = hash32(key, 0x51, 0);
    this.#k1 = hash32(key, 0x51, 1);
    this.#k2 = hash32(key, 0x51, 2);
    this.#m0 = hash32(key, 0x52, 0) | 1;
    this.#m1 = hash32(key, 0x52, 1) | 1;
    this.#m2 = hash32(key, 0x52, 2) | 1;
  }

  /**
   * The image of `i`.
   *
   * @param i An integer in `[0, size)`.
   * @returns An integer in `[0, size)`; distinct inputs give distinct outputs.
   */
  at(i: number): number {
    const mask = this.#mask, s = this.#shift, n = this.size;
    let x = i;
    do {
      x = (x + this.#k0) & mask;
      x = Math.imul(x, this.#m0) & mask;
      x ^= x >>> s;
      x = (x + this.#k1) & mask;
      x = Math.imul(x, this.#m1) & mask;
      x ^= x >>> s;
      x = (x + this.#k2) & mask;
      x = Math.imul(x, this.#m2) & mask;
      x ^= x >>> s;
    } while (x >= n);
    return x;
  }
}

/**
 * The generalised harmonic number `sum_{i=1..n} 1 / i^theta`: exact up to 2^20 terms, then the
 * Euler-Maclaurin tail (relative error below 1e-12 for theta in (0, 1)).
 *
 * @param n Number of terms, at least 1.
 * @param theta The exponent.
 * @returns The sum.
 */
export function zipfZeta(n: number, theta: number): number {
  const exact = Math.min(n, 1 << 20);
  let sum = 0;
  for (let i = exact; i >= 1; i--) sum += Math.pow(i, -theta);
  if (n > exact) {
    const m = exact;
    const f = (x: number): number => Math.pow(x, -theta);
    const df = (x: number): number => -theta * Math.pow(x, -theta - 1);
    const integral = (Math.pow(n, 1 - theta) - Math.pow(m, 1 - theta)) / (1 - theta);
    sum += integral + (f(n) - f(m)) / 2 + (df(n) - df(m)) / 12;
  }
  return sum;
}
