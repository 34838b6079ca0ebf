import assert from "node:assert/strict";
import { pagefileWorkload } from "../../workloads/pagefile.ts";
import { collectOps, make, oracle, pageOf, sameBytes, tempDir } from "./_helpers.ts";

Deno.test("pagefileWorkload replays the pages of the file in order", async () => {
  const path = oracle("text.pages");
  const data = Deno.readFileSync(path);
  const w = await make(pagefileWorkload, { path }, { pages: 100_000 });
  // `pages` caps the count at the file's 1024 pages
  assert.equal(collectOps(w).filter(([op]) => op === "store").length, 1024);
  for (const id of [0, 1, 511, 1023]) {
    assert.ok(sameBytes(pageOf(w, id), data.subarray(id * 4096, (id + 1) * 4096)), `page ${id}`);
  }
  // ids past the end wrap
  assert.ok(sameBytes(pageOf(w, 1024 + 5), data.subarray(5 * 4096, 6 * 4096)));
  w.close?.();
  const few = await make(pagefileWorkload, { path, pattern: "random", ops: 10 }, { pages: 16 });
  assert.equal(collectOps(few).length, 26);
  few.close?.();
});

Deno.test("pagefileWorkload names the file, its size and the partial page's offset", async () => {
  const dir = tempDir();
  try {
    const path = `${dir}/odd.pages`;
    Deno.writeFileSync(path, new Uint8Array(4096 * 2 + 100));
    await assert.rejects(async () => await make(pagefileWorkload, { path }), {
      name: "UsageError",
      message:
        `Page file "${path}" is 8292 bytes, not a multiple of the page size 4096: 100 bytes are left over at offset 8192 (check the page size, or cut the file to whole pages)`,
    });
    const empty = `${dir}/empty.pages`;
    Deno.writeFileSync(empty, new Uint8Array(0));
    await assert.rejects(async () => await make(pagefileWorkload, { path: empty }), {
      name: "UsageError",
      message: `Page file "${empty}" is empty`,
    });
    await assert.rejects(async () => await make(pagefileWorkload, { path: `${dir}/none` }), {
      name: "UsageError",
      message: `Page file "${dir}/none" does not exist`,
    });
    await assert.rejects(async () => await make(pagefileWorkload, { path: dir }), {
      name: "UsageError",
      message: /is not a regular file/,
    });
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("pagefileWorkload checks the page size in capture's metadata", async () => {
  const dir = tempDir();
  try {
    const path = `${dir}/cap.pages`;
    Deno.writeFileSync(path, new Uint8Array(16384 * 2));
    Deno.writeTextFileSync(`${path}.json`, JSON.stringify({ pageSize: 16384 }));
    await assert.rejects(async () => await make(pagefileWorkload, { path }), {
      name: "UsageError",
      message: /holds 16384-byte pages .* but the page size is 4096/,
    });
    const w = await make(pagefileWorkload, { path }, { pageSize: 16384 });
    assert.equal(collectOps(w).length, 4);
    w.close?.();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
