/**
 * LZO1X-1 compression as Linux 6.1 does it (lib/lzo/lzo1x_compress.c: `lzo1x_1_compress` and,
 * with the zero run-length extension of bitstream version 1, `lzorle1x_1_compress`), with the
 * output checks of the bounded `_safe` variant crypto/lzo.c calls in the 6.1 stable tree the
 * oracle ran (upstream cc47f07234f7 "crypto: lzo - Fix compression buffer overrun", 2025). The
 * checks change no length; they decide only where a block that nearly fills `dst` is refused.
 * Written from the kernel's rules, not copied from it.
 *
 * @module
 */

import { CompressError } from "../registry/types.ts";

/** lib/lzo/lzodefs.h (6.1): the largest offsets of the M2 and M3 encodings. */
const M2_MAX_OFFSET = 0x0800;
const M3_MAX_OFFSET = 0x4000;
/** lib/lzo/lzodefs.h (6.1): the largest M4 offset in bitstream version 0 and 1. */
const M4_MAX_OFFSET_V0 = 0xbfff;
const M4_MAX_OFFSET_V1 = 0xbffe;
/** lib/lzo/lzodefs.h (6.1): the longest match each short form can hold. */
const M2_MAX_LEN = 8;
const M3_MAX_LEN = 33;
const M4_MAX_LEN = 9;
/** lib/lzo/lzodefs.h (6.1): opcode markers. */
const M3_MARKER = 32;
const M4_MARKER = 16;
/** lib/lzo/lzodefs.h (6.1): zero runs of 4 to 2051 bytes (version 1 only). */
const MIN_ZERO_RUN_LENGTH = 4;
const MAX_ZERO_RUN_LENGTH = 2047 + MIN_ZERO_RUN_LENGTH;
/** lib/lzo/lzodefs.h (6.1): D_BITS 13, so the dictionary has 8192 16-bit slots. */
const D_BITS = 13;
/** The number of dictionary slots; a compressor allocates one `Uint16Array` of this size. */
export const LZO_D_SIZE = 1 << D_BITS;
/** include/linux/lzo.h (6.1): LZO_VERSION, the bitstream version lzo-rle writes. */
const LZO_VERSION = 1;

/** Thrown by the output checks; caught and rethrown with the sizes by `lzoCompressBlock`. */
class Overrun extends Error {}
const OVERRUN = new Overrun();

/**
 * The compressor's running state: the output position and the offset (from it) of the byte whose
 * low 2 bits take the count of up to 3 literals after the last instruction (`state_offset`).
 */
interface State {
  op: number;
  stateOffset: number;
}

/**
 * Compress one chunk `src[base, base + len)`; `ti` literals before `base` are still pending.
 * Returns the literals left pending at the end. Follows lib/lzo/lzo1x_compress.c (6.1)
 * `lzo1x_1_do_compress` on x86-64 (match lengths found 8 bytes at a time, CTZ64).
 */
