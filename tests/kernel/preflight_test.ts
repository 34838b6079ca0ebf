import assert from "node:assert/strict";
import { debianAbi, pickDebianPackage } from "../../kernel/debian_kernel.ts";
import { type HostTools, missingTools, preflight } from "../../kernel/preflight.ts";
import { qemuArgs } from "../../kernel/qemu.ts";

const ALL: HostTools = {
  qemu: "/usr/bin/qemu-system-x86_64",
  busybox: "/bin/busybox",
  compiler: { path: "/usr/bin/gcc", libc: "glibc" },
  apt: { aptGet: "/usr/bin/apt-get", aptCache: "/usr/bin/apt-cache", dpkgDeb: "/usr/bin/dpkg-deb" },
  kvm: false,
};

Deno.test("preflight() passes when every tool is there", () => {
  assert.equal(preflight({ compiler: true, apt: true }, ALL), ALL);
});

Deno.test("preflight() names what is missing and the apt-get command", async (t) => {
  const cases: [string, Partial<HostTools>, { compiler: boolean; apt: boolean }, RegExp][] = [
    ["qemu", { qemu: "" }, { compiler: false, apt: false }, /apt-get install -y qemu-system-x86"/],
    [
      "busybox",
      { busybox: "" },
      { compiler: false, apt: false },
      /a static busybox.*busybox-static/,
    ],
    [
      "compiler",
      { compiler: undefined },
      { compiler: true, apt: false },
      /C compiler with a static libc.*gcc libc6-dev/,
    ],
    [
      "qemu and busybox together",
      { qemu: "", busybox: "" },
      { compiler: false, apt: false },
      /apt-get install -y qemu-system-x86 busybox-static"/,
    ],
    ["apt", { apt: undefined }, { compiler: false, apt: true }, /give --kernel PATH/],
  ];
  for (const [name, patch, needs, re] of cases) {
    await t.step(name, () => {
      assert.throws(() => preflight(needs, { ...ALL, ...patch }), {
        name: "UsageError",
        message: re,
      });
    });
  }
});

Deno.test("missingTools() ignores the compiler and apt when the run does not need them", () => {
  const none = { ...ALL, compiler: undefined, apt: undefined };
  assert.deepEqual(missingTools(none, { compiler: false, apt: false }), []);
  assert.equal(missingTools(none, { compiler: true, apt: true }).length, 2);
});

Deno.test("pickDebianPackage() prefers what linux-image-amd64 depends on", () => {
  const depends = "linux-image-amd64\n  Depends: linux-image-6.1.0-56-amd64\n";
  const names = "linux-image-6.1.0-9-amd64\nlinux-image-6.1.0-60-amd64\n";
  assert.equal(pickDebianPackage(depends, names), "linux-image-6.1.0-56-amd64");
  // Not a 6.1 dependency (a newer Debian): the highest 6.1 ABI apt knows.
  const other = "linux-image-amd64\n  Depends: linux-image-6.12.9-amd64\n";
  const mixed = "linux-image-6.1.0-9-amd64\nlinux-image-6.1.0-10-amd64\n" +
    "linux-image-6.1.0-10-rt-amd64\nlinux-image-6.1.0-10-cloud-amd64\n";
  assert.equal(pickDebianPackage(other, mixed), "linux-image-6.1.0-10-amd64");
  assert.equal(pickDebianPackage("", ""), undefined);
  assert.equal(debianAbi("linux-image-6.1.0-56-amd64"), 56);
  assert.equal(debianAbi("linux-image-6.1.0-56-cloud-amd64"), undefined);
});

Deno.test("qemuArgs() boots one CPU, no reboot, the disks by serial", () => {
  const base = {
    qemu: "qemu-system-x86_64",
    kernel: "/k/vmlinuz",
    initrd: "/k/i.cpio",
    append: "console=ttyS0 quiet",
    drives: [
      { file: "/p/text,1.pages", serial: "zsbpages", readonly: true },
      { file: "/t/swap.img", serial: "zsbswap", readonly: false },
    ],
    memoryMb: 512,
    timeoutMs: 1000,
  };
  const tcg = qemuArgs({ ...base, accel: "tcg" });
  const at = (flag: string) => tcg[tcg.indexOf(flag) + 1];
  assert.equal(at("-accel"), "tcg");
  assert.equal(at("-cpu"), "max");
  assert.equal(at("-m"), "512M");
  assert.equal(at("-smp"), "1");
  assert.equal(at("-append"), "console=ttyS0 quiet");
  assert.ok(tcg.includes("-no-reboot") && tcg.includes("-nographic"));
  assert.ok(tcg.includes("file=/p/text,,1.pages,if=none,id=zsb0,format=raw,readonly=on"));
  assert.ok(tcg.includes("virtio-blk-pci,drive=zsb1,serial=zsbswap"));
  const kvm = qemuArgs({ ...base, accel: "kvm" });
  assert.equal(kvm[kvm.indexOf("-cpu") + 1], "host");
});
