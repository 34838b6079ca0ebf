import assert from "node:assert/strict";
import { VirtualClock } from "../../zswap/_clock.ts";

Deno.test("VirtualClock runs the task whose CPU is free earliest, FIFO on ties", async () => {
  const clock = new VirtualClock(2);
  const log: string[] = [];
  // Tasks 0 and 2 share CPU 0; task 1 has CPU 1.
  const tasks = [0, 1, 2].map((id) => {
    clock.register(id, id === 1 ? 1 : 0);
    return (async () => {
      await clock.yield(id);
      log.push(`${id}@${clock.timeOf(id)}`);
      clock.advance(id, 100);
      await clock.sleepUntil(id, clock.timeOf(id) + 1000); // an engine request
      log.push(`${id}@${clock.timeOf(id)}`);
      clock.finish(id);
    })();
  });
  await clock.run();
  await Promise.all(tasks);
  // Task 2 waits for CPU 0 until task 0 sleeps (100 ns); each wakes 1000 ns after its request.
  assert.deepEqual(log, ["0@0", "1@0", "2@100", "0@1100", "1@1100", "2@1200"]);
});

Deno.test("VirtualClock.block() wakes at the waker's CPU time", async () => {
  const clock = new VirtualClock(1);
  clock.register(0, 0);
  clock.register(1, 0);
  let wake: (() => void) | undefined;
  let wokeAt = -1;
  const a = (async () => {
    await clock.yield(0);
    const b = clock.block(0);
    wake = b.wake;
    await b.promise;
    wokeAt = clock.timeOf(0);
    clock.finish(0);
  })();
  const b = (async () => {
    await clock.yield(1);
    clock.advance(1, 700);
    wake!();
    clock.advance(1, 50);
    clock.finish(1);
  })();
  await clock.run();
  await Promise.all([a, b]);
  assert.equal(wokeAt, 750, "woken at 700, runs once the CPU is free at 750");
});

Deno.test("VirtualClock.run() reports a deadlock instead of hanging", async () => {
  const clock = new VirtualClock(1);
  clock.register(0, 0);
  void (async () => {
    await clock.yield(0);
    await clock.block(0).promise; // nobody will wake it
  })();
  await assert.rejects(() => clock.run(), { name: "VirtualDeadlockError" });
});
