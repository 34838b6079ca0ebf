/**
 * One real trace replay (zsmalloc x lz4, the first 1200 ops of the oracle's random trace, which
 * include the first return of 64 freed swap slots) when QEMU and the other host tools are
 * installed; reported as skipped, with the reason in the test name, when they are not. It boots
 * the same kernel as kernel_check_test.ts (Debian's 6.1), so CI still boots one kernel.
 */
import assert from "node:assert/strict";
import { kernelSkipReason } from "./_skip.ts";
import { runTraceCheck } from "../../kernel/trace_run.ts";

const ORACLE = new URL("../oracle/", import.meta.url).pathname;
const OPS = 1200;

const reason = await kernelSkipReason(["pagefeed.c", "tracefeed.c"]);

Deno.test({
  name: `runTraceCheck() replays ${OPS} ops on Debian's 6.1 as the oracle recorded them${
    reason ? ` (skipped: ${reason})` : ""
  }`,
  ignore: reason !== undefined,
  async fn() {
    const lines = (await Deno.readTextFile(`${ORACLE}trace-random.csv`)).trim().split("\n");
    const dir = await Deno.makeTempDir();
    const trace = `${dir}/trace.csv`;
    await Deno.writeTextFile(trace, lines.slice(0, OPS + 1).join("\n") + "\n");
    try {
      const report = await runTraceCheck(trace, `${ORACLE}text.pages`, ["zsmalloc"], ["lz4"]);
      const row = report.rows[0];
      assert.equal(row.status, "ok", row.error ?? "");
      assert.match(row.kernel ?? "", /^6\.1\./);
      const [header, ...rec] = (await Deno.readTextFile(`${ORACLE}kernel-6.1-trace-random.csv`))
        .trim().split("\n").map((l) => l.split(","));
      const pool = header.indexOf("zsmalloc-lz4-pool");
      const stored = header.indexOf("zsmalloc-lz4-stored");
      // Figures only: the kernel's records equal the oracle's, and the simulator's equal both.
      assert.deepEqual(row.kernel_pool_pages_by_op, rec.slice(0, OPS).map((r) => Number(r[pool])));
      assert.deepEqual(
        row.kernel_stored_pages_by_op,
        rec.slice(0, OPS).map((r) => Number(r[stored])),
      );
      assert.equal(row.first_divergent_op, null);
      assert.equal(row.kernel_mismatches, 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
