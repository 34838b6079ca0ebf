// Issue 16: the attack table (tests/bench/_attacks.ts) — bad plugins under
// tests/fixtures/attacks/ (one file per attack), bad inputs and interruptions. Each case must
// hold: the bad cell failed, crashed or timed out with its reason, the good cells correct, exit 2
// for user mistakes, nothing read outside the module graph.
import assert from "node:assert/strict";
import { ATTACK_CASES, cleanupAttacks } from "./_attacks.ts";

Deno.test({
  name: "attacks: every case of the table holds",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    assert.ok(ATTACK_CASES.length >= 60, `${ATTACK_CASES.length} cases`);
    try {
      for (const c of ATTACK_CASES.filter((c) => !c.knownLimit)) {
        await t.step(`${c.group}: ${c.name}`, async () => {
          const broke = await c.check();
          assert.equal(broke, null, `${c.name}: ${broke}`);
        });
      }
    } finally {
      await cleanupAttacks();
    }
  },
});
