import assert from "node:assert/strict";
import { createDefaultRegistry } from "../../../builtins/mod.ts";
import { PLUGIN_KINDS } from "../../../registry/schemas.ts";
import { optionsMarkdown, pluginOptions } from "../../../bench/cli/options_doc.ts";
import { optionsDocKinds } from "../../../scripts/gen_plugin_options_doc.ts";

Deno.test("every built-in plugin documents every option with a default or (required)", () => {
  const registry = createDefaultRegistry();
  for (const kind of PLUGIN_KINDS) {
    for (const { plugin } of registry.entries(kind)) {
      const opts = pluginOptions(plugin);
      assert.notEqual(opts, null, `${kind} ${plugin.name} has no optionsSchema`);
      for (const o of opts!) {
        assert.notEqual(o.default, "(none)", `${plugin.name}.${o.name} has no default`);
        assert.notEqual(o.description, "", `${plugin.name}.${o.name} has no description`);
      }
    }
  }
});

Deno.test("pluginOptions() reads offload, mixed and deflate from their schemas", () => {
  const registry = createDefaultRegistry();
  const opt = (kind: "compressor" | "workload", name: string, key: string) =>
    pluginOptions(registry.get(kind, name))!.find((o) => o.name === key)!;
  assert.equal(opt("compressor", "offload", "latency_us").default, "0");
  assert.equal(opt("compressor", "deflate", "engine").type, '"zlib" | "pako"');
  assert.match(opt("workload", "mixed", "weights").default, /"text":0\.35/);
  assert.equal(opt("workload", "mixed", "loadShare").default, "0.7");
});

Deno.test("docs/plugin-options.md is what the schemas generate", async () => {
  const doc = await Deno.readTextFile(new URL("../../../docs/plugin-options.md", import.meta.url));
  const body = optionsMarkdown(optionsDocKinds(createDefaultRegistry()));
  // deno fmt pads the tables: compare with runs of spaces and dashes folded.
  const fold = (s: string) => s.replace(/ +/g, " ").replace(/-{3,}/g, "---");
  assert.ok(
    fold(doc).includes(fold(body)),
    "docs/plugin-options.md is stale: run deno run -A scripts/gen_plugin_options_doc.ts",
  );
});
