/**
 * The kernel check's initramfs: a cpio archive in the "newc" format (what the kernel unpacks,
 * Documentation/driver-api/early-userspace/buffer-format.rst), written here so it needs neither root
 * (for `/dev/console`) nor the `cpio` tool, and is byte-for-byte reproducible (all times 0).
 *
 * @module
 */

/** File type bits of `st_mode` (include/uapi/linux/stat.h). */
export const S_IFDIR = 0o040000;
/** Regular file type bits. */
export const S_IFREG = 0o100000;
/** Symbolic link type bits. */
export const S_IFLNK = 0o120000;
/** Character device type bits. */
export const S_IFCHR = 0o020000;

/** One member of a cpio archive. Directories must come before their contents. */
export type CpioEntry =
  | {
    /** Discriminator. */
    type: "dir";
    /** Path without a leading slash, e.g. `lib/modules`. */
    name: string;
    /** Permission bits (default 0o755). */
    perm?: number;
  }
  | {
    /** Discriminator. */
    type: "file";
    /** Path without a leading slash. */
    name: string;
    /** Contents. */
    data: Uint8Array;
    /** Permission bits (default 0o644). */
    perm?: number;
  }
  | {
    /** Discriminator. */
    type: "symlink";
    /** Path of the link. */
    name: string;
    /** What it points to. */
    target: string;
  }
  | {
    /** Discriminator. */
    type: "chardev";
    /** Path of the node, e.g. `dev/console`. */
    name: string;
    /** Device major number. */
    major: number;
    /** Device minor number. */
    minor: number;
    /** Permission bits (default 0o600). */
    perm?: number;
  };

/** A member as read back by {@link readCpio}. */
export interface CpioMember {
  /** Path as stored. */
  name: string;
  /** Full `st_mode` (type and permission bits). */
  mode: number;
  /** Contents (the target for a symlink). */
  data: Uint8Array;
  /** Device major number of a device node. */
  rdevMajor: number;
  /** Device minor number of a device node. */
  rdevMinor: number;
}

const MAGIC = "070701";
const TRAILER = "TRAILER!!!";
const enc = new TextEncoder();

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, "0");
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

/**
 * Write a cpio "newc" archive (no compression: the kernel takes it as is).
 *
 * @param entries Members in order; directories before their contents.
 * @returns The archive, ending with the `TRAILER!!!` member.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCpio, writeCpio } from "./initramfs.ts";
 * const a = writeCpio([{ type: "file", name: "init", data: new Uint8Array([35, 33]), perm: 0o755 }]);
 * assert.equal(readCpio(a)[0].name, "init");
 * ```
 */
