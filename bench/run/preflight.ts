/**
 * The preflight check of a run: before the first cell, make each distinct plugin of the selected
 * cells once with its options, so a bad option, a missing file or a malformed trace, lengths or
 * page file is a one-line user error (exit 2) at once rather than a failed cell hours later.
 *
 * Only user mistakes count here: errors named `UsageError`, `ConfigError`, `RegistryError` or
 * `ZodError` (how the built-ins refuse options). Any other error is a plugin fault: it is
 * ignored here and fails the cells of that plugin when they run.
 *
 * @module
 */
import { createArena } from "../../allocators/arena.ts";
import type { Registry } from "../../registry/registry.ts";
import { formatZodIssues } from "../../registry/schemas.ts";
import type { Plugin, PluginKind } from "../../registry/types.ts";
import { type CellSpec, label } from "./matrix.ts";

/** Error names that mean the user's options or files are wrong. */
const USER_ERRORS = new Set(["UsageError", "ConfigError", "RegistryError", "ZodError"]);

/**
 * Make every distinct plugin of the cells once with its options and collect the user mistakes.
 * Allocators are made per page size and CPU count, workloads per page size, compressors and
 * strategies once; each is closed again at once.
 *
 * @param cells The cells about to run.
 * @param registry Where their plugins are (the real ones: in a Worker for external plugins).
 * @returns One line per problem, e.g. `Workload "trace": Trace "t.csv" line 3: offset "x" is not
 *   a non-negative integer`; empty when all is well.
 *
 * @example
 * ```ts ignore
 * const problems = await checkPluginOptions(cells, createDefaultRegistry());
 * if (problems.length > 0) throw new UsageError(problems[0]);
 * ```
 */
export async function checkPluginOptions(
  cells: readonly CellSpec[],
  registry: Registry,
): Promise<string[]> {
  const problems: string[] = [];
  const seen = new Set<string>();
  const attempt = async (
    kind: PluginKind,
    name: string,
    options: unknown,
    key: string,
    make: (plugin: Plugin) => Promise<void>,
  ): Promise<void> => {
    if (seen.has(`${kind}:${key}`)) return;
    seen.add(`${kind}:${key}`);
    let plugin: Plugin;
    try {
      plugin = registry.get(kind, name);
    } catch (err) {
      problems.push((err as Error).message);
      return;
    }
    try {
      await make(plugin);
    } catch (err) {
      const message = userMessage(err, kind, name, options);
      if (message !== null && !problems.includes(message)) problems.push(message);
    }
  };
  for (const spec of cells) {
    const p = spec.params;
    const a = spec.allocator;
    await attempt("allocator", a.name, a.options, `${label(a)}|${p.pageSize}|${p.cpus}`, (pl) => {
      const arena = createArena(p.pageSize, { limitPages: Math.max(1, p.totalRamPages) });
      (pl as Extract<Plugin, { kind: "allocator" }>).create({
        arena,
        pageSize: p.pageSize,
        cpus: p.cpus,
        options: a.options,
      });
      return Promise.resolve();
    });
    const c = spec.compressor;
    await attempt("compressor", c.name, c.options, label(c), async (pl) => {
      const instance = await (pl as Extract<Plugin, { kind: "compressor" }>).create(c.options);
      await instance?.close?.();
    });
    const w = spec.workload;
    await attempt("workload", w.name, w.options, `${label(w)}|${p.pageSize}`, async (pl) => {
      const workload = await (pl as Extract<Plugin, { kind: "workload" }>).create({
        pageSize: p.pageSize,
        seed: p.seed,
        pages: p.pages,
        options: w.options,
      });
      workload?.close?.();
    });
    const s = spec.strategy;
    if (s !== null) {
      await attempt("strategy", s.name, s.options, label(s), (pl) => {
        (pl as Extract<Plugin, { kind: "strategy" }>).create(s.options);
        return Promise.resolve();
      });
    }
  }
  return problems;
}

/**
 * The one-line message of a user mistake, or null for any other error (a plugin fault).
 *
 * @param err What `create()` threw.
 * @param kind The plugin's kind.
 * @param name The plugin's name.
 * @param options The options it was given.
 * @returns The message, naming the plugin unless the error already does.
 */
function userMessage(
  err: unknown,
  kind: PluginKind,
  name: string,
  options: unknown,
): string | null {
  if (!(err instanceof Error) || !USER_ERRORS.has(err.name)) return null;
  const who = `${kind[0].toUpperCase()}${kind.slice(1)} "${name}"`;
  const issues = (err as { issues?: unknown }).issues;
  if (err.name === "ZodError" && Array.isArray(issues)) {
    return `${who}: invalid options: ${formatZodIssues(issues, options)}`;
  }
  const text = err.message.split("\n")[0];
  return text.includes(`"${name}"`) ? text : `${who}: ${text}`;
}
