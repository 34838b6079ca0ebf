/**
 * A bounds-checked LZO1X decoder for bitstream versions 0 (lzo) and 1 (lzo-rle), written from the
 * stream format in Documentation/staging/lzo.rst (6.1). It accepts what the kernel's
 * `lzo1x_decompress_safe` accepts and never reads past `src` nor writes past `dst`.
 *
 * @module
 */

import { CompressError } from "../registry/types.ts";

function corrupt(what: string, at: number, srcLen: number): CompressError {
  return new CompressError("EINVAL", `Corrupt LZO block: ${what} at byte ${at} of ${srcLen}`);
}

function overflow(need: number, dstLen: number): CompressError {
  return new CompressError(
    "ENOSPC",
    `LZO block decompresses to at least ${need} bytes, more than the ${dstLen} given`,
  );
}

/**
 * Decode one LZO1X block into `dst`; returns the bytes written. Short copies move whole 4-, 8- or
 * 16-byte words when there is room, so bytes of `dst` past the returned length may change (never
 * bytes past `dst`).
 * @throws {CompressError} EINVAL for a malformed or truncated block, ENOSPC if `dst` is too short.
 */
export function lzoDecompressBlock(src: Uint8Array, dst: Uint8Array): number {
  const iend = src.length;
  const oend = dst.length;
  // lzo.rst: the shortest stream is the 3-byte end marker.
  if (iend < 3) throw corrupt("block shorter than 3 bytes", 0, iend);
  let ip = 0;
  let op = 0;
  let version = 0;
  // lzo.rst: a first byte of 17 in a stream of 5 bytes or more is followed by the version.
  if (iend >= 5 && src[0] === 17) {
    version = src[1];
    ip = 2;
  }
  // The literals that follow the last instruction (0..3) or 4 after a literal run.
  let state = 0;
  let t = 0;
  let next = 0;
  let len = 0;
  let dist = 0;
  const sdv = new DataView(src.buffer, src.byteOffset, iend);
  const ddv = new DataView(dst.buffer, dst.byteOffset, oend);

  // lzo.rst first byte: 18..21 copy 0..3 literals, 22..255 copy a run of byte - 17.
  if (src[ip] > 17) {
    t = src[ip++] - 17;
    if (t > iend - ip) throw corrupt("literals run past the end", ip, iend);
    if (t > oend - op) throw overflow(op + t, oend);
    for (const e = ip + t; ip < e;) dst[op++] = src[ip++];
    state = t < 4 ? t : 4;
  }

  for (;;) {
    if (ip >= iend) throw corrupt("missing instruction", ip, iend);
    t = src[ip++];
    if (t < 16) {
      if (state === 0) {
        // 0000LLLL after no literals: a literal run of 3 + (L ?: 15 + 255 * zeros + byte).
        len = t;
        if (len === 0) {
          len = 15;
          for (;;) {
            if (ip >= iend) throw corrupt("truncated literal length", ip, iend);
            const b = src[ip++];
            if (b !== 0) {
              len += b;
              break;
            }
            len += 255;
          }
        }
        len += 3;
        if (len <= 16 && ip <= iend - 16 && op <= oend - 16) {
          // Copy 16 bytes whatever the length; the next writes cover the excess.
          ddv.setBigInt64(op, sdv.getBigInt64(ip));
          ddv.setBigInt64(op + 8, sdv.getBigInt64(ip + 8));
          op += len;
          ip += len;
        } else {
          if (len > iend - ip) throw corrupt("literals run past the end", ip, iend);
          if (len > oend - op) throw overflow(op + len, oend);
          const e = ip + len;
          if (len > 64) {
            dst.set(src.subarray(ip, e), op);
            op += len;
            ip = e;
          } else {
            for (const e4 = e - 4; ip <= e4; ip += 4, op += 4) ddv.setInt32(op, sdv.getInt32(ip));
            while (ip < e) dst[op++] = src[ip++];
          }
        }
        state = 4;
        continue;
      }
      if (ip >= iend) throw corrupt("truncated distance", ip, iend);
      next = t & 3;
      if (state !== 4) {
        // 0000DDSS after 1..3 literals: copy 2 bytes from distance (H << 2) + D + 1.
        dist = (src[ip++] << 2) + (t >>> 2) + 1;
        len = 2;
      } else {
        // 0000DDSS after a literal run: copy 3 bytes from distance (H << 2) + D + 2049.
        dist = (src[ip++] << 2) + (t >>> 2) + 2049;
        len = 3;
      }
    } else if (t >= 64) {
      // 01LDDDSS / 1LLDDDSS: 3..8 bytes from distance (H << 3) + D + 1.
      if (ip >= iend) throw corrupt("truncated distance", ip, iend);
      next = t & 3;
      dist = (src[ip++] << 3) + ((t >>> 2) & 7) + 1;
      len = (t >>> 5) + 1;
    } else if (t >= 32) {
      // 001LLLLL: length 2 + (L ?: 31 + 255 * zeros + byte), LE16 distance D + 1 and state S.
      len = t & 31;
      if (len === 0) {
        len = 31;
        for (;;) {
          if (ip >= iend) throw corrupt("truncated match length", ip, iend);
          const b = src[ip++];
          if (b !== 0) {
            len += b;
            break;
          }
          len += 255;
        }
      }
      len += 2;
      if (ip + 2 > iend) throw corrupt("truncated distance", ip, iend);
      const le16 = src[ip] | (src[ip + 1] << 8);
      ip += 2;
      dist = (le16 >>> 2) + 1;
      next = le16 & 3;
    } else {
      // 0001HLLL: distance 16384 + (H << 14) + D; distance 16384 ends the stream.
      if (ip + 2 > iend) throw corrupt("truncated distance", ip, iend);
      let le16 = src[ip] | (src[ip + 1] << 8);
      if (version !== 0 && (t & 0xf8) === 0x18 && (le16 & 0xfffc) === 0xfffc) {
        // lzo.rst, version 1: distance 0xbfff is a zero run of ((X << 3) | LLL) + 4 bytes.
        if (ip + 3 > iend) throw corrupt("truncated zero run", ip, iend);
        len = ((src[ip + 2] << 3) | (t & 7)) + 4;
        if (len > oend - op) throw overflow(op + len, oend);
        dst.fill(0, op, op + len);
        op += len;
        ip += 3;
        next = le16 & 3;
        if (next > iend - ip) throw corrupt("literals run past the end", ip, iend);
        if (next > oend - op) throw overflow(op + next, oend);
        for (const e = ip + next; ip < e;) dst[op++] = src[ip++];
        state = next;
        continue;
      }
      len = t & 7;
      if (len === 0) {
        len = 7;
        for (;;) {
          if (ip >= iend) throw corrupt("truncated match length", ip, iend);
          const b = src[ip++];
          if (b !== 0) {
            len += b;
            break;
          }
          len += 255;
        }
        if (ip + 2 > iend) throw corrupt("truncated distance", ip, iend);
        le16 = src[ip] | (src[ip + 1] << 8);
      }
      len += 2;
      ip += 2;
      dist = ((t & 8) << 11) + (le16 >>> 2);
      next = le16 & 3;
      if (dist === 0) {
        // End of stream: the kernel wants length 3 and every input byte consumed.
        if (len !== 3) throw corrupt(`end marker with length ${len}`, ip - 3, iend);
        if (ip !== iend) throw corrupt("bytes after the end marker", ip, iend);
        return op;
      }
      dist += 0x4000;
    }

    // Copy the match, then `next` literals.
    if (dist > op) throw corrupt(`distance ${dist} with ${op} bytes out`, ip, iend);
    if (len > oend - op) throw overflow(op + len, oend);
    let m = op - dist;
    const e = op + len;
    if (dist >= 8 && e <= oend - 8) {
      // 8-byte words, the last one past `e` (still inside dst): with a distance of 8 or more
      // each word reads bytes already final.
      for (; op < e; op += 8, m += 8) ddv.setBigInt64(op, ddv.getBigInt64(m));
      op = e;
    } else if (dist >= 4) {
      for (const e4 = e - 4; op <= e4; op += 4, m += 4) ddv.setInt32(op, ddv.getInt32(m));
      while (op < e) dst[op++] = dst[m++];
    } else {
      while (op < e) dst[op++] = dst[m++];
    }
    if (ip <= iend - 4 && op <= oend - 4) {
      // The 0..3 literals after a match: copy 4, keep `next`.
      ddv.setInt32(op, sdv.getInt32(ip));
      op += next;
      ip += next;
    } else {
      if (next > iend - ip) throw corrupt("literals run past the end", ip, iend);
      if (next > oend - op) throw overflow(op + next, oend);
      for (const e = ip + next; ip < e;) dst[op++] = src[ip++];
    }
    state = next;
  }
}
