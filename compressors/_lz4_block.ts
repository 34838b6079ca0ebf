/**
 * LZ4 block compression as Linux 6.1 does it (lib/lz4/lz4_compress.c, `LZ4_compress_default`),
 * and a bounds-checked LZ4 block decoder. Written from the kernel's rules, not copied from it.
 *
 * The kernel carries an older LZ4 than liblz4 1.9.x, and the two give different lengths on most
 * pages, so the rules below follow the kernel tree (6.1) and name it where they do.
 *
 * @module
 */

import { CompressError } from "../registry/types.ts";

/** include/linux/lz4.h (6.1): inputs above this are refused. */
const LZ4_MAX_INPUT_SIZE = 0x7e000000;
/** lib/lz4/lz4defs.h (6.1): the shortest match. */
const MINMATCH = 4;
/** lib/lz4/lz4defs.h (6.1): the last 5 bytes of a block are always literals. */
const LASTLITERALS = 5;
/** lib/lz4/lz4defs.h (6.1): MFLIMIT = WILDCOPYLENGTH + MINMATCH, no match starts in the last 12. */
const MFLIMIT = 12;
/** lib/lz4/lz4_compress.c (6.1): inputs shorter than MFLIMIT + 1 are stored as one literal run. */
const LZ4_MIN_LENGTH = MFLIMIT + 1;
/** lib/lz4/lz4_compress.c (6.1): inputs below 64 KiB + 11 use the 16-bit position table. */
const LZ4_64K_LIMIT = 64 * 1024 + (MFLIMIT - 1);
/** lib/lz4/lz4defs.h (6.1): the search step grows by one every 2^6 failed probes. */
const LZ4_SKIPTRIGGER = 6;
/** lib/lz4/lz4defs.h (6.1): the largest offset a match may have. */
const MAX_DISTANCE = 65535;
/** lib/lz4/lz4defs.h (6.1): token bits of the match length (and RUN_MASK of the literal length). */
const ML_MASK = 15;
const RUN_MASK = 15;
/** include/linux/lz4.h (6.1): LZ4_MEMORY_USAGE 14, so LZ4_HASHLOG 12. */
const LZ4_HASHLOG = 12;
/** lib/lz4/lz4_compress.c (6.1): the byU16 table hashes to LZ4_HASHLOG + 1 = 13 bits. */
export const LZ4_HASH16_SIZE = 1 << (LZ4_HASHLOG + 1);
/** lib/lz4/lz4_compress.c (6.1) LZ4_hash4 for byU16: the top 13 bits of the product. */
const HASH16_SHIFT = 32 - (LZ4_HASHLOG + 1);
/** The byU32 table (inputs of 64 KiB + 11 or more) has 1 << LZ4_HASHLOG = 4096 slots. */
export const LZ4_HASH32_SIZE = 1 << LZ4_HASHLOG;
/** lib/lz4/lz4_compress.c (6.1): Knuth's multiplicative hash of 4 bytes, 2654435761. */
const PRIME4 = 2654435761 | 0;
/** lib/lz4/lz4_compress.c (6.1): hash5's 5-byte prime 889523592379 = 0xCF_1BBCDCBB. */
const PRIME5_HI = 0xcf;
const PRIME5_LO = 0x1bbcdcbb;

/**
 * include/linux/lz4.h (6.1) LZ4_COMPRESSBOUND: the largest block `n` input bytes can give.
 * A destination at least this long makes the kernel skip its output checks (`noLimit`).
 */
export function lz4CompressBound(n: number): number {
  return n + ((n / 255) | 0) + 16;
}

/** The hash tables one compressor instance reuses across calls. */
export interface Lz4Tables {
  /** byU16 table: positions of inputs below LZ4_64K_LIMIT. */
  readonly u16: Uint16Array;
  /** byU32 table: positions of larger inputs. */
  readonly u32: Int32Array;
}

/** Allocate the tables once per compressor instance. */
export function lz4NewTables(): Lz4Tables {
  return { u16: new Uint16Array(LZ4_HASH16_SIZE), u32: new Int32Array(LZ4_HASH32_SIZE) };
}

function noSpace(n: number, dstLen: number): CompressError {
  return new CompressError(
    "ENOSPC",
    `LZ4 output of ${n} input bytes does not fit ${dstLen} bytes (give at least ${
      lz4CompressBound(n)
    })`,
  );
}

