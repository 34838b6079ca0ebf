import assert from "node:assert/strict";
import { textWorkload } from "../../workloads/text.ts";
import { make, meanLz4Ratio, pageOf } from "./_helpers.ts";

Deno.test("textWorkload pages are printable prose with an lz4 ratio like real text", async () => {
  const w = await make(textWorkload, {}, { seed: 31 });
  const mean = meanLz4Ratio(w, 200);
  // the kernel oracle's text.pages gives 2.04 with the same codec
  assert.ok(mean > 1.7 && mean < 2.3, `mean lz4 ratio ${mean}`);
  const page = pageOf(w, 9);
  assert.ok(page.every((b) => b === 10 || (b >= 32 && b < 127)), "printable ASCII");
  const text = new TextDecoder().decode(page);
  assert.match(text, /^[A-Z][a-z]+ /);
  assert.match(text, /\. [A-Z]|\.\n/);
  assert.ok(text.split("\n").every((line) => line.length < 120), "lines are wrapped");
  const words = text.split(/[\s,.?]+/);
  assert.ok(words.filter((x) => x === "the").length >= 10, "common words are common");
});