function doCompress(
  src: Uint8Array,
  base: number,
  len: number,
  dst: Uint8Array,
  st: State,
  tiIn: number,
  dict: Uint16Array,
  rle: boolean,
): number {
  const olimit = dst.length;
  const inEnd = base + len;
  const ipEnd = inEnd - 20;
  let ti = tiIn;
  let op = st.op;
  let stateOffset = st.stateOffset;
  let ii = base;
  let ip = base + (ti < 4 ? 4 - ti : 0);
  // The loop enters at `literal`: the first position tried is ip + 1.
  let skip = true;
  const sdv = new DataView(src.buffer, src.byteOffset, src.length);
  const ddv = new DataView(dst.buffer, dst.byteOffset, dst.length);

  for (;;) {
    if (skip) ip += 1 + ((ip - ii) >> 5);
    skip = true;
    if (ip >= ipEnd) break;
    const dv = sdv.getInt32(ip, true);
    let mPos = 0;
    let runLength = 0;
    if (dv === 0 && rle) {
      // lzo-rle: measure the zero run from ip, up to ip_end and MAX_ZERO_RUN_LENGTH + 1 bytes.
      const limit = Math.min(ipEnd, ip + MAX_ZERO_RUN_LENGTH + 1);
      let ir = ip + 4;
      while (ir <= limit - 4 && sdv.getInt32(ir) === 0) ir += 4;
      while (ir < limit && src[ir] === 0) ir++;
      runLength = ir - ip;
      if (runLength > MAX_ZERO_RUN_LENGTH) runLength = MAX_ZERO_RUN_LENGTH;
    } else {
      // lib/lzo/lzo1x_compress.c (6.1): hash (dv * 0x1824429d) >> (32 - D_BITS).
      const t = Math.imul(dv, 0x1824429d) >>> (32 - D_BITS);
      mPos = base + dict[t];
      dict[t] = ip - base;
      if (sdv.getInt32(mPos, true) !== dv) continue; // goto literal
    }

    // Emit the pending literals (the carry `ti` from the previous chunk included).
    ii -= ti;
    ti = 0;
    const t = ip - ii;
    if (t !== 0) {
      if (t <= 3) {
        dst[op + stateOffset] |= t;
        // Safe variant: NEED_OP(4), room for its 4-byte copy.
        if (op + 4 > olimit) throw OVERRUN;
        for (let i = 0; i < t; i++) dst[op++] = src[ii++];
      } else if (t <= 16) {
        // Safe variant: NEED_OP(17), room for the byte and its two 8-byte copies.
        if (op + 17 > olimit) throw OVERRUN;
        dst[op++] = t - 3;
        // Room for 16 was checked: copy 16 bytes, keep t (the kernel's two COPY8).
        ddv.setInt32(op, sdv.getInt32(ii));
        ddv.setInt32(op + 4, sdv.getInt32(ii + 4));
        ddv.setInt32(op + 8, sdv.getInt32(ii + 8));
        ddv.setInt32(op + 12, sdv.getInt32(ii + 12));
        op += t;
        ii += t;
      } else {
        if (t <= 18) {
          if (op + 1 > olimit) throw OVERRUN;
          dst[op++] = t - 3;
        } else {
          let tt = t - 18;
          if (op + 1 > olimit) throw OVERRUN;
          dst[op++] = 0;
          while (tt > 255) {
            tt -= 255;
            if (op + 1 > olimit) throw OVERRUN;
            dst[op++] = 0;
          }
          if (op + 1 > olimit) throw OVERRUN;
          dst[op++] = tt;
        }
        if (op + t > olimit) throw OVERRUN;
        const e = ii + t;
        for (const e4 = e - 4; ii <= e4; ii += 4, op += 4) ddv.setInt32(op, sdv.getInt32(ii));
        while (ii < e) dst[op++] = src[ii++];
      }
    }

    if (runLength !== 0) {
      // lzo-rle: an M4 with distance 0xbfff; the run (less 4) split over bits 0..2 and byte 3.
      ip += runLength;
      const r = runLength - MIN_ZERO_RUN_LENGTH;
      if (op + 4 > olimit) throw OVERRUN;
      dst[op++] = 0x18 | (r & 7);
      dst[op++] = 0xfc;
      dst[op++] = 0xff;
      dst[op++] = r >>> 3;
      stateOffset = -3;
      ii = ip;
      skip = false; // goto next
      continue;
    }

    // Match length: 4 known equal; lib/lzo/lzo1x_compress.c (6.1) compares 8 bytes at a time
    // and stops, without the last block's count, once ip + m_len reaches ip_end.
    let mLen = 4;
    for (;;) {
      // One 8-byte block as two 32-bit halves; the count of equal leading bytes ends it.
      let x = sdv.getInt32(ip + mLen, true) ^ sdv.getInt32(mPos + mLen, true);
      if (x !== 0) {
        mLen += (31 - Math.clz32(x & -x)) >>> 3;
        break;
      }
      x = sdv.getInt32(ip + mLen + 4, true) ^ sdv.getInt32(mPos + mLen + 4, true);
      if (x !== 0) {
        mLen += 4 + ((31 - Math.clz32(x & -x)) >>> 3);
        break;
      }
      mLen += 8;
      if (ip + mLen >= ipEnd) break;
    }

    let mOff = ip - mPos;
    ip += mLen;
    if (mLen <= M2_MAX_LEN && mOff <= M2_MAX_OFFSET) {
      mOff -= 1;
      if (op + 2 > olimit) throw OVERRUN;
      dst[op++] = ((mLen - 1) << 5) | ((mOff & 7) << 2);
      dst[op++] = mOff >>> 3;
    } else if (mOff <= M3_MAX_OFFSET) {
      mOff -= 1;
      if (op + 1 > olimit) throw OVERRUN;
      if (mLen <= M3_MAX_LEN) {
        dst[op++] = M3_MARKER | (mLen - 2);
      } else {
        mLen -= M3_MAX_LEN;
        dst[op++] = M3_MARKER;
        while (mLen > 255) {
          mLen -= 255;
          if (op + 1 > olimit) throw OVERRUN;
          dst[op++] = 0;
        }
        if (op + 1 > olimit) throw OVERRUN;
        dst[op++] = mLen;
      }
      if (op + 2 > olimit) throw OVERRUN;
      dst[op++] = (mOff << 2) & 0xff;
      dst[op++] = (mOff >>> 6) & 0xff;
    } else {
      mOff -= 0x4000;
      if (op + 1 > olimit) throw OVERRUN;
      if (mLen <= M4_MAX_LEN) {
        dst[op++] = M4_MARKER | ((mOff >>> 11) & 8) | (mLen - 2);
      } else {
        mLen -= M4_MAX_LEN;
        dst[op++] = M4_MARKER | ((mOff >>> 11) & 8);
        while (mLen > 255) {
          if (op + 1 > olimit) throw OVERRUN;
          mLen -= 255;
          dst[op++] = 0;
        }
        if (op + 1 > olimit) throw OVERRUN;
        dst[op++] = mLen;
      }
      if (op + 2 > olimit) throw OVERRUN;
      dst[op++] = (mOff << 2) & 0xff;
      dst[op++] = (mOff >>> 6) & 0xff;
    }
    stateOffset = -2;
    ii = ip;
    skip = false; // goto next
  }
  st.op = op;
  st.stateOffset = stateOffset;
  return inEnd - (ii - ti);
}

