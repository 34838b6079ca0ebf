/**
 * CLI safety nets found in review: merge never overwrites an input or an existing run, compare of
 * runs with no cell in common cannot pass a --fail-on-regression gate, --debug is accepted by every
 * subcommand.
 */
import assert from "node:assert/strict";
import { runCli } from "../_cli.ts";

async function quickRun(out: string, ...extra: string[]): Promise<void> {
  const r = await runCli(
    "run",
    "--quick",
    "--quiet",
    "--allocators",
    "zbud",
    "--compressors",
    "lz4",
    "--presets",
    "latest",
    "--pages",
    "32",
    "--out",
    out,
    ...extra,
  );
  assert.equal(r.code, 0, r.stderr);
}

Deno.test("cli merge refuses an --out that is an input (however spelled) or already holds a run", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await quickRun(`${dir}/a`);
    const same = await runCli("merge", `${dir}/a`, "--out", `${dir}/a/`);
    assert.equal(same.code, 2);
    assert.match(same.stderr, /is also an input/);
    await quickRun(`${dir}/b`, "--seed", "2");
    const busy = await runCli("merge", `${dir}/a`, "--out", `${dir}/b`);
    assert.equal(busy.code, 2);
    assert.match(busy.stderr, /already holds a run .*--force/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli compare of runs with no cell in common fails a --fail-on-regression gate", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await quickRun(`${dir}/a`);
    await quickRun(`${dir}/b`, "--seed", "2");
    const plain = await runCli("compare", `${dir}/a`, `${dir}/b`);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stderr, /share no cell/);
    const gate = await runCli("compare", `${dir}/a`, `${dir}/b`, "--fail-on-regression", "--debug");
    assert.equal(gate.code, 1, gate.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli accepts --debug with every subcommand", async () => {
  for (const sub of ["inspect", "compress", "report", "compare", "merge", "kernel-check"]) {
    const r = await runCli(sub, "--help", "--debug");
    assert.equal(r.code, 0, `${sub}: ${r.stderr}`);
  }
});
