import assert from "node:assert/strict";
import { createDefaultRegistry } from "../../../builtins/mod.ts";
import { resolveConfig } from "../../../bench/run/config.ts";
import { runMatrix } from "../../../bench/run/runner.ts";
import { renderHtml } from "../../../bench/report/html.ts";
import {
  allocatorColor,
  DETAIL_CHART_TITLES,
  detailCharts,
  svgTooltips,
} from "../../../bench/report/_detail_charts.ts";
import { crossPresetGroups, groupCells } from "../../../bench/report/_format.ts";
import { fixtureResults } from "../_results_fixture.ts";

/** A small real sweep over presets and pages: every detail column filled by the frontend. */
async function sweep() {
  const config = resolveConfig({
    allocators: ["zbud", "zsmalloc"],
    compressors: ["lz4"],
    presets: ["6.1", "latest"],
    params: { pages: [64, 256] },
    repetitions: 2,
    warmup: 0,
  });
  const cells = await runMatrix(config, { registry: createDefaultRegistry() });
  const base = fixtureResults();
  return { ...base, config: config as unknown as Record<string, unknown>, cells };
}

function figure(html: string, title: string): string | undefined {
  const at = html.indexOf(`<h3>${title}</h3>`);
  return at < 0 ? undefined : html.slice(at, html.indexOf("</figure>", at));
}

Deno.test("cells carry a timeline, the allocator at its high-water mark and latency CDFs", async () => {
  const { cells } = await sweep();
  for (const c of cells) {
    assert.equal(c.status, "ok", c.error ?? "");
    const t = c.timeline!;
    assert.ok(t.ops.length > 2 && t.ops.length <= 129, `${t.ops.length} points`);
    assert.equal(Math.max(...t.pool_pages), t.hw_pool_pages, "the peak sampled is the mark");
    assert.equal(t.hw_pool_pages, c.pool_pages);
    assert.equal(c.allocator_stats_hw!.pages, c.pool_pages, "stats taken at the high-water mark");
    assert.equal(c.latency_cdf!.load_ns.length, c.latency_cdf!.q.length);
    assert.equal(c.latency_reps!.load_p50_ns.length, 2);
  }
  // 6.12 on, loads are exclusive: the pool ends empty, but its classes at the peak are kept.
  const latest = cells.find((c) => c.allocator === "zsmalloc" && c.preset === "latest")!;
  assert.equal(latest.pool_pages_end, 0);
  assert.equal((latest.allocator_stats.classes as unknown[]).length, 0);
  assert.ok((latest.allocator_stats_hw!.classes as unknown[]).length > 0);
});

Deno.test("report.html of a preset x pages sweep draws the detail charts", async () => {
  const results = await sweep();
  const html = await renderHtml(results);
  const groups = [...groupCells(results.cells), ...crossPresetGroups(groupCells(results.cells))];
  const titles = groups.flatMap((g) => detailCharts(g).map((d) => d.title));
  assert.ok(titles.includes(DETAIL_CHART_TITLES.ratioByPreset));
  assert.ok(titles.includes(DETAIL_CHART_TITLES.ratioByPages));
  // The latest group comes third (6.1, latest, then all presets): its size classes are drawn.
  const latestAt = html.indexOf("Workload mixed, preset latest");
  const sizeClasses = figure(html.slice(latestAt), DETAIL_CHART_TITLES.sizeClasses)!;
  assert.match(sizeClasses, /<svg/);
  assert.match(sizeClasses, /<title>zsmalloc\/lz4\/mixed\/sg-read\/latest/);
  for (
    const t of [
      DETAIL_CHART_TITLES.timeline,
      DETAIL_CHART_TITLES.loadCdf,
      DETAIL_CHART_TITLES.storeCdf,
      DETAIL_CHART_TITLES.ratioByPreset,
      DETAIL_CHART_TITLES.ratioByPages,
      DETAIL_CHART_TITLES.bouncedPerLoad,
      DETAIL_CHART_TITLES.pageFill,
    ]
  ) {
    assert.match(figure(html, t) ?? "", /<svg/, t);
  }
  assert.match(figure(html, DETAIL_CHART_TITLES.violations)!, /No violation and no failed load/);
  assert.ok(!html.includes("Bytes bounced by strategy and allocator"), "replaced per load");
});

Deno.test("allocatorColor() gives each built-in allocator the same colour in any chart", () => {
  const a = allocatorColor(["zsmalloc"]);
  const b = allocatorColor(["zbud", "z3fold", "zsmalloc", "mine"]);
  assert.equal(a.color.range[0], b.color.range[b.color.domain.indexOf("zsmalloc")]);
  assert.equal(a.shape.range[0], b.shape.range[b.shape.domain.indexOf("zsmalloc")]);
  assert.deepEqual(b.color.domain, ["zbud", "z3fold", "zsmalloc", "mine"]);
});

Deno.test("svgTooltips() leaves marks without a description alone", () => {
  const svg = '<path d="M0"/>';
  assert.equal(svgTooltips(svg), svg);
});
