import assert from "node:assert/strict";
import { measureTimerFloor } from "../../../bench/measure/timer_floor.ts";

Deno.test("measureTimerFloor() gives a non-negative floor and resolution", () => {
  const f = measureTimerFloor(1000);
  assert.ok(f.floorNs >= 0 && f.resolutionNs >= 0);
});

// --- with the real frontend and built-in plugins ---
