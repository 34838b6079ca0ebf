import assert from "node:assert/strict";
import { join, relative } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const SKIP = new Set([".git", "node_modules", "results", "oracle"]);

/** Every .ts file of the repository, relative to its root. */
function* sourceFiles(dir: string): Generator<string> {
  for (const entry of Deno.readDirSync(dir)) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (entry.name.endsWith(".ts")) yield relative(ROOT, path);
  }
}

Deno.test("no source file or doc example asserts through the console (it prints and passes on false)", () => {
  // The needle is split so this file does not match itself.
  const needle = "console" + ".assert(";
  const offenders = [...sourceFiles(ROOT)].filter((file) =>
    Deno.readTextFileSync(join(ROOT, file)).includes(needle)
  );
  assert.deepEqual(offenders, []);
});
