import assert from "node:assert/strict";
import { lz4Compressor } from "../../compressors/lz4.ts";
import { builtinCompressors, offloadCompressor } from "../../compressors/mod.ts";
import { createOffloadCompressor } from "../../compressors/offload.ts";
import type { Compressor, CompressorPlugin } from "../../registry/types.ts";

function textPage(seed: number): Uint8Array {
  const words = ["zswap", "pool", "zsmalloc", "handle", "page", "mutex", "offload", "lz4"];
  const page = new Uint8Array(4096);
  let x = seed || 1;
  let at = 0;
  while (at < page.length) {
    x = (x * 1103515245 + 12345) >>> 0;
    for (const ch of words[x % words.length] + " ") {
      if (at < page.length) page[at++] = ch.charCodeAt(0);
    }
  }
  return page;
}

function randomPage(seed: number): Uint8Array {
  const page = new Uint8Array(4096);
  let x = seed || 1;
  for (let i = 0; i < page.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    page[i] = x & 0xff;
  }
  return page;
}

Deno.test("offloadCompressor is an asynchronous plugin", () => {
  assert.equal(offloadCompressor.kind, "compressor");
  assert.equal(offloadCompressor.name, "offload");
  assert.equal(offloadCompressor.async, true);
});

Deno.test("offloadCompressor runs a built-in codec in a Worker, byte for byte", async () => {
  const codec = await offloadCompressor.create({ codec: "lz4", worker: true });
  const direct = lz4Compressor.create({}) as Compressor;
  try {
    for (let seed = 1; seed <= 4; seed++) {
      const page = textPage(seed);
      const dst = new Uint8Array(4096);
      const pending = codec.compress(page, dst);
      assert.ok(pending instanceof Promise, "calls complete later");
      const n = await pending;
      const ref = new Uint8Array(4096);
      const m = direct.compress(page, ref) as number;
      assert.equal(n, m);
      assert.deepEqual(dst.subarray(0, n), ref.subarray(0, m));
      const back = new Uint8Array(4096);
      assert.equal(await codec.decompress(dst.subarray(0, n), back), 4096);
      assert.deepEqual(back, page);
    }
  } finally {
    await codec.close?.();
  }
});

Deno.test("offloadCompressor serves concurrent requests in order", async () => {
  const codec = await offloadCompressor.create({ codec: "none", worker: true });
  try {
    const pages = [...Array(16).keys()].map((i) => textPage(i + 1));
    const dsts = pages.map(() => new Uint8Array(4096));
    const lengths = await Promise.all(pages.map((p, i) => codec.compress(p, dsts[i])));
    assert.deepEqual(lengths, pages.map(() => 4096));
    for (let i = 0; i < pages.length; i++) assert.deepEqual(dsts[i], pages[i]);
  } finally {
    await codec.close?.();
  }
});

Deno.test("offloadCompressor passes codec errors back as CompressError", async () => {
  const codec = await offloadCompressor.create({ codec: "lz4" });
  try {
    await assert.rejects(
      async () => await codec.compress(randomPage(9), new Uint8Array(64)),
      { name: "CompressError", code: "ENOSPC" },
    );
    await assert.rejects(
      async () => await codec.decompress(new Uint8Array([0xff, 1, 2]), new Uint8Array(4096)),
      { name: "CompressError", code: "EINVAL" },
    );
    // The engine keeps working after an error.
    const dst = new Uint8Array(4096);
    assert.ok((await codec.compress(textPage(3), dst)) > 0);
  } finally {
    await codec.close?.();
  }
});

Deno.test("offloadCompressor rejects bad options", async (t) => {
  await t.step("unknown key", async () => {
    await assert.rejects(async () => await offloadCompressor.create({ speed: 1 }), {
      name: "UsageError",
      message: /Invalid options for compressor "offload".*known: codec, codec_options, latency_us/,
    });
  });
  await t.step("negative latency", async () => {
    await assert.rejects(async () => await offloadCompressor.create({ latency_us: -1 }), {
      name: "UsageError",
    });
  });
  await t.step("unknown codec", async () => {
    await assert.rejects(async () => await offloadCompressor.create({ codec: "lz5" }), {
      name: "UsageError",
      message: /Unknown codec "lz5" for compressor "offload" \(known: lz4, /,
    });
  });
  await t.step("itself", async () => {
    await assert.rejects(async () => await offloadCompressor.create({ codec: "offload" }), {
      name: "UsageError",
    });
  });
  await t.step("bad codec options fail in create(), and the Worker is gone", async () => {
    await assert.rejects(
      async () =>
        await offloadCompressor.create({ codec: "lz4", codec_options: { acceleration: 0 } }),
      { name: "UsageError", message: /Invalid options for compressor "lz4"/ },
    );
  });
});

Deno.test("offloadCompressor close() ends the Worker and refuses later calls", async () => {
  const codec = await offloadCompressor.create({ codec: "lz4", latency_us: 1000, worker: true });
  const pending = codec.compress(textPage(1), new Uint8Array(4096));
  await codec.close?.();
  await assert.rejects(async () => await pending, /closed/);
  await assert.rejects(
    async () => await codec.compress(textPage(1), new Uint8Array(4096)),
    /closed/,
  );
  await codec.close?.(); // idempotent
});

Deno.test("offloadCompressor holds answers back by latency_us", async () => {
  const codec = await offloadCompressor.create({ codec: "none", latency_us: 5000, worker: true });
  try {
    let done = false;
    const p = Promise.resolve(codec.compress(textPage(2), new Uint8Array(4096))).then((n) => {
      done = true;
      return n;
    });
    await null;
    assert.equal(done, false);
    assert.equal(await p, 4096);
  } finally {
    await codec.close?.();
  }
});

Deno.test("offloadCompressor runs a codec from the resolver in this thread, still asynchronously", async () => {
  let created = 0;
  const custom: CompressorPlugin = {
    kind: "compressor",
    name: "custom",
    description: "test",
    async: false,
    create(): Compressor {
      created++;
      return lz4Compressor.create({}) as Compressor;
    },
  };
  const offload = createOffloadCompressor(
    builtinCompressors,
    (name) => (name === "custom" ? custom : undefined),
  );
  {
    const codec = await offload.create({ codec: "custom", worker: true });
    assert.equal(created, 1);
    const page = textPage(5);
    const dst = new Uint8Array(4096);
    const pending = codec.compress(page, dst);
    assert.ok(pending instanceof Promise);
    const n = await pending;
    const back = new Uint8Array(4096);
    assert.equal(await codec.decompress(dst.subarray(0, n), back), 4096);
    assert.deepEqual(back, page);
    await codec.close?.();
    await assert.rejects(async () => await offload.create({ codec: "lz4" }), {
      name: "UsageError",
    });
    // The lookup belongs to that plugin: the package's offload still finds only the built-ins.
    await assert.rejects(async () => await offloadCompressor.create({ codec: "custom" }), {
      name: "UsageError",
    });
  }
});
