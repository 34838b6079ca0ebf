/**
 * Writes `docs/plugin-options.md` from the built-in plugins' zod schemas (`optionsSchema`), the
 * one source of their option docs; a test fails when the file is stale.
 *
 * Usage: `deno run -A scripts/gen_plugin_options_doc.ts`
 *
 * @module
 */
import type { Registry } from "../registry/registry.ts";
import { createDefaultRegistry } from "../builtins/mod.ts";
import { type DocumentedKind, optionsMarkdown } from "../bench/cli/options_doc.ts";

const HEADER = `# Options of the built-in plugins

Generated from each plugin's zod schema by \`deno run -A scripts/gen_plugin_options_doc.ts\`
(a test fails when this file is stale); \`deno task cli list --options\` prints the same. Give
options after the plugin's name, e.g. \`--compressors 'zstd:{"level":1}'\` or in a config file
(\`"compressors": [{"name": "zstd", "options": {"level": 1}}]\`). A default written in words
(\`2 x pages\`) is worked out when the cell starts.

`;

/**
 * The built-in plugins by kind, in the order `list` prints them.
 *
 * @param registry The default registry.
 * @returns The kinds with their plugins.
 */
export function optionsDocKinds(registry: Registry): DocumentedKind[] {
  const titles = {
    allocator: "Allocators",
    compressor: "Compressors",
    workload: "Workloads",
    strategy: "Strategies",
  } as const;
  return (Object.keys(titles) as (keyof typeof titles)[]).map((kind) => ({
    title: titles[kind],
    plugins: registry.entries(kind).map((e) => e.plugin),
  }));
}

if (import.meta.main) {
  const text = HEADER + optionsMarkdown(optionsDocKinds(createDefaultRegistry()));
  const path = new URL("../docs/plugin-options.md", import.meta.url);
  await Deno.writeTextFile(path, text.endsWith("\n") ? text : `${text}\n`);
  console.log(`Wrote ${path.pathname} (run deno fmt after it: the tables are padded by fmt)`);
}
