import assert from "node:assert/strict";
import { elfSection, isStaticElf, modinfo } from "../../kernel/_elf.ts";
import { moduleName, ModuleTree } from "../../kernel/modules.ts";
import { fakeElf } from "./_elf_fixture.ts";

Deno.test("moduleName() strips .ko* and reads - as _", async (t) => {
  const cases: [string, string | undefined][] = [
    ["kernel/mm/zsmalloc.ko", "zsmalloc"],
    ["kernel/crypto/lzo-rle.ko", "lzo_rle"],
    ["lz4_compress.ko.xz", "lz4_compress"],
    ["zstd.ko.zst", "zstd"],
    ["x.ko.gz", "x"],
    ["modules.dep", undefined],
  ];
  for (const [file, want] of cases) await t.step(file, () => assert.equal(moduleName(file), want));
});

Deno.test("modinfo() reads the .modinfo strings; isStaticElf() looks for PT_INTERP", () => {
  const ko = fakeElf({ modinfo: ["license=GPL", "depends=lz4_compress,xxhash", "name=lz4"] });
  assert.deepEqual(modinfo(ko), [["license", "GPL"], ["depends", "lz4_compress,xxhash"], [
    "name",
    "lz4",
  ]]);
  assert.equal(elfSection(ko, ".nope"), undefined);
  assert.equal(isStaticElf(ko), true);
  assert.equal(isStaticElf(fakeElf({ interp: true })), false);
  assert.equal(isStaticElf(new TextEncoder().encode("#!/bin/sh\n")), false);
  assert.deepEqual(modinfo(new Uint8Array(10)), []);
});

async function fakeTree(builtin: string[] | undefined): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "zsb-modtree-" });
  const dir = `${root}/6.1.0-test`;
  const put = async (path: string, deps: string) => {
    const full = `${dir}/kernel/${path}`;
    await Deno.mkdir(full.slice(0, full.lastIndexOf("/")), { recursive: true });
    await Deno.writeFile(full, fakeElf({ modinfo: [`depends=${deps}`] }));
  };
  await put("crypto/lz4.ko", "lz4_compress");
  await put("lib/lz4/lz4_compress.ko", "");
  await put("drivers/virtio/virtio.ko", "virtio_ring");
  await put("drivers/virtio/virtio_ring.ko", "");
  await put("drivers/block/virtio_blk.ko", "virtio,virtio_ring");
  await put("mm/zsmalloc.ko", "");
  await put("crypto/lzo-rle.ko", "");
  if (builtin) {
    await Deno.writeTextFile(
      `${dir}/modules.builtin`,
      builtin.map((b) => `kernel/${b}.ko`).join("\n") + "\n",
    );
  }
  return root;
}

Deno.test("ModuleTree.resolve() orders dependencies first and leaves built-ins out", async () => {
  const root = await fakeTree(["mm/zbud", "crypto/lzo"]);
  try {
    // Given the parent of the version directory: the one version inside is used.
    const tree = await ModuleTree.open(root);
    const order = await tree.resolve(["virtio_blk", "zbud", "zsmalloc", "lz4", "lzo", "lzo-rle"]);
    assert.deepEqual(order.map((m) => m.name), [
      "virtio_ring",
      "virtio",
      "virtio_blk",
      "zsmalloc",
      "lz4_compress",
      "lz4",
      "lzo_rle",
    ]);
    assert.ok(order[0].path.endsWith("kernel/drivers/virtio/virtio_ring.ko"));
    assert.equal(tree.isBuiltin("zbud"), true);
    assert.equal(tree.isBuiltin("lz4"), false);
    await assert.rejects(() => tree.resolve(["z3fold"]), {
      name: "UsageError",
      message: /Kernel module "z3fold" is neither built in nor under/,
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("ModuleTree without modules.builtin takes a module with no file as built in", async () => {
  const root = await fakeTree(undefined);
  try {
    const tree = await ModuleTree.open(`${root}/6.1.0-test`);
    assert.equal(tree.builtin, undefined);
    assert.deepEqual((await tree.resolve(["zbud", "zsmalloc"])).map((m) => m.name), ["zsmalloc"]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("ModuleTree.open() refuses a directory that does not exist", async () => {
  await assert.rejects(() => ModuleTree.open("/nonexistent/zsb-modules"), {
    name: "UsageError",
    message: /does not exist/,
  });
});
