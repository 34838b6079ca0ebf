// Issue 9: every user mistake exits with status 2 and a few lines naming the problem, never a
// stack trace. Each case runs the CLI in a subprocess with the permissions of the `cli` task.
import assert from "node:assert/strict";

const ROOT = new URL("../../../", import.meta.url).pathname;
const CLI = `${ROOT}bench/cli.ts`;

/** The permission flags of the `cli` task in deno.json: what a user's command line has. */
async function taskFlags(): Promise<string[]> {
  const json = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`));
  const words = (json.tasks.cli as string).split(/\s+/);
  return words.slice(words.indexOf("run") + 1, words.indexOf("bench/cli.ts"));
}

interface Case {
  /** What the user did wrong. */
  name: string;
  /** Arguments after `bench/cli.ts`; `$D` is the fixture directory. */
  args: string[];
  /** What the message must say. */
  message: RegExp;
}

const CASES: Case[] = [
  {
    name: "unknown flag, with a suggestion",
    args: ["run", "--pgaes", "4"],
    message: /Unknown flag "--pgaes" for "run" \(did you mean --pages\?\)/,
  },
  {
    name: "unknown subcommand",
    args: ["rnu"],
    message: /Unknown subcommand "rnu" .*did you mean "run"\?/,
  },
  {
    name: "unknown allocator",
    args: ["run", "--allocators", "zsmaloc"],
    message: /Unknown allocator "zsmaloc" \(known: .*did you mean "zsmalloc"\?\)/,
  },
  {
    name: "unknown compressor",
    args: ["run", "--compressors", "lz5"],
    message: /Unknown compressor "lz5" .*did you mean "lz4"/,
  },
  {
    name: "unknown workload",
    args: ["run", "--workloads", "mixd"],
    message: /Unknown workload "mixd" .*did you mean "mixed"/,
  },
  {
    name: "unknown strategy",
    args: ["run", "--strategies", "percpu-bufer"],
    message: /Unknown strategy "percpu-bufer" .*did you mean "percpu-buffer"/,
  },
  {
    name: "unknown preset",
    args: ["run", "--presets", "6.9"],
    message: /Unknown preset "6\.9" \(known: 5\.10, /,
  },
  {
    name: "negative pages",
    args: ["run", "--pages", "-5"],
    message: /--pages: must be at least 1 \(got -5\)/,
  },
  {
    name: "pages not a number",
    args: ["run", "--pages", "abc"],
    message: /--pages: "abc" is not a number/,
  },
  {
    name: "absurd pages",
    args: ["run", "--pages", "1e12"],
    message: /--pages: must be at most 16777216 \(got 1000000000000\)/,
  },
  {
    name: "page size not supported",
    args: ["run", "--page-size", "3000"],
    message: /--page-size: must be 4096, 16384 or 65536 \(got 3000\)/,
  },
  {
    name: "seed not a number",
    args: ["run", "--seed", "x1"],
    message: /--seed: "x1" is not a number/,
  },
  {
    name: "repetitions zero",
    args: ["run", "--repetitions", "0"],
    message: /--repetitions: must be at least 1 \(got 0\)/,
  },
  {
    name: "filter not a regular expression",
    args: ["run", "--filter", "zbud("],
    message: /Filter "zbud\(" is not a valid regular expression/,
  },
  {
    name: "jobs zero",
    args: ["run", "--jobs", "0"],
    message: /--jobs: "0" is not a whole number from 1 to 64/,
  },
  {
    name: "negative cell timeout",
    args: ["run", "--cell-timeout", "-1"],
    message: /--cell-timeout: "-1" is not a number of seconds from 0/,
  },
  {
    name: "config file missing",
    args: ["run", "--config", "$D/none.json"],
    message: /Config file .*none\.json: cannot read it: no such file/,
  },
  {
    name: "config file unreadable (a directory)",
    args: ["run", "--config", "$D"],
    message: /Config file .*: cannot read it: .*(directory|Is a)/i,
  },
  {
    name: "config file malformed JSON, with line and column",
    args: ["run", "--config", "$D/malformed.json"],
    message: /Config file .*malformed\.json: invalid JSON at line 3, column 16: /,
  },
  {
    name: "config unknown key",
    args: ["run", "--config", "$D/unknown_key.json"],
    message: /Config file .*unknown_key\.json: unknown key "alocators"/,
  },
  {
    name: "config wrong type",
    args: ["run", "--config", "$D/wrong_type.json"],
    message: /repetitions: must be a number \(got "3"\)/,
  },
  {
    name: "config negative cpus",
    args: ["run", "--config", "$D/negative_cpus.json"],
    message: /params\.cpus: must be at least 1 \(got -2\)/,
  },
  {
    name: "config absurd tasks",
    args: ["run", "--config", "$D/absurd_tasks.json"],
    message: /params\.tasks: must be at most 256 \(got 100000\)/,
  },
  {
    name: "plugin module missing",
    args: ["run", "--plugin", "$D/none.ts"],
    message: /Plugin module .*none\.ts: import failed: Module not found/,
  },
  {
    name: "plugin module with a syntax error",
    args: ["run", "--plugin", "$D/syntax.ts"],
    message: /Plugin module .*syntax\.ts: import failed: .*(Expected|Unexpected|Syntax)/,
  },
  {
    name: "plugin module that throws on import",
    args: ["run", "--plugin", "./tests/fixtures/registry_plugin_throws.ts"],
    message: /import failed: fixture exploded on import/,
  },
  {
    name: "plugin failing the contract (missing field)",
    args: ["run", "--plugin", "./tests/fixtures/registry_plugin_bad.ts"],
    message: /allocator "foo": field "sleepMapped" must be a boolean \(got undefined\)/,
  },
  {
    name: "plugin asking for more than read access",
    args: ["run", "--plugin", "$D/greedy.ts"],
    message: /allocator "greedy": field "permissions" unknown key "write"/,
  },
  {
    name: "plugin named like a built-in",
    args: ["run", "--plugin", "$D/dup_zbud.ts"],
    message:
      /Two allocators are named "zbud": one from built-in, one from plugin module .*dup_zbud\.ts \(rename one of them\)/,
  },
  {
    name: "plugin options refused",
    args: ["run", "--quick", "--allocators", 'zsmalloc:{"chain":99}', "--out", "$D/out1"],
    message: /Invalid options for allocator "zsmalloc": chain: must be at most 16 \(got 99\)/,
  },
  {
    name: "shard past the count",
    args: ["run", "--shard", "3/2"],
    message: /Shard "3\/2" must be i\/n with 1 <= i <= n/,
  },
  { name: "shard not i/n", args: ["run", "--shard", "abc"], message: /Shard "abc" must be i\/n/ },
  {
    name: "resume of a directory without results",
    args: ["run", "--resume", "$D"],
    message: /results\.jsonl: cannot read it: no such file/,
  },
  {
    name: "compare with a missing file",
    args: ["compare", "$D/none_a.json", "$D/none_b.json"],
    message: /No such results folder or file ".*none_a\.json"/,
  },
  {
    name: "inspect of an unknown allocator",
    args: ["inspect", "zsmaloc"],
    message: /Unknown allocator "zsmaloc".*zsmalloc/,
  },
  {
    name: "compress with a missing page file",
    args: ["compress", "--compressor", "lz4", "--pages", "$D/none.pages"],
    message: /none\.pages.*(no such file|not found|does not exist)/i,
  },
  {
    name: "lengths workload with a malformed CSV, naming the line",
    args: [
      "run",
      "--quick",
      "--workloads",
      'lengths:{"path":"$D/bad_lengths.csv","column":"lz4"}',
      "--out",
      "$D/out2",
    ],
    message: /Lengths file ".*bad_lengths\.csv" line 3: /,
  },
  {
    name: "trace with a malformed line, naming the line",
    args: [
      "run",
      "--quick",
      "--workloads",
      'trace:{"path":"$D/bad_trace.jsonl"}',
      "--out",
      "$D/out3",
    ],
    message: /Trace ".*bad_trace\.jsonl" line 2: /,
  },
  {
    name: "page file whose size is not a multiple of the page size",
    args: ["run", "--quick", "--workloads", 'pagefile:{"path":"$D/odd.pages"}', "--out", "$D/out4"],
    message: /Page file ".*odd\.pages" .*5000 bytes.*4096/,
  },
  {
    name: "files workload with a missing path",
    args: ["run", "--quick", "--workloads", 'files:{"paths":["$D/nowhere"]}', "--out", "$D/out5"],
    message: /Path ".*nowhere" in files\.paths .*(no such|not found|does not exist)/i,
  },
];

async function makeFixtures(dir: string): Promise<void> {
  const w = (name: string, text: string) => Deno.writeTextFile(`${dir}/${name}`, text);
  await w("malformed.json", '{\n  "params": {\n    "pages": 1,,\n  }\n}\n');
  await w("unknown_key.json", '{ "alocators": ["zbud"] }\n');
  await w("wrong_type.json", '{ "repetitions": "3" }\n');
  await w("negative_cpus.json", '{ "params": { "cpus": -2 } }\n');
  await w("absurd_tasks.json", '{ "params": { "tasks": 100000 } }\n');
  await w("syntax.ts", "export default {,};\n");
  await w(
    "greedy.ts",
    'export default { kind: "allocator", name: "greedy", description: "x", sleepMapped: true,\n' +
      '  permissions: { read: ["/"], write: ["/"] }, create() { throw new Error("x"); } };\n',
  );
  await w(
    "dup_zbud.ts",
    'export default { kind: "allocator", name: "zbud", description: "x", sleepMapped: true,\n' +
      '  create() { throw new Error("x"); } };\n',
  );
  await w("bad_lengths.csv", "idx,lz4\n0,1200\n1,twelve\n");
  await w(
    "bad_trace.jsonl",
    '{"op":"store","offset":0,"page":0}\n{"op":"stor","offset":1,"page":1}\n',
  );
  await Deno.writeFile(`${dir}/odd.pages`, new Uint8Array(5000));
}

/** Run up to `limit` promises at a time. */
async function inBatches<T>(items: T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]);
  });
  await Promise.all(lanes);
}

Deno.test("cli: at least 20 bad inputs each exit 2 with a message naming the problem and no stack", async (t) => {
  assert.ok(CASES.length >= 20);
  const dir = await Deno.makeTempDir({ prefix: "zswapbench-bad-input-" });
  try {
    await makeFixtures(dir);
    const flags = await taskFlags();
    const outputs = new Map<Case, { code: number; stderr: string; stdout: string }>();
    await inBatches(CASES, 4, async (c) => {
      const args = c.args.map((a) => a.replaceAll("$D", dir));
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", ...flags, CLI, ...args],
        cwd: ROOT,
        stdout: "piped",
        stderr: "piped",
        // A user may well have RUST_BACKTRACE set: no backtrace must show anyway.
        env: { NO_COLOR: "1", RUST_BACKTRACE: "1", INIT_CWD: ROOT },
      }).output();
      const dec = new TextDecoder();
      outputs.set(c, {
        code: out.code,
        stdout: dec.decode(out.stdout),
        stderr: dec.decode(out.stderr),
      });
    });
    for (const c of CASES) {
      await t.step(c.name, () => {
        const r = outputs.get(c)!;
        const shown = `${c.args.join(" ")}\n${r.stderr}`;
        assert.equal(r.code, 2, shown);
        const lines = r.stderr.trim().split("\n");
        assert.ok(lines.length <= 3, `at most a few lines:\n${shown}`);
        assert.match(lines[0], /^zswapbench: /, shown);
        assert.match(r.stderr, c.message, shown);
        assert.doesNotMatch(
          r.stderr,
          /^\s+at |stack backtrace|RUST_BACKTRACE|internal error/im,
          shown,
        );
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: --debug adds the stack to a plugin-module error", async () => {
  const flags = await taskFlags();
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      ...flags,
      CLI,
      "run",
      "--plugin",
      "./tests/fixtures/registry_plugin_bad.ts",
      "--debug",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", INIT_CWD: ROOT },
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 2, stderr);
  assert.match(stderr, /^zswapbench: Plugin module/);
  assert.match(stderr, /^\s+at /m);
});