/**
 * Compress `src` into `dst` exactly as the 6.1 kernel's `LZ4_compress_fast(.., acceleration)`:
 * same sequences, same length. Throws ENOSPC where the kernel returns 0 (its `limitedOutput`
 * checks are conservative: a block may be refused a few bytes before it would overflow).
 */
export function lz4CompressBlock(
  src: Uint8Array,
  dst: Uint8Array,
  tables: Lz4Tables,
  acceleration: number,
): number {
  const n = src.length;
  if (n > LZ4_MAX_INPUT_SIZE) {
    throw new RangeError(`LZ4 input of ${n} bytes is too large (at most ${LZ4_MAX_INPUT_SIZE})`);
  }
  // lib/lz4/lz4_compress.c (6.1) LZ4_compress_fast_extState: checks only when dst < bound.
  const olimit = dst.length >= lz4CompressBound(n) ? 0x7fffffff : dst.length;
  if (n < LZ4_64K_LIMIT) return compress16(src, dst, tables.u16, acceleration, olimit);
  return compress32(src, dst, tables.u32, acceleration, olimit);
}

/** Writes the last literal run; lib/lz4/lz4_compress.c (6.1) `_last_literals`. */
function lastLiterals(
  src: Uint8Array,
  dst: Uint8Array,
  anchor: number,
  op: number,
  olimit: number,
): number {
  const n = src.length;
  const lastRun = n - anchor;
  // lib/lz4/lz4_compress.c (6.1): op + lastRun + 1 + (lastRun + 240) / 255 must fit.
  if (op + lastRun + 1 + (((lastRun + 255 - RUN_MASK) / 255) | 0) > olimit) {
    throw noSpace(n, dst.length);
  }
  if (lastRun >= RUN_MASK) {
    dst[op++] = RUN_MASK << 4;
    let acc = lastRun - RUN_MASK;
    for (; acc >= 255; acc -= 255) dst[op++] = 255;
    dst[op++] = acc;
  } else {
    dst[op++] = lastRun << 4;
  }
  if (lastRun > 64) {
    dst.set(src.subarray(anchor, n), op);
    op += lastRun;
  } else {
    for (let i = anchor; i < n; i++) dst[op++] = src[i];
  }
  return op;
}

