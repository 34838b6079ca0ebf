// Seeded fuzzing of the config path a user's file takes: JSON text -> parseJsonOrThrow ->
// checkConfig/resolveConfig -> expandMatrix. Every mutation of a valid config must either give a
// config that expands, or a user error (exit status 2) of one line, never anything else.
import assert from "node:assert/strict";
import { parseJsonOrThrow } from "../../../bench/results/json.ts";
import { resolveConfig, ResolvedConfigSchema } from "../../../bench/run/config.ts";
import { createDefaultEngine } from "../../../bench/run/default_engine.ts";
import { expandMatrix } from "../../../bench/run/matrix.ts";
import { createDefaultRegistry } from "../../../builtins/mod.ts";

/** mulberry32: a small seeded generator (the seed is in each test). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VALID = {
  $schema: "./zswapbench.schema.json",
  allocators: ["zbud", { name: "zsmalloc", options: { chain: 8 } }],
  compressors: ["lz4", { name: "zstd", options: { level: 3 } }],
  workloads: ["mixed"],
  strategies: [],
  presets: ["6.1", "latest"],
  params: {
    pages: [256, 1024],
    seed: 1,
    cpus: [1, 2],
    tasks: 2,
    pageSize: 4096,
    totalRamMiB: 1024,
    maxPoolPercent: 20,
    acceptThresholdPercent: 90,
    bounceFailRate: 0,
    strict: false,
  },
  repetitions: 3,
  warmup: 1,
  plugins: [],
  filter: "zbud|zsmalloc",
};

/** Values a careless edit might leave anywhere. */
const ODD_VALUES: unknown[] = [
  -1,
  0,
  0.5,
  1e12,
  -1e308,
  "",
  "abc",
  "4096",
  null,
  true,
  [],
  [-3],
  {},
  { name: "zbud", extra: 1 },
  "zsmaloc",
  "lz5",
  "(",
  [1, "2"],
  2 ** 53,
];
const ODD_KEYS = ["alocators", "page_size", "pages", "__proto__", "constructor", "", "options"];

/** A random path into a JSON value, as keys and indices. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  }
  return out;
}

function mutateValue(input: unknown, rand: () => number): unknown {
  const root = structuredClone(input) as Record<string, unknown>;
  const all = paths(root).filter((p) => p.length > 0);
  const path = all[Math.floor(rand() * all.length)];
  let parent: Record<string | number, unknown> = root;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  const pick = rand();
  if (pick < 0.6) parent[last] = ODD_VALUES[Math.floor(rand() * ODD_VALUES.length)];
  else if (pick < 0.8) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (!Array.isArray(parent)) {
    parent[ODD_KEYS[Math.floor(rand() * ODD_KEYS.length)]] = ODD_VALUES[
      Math.floor(rand() * ODD_VALUES.length)
    ];
  }
  return root;
}

function mutateText(text: string, rand: () => number): string {
  const chars = [..."{}[],:\"'0123456789-.eE \n\tntfalsu\\"];
  let out = text;
  const edits = 1 + Math.floor(rand() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(rand() * (out.length + 1));
    const pick = rand();
    const ch = chars[Math.floor(rand() * chars.length)];
    if (pick < 0.4) out = out.slice(0, at) + out.slice(at + 1);
    else if (pick < 0.8) out = out.slice(0, at) + ch + out.slice(at);
    else out = out.slice(0, at) + ch + out.slice(at + 1);
  }
  return out;
}

const registry = createDefaultRegistry();
const engine = createDefaultEngine();
const USER_ERRORS = new Set(["UsageError", "ConfigError", "RegistryError"]);

/** The config path of `run --config`: a user error or a config that expands. */
function check(text: string, label: string): "ok" | "user error" {
  try {
    const value = parseJsonOrThrow(text, "Config file fuzz.json");
    const config = resolveConfig(value, { source: "Config file fuzz.json" });
    assert.ok(ResolvedConfigSchema.safeParse(config).success, `resolved config invalid: ${label}`);
    expandMatrix(config, { registry, engine });
    return "ok";
  } catch (err) {
    const e = err as Error;
    assert.ok(USER_ERRORS.has(e.name), `${label}\n${text}\nthrew ${e.name}: ${e.message}`);
    assert.ok(!e.message.includes("\n"), `one line: ${e.message}`);
    assert.ok(e.message.length < 600, `short: ${e.message}`);
    assert.doesNotMatch(e.message, /\[object Object\]|undefined:/, e.message);
    return "user error";
  }
}

Deno.test("config: 3000 seeded value mutations give a valid config or one-line user error", () => {
  const rand = prng(0x00c0ff1e);
  const tally = { ok: 0, "user error": 0 };
  assert.equal(check(JSON.stringify(VALID), "valid"), "ok");
  for (let i = 0; i < 3000; i++) {
    let value: unknown = VALID;
    const depth = 1 + Math.floor(rand() * 3);
    for (let d = 0; d < depth; d++) value = mutateValue(value, rand);
    tally[check(JSON.stringify(value), `mutation ${i}`)]++;
  }
  // Both outcomes happen: the mutations are neither all harmless nor all fatal.
  assert.ok(tally.ok > 100 && tally["user error"] > 1000, JSON.stringify(tally));
});

Deno.test("config: 3000 seeded text mutations give a valid config or one-line user error", () => {
  const rand = prng(0x7e47);
  const text = JSON.stringify(VALID, null, 2);
  let located = 0;
  for (let i = 0; i < 3000; i++) {
    const mutated = mutateText(text, rand);
    try {
      JSON.parse(mutated);
    } catch {
      // Malformed JSON: the message must say where.
      try {
        parseJsonOrThrow(mutated, "Config file fuzz.json");
        assert.fail("parseJsonOrThrow accepted what JSON.parse refused");
      } catch (err) {
        assert.match((err as Error).message, /invalid JSON at line \d+, column \d+: /);
        located++;
      }
    }
    check(mutated, `text mutation ${i}`);
  }
  assert.ok(located > 1000, `${located} malformed texts`);
});
