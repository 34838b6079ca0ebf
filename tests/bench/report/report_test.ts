import assert from "node:assert/strict";
import {
  CHART_TITLES,
  paretoFront,
  readRunResults,
  renderHtml,
  renderMarkdown,
  writeReports,
} from "../../../bench/report/mod.ts";
import { main as reportMain } from "../../../bench/cli/report.ts";
import { DETAIL_CHART_TITLES } from "../../../bench/report/_detail_charts.ts";
import type { RunResults } from "../../../bench/results/schema.ts";
import {
  FIXTURE_ALLOCATORS,
  FIXTURE_COMPRESSORS,
  FIXTURE_FAILED_CELL,
  FIXTURE_STRATEGIES,
  fixtureResults,
} from "../_results_fixture.ts";
import { quiet } from "../_quiet.ts";

/** The `<figure>` whose heading is `title`, or undefined. */
function figure(html: string, title: string): string | undefined {
  return html.split("<figure").find((f) => f.includes(`<h3>${title}</h3>`));
}

Deno.test("renderMarkdown() lists every cell in a table per workload and preset", () => {
  const md = renderMarkdown(fixtureResults());
  assert.match(md, /^# zswapbench report/);
  assert.match(md, /### Workload mixed, preset 6\.8/);
  assert.match(
    md,
    /\| allocator \| compressor \| strategy \| pool ratio \| compression ratio \| stored \| zero pages \| rejects \| store p50 \| store p99 \| load p50 \| load p99 \| timing \| bytes bounced \| violations \| integrity failures \| load failed \| status \|/,
  );
  for (const a of FIXTURE_ALLOCATORS) {
    for (const c of FIXTURE_COMPRESSORS) {
      for (const s of FIXTURE_STRATEGIES) {
        assert.match(md, new RegExp(`\\| ${a} \\| ${c} \\| ${s} \\| `), `${a}/${c}/${s}`);
      }
    }
  }
  // zsmalloc/zstd/sg-read of the fixture: pool ratio 2.849, store p50 12.8 µs, load p50 6.38 µs
  assert.match(
    md,
    /\| zsmalloc \| zstd \| sg-read \| 2\.849 \| 3\.100 \| 1000 \| 0 \| 0 \| 12\.8 µs \| 25\.5 µs \| 6\.38 µs \|/,
  );
});

Deno.test("renderMarkdown() reports failed cells, the Pareto front and the method", async (t) => {
  const md = renderMarkdown(fixtureResults());
  await t.step("failed cell with its error, pipes escaped in the table", () => {
    assert.match(md, /## Failed cells/);
    assert.ok(md.includes(`\`${FIXTURE_FAILED_CELL}\` (failed): Object of 5000 bytes`));
    assert.match(md, /\| zbud \| zstd \| sg-read \| — \| .* \| failed \|/);
  });
  await t.step("Pareto-optimal cells of the fixture, fastest first", () => {
    const section = md.slice(md.indexOf("## Pareto-optimal cells"), md.indexOf("## How this"));
    const names = [...section.matchAll(/\| \d+ \| `([^`]+)`/g)].map((m) => m[1]);
    assert.deepEqual(names, [
      "zbud/lz4/mixed/sg-read/6.8/p4096-s1-c1-t1",
      "zsmalloc/lz4/mixed/sg-read/6.8/p4096-s1-c1-t1",
      "zsmalloc/zstd/mixed/sg-read/6.8/p4096-s1-c1-t1",
    ]);
  });
  await t.step("method note names the clock, the timer floor and the histograms", () => {
    assert.match(md, /performance\.now\(\)/);
    assert.match(md, /Timer floor: an empty operation timed the same way took 40 ns/);
    assert.match(md, /histogram/);
  });
  await t.step("no parallel warning with one job, a warning with two", () => {
    assert.doesNotMatch(md, /parallel cells disturb/);
    const md2 = renderMarkdown(fixtureResults({ config: { jobs: 2 } }));
    assert.match(md2, /> \*\*Warning:\*\* .*parallel cells disturb each other's latencies/);
  });
});

Deno.test("renderHtml() writes one self-contained page with an SVG per chart", async (t) => {
  const html = await renderHtml(fixtureResults({ config: { jobs: 3 } }));
  await t.step("no external resource, no script", () => {
    const refs = [...html.matchAll(/\b(?:src|href|xlink:href)\s*=\s*["']?([^"' >]*)/gi)];
    for (const [, url] of refs) assert.doesNotMatch(url, /^(https?:)?\/\//i, url);
    assert.ok(refs.every(([, url]) => url.startsWith("#")), "only in-page links");
    assert.doesNotMatch(html, /https?:\/\//);
    assert.doesNotMatch(html, /<script|<link|@import|url\(/i);
  });
  await t.step("each chart title heads a figure holding an inline SVG", () => {
    // The summary's bytes-bounced bars give way to bytes bounced per load (_detail_charts.ts).
    const titles = [
      ...Object.values(CHART_TITLES).filter((t) => t !== CHART_TITLES.bytesBounced),
      DETAIL_CHART_TITLES.bouncedPerLoad,
    ];
    for (const title of titles) {
      const f = figure(html, title);
      assert.ok(f, `figure "${title}"`);
      assert.match(f!, /<svg[^>]*class="marks"/, title);
      assert.match(f!, /<\/svg>/, title);
    }
  });
  await t.step("cells table, failed cell, environment and warning", () => {
    assert.match(html, /<th>allocator<\/th><th>compressor<\/th><th>strategy<\/th>/);
    assert.match(html, /<tr class="failed">/);
    assert.ok(html.includes("exceeds the zbud limit of 4032 | &quot;E2BIG&quot;"));
    assert.ok(html.includes("Example CPU @ 3.00GHz"));
    assert.match(html, /parallel cells disturb each other&#39;s latencies/);
  });
});

Deno.test("renderHtml() shows a note instead of an empty chart", async () => {
  const results = fixtureResults({
    mapCell: (c) => ({ ...c, load_p50_ns: null, load_p90_ns: null, load_p99_ns: null }),
  });
  const html = await renderHtml(results);
  assert.match(figure(html, CHART_TITLES.loadLatency)!, /No ok cell with timed loads/);
  assert.match(figure(html, CHART_TITLES.pareto)!, /No ok cell with both figures/);
  assert.match(figure(html, CHART_TITLES.poolRatio)!, /<svg/);
});

Deno.test("paretoFront() keeps the cells no other cell beats on both figures", async (t) => {
  const cases: {
    name: string;
    points: { id: string; pool_ratio: number | null; load_p99_ns: number | null }[];
    front: string[];
  }[] = [
    {
      name: "dominated on both",
      points: [
        { id: "a", pool_ratio: 3, load_p99_ns: 100 },
        { id: "b", pool_ratio: 2, load_p99_ns: 200 },
      ],
      front: ["a"],
    },
    {
      name: "a trade-off keeps both",
      points: [
        { id: "a", pool_ratio: 3, load_p99_ns: 200 },
        { id: "b", pool_ratio: 2, load_p99_ns: 100 },
      ],
      front: ["a", "b"],
    },
    {
      name: "equal on one figure, worse on the other",
      points: [
        { id: "a", pool_ratio: 3, load_p99_ns: 100 },
        { id: "b", pool_ratio: 3, load_p99_ns: 101 },
      ],
      front: ["a"],
    },
    {
      name: "ties on both are kept",
      points: [
        { id: "a", pool_ratio: 3, load_p99_ns: 100 },
        { id: "b", pool_ratio: 3, load_p99_ns: 100 },
      ],
      front: ["a", "b"],
    },
    {
      name: "missing figures are left out",
      points: [
        { id: "a", pool_ratio: null, load_p99_ns: 1 },
        { id: "b", pool_ratio: 1, load_p99_ns: 500 },
        { id: "c", pool_ratio: 9, load_p99_ns: null },
      ],
      front: ["b"],
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => assert.deepEqual(paretoFront(c.points).map((p) => p.id), c.front));
  }
});

Deno.test("writeReports() writes report.md and report.html and leaves no temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const results = fixtureResults();
    await writeReports(dir, results);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["report.html", "report.md"]);
    assert.equal(await Deno.readTextFile(`${dir}/report.md`), renderMarkdown(results));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Writes `results` as a JSONL file: header line, then one line per cell. */
function toJsonl(results: RunResults): string {
  const { cells, ...rest } = results;
  return [JSON.stringify({ type: "header", ...rest }), ...cells.map((c) => JSON.stringify(c))]
    .join("\n") + "\n";
}

Deno.test("readRunResults() reads a folder, results.json or results.jsonl", async (t) => {
  const dir = await Deno.makeTempDir();
  const results = fixtureResults();
  try {
    await t.step("results.jsonl of an unfinished run, last line cut short", async () => {
      const text = toJsonl(results);
      await Deno.writeTextFile(`${dir}/results.jsonl`, text.slice(0, text.length - 40));
      const read = await readRunResults(dir);
      assert.equal(read.path, `${dir}/results.jsonl`);
      assert.equal(read.results.cells.length, results.cells.length - 1);
      assert.match(read.warnings[0], /Skipped the cut-short last line of .*results\.jsonl/);
    });
    await t.step("results.json is preferred when both are there", async () => {
      await Deno.writeTextFile(`${dir}/results.json`, JSON.stringify(results));
      const read = await readRunResults(dir);
      assert.equal(read.path, `${dir}/results.json`);
      assert.deepEqual(read.results, results);
    });
    await t.step("a bad field is a UsageError naming the file and the field", async () => {
      const bad = structuredClone(results) as unknown as { cells: Record<string, unknown>[] };
      bad.cells[3].pool_ratio = "high";
      await Deno.writeTextFile(`${dir}/bad.json`, JSON.stringify(bad));
      await assert.rejects(() => readRunResults(`${dir}/bad.json`), {
        name: "UsageError",
        message: new RegExp(`${dir}/bad\\.json: .*cells\\[3\\]\\.pool_ratio: must be a number`),
      });
    });
    await t.step("a folder without results is a UsageError", async () => {
      const empty = await Deno.makeTempDir({ dir });
      await assert.rejects(() => readRunResults(empty), {
        name: "UsageError",
        message: /No results\.json or results\.jsonl in/,
      });
      await assert.rejects(() => readRunResults(`${dir}/nope`), { name: "UsageError" });
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("report main() regenerates both reports next to the results", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/results.json`, JSON.stringify(fixtureResults()));
    const { value, printed } = await quiet(() => reportMain([dir]));
    assert.equal(value, 0);
    assert.match(printed, /report\.md and .*report\.html \(12 cells/);
    assert.match(await Deno.readTextFile(`${dir}/report.html`), /<svg/);
    await assert.rejects(() => reportMain([dir, "--nope"]), { name: "UsageError" });
    await assert.rejects(() => reportMain([]), { name: "UsageError" });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("renderHtml() adds a section per workload with all its presets side by side", async () => {
  const { crossPresetGroups, groupCells } = await import("../../../bench/report/_format.ts");
  const results = fixtureResults();
  const presets = new Set(results.cells.map((c) => c.preset));
  const twoPresets = {
    ...results,
    cells: [
      ...results.cells,
      ...results.cells.map((c) => ({ ...c, preset: "6.1", cell: `${c.cell}-6.1` })),
    ],
  };
  const cross = crossPresetGroups(groupCells(twoPresets.cells));
  assert.equal(cross.length, new Set(results.cells.map((c) => c.workload)).size);
  assert.ok(cross.every((g) => g.varying[0] === "preset"));
  const html = await renderHtml(twoPresets);
  assert.match(html, /all presets side by side/);
  if (presets.size === 1) {
    assert.doesNotMatch(await renderHtml(results), /all presets side by side/);
  }
});

Deno.test("renderMarkdown() marks zbud and z3fold cells under 6.18 or latest as counterfactual", () => {
  const results = fixtureResults();
  const later = {
    ...results,
    cells: results.cells.map((c) => ({ ...c, preset: "latest" })),
  };
  assert.ok(results.cells.some((c) => c.allocator === "zbud"), "the fixture has zbud cells");
  assert.match(renderMarkdown(later), /counterfactual/);
  const early = { ...results, cells: results.cells.map((c) => ({ ...c, preset: "6.1" })) };
  assert.doesNotMatch(renderMarkdown(early), /counterfactual/);
});
