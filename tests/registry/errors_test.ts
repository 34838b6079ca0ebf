import assert from "node:assert/strict";
import { z } from "zod";
import { parsePluginOptions, UsageError } from "../../registry/errors.ts";
import { RegistryError } from "../../registry/registry.ts";
import { CompressError } from "../../registry/types.ts";
import { errorFromWire, errorToWire } from "../../registry/wire.ts";
import { createDefaultRegistry } from "../../builtins/mod.ts";

Deno.test("parsePluginOptions() gives defaults, and one line naming the plugin and option", () => {
  const schema = z.strictObject({ level: z.number().int().min(1).default(3) });
  assert.deepEqual(parsePluginOptions("compressor", "zstd", schema, undefined), { level: 3 });
  assert.throws(
    () => parsePluginOptions("compressor", "zstd", schema, { level: 0 }, "known: level"),
    (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.match(
        err.message,
        /^Invalid options for compressor "zstd": level: .* \(known: level\)$/,
      );
      assert.ok(!err.message.includes("\n"));
      return true;
    },
  );
});

Deno.test("every built-in plugin rejects an unknown option with the same one-line UsageError", async () => {
  const registry = createDefaultRegistry();
  for (const kind of ["allocator", "compressor", "workload", "strategy"] as const) {
    for (const plugin of registry.list(kind)) {
      const make = async () => {
        const bogus = { no_such_option: 1 };
        if (plugin.kind === "allocator") {
          const { createArena } = await import("../../allocators/arena.ts");
          return plugin.create({
            arena: createArena(4096),
            pageSize: 4096,
            cpus: 1,
            options: bogus,
          });
        }
        if (plugin.kind === "workload") {
          return await plugin.create({ pageSize: 4096, seed: 1, pages: 4, options: bogus });
        }
        return await plugin.create(bogus);
      };
      await assert.rejects(make, (err: unknown) => {
        assert.ok(err instanceof UsageError, `${kind} ${plugin.name}: ${err}`);
        assert.ok(
          err.message.startsWith(`Invalid options for ${kind} "${plugin.name}": `),
          `${kind} ${plugin.name}: ${err.message}`,
        );
        assert.ok(!err.message.includes("\n"), err.message);
        return true;
      });
    }
  }
});

Deno.test("errorToWire() and errorFromWire() bring back the error's class and code", () => {
  const compress = errorFromWire(errorToWire(new CompressError("ENOSPC", "too long")));
  assert.ok(compress instanceof CompressError);
  assert.equal(compress.code, "ENOSPC");
  const reg = errorFromWire(errorToWire(new RegistryError("UNKNOWN_PLUGIN", "no such plugin")));
  assert.ok(reg instanceof RegistryError);
  assert.equal(reg.code, "UNKNOWN_PLUGIN");
  assert.ok(errorFromWire({ name: "ConfigError", message: "bad" }) instanceof UsageError);
  const other = errorFromWire(errorToWire(new TypeError("odd")));
  assert.equal(other.name, "TypeError");
  assert.equal(other.message, "odd");
  assert.deepEqual(errorToWire("text"), { name: "Error", message: "text" });
});
