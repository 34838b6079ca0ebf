import assert from "node:assert/strict";
import { splitCsvLine } from "../../workloads/_csv.ts";

Deno.test("splitCsvLine() splits RFC 4180 fields on one line", async (t) => {
  const cases: [string, string[] | RegExp][] = [
    ["a,b,c", ["a", "b", "c"]],
    ["a,,c,", ["a", "", "c", ""]],
    ['"a,b",c', ["a,b", "c"]],
    ['x,"say ""hi""",y', ["x", 'say "hi"', "y"]],
    ['"",1', ["", "1"]],
    ['a,"b', /not closed/],
    ['"a"b,c', /followed by "b"/],
    ['a"b,c', /quote appears inside/],
  ];
  for (const [line, expected] of cases) {
    await t.step(line, () => {
      const got = splitCsvLine(line);
      if (expected instanceof RegExp) assert.match(got as string, expected);
      else assert.deepEqual(got, expected);
    });
  }
});
