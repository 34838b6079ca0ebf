import assert from "node:assert/strict";
import { FilePages, filesWorkload } from "../../workloads/files.ts";
import { collectOps, make, pageOf, sameBytes, tempDir } from "./_helpers.ts";

function fixture(): string {
  const dir = tempDir();
  Deno.mkdirSync(`${dir}/b/inner`, { recursive: true });
  // file a: 2.5 pages of 0x61; b/inner/c: 1 page of 0x63; b/z: 1 byte; empty: skipped
  Deno.writeFileSync(`${dir}/a.bin`, new Uint8Array(4096 * 2 + 2048).fill(0x61));
  Deno.writeFileSync(`${dir}/b/inner/c.bin`, new Uint8Array(4096).fill(0x63));
  Deno.writeFileSync(`${dir}/b/z.bin`, new Uint8Array([0x7a]));
  Deno.writeFileSync(`${dir}/empty`, new Uint8Array(0));
  Deno.symlinkSync(`${dir}/b`, `${dir}/b/loop`); // a link to a folder is not followed
  return dir;
}

Deno.test("FilePages walks folders in name order and cuts page-aligned chunks", () => {
  const dir = fixture();
  try {
    const pages = new FilePages([dir], 4096, 1);
    assert.deepEqual(pages.files.map((f) => f.slice(dir.length + 1)), [
      "a.bin",
      "b/inner/c.bin",
      "b/z.bin",
    ]);
    assert.equal(pages.chunks, 5);
    // every chunk exactly once over the first `chunks` page ids, tails padded with zeros
    const seen = [];
    for (let id = 0; id < 5; id++) {
      const page = new Uint8Array(4096).fill(0xee);
      pages.fill(id, page);
      seen.push(`${page[0]}:${page[2047]}:${page[2048]}:${page[4095]}`);
    }
    assert.deepEqual(
      seen.sort(),
      [
        "122:0:0:0", // b/z.bin: one byte then zeros
        "97:97:0:0", // the half page at the end of a.bin
        "97:97:97:97",
        "97:97:97:97",
        "99:99:99:99",
      ].sort(),
    );
    pages.close();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("filesWorkload caps pages at the chunk count and wraps page ids", async () => {
  const dir = fixture();
  try {
    const w = await make(filesWorkload, { paths: [dir] }, { pages: 100 });
    const ops = collectOps(w);
    assert.equal(ops.length, 10); // 5 stores, 5 loads
    assert.ok(sameBytes(pageOf(w, 7), pageOf(w, 2)));
    const other = await make(filesWorkload, { paths: [`${dir}/b`, `${dir}/a.bin`] }, { pages: 2 });
    assert.equal(collectOps(other).length, 4);
    w.close?.();
    other.close?.();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("filesWorkload names a missing path and refuses paths without data", async () => {
  const dir = tempDir();
  try {
    await assert.rejects(async () => await make(filesWorkload, { paths: [`${dir}/nope`] }), {
      name: "UsageError",
      message: `Path "${dir}/nope" in files.paths does not exist`,
    });
    await assert.rejects(async () => await make(filesWorkload, { paths: [dir] }), {
      name: "UsageError",
      message: /found no data in/,
    });
    await assert.rejects(async () => await make(filesWorkload, { paths: [] }), {
      name: "UsageError",
      message: /paths/,
    });
    await assert.rejects(async () => await make(filesWorkload, {}), {
      name: "UsageError",
      message: /paths/,
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