/**
 * Compress `src` into `dst` as the 6.1 kernel's `lzo1x_1_compress` (`rle` false) or
 * `lzorle1x_1_compress` (`rle` true): same bytes, same length. Like the kernel's 16-byte
 * literal copies, it may write bytes of `dst` past the returned length (never past `dst`).
 * @param dict an 8192-slot dictionary the caller allocates once and this call clears.
 * @throws {CompressError} ENOSPC where the kernel's safe variant reports an output overrun.
 */
export function lzoCompressBlock(
  src: Uint8Array,
  dst: Uint8Array,
  dict: Uint16Array,
  rle: boolean,
): number {
  const st: State = { op: 0, stateOffset: -2 };
  try {
    return compressInto(src, dst, dict, rle, st);
  } catch (e) {
    if (e !== OVERRUN) throw e;
    throw new CompressError(
      "ENOSPC",
      `LZO output of ${src.length} input bytes does not fit ${dst.length} bytes (give at least ${
        lzoWorstCase(src.length)
      })`,
    );
  }
}

/** include/linux/lzo.h (6.1) lzo1x_worst_compress: the largest LZO1X block of `n` bytes. */
export function lzoWorstCase(n: number): number {
  return n + ((n / 16) | 0) + 64 + 3 + 2;
}

function compressInto(
  src: Uint8Array,
  dst: Uint8Array,
  dict: Uint16Array,
  rle: boolean,
  st: State,
): number {
  const inLen = src.length;
  const olimit = dst.length;
  let m4MaxOffset = M4_MAX_OFFSET_V0;
  // lib/lzo/lzo1x_compress.c (6.1): version 1 streams open with 17 and the version byte.
  if (rle) {
    // The kernel writes these 2 bytes unchecked; here a dst under 2 bytes is refused instead.
    if (olimit < 2) throw OVERRUN;
    dst[0] = 17;
    dst[1] = LZO_VERSION;
    st.op = 2;
    m4MaxOffset = M4_MAX_OFFSET_V1;
  }
  const dataStart = st.op;
  let ip = 0;
  let l = inLen;
  let t = 0;
  // lib/lzo/lzo1x_compress.c (6.1): chunks of at most m4_max_offset + 1 bytes, dictionary
  // cleared for each, literals left over carried into the next.
  while (l > 20) {
    const ll = l <= m4MaxOffset + 1 ? l : m4MaxOffset + 1;
    dict.fill(0);
    t = doCompress(src, ip, ll, dst, st, t, dict, rle);
    ip += ll;
    l -= ll;
  }
  t += l;

  let op = st.op;
  if (t > 0) {
    const ii = inLen - t;
    if (op === dataStart && t <= 238) {
      if (op + 1 > olimit) throw OVERRUN;
      dst[op++] = 17 + t;
    } else if (t <= 3) {
      dst[op + st.stateOffset] |= t;
    } else if (t <= 18) {
      if (op + 1 > olimit) throw OVERRUN;
      dst[op++] = t - 3;
    } else {
      let tt = t - 18;
      if (op + 1 > olimit) throw OVERRUN;
      dst[op++] = 0;
      while (tt > 255) {
        tt -= 255;
        if (op + 1 > olimit) throw OVERRUN;
        dst[op++] = 0;
      }
      if (op + 1 > olimit) throw OVERRUN;
      dst[op++] = tt;
    }
    if (op + t > olimit) throw OVERRUN;
    dst.set(src.subarray(ii, ii + t), op);
    op += t;
  }
  // End of stream: M4 with distance 16384 and length 3 (0x11 0x00 0x00).
  if (op + 3 > olimit) throw OVERRUN;
  dst[op++] = M4_MARKER | 1;
  dst[op++] = 0;
  dst[op++] = 0;
  return op;
}