/** The byU16 variant (inputs below 64 KiB + 11, so every page): the one zswap runs. */
function compress16(
  src: Uint8Array,
  dst: Uint8Array,
  table: Uint16Array,
  acceleration: number,
  olimit: number,
): number {
  const n = src.length;
  let op = 0;
  let anchor = 0;
  if (n < LZ4_MIN_LENGTH) return lastLiterals(src, dst, anchor, op, olimit);
  const dv = new DataView(src.buffer, src.byteOffset, n);
  const ddv = new DataView(dst.buffer, dst.byteOffset, dst.length);
  // lib/lz4/lz4_compress.c (6.1) LZ4_resetStream: the table starts zeroed, so every slot points
  // at position 0 until written.
  table.fill(0);
  const mflimit = n - MFLIMIT;
  const matchlimit = n - LASTLITERALS;
  const searchStart = acceleration << LZ4_SKIPTRIGGER;

  // First byte: lib/lz4/lz4_compress.c (6.1) puts position 0, then hashes position 1.
  table[Math.imul(dv.getInt32(0, true), PRIME4) >>> HASH16_SHIFT] = 0;
  let ip = 1;
  let forwardH = Math.imul(dv.getInt32(1, true), PRIME4) >>> HASH16_SHIFT;

  for (;;) {
    // Find a match: the step grows by one every 64 failed probes (searchMatchNb).
    let match = 0;
    let seq = 0;
    {
      let forwardIp = ip;
      let step = 1;
      let searchMatchNb = searchStart;
      let fseq = dv.getInt32(ip, true);
      for (;;) {
        const h = forwardH;
        ip = forwardIp;
        seq = fseq;
        forwardIp += step;
        step = searchMatchNb++ >>> LZ4_SKIPTRIGGER;
        // lib/lz4/lz4_compress.c (6.1): stop when forwardIp > iend - MFLIMIT (not liblz4's +1).
        if (forwardIp > mflimit) return lastLiterals(src, dst, anchor, op, olimit);
        match = table[h];
        fseq = dv.getInt32(forwardIp, true);
        forwardH = Math.imul(fseq, PRIME4) >>> HASH16_SHIFT;
        table[h] = ip;
        // byU16: no distance check, only the 4 bytes.
        if (dv.getInt32(match, true) === seq) break;
      }
    }

    // Catch up: extend the match backwards while the previous bytes agree.
    while (ip > anchor && match > 0 && src[ip - 1] === src[match - 1]) {
      ip--;
      match--;
    }

    // Encode literals.
    let token: number;
    {
      const litLength = ip - anchor;
      token = op++;
      // lib/lz4/lz4_compress.c (6.1) limitedOutput: op + litLength + 8 + litLength / 255.
      if (op + litLength + (2 + 1 + LASTLITERALS) + ((litLength / 255) | 0) > olimit) {
        throw noSpace(n, dst.length);
      }
      if (litLength >= RUN_MASK) {
        let len = litLength - RUN_MASK;
        dst[token] = RUN_MASK << 4;
        for (; len >= 255; len -= 255) dst[op++] = 255;
        dst[op++] = len;
      } else {
        dst[token] = litLength << 4;
      }
      let i = anchor;
      for (const e = ip - 4; i <= e; i += 4, op += 4) ddv.setInt32(op, dv.getInt32(i, true), true);
      while (i < ip) dst[op++] = src[i++];
    }

    for (;;) {
      // Encode offset.
      const off = ip - match;
      dst[op++] = off & 0xff;
      dst[op++] = off >>> 8;

      // Encode match length: count equal bytes from ip + 4 up to iend - LASTLITERALS.
      let p = ip + MINMATCH;
      let m = match + MINMATCH;
      for (;;) {
        if (p > matchlimit - 4) {
          while (p < matchlimit && src[p] === src[m]) {
            p++;
            m++;
          }
          break;
        }
        const x = dv.getInt32(p, true) ^ dv.getInt32(m, true);
        if (x !== 0) {
          p += (31 - Math.clz32(x & -x)) >>> 3;
          break;
        }
        p += 4;
        m += 4;
      }
      let matchCode = p - ip - MINMATCH;
      ip = p;
      // lib/lz4/lz4_compress.c (6.1) limitedOutput: op + 6 + matchCode / 256.
      if (op + (1 + LASTLITERALS) + (matchCode >>> 8) > olimit) throw noSpace(n, dst.length);
      if (matchCode >= ML_MASK) {
        dst[token] += ML_MASK;
        matchCode -= ML_MASK;
        for (; matchCode >= 255; matchCode -= 255) dst[op++] = 255;
        dst[op++] = matchCode;
      } else {
        dst[token] += matchCode;
      }

      anchor = ip;
      // Test end of chunk.
      if (ip > mflimit) return lastLiterals(src, dst, anchor, op, olimit);

      // Fill table with ip - 2.
      table[Math.imul(dv.getInt32(ip - 2, true), PRIME4) >>> HASH16_SHIFT] = ip - 2;

      // Test next position: a match right here is encoded with no literals.
      const s0 = dv.getInt32(ip, true);
      const h0 = Math.imul(s0, PRIME4) >>> HASH16_SHIFT;
      match = table[h0];
      table[h0] = ip;
      if (match + MAX_DISTANCE >= ip && dv.getInt32(match, true) === s0) {
        token = op++;
        dst[token] = 0;
        continue;
      }
      break;
    }

    // Prepare next loop.
    ip++;
    forwardH = Math.imul(dv.getInt32(ip, true), PRIME4) >>> HASH16_SHIFT;
  }
}

/**
 * lib/lz4/lz4_compress.c (6.1) LZ4_hash5 on a little-endian 64-bit machine: the top 12 bits of
 * ((5 bytes at p) << 24) * 889523592379 mod 2^64.
 */
function hash5(src: Uint8Array, p: number): number {
  const lo = src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24);
  const xLo = (lo << 24) >>> 0; // low word of seq << 24: byte 0 in bits 24..31
  const xHi = ((lo >>> 8) | (src[p + 4] << 24)) >>> 0; // bytes 1..4
  // High word of xLo * PRIME5_LO (a 32 x 32 -> 64 product), built from 16-bit halves.
  const a0 = xLo & 0xffff, a1 = xLo >>> 16;
  const b0 = PRIME5_LO & 0xffff, b1 = PRIME5_LO >>> 16;
  const mid1 = a1 * b0;
  const mid2 = a0 * b1;
  const low = a0 * b0;
  const carry = ((low >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) / 65536;
  const hiLoLo = a1 * b1 + Math.floor(mid1 / 65536) + Math.floor(mid2 / 65536) + Math.floor(carry);
  const hi = (hiLoLo + Math.imul(xLo, PRIME5_HI) + Math.imul(xHi, PRIME5_LO)) >>> 0;
  return hi >>> (32 - LZ4_HASHLOG);
}

