/**
 * Opens a `report.html` in headless Chromium and saves a screenshot, to look at the page as a
 * reader would (charts drawn, labels not overlapping, nothing fetched from the network).
 *
 * Usage:
 *   deno run -A scripts/check_report_html.ts [REPORT] [--out PNG] [--height PX]
 *
 * REPORT is a `report.html` or a results folder holding one. Without it the script renders the
 * synthetic fixture of the tests (2 allocators x 2 compressors x 3 strategies, one failed cell)
 * into a temporary folder and checks that. Exits 0 with a message when Chromium is not installed
 * (`apt-get install -y chromium`).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { writeReports } from "../bench/report/mod.ts";
import { fixtureResults } from "../tests/bench/_results_fixture.ts";

const CANDIDATES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

/** The first Chromium-like browser on PATH, or null. */
async function findChromium(): Promise<string | null> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":").filter(Boolean)) {
    for (const name of CANDIDATES) {
      try {
        const info = await Deno.stat(`${dir}/${name}`);
        if (info.isFile) return `${dir}/${name}`;
      } catch {
        // not there
      }
    }
  }
  return null;
}

/** Width and height of a PNG, from its IHDR chunk. */
function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const signature = [0x89, 0x50, 0x4e, 0x47];
  if (bytes.length < 24 || signature.some((b, i) => bytes[i] !== b)) {
    throw new Error("Screenshot is not a PNG file");
  }
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Problems a reader would hit offline: external URLs in src/href, scripts, charts missing. */
function staticChecks(html: string): string[] {
  const problems: string[] = [];
  for (const m of html.matchAll(/\b(?:src|href|xlink:href)\s*=\s*["']?([^"' >]*)/gi)) {
    if (/^(https?:)?\/\//i.test(m[1])) problems.push(`External URL: ${m[1]}`);
  }
  if (/<script/i.test(html)) problems.push("The page has a <script>");
  const figures = html.split("<figure").slice(1);
  for (const f of figures) {
    const title = /<h3>([^<]*)<\/h3>/.exec(f)?.[1] ?? "(untitled)";
    if (!/<svg/.test(f) && !/class="empty"/.test(f)) problems.push(`Chart "${title}" has no SVG`);
  }
  if (figures.length === 0) problems.push("The page has no chart");
  return problems;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    strict: true,
    allowPositionals: true,
    options: {
      out: { type: "string", default: "/tmp/report.png" },
      height: { type: "string", default: "2400" },
    },
  });
  let report = positionals[0];
  if (report === undefined) {
    const dir = await Deno.makeTempDir({ prefix: "zswapbench-report-" });
    await writeReports(dir, fixtureResults());
    report = `${dir}/report.html`;
    console.log(`Rendered the test fixture to ${report}`);
  } else if ((await Deno.stat(report)).isDirectory) {
    report = `${report.replace(/\/+$/, "")}/report.html`;
  }
  const path = await Deno.realPath(report);
  const problems = staticChecks(await Deno.readTextFile(path));
  for (const p of problems) console.error(`Problem: ${p}`);

  const chromium = await findChromium();
  if (chromium === null) {
    console.log(
      "Skipping the screenshot: Chromium is not installed (apt-get install -y chromium)",
    );
    return problems.length > 0 ? 1 : 0;
  }
  const profile = await Deno.makeTempDir({ prefix: "zswapbench-chromium-" });
  try {
    const out = await new Deno.Command(chromium, {
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        `--screenshot=${values.out}`,
        `--window-size=1280,${Number(values.height)}`,
        `file://${path}`,
      ],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).output();
    if (!out.success) {
      console.error(new TextDecoder().decode(out.stderr));
      console.error(`Chromium failed with status ${out.code}`);
      return 1;
    }
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
  }
  const { width, height } = pngSize(await Deno.readFile(values.out));
  console.log(`Screenshot of ${path}: ${values.out} (${width} x ${height}); look at it`);
  return problems.length > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
