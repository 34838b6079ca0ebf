import assert from "node:assert/strict";
import { anonymousMappings, capture, main } from "../../../bench/cli/capture.ts";
import { pagefileWorkload } from "../../../workloads/pagefile.ts";

const CLI = new URL("../../../bench/cli.ts", import.meta.url).pathname;
/** Linux pids stay below pid_max, at most 2^22, so this one never exists. */
const NO_SUCH_PID = 4194304;

/** Deno reads /proc only with --allow-all: in-process captures run only then. */
function procReadable(): boolean {
  try {
    Deno.readTextFileSync("/proc/self/maps");
    return true;
  } catch {
    return false;
  }
}

const MAPS = `55d0c0a00000-55d0c0a02000 r--p 00000000 fe:00 260386 /usr/bin/head
55d0c0a05000-55d0c0a06000 rw-p 0000b000 fe:00 260386 /usr/bin/head
55d0c1000000-55d0c1021000 rw-p 00000000 00:00 0 [heap]
7f0000000000-7f0000004000 rw-p 00000000 00:00 0
7f0000004000-7f0000008000 ---p 00000000 00:00 0
7f0000008000-7f0000009000 rw-s 00000000 00:01 1234 /dev/zero (deleted)
7f000000a000-7f000000b000 rw-p 00000000 00:00 0 [anon:v8]
7f1000000000-7f1000004000 r--p 00000000 00:00 0 [vvar]
7f1000004000-7f1000006000 r-xp 00000000 00:00 0 [vdso]
7ffc00000000-7ffc00021000 rw-p 00000000 00:00 0 [stack]
ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0 [vsyscall]`;

Deno.test("anonymousMappings() keeps readable private anonymous mappings only", () => {
  const kept = anonymousMappings(MAPS);
  assert.deepEqual(kept.map((m) => m.name), ["[heap]", "", "[anon:v8]", "[stack]"]);
  assert.equal(kept[0].end - kept[0].start, 0x21000);
});

/** A child that fills 4 MiB with 0x5a, says "ready" and sleeps; killed by `stop()`. */
async function markedChild(): Promise<{ pid: number; stop: () => Promise<void> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      "globalThis.keep = new Uint8Array(4 << 20).fill(0x5a);" +
      "console.log('ready'); setTimeout(() => {}, 60000);",
    ],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  assert.equal(new TextDecoder().decode(value).trim(), "ready");
  return {
    pid: child.pid,
    stop: async () => {
      await reader.cancel();
      child.kill();
      await child.status;
    },
  };
}

/** `deno run -A bench/cli.ts capture ...`: exit code and output. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, "capture", ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

/** Whole pages of 0x5a in a page file. */
function markerPages(data: Uint8Array, pageSize: number): number {
  let marked = 0;
  for (let at = 0; at + pageSize <= data.length; at += pageSize) {
    const page = data.subarray(at, at + pageSize);
    if (page[0] === 0x5a && page.every((b) => b === 0x5a)) marked++;
  }
  return marked;
}

Deno.test("cli capture writes a child's anonymous memory and its metadata", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "zswapbench-capture-" });
  const child = await markedChild();
  try {
    const out = `${dir}/child.pages`;
    const run = await cli(["--pid", String(child.pid), "--out", out]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^Captured \d+ pages of \d+ bytes from process \d+/);
    assert.match(run.stdout, /private data/);
    const meta = JSON.parse(Deno.readTextFileSync(`${out}.json`));
    assert.equal(meta.format, "zswapbench-pages");
    assert.equal(meta.pid, child.pid);
    assert.ok(typeof meta.process === "string" && meta.process.length > 0);
    assert.ok(!Number.isNaN(Date.parse(meta.time)));
    assert.ok(meta.residentOnly && !meta.truncated);
    assert.equal(typeof meta.unreadablePages, "number");
    assert.match(meta.warning, /Private data/);
    assert.equal(Deno.statSync(out).size, meta.pages * meta.pageSize);
    // the marker buffer: 4 MiB of 0x5a, at least 1023 whole pages (it need not be aligned)
    const marked = markerPages(Deno.readFileSync(out), meta.pageSize);
    assert.ok(marked >= 1023, `${marked} marker pages`);
    // the page file replays
    const w = await pagefileWorkload.create({
      pageSize: meta.pageSize,
      seed: 1,
      pages: 10,
      options: { path: out },
    });
    w.close?.();
    // --max-pages cuts it short
    const short = await cli([
      "--pid",
      String(child.pid),
      "--out",
      `${dir}/s.pages`,
      "--max-pages",
      "10",
    ]);
    assert.equal(short.code, 0, short.stderr);
    const shortMeta = JSON.parse(Deno.readTextFileSync(`${dir}/s.pages.json`));
    assert.equal(shortMeta.pages, 10);
    assert.ok(shortMeta.truncated);
    assert.equal(Deno.statSync(`${dir}/s.pages`).size, 10 * shortMeta.pageSize);
  } finally {
    await child.stop();
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("cli capture reports a missing process in one line, exit 2", async () => {
  const run = await cli(["--pid", String(NO_SUCH_PID), "--out", "/nonexistent/x.pages"]);
  assert.equal(run.code, 2);
  assert.equal(run.stderr.trim(), `zswapbench: No process with pid ${NO_SUCH_PID}`);
});

Deno.test({
  name: "capture() reads this process in-process (needs --allow-all)",
  ignore: !procReadable(),
  fn: () => {
    const dir = Deno.makeTempDirSync({ prefix: "zswapbench-capture-" });
    try {
      const meta = capture({ pid: Deno.pid, out: `${dir}/self.pages`, maxPages: 50 });
      assert.equal(meta.pages, 50);
      assert.equal(Deno.statSync(`${dir}/self.pages`).size, 50 * meta.pageSize);
      assert.deepEqual(JSON.parse(Deno.readTextFileSync(`${dir}/self.pages.json`)), meta);
      assert.throws(() => capture({ pid: NO_SUCH_PID, out: `${dir}/x.pages` }), {
        name: "UsageError",
        message: `No process with pid ${NO_SUCH_PID}`,
      });
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  },
});

Deno.test("main() reports flag mistakes as UsageError", async (t) => {
  const cases: [string[], RegExp][] = [
    [["--out", "x.pages"], /^Missing --pid/],
    [["--pid", "1"], /^Missing --out/],
    [["--pid", "abc", "--out", "x"], /^--pid "abc" is not a process id/],
    [
      ["--pid", "1", "--out", "x", "--max-pages", "0"],
      /^--max-pages "0" is not a positive integer/,
    ],
    [["--pdi", "1"], /^Unknown flag "--pdi"/],
  ];
  for (const [args, message] of cases) {
    await t.step(args.join(" "), async () => {
      await assert.rejects(async () => await main(args), { name: "UsageError", message });
    });
  }
});
