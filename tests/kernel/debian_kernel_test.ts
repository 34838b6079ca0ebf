import assert from "node:assert/strict";
import {
  aptOptions,
  DEBIAN_SUITES,
  debianSourcesList,
  imageParts,
  pickDebianPackage,
  pickVersionPackage,
} from "../../kernel/debian_kernel.ts";

const NAMES = [
  "linux-image-5.10.0-31-amd64",
  "linux-image-5.10.0-32-amd64",
  "linux-image-5.10.0-32-rt-amd64",
  "linux-image-6.1.0-57-amd64",
  "linux-image-6.12.117+deb13-amd64",
  "linux-image-6.12.117+deb13-cloud-amd64",
  "linux-image-6.18.15+deb13-amd64",
  "linux-image-7.2.13+deb14-amd64",
  "linux-image-7.3.4+deb13-amd64",
  "linux-image-7.3.4+deb13-amd64-dbg",
  "linux-image-amd64",
].join("\n");

Deno.test("pickVersionPackage() takes the newest amd64 image of a version", () => {
  assert.equal(pickVersionPackage(NAMES, "5.10"), "linux-image-5.10.0-32-amd64");
  assert.equal(pickVersionPackage(NAMES, "6.1"), "linux-image-6.1.0-57-amd64");
  assert.equal(pickVersionPackage(NAMES, "6.12"), "linux-image-6.12.117+deb13-amd64");
  assert.equal(pickVersionPackage(NAMES, "6.18"), "linux-image-6.18.15+deb13-amd64");
  assert.equal(pickVersionPackage(NAMES, "7"), "linux-image-7.3.4+deb13-amd64");
  assert.equal(pickVersionPackage(NAMES, "7.3.4"), "linux-image-7.3.4+deb13-amd64");
  // 6.1 is not 6.12 or 6.18: versions compare by their numbers.
  assert.equal(pickVersionPackage(NAMES, "6.16"), undefined);
  assert.equal(pickDebianPackage("", NAMES), "linux-image-6.1.0-57-amd64");
});

Deno.test("imageParts() follows 7.x's split into binary, modules and base", () => {
  const show = "Package: linux-image-7.3.4+deb13-amd64\n" +
    "Depends: dracut | initramfs-tools (>= 0.120+deb8u2) | linux-initramfs-tool, " +
    "linux-base-7.3.4+deb13-amd64 (= 7.3.4-1~bpo13+1), linux-binary-7.3.4+deb13-amd64 " +
    "(= 7.3.4-1~bpo13+1), linux-modules-7.3.4+deb13-amd64 (= 7.3.4-1~bpo13+1)\n";
  assert.deepEqual(imageParts("linux-image-7.3.4+deb13-amd64", show), [
    "linux-binary-7.3.4+deb13-amd64",
    "linux-modules-7.3.4+deb13-amd64",
    "linux-base-7.3.4+deb13-amd64",
  ]);
  const old = "Package: linux-image-5.10.0-32-amd64\nDepends: kmod, linux-base (>= 4.3~)\n";
  assert.deepEqual(imageParts("linux-image-5.10.0-32-amd64", old), [
    "linux-image-5.10.0-32-amd64",
  ]);
});

Deno.test("the tool's apt never reads the system's sources or state", () => {
  const opts = aptOptions("/c/apt");
  assert.ok(opts.includes("Dir::Etc::sourcelist=/c/apt/sources.list"));
  assert.ok(opts.includes("Dir::Etc::sourceparts=-"));
  assert.ok(opts.includes("Dir::State::Lists=/c/apt/lists"));
  assert.ok(opts.includes("Dir::Cache=/c/apt/cache"));
  const list = debianSourcesList("/k.gpg").trim().split("\n");
  assert.equal(list.length, DEBIAN_SUITES.length);
  assert.equal(list[0], "deb [signed-by=/k.gpg] http://deb.debian.org/debian bullseye main");
  assert.ok(list.some((l) => l.endsWith(" sid main")));
});
