/**
 * The local files of a plugin module's import graph, found by reading the sources (never by
 * running them). A cell Worker imports a plugin with a dynamic `import()`, and Deno wants read
 * access to every local module that import loads: this list is exactly what the Worker gets, so
 * a plugin can read its own source files and no others (docs/plugins-security.md).
 *
 * The scan is textual: `import … from "x"`, `export … from "x"`, `import "x"` and
 * `import("x")` with a literal specifier. Relative, absolute and `file:` specifiers that name an
 * file are followed; `npm:`, `jsr:`, `https:` and bare (import map) specifiers need no
 * read access and are skipped. Only module files (code, JSON, wasm) are listed, so the text of a
 * plugin cannot win it read access to anything else.
 *
 * @module
 */
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** At most this many files are followed from one module (a guard against a runaway scan). */
const MAX_FILES = 2000;

const SPECIFIER_PATTERNS: readonly RegExp[] = [
  /\b(?:import|export)\s[^'"`;]*?\bfrom\s*["']([^"']+)["']/g,
  /\bimport\s*["']([^"']+)["']/g,
  /\bimport\s*\(\s*["']([^"']+)["']\s*[,)]/g,
];

/**
 * The absolute paths of a module and every local module it imports, directly or not.
 *
 * @param entry The module: an absolute path or a `file:` URL.
 * @returns Absolute paths, the entry first (missing ones too: importing them fails clearly).
 *
 * @example
 * ```ts ignore
 * const files = await localModuleGraph("/work/my_plugin.ts");
 * ```
 */
export async function localModuleGraph(entry: string): Promise<string[]> {
  const first = entry.startsWith("file:") ? fileURLToPath(entry) : entry;
  const seen = new Set<string>();
  const queue = [first];
  while (queue.length > 0 && seen.size < MAX_FILES) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    // Listed even when missing: the import then fails with "Module not found", not a permission.
    seen.add(file);
    if (!/\.(m|c)?[jt]sx?$/.test(file)) continue; // JSON and other data: no imports
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch {
      continue; // missing or unreadable: the import itself will say so
    }
    for (const specifier of importSpecifiers(text)) {
      const target = localTarget(specifier, file);
      if (target !== null && !seen.has(target)) queue.push(target);
    }
  }
  return [...seen];
}

/**
 * The module specifiers a source text names in its imports and re-exports.
 *
 * @param text TypeScript or JavaScript source.
 * @returns The specifiers, in order of appearance per pattern.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { importSpecifiers } from "./module_files.ts";
 * const s = importSpecifiers('import { a } from "./a.ts";\nexport * from "../b.ts";');
 * assert.ok(s.includes("./a.ts") && s.includes("../b.ts"));
 * ```
 */
export function importSpecifiers(text: string): string[] {
  const out: string[] = [];
  for (const pattern of SPECIFIER_PATTERNS) {
    for (const m of text.matchAll(pattern)) out.push(m[1]);
  }
  return out;
}

/** Extensions of files a module graph may hold: code, JSON and wasm, nothing else. */
const MODULE_FILE = /\.(?:[mc]?[jt]sx?|json|wasm)$/;

function localTarget(specifier: string, from: string): string | null {
  const path = localPath(specifier, from);
  // Only module files: a specifier in the text cannot win read access to any other file.
  return path !== null && MODULE_FILE.test(path) ? path : null;
}

function localPath(specifier: string, from: string): string | null {
  if (specifier.startsWith("file:")) {
    try {
      return fileURLToPath(specifier);
    } catch {
      return null;
    }
  }
  if (specifier.startsWith("./") || specifier.startsWith("../")) {
    return resolve(dirname(from), specifier);
  }
  if (isAbsolute(specifier)) return specifier;
  return null;
}
