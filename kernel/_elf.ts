/**
 * Just enough ELF64 reading for the kernel check: is a program static (no PT_INTERP), and what a
 * kernel module's `.modinfo` section says (its `depends=` list).
 *
 * @module
 */

const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46];
const ELFCLASS64 = 2;
const PT_INTERP = 3;

function isElf64(bytes: Uint8Array): boolean {
  return bytes.length >= 64 && ELF_MAGIC.every((b, i) => bytes[i] === b) &&
    bytes[4] === ELFCLASS64;
}

/**
 * Whether `bytes` is a 64-bit ELF executable that needs no dynamic loader (no PT_INTERP program
 * header), so it runs in an initramfs without any shared library.
 *
 * @param bytes The whole file.
 * @returns True for a static ELF64 executable; false for a dynamic one or for anything else.
 */
export function isStaticElf(bytes: Uint8Array): boolean {
  if (!isElf64(bytes)) return false;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const phoff = Number(v.getBigUint64(0x20, true));
  const phentsize = v.getUint16(0x36, true);
  const phnum = v.getUint16(0x38, true);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 > bytes.length) return false;
    if (v.getUint32(at, true) === PT_INTERP) return false;
  }
  return true;
}

/**
 * The bytes of the named section of an ELF64 file (e.g. `.modinfo` of a kernel module).
 *
 * @param bytes The whole file.
 * @param name The section name.
 * @returns The section's bytes, or undefined when the file is not ELF64 or has no such section.
 */
export function elfSection(bytes: Uint8Array, name: string): Uint8Array | undefined {
  if (!isElf64(bytes)) return undefined;
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  if (shoff === 0 || shstrndx >= shnum || shoff + shnum * shentsize > bytes.length) {
    return undefined;
  }
  const header = (i: number) => {
    const at = shoff + i * shentsize;
    return {
      name: v.getUint32(at, true),
      offset: Number(v.getBigUint64(at + 0x18, true)),
      size: Number(v.getBigUint64(at + 0x20, true)),
    };
  };
  const strtab = header(shstrndx);
  const dec = new TextDecoder();
  for (let i = 0; i < shnum; i++) {
    const h = header(i);
    const start = strtab.offset + h.name;
    let end = start;
    while (end < bytes.length && bytes[end] !== 0) end++;
    if (dec.decode(bytes.subarray(start, end)) === name) {
      return bytes.subarray(h.offset, h.offset + h.size);
    }
  }
  return undefined;
}

/**
 * The `key=value` strings of a kernel module's `.modinfo` section, in file order.
 *
 * @param ko The module file (uncompressed).
 * @returns The pairs; empty when the file has no `.modinfo`.
 */
export function modinfo(ko: Uint8Array): [string, string][] {
  const section = elfSection(ko, ".modinfo");
  if (!section) return [];
  const out: [string, string][] = [];
  for (const s of new TextDecoder().decode(section).split("\0")) {
    const eq = s.indexOf("=");
    if (eq > 0) out.push([s.slice(0, eq), s.slice(eq + 1)]);
  }
  return out;
}
