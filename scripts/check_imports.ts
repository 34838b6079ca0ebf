/**
 * The dependency rule of docs/DESIGN.md, checked: every source folder has a layer, and a module may
 * import only from its own folder or from a folder of a lower layer. Two folders of the same layer
 * (allocators/ and compressors/) may not import each other, so no two folders can form a cycle.
 * `deno task check` runs it; it prints each import that points up (or sideways) and exits 1.
 *
 * Static imports, re-exports and dynamic `import("…")` with a relative specifier count; comment
 * lines (JSDoc examples included) do not.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importViolations } from "./check_imports.ts";
 * const files = new Map([["registry/types.ts", 'import { UsageError } from "../bench/cli/args.ts";']]);
 * assert.equal(importViolations(files).length, 1);
 * ```
 *
 * @module
 */

import { posix } from "node:path";

/**
 * The layers, lowest first. A folder may import the folders of the layers before its own; the
 * longest matching prefix names a file's folder. Files outside every folder listed here (mod.ts,
 * tests/, examples/, scripts/) sit above them all.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["registry"], // contracts, errors, option parsing, the Registry
  ["allocators", "compressors"], // plugin folders that need only the contracts
  ["workloads"], // plugins; `lengths` encodes pages for the `lengths` pseudo-compressor
  ["zswap"], // the frontend: contracts only, never a concrete allocator or codec
  ["builtins"], // the composition root: the built-in set, the default registry, runCell
  ["kernel"], // the QEMU kernel check (runs cells through builtins/)
  ["bench/measure"], // recorder, histograms, timer floor, statistics
  ["bench/results"], // schema, cell results, files, read, merge, compare
  ["bench/report"], // Markdown and HTML reports
  ["bench/run"], // config, matrix, runner, worker pool, guards, session, environment
  ["bench/cli", "bench/perf"], // commands and the perf harness
  ["bench"], // bench/mod.ts and bench/cli.ts: the public entry points
];

const FOLDERS: readonly { folder: string; layer: number }[] = LAYERS
  .flatMap((folders, layer) => folders.map((folder) => ({ folder, layer })))
  .sort((a, b) => b.folder.length - a.folder.length);

/** The folder and layer of a path relative to the repository root; undefined above all layers. */
export function layerOf(path: string): { folder: string; layer: number } | undefined {
  return FOLDERS.find((f) => path.startsWith(f.folder + "/"));
}

// `… from "x"` (the last line of a multi-line import or re-export), `import("x")`, `import "x"`.
const IMPORT =
  /\bfrom\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/g;

/**
 * Folders held to fewer imports than their layer allows: the frontend depends on the contracts,
 * never on a concrete allocator, codec or workload (docs/DESIGN.md §3).
 */
export const ONLY: Readonly<Record<string, readonly string[]>> = { zswap: ["registry"] };

/**
 * Every import of `files` that breaks the rule.
 *
 * @param files Source text by path relative to the repository root (`/`-separated).
 * @returns One line per bad import: `file: imports target (layer a may not import layer b)`.
 */
export function importViolations(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = [];
  for (const [file, text] of files) {
    const from = layerOf(file);
    if (from === undefined) continue;
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      const trimmed = line.trimStart();
      if (trimmed.startsWith("*") || trimmed.startsWith("//") || trimmed.startsWith("/*")) continue;
      for (const m of line.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (spec === undefined || !spec.startsWith(".")) continue;
        const target = posix.normalize(posix.join(posix.dirname(file), spec));
        const to = layerOf(target);
        if (to === undefined) {
          if (!target.startsWith("..") && !target.endsWith(".json")) {
            out.push(`${file}:${i + 1}: imports ${target}, which is above every layer`);
          }
          continue;
        }
        if (to.folder === from.folder) continue;
        const only = ONLY[from.folder];
        if (only !== undefined && !only.includes(to.folder)) {
          out.push(
            `${file}:${i + 1}: imports ${target} (${from.folder}/ may import only ${
              only.map((f) => f + "/").join(", ")
            })`,
          );
          continue;
        }
        if (to.layer < from.layer) continue;
        out.push(
          `${file}:${i + 1}: imports ${target} (${from.folder}/ may not import ${to.folder}/: ${
            to.layer === from.layer ? "same layer" : "a higher layer"
          })`,
        );
      }
    }
  }
  return out;
}

async function sourceFiles(root: string, dir: string, into: Map<string, string>): Promise<void> {
  for await (const e of Deno.readDir(posix.join(root, dir))) {
    const path = dir === "" ? e.name : `${dir}/${e.name}`;
    if (e.isDirectory) {
      if (!e.name.startsWith(".") && e.name !== "node_modules") {
        await sourceFiles(root, path, into);
      }
    } else if (e.isFile && path.endsWith(".ts")) {
      into.set(path, await Deno.readTextFile(posix.join(root, path)));
    }
  }
}

if (import.meta.main) {
  const root = new URL("..", import.meta.url).pathname;
  const files = new Map<string, string>();
  for (const folders of LAYERS) {
    for (const folder of folders) {
      if (!folder.includes("/")) await sourceFiles(root, folder, files);
    }
  }
  const bad = importViolations(files);
  for (const line of bad) console.error(line);
  if (bad.length > 0) {
    console.error(
      `check_imports: ${bad.length} imports break the dependency rule (docs/DESIGN.md)`,
    );
    Deno.exit(1);
  }
  console.log(`check_imports: ${files.size} modules follow the dependency rule`);
}
