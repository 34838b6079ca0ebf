/**
 * Tiny ELF64 files for tests: a `.modinfo` section (a fake kernel module) and, optionally, a
 * PT_INTERP program header (a dynamic program).
 *
 * @module
 */

/**
 * Build a minimal little-endian ELF64 file.
 *
 * @param options `modinfo`: key=value strings for a `.modinfo` section; `interp`: add PT_INTERP.
 * @returns The file bytes.
 */
export function fakeElf(options: { modinfo?: string[]; interp?: boolean } = {}): Uint8Array {
  const enc = new TextEncoder();
  const modinfo = enc.encode((options.modinfo ?? []).map((s) => s + "\0").join(""));
  const shstrtab = enc.encode("\0.modinfo\0.shstrtab\0");
  const ehsize = 64;
  const phnum = 1;
  const phoff = ehsize;
  const dataOff = phoff + 56 * phnum;
  const modOff = dataOff;
  const strOff = modOff + modinfo.length;
  const shoff = Math.ceil((strOff + shstrtab.length) / 8) * 8;
  const shnum = 3;
  const size = shoff + 64 * shnum;
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  v.setUint16(0x10, 1, true); // ET_REL
  v.setUint16(0x12, 62, true); // EM_X86_64
  v.setBigUint64(0x20, BigInt(phoff), true);
  v.setBigUint64(0x28, BigInt(shoff), true);
  v.setUint16(0x34, ehsize, true);
  v.setUint16(0x36, 56, true);
  v.setUint16(0x38, phnum, true);
  v.setUint16(0x3a, 64, true);
  v.setUint16(0x3c, shnum, true);
  v.setUint16(0x3e, 2, true);
  v.setUint32(phoff, options.interp ? 3 : 1, true); // PT_INTERP or PT_LOAD
  b.set(modinfo, modOff);
  b.set(shstrtab, strOff);
  const section = (i: number, name: number, off: number, len: number) => {
    const at = shoff + i * 64;
    v.setUint32(at, name, true);
    v.setUint32(at + 4, i === 2 ? 3 : 1, true);
    v.setBigUint64(at + 0x18, BigInt(off), true);
    v.setBigUint64(at + 0x20, BigInt(len), true);
  };
  section(1, 1, modOff, modinfo.length);
  section(2, 10, strOff, shstrtab.length);
  return b;
}
