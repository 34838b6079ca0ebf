/**
 * Where a doc quotes the tool's output or counts, the tool must still say so: the README's summary
 * table header, the cell count of its sweep example, the flags of `compare --help` in docs/cli.md.
 */
import assert from "node:assert/strict";
import { formatSummaryTable } from "../../bench/results/files.ts";
import { flagsToConfig } from "../../bench/cli/run.ts";
import { resolveConfig } from "../../bench/run/config.ts";
import { expandMatrix } from "../../bench/run/matrix.ts";
import { createDefaultRegistry } from "../../builtins/mod.ts";
import { createDefaultEngine } from "../../bench/run/default_engine.ts";
import { main as compareMain } from "../../bench/cli/compare.ts";

const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
const cliDoc = await Deno.readTextFile(new URL("../../docs/cli.md", import.meta.url));

Deno.test("README quotes the summary table's header as the run prints it", () => {
  const header = formatSummaryTable([]).split("\n")[0].split(/\s+/);
  const quoted = readme.split("\n").find((l) => l.startsWith("cell ") && l.includes("status"));
  assert.ok(quoted, "README has a summary table");
  assert.deepEqual(quoted!.trim().split(/\s+/), header);
});

Deno.test("README's sweep example has the number of cells it says", () => {
  const line = readme.split("\n").find((l) => l.includes("--pages 1024,4096,16384 --compressors"))!;
  const [, flags, count] = /deno task bench (.*?)\s+# (\d+) cells/.exec(line)!;
  const values: Record<string, string> = {};
  const parts = flags.split(/\s+/);
  for (let i = 0; i < parts.length; i += 2) values[parts[i].replace(/^--/, "")] = parts[i + 1];
  const config = resolveConfig(flagsToConfig(values));
  const cells = expandMatrix(config, {
    registry: createDefaultRegistry(),
    engine: createDefaultEngine(),
  });
  assert.equal(cells.length, Number(count));
});

Deno.test("docs/cli.md documents every flag of compare --help", async () => {
  let help = "";
  const log = console.log;
  console.log = (...a: unknown[]) => void (help += a.join(" "));
  try {
    await compareMain(["--help"]);
  } finally {
    console.log = log;
  }
  const section = cliDoc.slice(cliDoc.indexOf("## compare"), cliDoc.indexOf("## report"));
  for (const flag of new Set(help.match(/--[a-z-]+/g) ?? [])) {
    if (flag === "--help") continue;
    assert.ok(section.includes(`\`${flag}`), `${flag} is not in docs/cli.md's compare section`);
  }
});
