import assert from "node:assert/strict";
import {
  buildInitramfs,
  initramfsEntries,
  readCpio,
  renderInit,
  S_IFCHR,
  S_IFDIR,
  S_IFLNK,
  S_IFREG,
  writeCpio,
} from "../../kernel/initramfs.ts";
import { findOnPath } from "../../kernel/preflight.ts";
import { readKernelAsset } from "../../kernel/guest.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

Deno.test("writeCpio() writes newc headers, 4-byte aligned, ending with TRAILER!!!", () => {
  const a = writeCpio([
    { type: "dir", name: "bin" },
    { type: "file", name: "/bin/x", data: enc.encode("hello"), perm: 0o755 },
  ]);
  const text = dec.decode(a);
  assert.equal(text.slice(0, 6), "070701");
  // Header fields (Documentation/driver-api/early-userspace/buffer-format.rst): 13 x 8 hex.
  const field = (at: number, i: number) =>
    parseInt(text.slice(at + 6 + i * 8, at + 14 + i * 8), 16);
  assert.equal(field(0, 1), S_IFDIR | 0o755);
  assert.equal(field(0, 11), 4); // "bin\0"
  // 110 + 4 = 114 -> padded to 116; a directory has no data.
  assert.equal(text.slice(116, 122), "070701");
  assert.equal(field(116, 1), S_IFREG | 0o755);
  assert.equal(field(116, 6), 5);
  assert.ok(text.includes("TRAILER!!!\0"));
  assert.equal(a.length % 4, 0);
  // Reproducible: no times, no host inode numbers.
  assert.deepEqual(
    a,
    writeCpio([
      { type: "dir", name: "bin" },
      { type: "file", name: "bin/x", data: enc.encode("hello"), perm: 0o755 },
    ]),
  );
});

Deno.test("readCpio() reads back what writeCpio() wrote, for every member type", async (t) => {
  const data = new Uint8Array(1021).map((_, i) => (i * 7) & 0xff);
  const members = readCpio(writeCpio([
    { type: "dir", name: "dev" },
    { type: "chardev", name: "dev/console", major: 5, minor: 1 },
    { type: "file", name: "odd", data },
    { type: "symlink", name: "bin/sh", target: "busybox" },
    { type: "file", name: "empty", data: new Uint8Array(0) },
  ]));
  const cases: [string, number, number, string | Uint8Array][] = [
    ["dev", S_IFDIR | 0o755, 0, ""],
    ["dev/console", S_IFCHR | 0o600, 0, ""],
    ["odd", S_IFREG | 0o644, 0, data],
    ["bin/sh", S_IFLNK | 0o777, 0, "busybox"],
    ["empty", S_IFREG | 0o644, 0, ""],
  ];
  assert.equal(members.length, cases.length);
  for (const [i, [name, mode, , content]] of cases.entries()) {
    await t.step(name, () => {
      assert.equal(members[i].name, name);
      assert.equal(members[i].mode, mode);
      assert.deepEqual(
        members[i].data,
        typeof content === "string" ? enc.encode(content) : content,
      );
    });
  }
  assert.equal(members[1].rdevMajor, 5);
  assert.equal(members[1].rdevMinor, 1);
});

Deno.test("writeCpio() refuses an empty name and the trailer's name", () => {
  assert.throws(() => writeCpio([{ type: "dir", name: "/" }]), RangeError);
  assert.throws(
    () => writeCpio([{ type: "file", name: "TRAILER!!!", data: new Uint8Array(0) }]),
    RangeError,
  );
});

Deno.test("renderInit() fills in the module list and refuses unsafe names", () => {
  assert.equal(
    renderInit("for m in @MODULES@; do", ["a.ko", "b-c.ko"]),
    "for m in a.ko b-c.ko; do",
  );
  assert.throws(() => renderInit("x", []), /no @MODULES@/);
  assert.throws(() => renderInit("@MODULES@", ["a.ko; reboot"]), /Unsafe module file name/);
});

Deno.test("buildInitramfs() holds init, busybox, pagefeed, the modules and /dev/console", async () => {
  const template = await readKernelAsset("init.sh");
  const parts = {
    busybox: enc.encode("BUSYBOX"),
    pagefeed: enc.encode("PAGEFEED"),
    initTemplate: template,
    modules: [
      { name: "lz4_compress", data: enc.encode("K1") },
      { name: "lz4", data: enc.encode("K2") },
    ],
  };
  const members = readCpio(buildInitramfs(parts));
  const byName = new Map(members.map((m) => [m.name, m]));
  for (const d of ["bin", "dev", "proc", "sys", "lib/modules"]) {
    assert.equal(byName.get(d)?.mode, S_IFDIR | 0o755, d);
  }
  assert.equal(byName.get("dev/console")?.mode, S_IFCHR | 0o600);
  assert.equal(dec.decode(byName.get("bin/busybox")!.data), "BUSYBOX");
  assert.equal(byName.get("bin/busybox")!.mode, S_IFREG | 0o755);
  assert.equal(dec.decode(byName.get("bin/sh")!.data), "busybox");
  assert.equal(dec.decode(byName.get("pagefeed")!.data), "PAGEFEED");
  assert.equal(dec.decode(byName.get("lib/modules/lz4.ko")!.data), "K2");
  const init = dec.decode(byName.get("init")!.data);
  assert.equal(byName.get("init")!.mode, S_IFREG | 0o755);
  assert.ok(init.startsWith("#!/bin/busybox sh\n"));
  assert.ok(init.includes("for m in lz4_compress.ko lz4.ko; do"), "modules in load order");
  assert.ok(!init.includes("@MODULES@"));
  // Directories come before what they hold.
  const order = members.map((m) => m.name);
  assert.ok(order.indexOf("lib/modules") < order.indexOf("lib/modules/lz4.ko"));
  assert.deepEqual(initramfsEntries(parts).length, members.length);
});

const cpio = findOnPath("cpio");
Deno.test({
  name: `writeCpio() output lists with the cpio tool${
    cpio ? "" : " (skipped: cpio not installed)"
  }`,
  ignore: !cpio,
  async fn() {
    const archive = writeCpio([
      { type: "dir", name: "bin" },
      { type: "file", name: "bin/busybox", data: enc.encode("x".repeat(4099)), perm: 0o755 },
      { type: "symlink", name: "bin/sh", target: "busybox" },
      { type: "chardev", name: "console", major: 5, minor: 1 },
    ]);
    const child = new Deno.Command(cpio!, {
      args: ["-t", "-v", "--quiet"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(archive);
    await writer.close();
    const out = await child.output();
    assert.ok(out.success, dec.decode(out.stderr));
    const lines = dec.decode(out.stdout).trim().split("\n");
    assert.equal(lines.length, 4);
    assert.match(lines[0], /^drwxr-xr-x .* bin$/);
    assert.match(lines[1], /^-rwxr-xr-x .* 4099 .* bin\/busybox$/);
    assert.match(lines[2], /^lrwxrwxrwx .* bin\/sh -> busybox$/);
    assert.match(lines[3], /^crw------- .* 5,\s+1 .* console$/);
  },
});
