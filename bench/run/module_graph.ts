/**
 * The files of a plugin module's real module graph (issue 16), as Deno resolves it
 * (`deno info --json`): what a cell Worker may read to import the plugin, and nothing a comment or
 * a string in the plugin names. Each file is resolved through symlinks; a symlink whose target
 * leaves the plugin's folder (the folder of its entry module) is refused, so a link in the plugin's
 * folder cannot win read access to another file.
 *
 * Needs permission to run `deno` (`--allow-run=deno`; the repository's tasks have it).
 *
 * @module
 */
import { dirname, isAbsolute, relative } from "node:path";
import { UsageError } from "../../registry/errors.ts";

const cache = new Map<string, Promise<string[]>>();

/**
 * How to start Deno: this binary when the process may run it, else `deno` from the PATH (what
 * `--allow-run=deno` grants; the binary's own path may differ, e.g. behind an npm wrapper).
 *
 * @returns A command for `Deno.Command`.
 */
export function denoCommand(): string {
  try {
    const state = Deno.permissions.querySync({ name: "run", command: Deno.execPath() }).state;
    return state === "granted" ? Deno.execPath() : "deno";
  } catch {
    return "deno";
  }
}

/**
 * The local files of a module's graph (symlinks listed as both the link and its target).
 *
 * @param entry The entry module's absolute path.
 * @param label How the user named it (for messages).
 * @returns Absolute paths, the entry first.
 * @throws {UsageError} When a symlink of the graph leaves the plugin's folder, or `deno` may not
 *   be run.
 *
 * @example
 * ```ts ignore
 * const files = await moduleGraphFiles("/work/my_plugin.ts", "./my_plugin.ts");
 * ```
 */
export function moduleGraphFiles(entry: string, label: string = entry): Promise<string[]> {
  let p = cache.get(entry);
  if (p === undefined) {
    p = graph(entry, label);
    cache.set(entry, p);
    p.catch(() => cache.delete(entry));
  }
  return p;
}

async function graph(entry: string, label: string): Promise<string[]> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(denoCommand(), {
      args: ["info", "--json", "--quiet", entry],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
  } catch (err) {
    throw new UsageError(
      `Plugin module ${label}: finding its module graph needs permission to run deno (--allow-run=deno): ${
        (err as Error).message.split("\n")[0]
      }`,
      { cause: err },
    );
  }
  // Missing or broken: the import itself then says why, with read access to the entry alone.
  if (!out.success) return [entry];
  let info: { modules?: { local?: string; error?: string }[] };
  try {
    info = JSON.parse(new TextDecoder().decode(out.stdout));
  } catch {
    return [entry];
  }
  const root = dirname(await real(entry));
  const files = [entry];
  for (const m of info.modules ?? []) {
    if (typeof m.local !== "string" || m.local === entry) continue;
    files.push(m.local);
    const target = await real(m.local);
    if (target === m.local) continue;
    const rel = relative(root, target);
    if (rel.startsWith("..") || isAbsolute(rel)) {
      throw new UsageError(
        `Plugin module ${label}: ${m.local} is a symlink to ${target}, outside the plugin's folder ${root} (copy the file into the plugin's folder)`,
      );
    }
    files.push(target);
  }
  return files;
}

async function real(path: string): Promise<string> {
  try {
    return await Deno.realPath(path);
  } catch {
    return path;
  }
}
