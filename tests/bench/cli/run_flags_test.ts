import assert from "node:assert/strict";
import { RUN_HELP } from "../../../bench/cli/run.ts";
import {
  configFromFlags,
  flagOfKey,
  MATRIX_FLAGS,
  RUN_FLAGS,
  RUN_PARSE_OPTIONS,
} from "../../../bench/cli/run_flags.ts";

Deno.test("run flags: parsing, help and config keys come from one table", () => {
  for (const f of RUN_FLAGS) {
    assert.ok(RUN_HELP.includes(`  --${f.name}`), `--${f.name} in the help`);
    assert.ok(RUN_PARSE_OPTIONS[f.name] !== undefined, `--${f.name} parsed`);
    if (f.key !== undefined) assert.equal(flagOfKey(f.key), f.name);
  }
  assert.equal(Object.keys(RUN_PARSE_OPTIONS).length, RUN_FLAGS.length);
  assert.equal(RUN_PARSE_OPTIONS.plugin.multiple, true);
  assert.equal(RUN_PARSE_OPTIONS.strict.type, "boolean");
  assert.ok(MATRIX_FLAGS.includes("pages") && !MATRIX_FLAGS.includes("resume"));
});

Deno.test("configFromFlags() sets only the keys given", () => {
  const c = configFromFlags(
    { "max-pool-percent": "10,20", strict: true, warmup: "0", plugin: ["./a.ts"] },
    (entry) => entry,
  );
  assert.deepEqual(c, {
    plugins: ["./a.ts"],
    params: { maxPoolPercent: [10, 20], strict: true },
    warmup: 0,
  });
});