/**
 * The byU32 variant for inputs of 64 KiB + 11 bytes or more (x86-64: hash5 over 5 bytes,
 * 4096-slot table, offsets capped at 65535). Not used for pages; kept so any input works.
 */
function compress32(
  src: Uint8Array,
  dst: Uint8Array,
  table: Int32Array,
  acceleration: number,
  olimit: number,
): number {
  const n = src.length;
  let op = 0;
  let anchor = 0;
  table.fill(0);
  const mflimit = n - MFLIMIT;
  const matchlimit = n - LASTLITERALS;
  const searchStart = acceleration << LZ4_SKIPTRIGGER;

  table[hash5(src, 0)] = 0;
  let ip = 1;
  let forwardH = hash5(src, ip);

  for (;;) {
    let match = 0;
    {
      let forwardIp = ip;
      let step = 1;
      let searchMatchNb = searchStart;
      for (;;) {
        const h = forwardH;
        ip = forwardIp;
        forwardIp += step;
        step = searchMatchNb++ >>> LZ4_SKIPTRIGGER;
        if (forwardIp > mflimit) return lastLiterals(src, dst, anchor, op, olimit);
        match = table[h];
        forwardH = hash5(src, forwardIp);
        table[h] = ip;
        // byU32: a candidate further than MAX_DISTANCE back is skipped.
        if (
          match + MAX_DISTANCE >= ip && src[match] === src[ip] &&
          src[match + 1] === src[ip + 1] && src[match + 2] === src[ip + 2] &&
          src[match + 3] === src[ip + 3]
        ) break;
      }
    }

    while (ip > anchor && match > 0 && src[ip - 1] === src[match - 1]) {
      ip--;
      match--;
    }

    let token: number;
    {
      const litLength = ip - anchor;
      token = op++;
      if (op + litLength + (2 + 1 + LASTLITERALS) + ((litLength / 255) | 0) > olimit) {
        throw noSpace(n, dst.length);
      }
      if (litLength >= RUN_MASK) {
        let len = litLength - RUN_MASK;
        dst[token] = RUN_MASK << 4;
        for (; len >= 255; len -= 255) dst[op++] = 255;
        dst[op++] = len;
      } else {
        dst[token] = litLength << 4;
      }
      dst.set(src.subarray(anchor, ip), op);
      op += litLength;
    }

    for (;;) {
      const off = ip - match;
      dst[op++] = off & 0xff;
      dst[op++] = off >>> 8;
      let p = ip + MINMATCH;
      let m = match + MINMATCH;
      while (p < matchlimit && src[p] === src[m]) {
        p++;
        m++;
      }
      let matchCode = p - ip - MINMATCH;
      ip = p;
      if (op + (1 + LASTLITERALS) + (matchCode >>> 8) > olimit) throw noSpace(n, dst.length);
      if (matchCode >= ML_MASK) {
        dst[token] += ML_MASK;
        matchCode -= ML_MASK;
        for (; matchCode >= 255; matchCode -= 255) dst[op++] = 255;
        dst[op++] = matchCode;
      } else {
        dst[token] += matchCode;
      }
      anchor = ip;
      if (ip > mflimit) return lastLiterals(src, dst, anchor, op, olimit);
      table[hash5(src, ip - 2)] = ip - 2;
      const h0 = hash5(src, ip);
      match = table[h0];
      table[h0] = ip;
      if (
        match + MAX_DISTANCE >= ip && src[match] === src[ip] && src[match + 1] === src[ip + 1] &&
        src[match + 2] === src[ip + 2] && src[match + 3] === src[ip + 3]
      ) {
        token = op++;
        dst[token] = 0;
        continue;
      }
      break;
    }
    ip++;
    forwardH = hash5(src, ip);
  }
}

function corrupt(what: string, at: number, srcLen: number): CompressError {
  return new CompressError("EINVAL", `Corrupt LZ4 block: ${what} at byte ${at} of ${srcLen}`);
}

