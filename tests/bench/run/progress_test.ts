import assert from "node:assert/strict";
import { formatDuration, Progress } from "../../../bench/run/progress.ts";

Deno.test("Progress shows cells done of total, the cell, elapsed time and ETA", () => {
  const out: string[] = [];
  let now = 0;
  const p = new Progress(4, {
    enabled: true,
    write: (t) => out.push(t),
    now: () => now,
    columns: 200,
  });
  p.start("zbud/lz4/mixed");
  assert.equal(out[0], "\r\x1b[2K[0/4] 0:00 elapsed, ETA ?  zbud/lz4/mixed");
  now = 10_000;
  p.done();
  p.start("zbud/zstd/mixed");
  assert.equal(out[1], "\r\x1b[2K[1/4] 0:10 elapsed, ETA 0:30  zbud/zstd/mixed");
  p.clear();
  assert.equal(out[2], "\r\x1b[2K");
});

Deno.test("Progress is silent when disabled and cuts long lines", () => {
  const out: string[] = [];
  const quiet = new Progress(1, { enabled: false, write: (t) => out.push(t) });
  quiet.start("x");
  quiet.clear();
  assert.deepEqual(out, []);
  const lines: string[] = [];
  const narrow = new Progress(1, {
    enabled: true,
    write: (t) => lines.push(t),
    now: () => 0,
    columns: 30,
  });
  narrow.start("a".repeat(100));
  assert.ok(lines[0].length <= "\r\x1b[2K".length + 29, lines[0]);
  assert.ok(lines[0].endsWith("…"));
});

Deno.test("formatDuration() uses m:ss and h:mm:ss", () => {
  assert.equal(formatDuration(0), "0:00");
  assert.equal(formatDuration(59_400), "0:59");
  assert.equal(formatDuration(3_725_000), "1:02:05");
});