export function writeCpio(entries: readonly CpioEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let ino = 1;
  const member = (
    name: string,
    mode: number,
    data: Uint8Array,
    nlink: number,
    rdev: [number, number],
  ) => {
    const nameBytes = enc.encode(name + "\0");
    const header = MAGIC + [
      ino++, // c_ino
      mode, // c_mode
      0, // c_uid
      0, // c_gid
      nlink, // c_nlink
      0, // c_mtime
      data.length, // c_filesize
      0, // c_devmajor
      0, // c_devminor
      rdev[0], // c_rdevmajor
      rdev[1], // c_rdevminor
      nameBytes.length, // c_namesize
      0, // c_check
    ].map(hex8).join("");
    parts.push(enc.encode(header), nameBytes, new Uint8Array(pad4(110 + nameBytes.length)));
    parts.push(data, new Uint8Array(pad4(data.length)));
  };
  for (const e of entries) {
    const name = e.name.replace(/^\/+/, "");
    if (name === "" || name === TRAILER) throw new RangeError(`Bad cpio member name "${e.name}"`);
    switch (e.type) {
      case "dir":
        member(name, S_IFDIR | (e.perm ?? 0o755), new Uint8Array(0), 2, [0, 0]);
        break;
      case "file":
        member(name, S_IFREG | (e.perm ?? 0o644), e.data, 1, [0, 0]);
        break;
      case "symlink":
        member(name, S_IFLNK | 0o777, enc.encode(e.target), 1, [0, 0]);
        break;
      case "chardev":
        member(name, S_IFCHR | (e.perm ?? 0o600), new Uint8Array(0), 1, [e.major, e.minor]);
        break;
    }
  }
  ino = 0;
  member(TRAILER, 0, new Uint8Array(0), 1, [0, 0]);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Read a cpio "newc" archive (for tests and for checking a cached initramfs).
 *
 * @param bytes The archive.
 * @returns Its members, without the trailer.
 * @throws {SyntaxError} When a header is not "newc".
 */
export function readCpio(bytes: Uint8Array): CpioMember[] {
  const dec = new TextDecoder();
  const out: CpioMember[] = [];
  let at = 0;
  while (at + 110 <= bytes.length) {
    const header = dec.decode(bytes.subarray(at, at + 110));
    if (!header.startsWith(MAGIC)) {
      throw new SyntaxError(`Not a newc cpio header at byte ${at} ("${header.slice(0, 6)}")`);
    }
    const field = (i: number) => parseInt(header.slice(6 + i * 8, 14 + i * 8), 16);
    const mode = field(1);
    const size = field(6);
    const namesize = field(11);
    const name = dec.decode(bytes.subarray(at + 110, at + 110 + namesize - 1));
    at += 110 + namesize;
    at += pad4(at);
    if (name === TRAILER) break;
    out.push({
      name,
      mode,
      data: bytes.slice(at, at + size),
      rdevMajor: field(9),
      rdevMinor: field(10),
    });
    at += size;
    at += pad4(at);
  }
  return out;
}

/** Busybox applets the guest init uses (links in /bin); `--install -s` adds the rest. */
const APPLETS = ["sh"];

/** What goes into the kernel check's initramfs. */
export interface InitramfsParts {
  /** A static busybox binary. */
  busybox: Uint8Array;
  /** The static pagefeed program (kernel/pagefeed.c). */
  pagefeed: Uint8Array;
  /** The static tracefeed program (kernel/tracefeed.c), which replays a trace; absent: left out. */
  tracefeed?: Uint8Array;
  /** The init script template (kernel/init.sh), with `@MODULES@` still in it. */
  initTemplate: string;
  /** Modules to load at boot, in load order: file name in the guest and bytes. */
  modules: readonly { name: string; data: Uint8Array }[];
}

/**
 * The init script with the module list filled in.
 *
 * @param template kernel/init.sh as read.
 * @param moduleFiles File names under /lib/modules, in load order.
 * @returns The script.
 * @throws {RangeError} When the template has no `@MODULES@` or a name has unsafe characters.
 */
export function renderInit(template: string, moduleFiles: readonly string[]): string {
  if (!template.includes("@MODULES@")) throw new RangeError("Init template has no @MODULES@");
  for (const f of moduleFiles) {
    if (!/^[A-Za-z0-9_.+-]+$/.test(f)) throw new RangeError(`Unsafe module file name "${f}"`);
  }
  return template.replaceAll("@MODULES@", moduleFiles.join(" "));
}

/**
 * The initramfs members: /init, /bin/busybox, /pagefeed, /tracefeed, /lib/modules/*.ko, /dev/console and the
 * mount points.
 *
 * @param parts The pieces.
 * @returns Members in archive order.
 */
export function initramfsEntries(parts: InitramfsParts): CpioEntry[] {
  const moduleFiles = parts.modules.map((m) => `${m.name}.ko`);
  const entries: CpioEntry[] = [
    ...["bin", "dev", "proc", "sys", "tmp", "lib", "lib/modules"].map((name): CpioEntry => ({
      type: "dir",
      name,
    })),
    // The kernel opens /dev/console for init's stdio before devtmpfs is mounted (5, 1).
    { type: "chardev", name: "dev/console", major: 5, minor: 1 },
    { type: "file", name: "bin/busybox", data: parts.busybox, perm: 0o755 },
    ...APPLETS.map((a): CpioEntry => ({ type: "symlink", name: `bin/${a}`, target: "busybox" })),
    { type: "file", name: "pagefeed", data: parts.pagefeed, perm: 0o755 },
    ...(parts.tracefeed
      ? [{ type: "file", name: "tracefeed", data: parts.tracefeed, perm: 0o755 } as CpioEntry]
      : []),
    ...parts.modules.map((m, i): CpioEntry => ({
      type: "file",
      name: `lib/modules/${moduleFiles[i]}`,
      data: m.data,
    })),
    {
      type: "file",
      name: "init",
      data: enc.encode(renderInit(parts.initTemplate, moduleFiles)),
      perm: 0o755,
    },
  ];
  return entries;
}

/**
 * Build the initramfs archive.
 *
 * @param parts The pieces.
 * @returns An uncompressed newc cpio archive.
 */
export function buildInitramfs(parts: InitramfsParts): Uint8Array {
  return writeCpio(initramfsEntries(parts));
}
