import assert from "node:assert/strict";
import { hash32, mix32, Permutation, Rng, seed32, unit } from "../../workloads/_random.ts";

Deno.test("mix32() and hash32() are deterministic 32-bit hashes", () => {
  assert.equal(mix32(12345), mix32(12345));
  assert.notEqual(mix32(1), mix32(2));
  const h = hash32(7, 1, 2 ** 40 + 3);
  assert.ok(h >= 0 && h < 2 ** 32 && Number.isInteger(h));
  // the high part of a large id counts
  assert.notEqual(hash32(7, 1, 3), hash32(7, 1, 2 ** 40 + 3));
  assert.notEqual(hash32(7, 1, 3), hash32(7, 2, 3));
});

Deno.test("seed32() separates seeds that differ anywhere", () => {
  const seeds = [0, 1, -1, 2 ** 32, 2 ** 32 + 1, 0.5, 1.5, 2 ** 50];
  assert.equal(new Set(seeds.map(seed32)).size, seeds.length);
  assert.throws(() => seed32(NaN), RangeError);
});

Deno.test("Rng.reseed() restarts the same stream and floats stay in [0, 1)", () => {
  const rng = new Rng(1, 2, 3);
  const first = Array.from({ length: 8 }, () => rng.nextU32());
  rng.reseed(1, 2, 3);
  assert.deepEqual(Array.from({ length: 8 }, () => rng.nextU32()), first);
  rng.reseed(1, 2, 4);
  assert.notDeepEqual(Array.from({ length: 8 }, () => rng.nextU32()), first);
  let sum = 0;
  for (let i = 0; i < 10000; i++) {
    const f = rng.nextFloat();
    assert.ok(f >= 0 && f < 1);
    sum += f;
    assert.ok(rng.below(7) < 7);
  }
  assert.ok(Math.abs(sum / 10000 - 0.5) < 0.02);
  assert.ok(unit(0xffffffff) < 1);
});

Deno.test("Permutation.at() is a bijection of [0, size)", async (t) => {
  for (const size of [1, 2, 3, 5, 31, 32, 33, 100, 1000, 4097, 65536]) {
    await t.step(`size ${size}`, () => {
      const p = new Permutation(size, 99);
      const seen = new Uint8Array(size);
      for (let i = 0; i < size; i++) {
        const x = p.at(i);
        assert.ok(x >= 0 && x < size);
        assert.equal(seen[x], 0, `${x} twice`);
        seen[x] = 1;
      }
    });
  }
  assert.throws(() => new Permutation(0, 1), RangeError);
});

Deno.test("Permutation.at() looks shuffled and depends on the key", () => {
  const n = 10000;
  const p = new Permutation(n, 1);
  const q = new Permutation(n, 2);
  let fixed = 0, same = 0, ascending = 0;
  for (let i = 0; i < n; i++) {
    if (p.at(i) === i) fixed++;
    if (p.at(i) === q.at(i)) same++;
    if (i > 0 && p.at(i) > p.at(i - 1)) ascending++;
  }
  assert.ok(fixed < 10, `${fixed} fixed points`);
  assert.ok(same < 10, `${same} agreements between keys`);
  // a random order rises about half the time
  assert.ok(Math.abs(ascending / n - 0.5) < 0.03, `${ascending} rises`);
});
