import assert from "node:assert/strict";
import { collectEnvironment, TOOL_NAME, TOOL_VERSION } from "../../../bench/run/environment.ts";
import { EnvironmentSchema } from "../../../bench/results/schema.ts";

Deno.test("collectEnvironment() fills every field of the schema", async () => {
  const start = new Date("2026-01-02T03:04:05.000Z");
  const env = await collectEnvironment(start);
  EnvironmentSchema.parse(env);
  assert.equal(env.tool_version, TOOL_VERSION);
  assert.equal(TOOL_NAME, "zswapbench");
  assert.equal(env.started_at, "2026-01-02T03:04:05.000Z");
  assert.equal(env.ended_at, null);
  assert.equal(env.deno, Deno.version.deno);
  assert.ok(env.cores >= 1);
  assert.ok(env.timer_floor_ns >= 0);
  // This checkout is a git repository and the test runs with --allow-run.
  assert.match(env.git_commit ?? "", /^[0-9a-f]{40}$/);
});
