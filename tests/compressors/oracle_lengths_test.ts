/**
 * The real codecs against the kernels' own per-page lengths (tests/oracle, README there): for
 * every kernel and page set, each codec under that kernel's preset settings gives the identical
 * length on every page the kernel compressed (zstd from 6.18 on, where the kernel's libzstd is
 * the runtime's), and fails to fit a page on every page the kernel could not compress.
 */
import assert from "node:assert/strict";
import { builtinCompressors } from "../../compressors/mod.ts";
import { CompressError } from "../../registry/types.ts";
import { getPreset, presetForKernel } from "../../zswap/presets.ts";
import { ORACLE_DIR } from "../zswap/_oracle.ts";

const PAGE = 4096;

function lengthFiles(): { kernel: string; set: string; url: URL; pages: URL }[] {
  const out = [];
  for (const e of Deno.readDirSync(ORACLE_DIR)) {
    const m = /^kernel-(\d+\.\d+)-([a-z0-9]+)-lengths\.csv$/.exec(e.name);
    const pages = m && new URL(`${m[2]}.pages`, ORACLE_DIR);
    if (m && pages && exists(pages)) {
      out.push({ kernel: m[1], set: m[2], url: new URL(e.name, ORACLE_DIR), pages });
    }
  }
  return out.sort((a, b) => a.kernel.localeCompare(b.kernel) || a.set.localeCompare(b.set));
}

function exists(url: URL): boolean {
  try {
    Deno.statSync(url);
    return true;
  } catch {
    return false;
  }
}

const files = lengthFiles();

Deno.test({
  name: "lz4, lzo and deflate give every kernel's lengths; zstd from 6.18 on (tests/oracle)",
  ignore: files.length === 0,
  async fn(t) {
    for (const f of files) {
      const presetName = presetForKernel(f.kernel)!;
      const preset = getPreset(presetName);
      const bytes = Deno.readFileSync(f.pages);
      const [head, ...rows] = Deno.readTextFileSync(f.url).trim().split(/\r?\n/).map((l) =>
        l.trim().split(",")
      );
      for (const name of ["lz4", "lzo", "deflate", "zstd"]) {
        const col = head.indexOf(name);
        if (col < 0) continue;
        await t.step(`${f.kernel} ${f.set} ${name}`, async () => {
          const plugin = builtinCompressors.find((c) => c.name === name)!;
          const codec = await plugin.create(preset.codecOptions[name] ?? {});
          const dst = new Uint8Array(PAGE);
          let compared = 0;
          let agree = 0;
          let firstDiff = -1;
          try {
            for (let i = 0; i < rows.length; i++) {
              const want = rows[i][col];
              const page = bytes.subarray(i * PAGE, (i + 1) * PAGE);
              let got: number | "fail";
              try {
                got = await codec.compress(page, dst);
              } catch (e) {
                if (!(e instanceof CompressError)) throw e;
                got = "fail";
              }
              if (/^\d+$/.test(want)) {
                compared++;
                if (got === Number(want)) agree++;
                else if (firstDiff < 0) firstDiff = i;
              } else if (want === "R" || want === "W") {
                // The kernel could not compress it below a page: neither can the codec.
                compared++;
                if (got === "fail" || got === PAGE) agree++;
                else if (firstDiff < 0) firstDiff = i;
              }
            }
          } finally {
            await codec.close?.();
          }
          const exact = name !== "zstd" || preset.zstdLibrary === "1.5.7";
          if (exact) {
            assert.equal(
              agree,
              compared,
              `${agree}/${compared} pages agree; first difference at page ${firstDiff}`,
            );
          } else {
            // zstd older than the runtime's (preset zstdLibrary): close, not equal.
            assert.ok(agree > 0 && compared > 0, `${agree}/${compared}`);
          }
        });
      }
    }
  },
});