function overflow(need: number, dstLen: number): CompressError {
  return new CompressError(
    "ENOSPC",
    `LZ4 block decompresses to at least ${need} bytes, more than the ${dstLen} given`,
  );
}

/**
 * Decode one LZ4 block (the raw format: sequences of token, literals, offset, match length; the
 * last sequence holds only literals). Never reads past `src` nor writes past `dst`; short copies
 * move whole 16- or 24-byte runs when there is room, so bytes of `dst` past the returned length
 * may change.
 * @throws {CompressError} EINVAL for a malformed or truncated block, ENOSPC if `dst` is too short.
 */
export function lz4DecompressBlock(src: Uint8Array, dst: Uint8Array): number {
  const iend = src.length;
  const oend = dst.length;
  if (iend === 0) throw corrupt("empty block", 0, 0);
  const sdv = new DataView(src.buffer, src.byteOffset, iend);
  const ddv = new DataView(dst.buffer, dst.byteOffset, oend);
  // Past these, a fixed 16-byte copy could run off `src` or `dst`: only exact copies.
  const iFast = iend - 16;
  const oFast = oend - 16;
  const oFastMatch = oend - 24;
  let ip = 0;
  let op = 0;
  for (;;) {
    if (ip >= iend) throw corrupt("missing token", ip, iend);
    const token = src[ip++];
    let lit = token >>> 4;
    if (lit !== RUN_MASK && ip <= iFast && op <= oFast) {
      // Fast path: copy 16 bytes whatever the length (fewer unpredictable branches), keep `lit`.
      ddv.setBigInt64(op, sdv.getBigInt64(ip));
      ddv.setBigInt64(op + 8, sdv.getBigInt64(ip + 8));
      ip += lit;
      op += lit;
    } else {
      if (lit === RUN_MASK) {
        let b: number;
        do {
          if (ip >= iend) throw corrupt("truncated literal length", ip, iend);
          b = src[ip++];
          lit += b;
        } while (b === 255);
      }
      if (lit > iend - ip) throw corrupt("literals run past the end", ip, iend);
      if (lit > oend - op) throw overflow(op + lit, oend);
      const e = ip + lit;
      if (lit > 64) {
        dst.set(src.subarray(ip, e), op);
        op += lit;
        ip = e;
      } else {
        for (const e4 = e - 4; ip <= e4; ip += 4, op += 4) ddv.setInt32(op, sdv.getInt32(ip));
        while (ip < e) dst[op++] = src[ip++];
      }
    }
    if (ip === iend) return op; // the last sequence: literals only
    if (ip + 2 > iend) throw corrupt("truncated offset", ip, iend);
    const off = src[ip] | (src[ip + 1] << 8);
    ip += 2;
    if (off === 0 || off > op) throw corrupt(`offset ${off} with ${op} bytes out`, ip - 2, iend);
    let ml = token & ML_MASK;
    let m = op - off;
    if (ml !== ML_MASK && op <= oFastMatch) {
      if (off >= 8) {
        // Fast path: 24 bytes (the longest short match is 18) in 8-byte words; with an offset of
        // 8 or more each word reads bytes already final.
        ddv.setBigInt64(op, ddv.getBigInt64(m));
        ddv.setBigInt64(op + 8, ddv.getBigInt64(m + 8));
        ddv.setBigInt64(op + 16, ddv.getBigInt64(m + 16));
        op += ml + MINMATCH;
        continue;
      }
      if (off >= 4) {
        ddv.setInt32(op, ddv.getInt32(m));
        ddv.setInt32(op + 4, ddv.getInt32(m + 4));
        ddv.setInt32(op + 8, ddv.getInt32(m + 8));
        ddv.setInt32(op + 12, ddv.getInt32(m + 12));
        ddv.setInt32(op + 16, ddv.getInt32(m + 16));
        op += ml + MINMATCH;
        continue;
      }
    }
    if (ml === ML_MASK) {
      let b: number;
      do {
        if (ip >= iend) throw corrupt("truncated match length", ip, iend);
        b = src[ip++];
        ml += b;
      } while (b === 255);
    }
    ml += MINMATCH;
    if (ml > oend - op) throw overflow(op + ml, oend);
    const e = op + ml;
    if (off >= 4) {
      for (const e4 = e - 4; op <= e4; op += 4, m += 4) ddv.setInt32(op, ddv.getInt32(m));
    }
    while (op < e) dst[op++] = dst[m++];
  }
}
