/**
 * Content hashes a run records in its header (issue 16), so `--resume` can refuse to join cells
 * made by other code: the tool's own source files, and each plugin module's files.
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TOOL_DIRS = [
  "allocators",
  "bench",
  "builtins",
  "compressors",
  "registry",
  "workloads",
  "zswap",
];
const TOOL_FILES = ["mod.ts", "deno.json", "deno.lock"];

/**
 * SHA-256 of some files, in the given order, each with its path; a missing file counts as such.
 *
 * @param files Paths.
 * @param base Shown paths are relative to this directory (so a moved checkout hashes the same).
 * @returns Hex digest.
 */
export async function hashFiles(files: readonly string[], base = ""): Promise<string> {
  const parts: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const f of [...files].sort()) {
    const name = base !== "" && f.startsWith(base) ? f.slice(base.length) : f;
    parts.push(enc.encode(`\0${name}\0`));
    try {
      parts.push(await Deno.readFile(f));
    } catch {
      parts.push(enc.encode("(missing)"));
    }
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  const digest = await crypto.subtle.digest("SHA-256", all);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * SHA-256 of the tool's source: its TypeScript files and deno.json/deno.lock.
 *
 * @returns Hex digest, or "unknown" when the sources cannot be read (e.g. run from a cache).
 *
 * @example
 * ```ts ignore
 * const hash = await toolHash();
 * ```
 */
export async function toolHash(): Promise<string> {
  const files: string[] = TOOL_FILES.map((f) => join(ROOT, f));
  try {
    for (const dir of TOOL_DIRS) await walk(join(ROOT, dir), files);
  } catch {
    return "unknown";
  }
  return await hashFiles(files, ROOT);
}

async function walk(dir: string, out: string[]): Promise<void> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) await walk(p, out);
    else if (e.isFile && /\.(ts|json|wasm)$/.test(e.name)) out.push(p);
  }
}
