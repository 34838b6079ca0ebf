import assert from "node:assert/strict";
import { buildSizeClasses, classForLength, type SizeClassTable } from "../../allocators/mod.ts";

// kernel-zswap.md §4 (derived from mm/zsmalloc.c: get_pages_per_zspage <= 6.2,
// calculate_zspage_chain_size >= 6.3): index:size/pages/objs/waste[merged slots], H = huge.
const OLD_4 = `
  0:32/1/128/0 1:48/3/256/0 2:64/1/64/0 3:80/1/51/16 4:96/3/128/0 5:112/2/73/16 6:128/1/32/0 7:144/3/85/48
  8:160/2/51/32 9:176/4/93/16 10:192/3/64/0 11:208/2/39/80 12:224/4/73/32 13:240/1/17/16 14:256/1/16/0 15:272/1/15/16
  16:288/1/14/64 17:304/3/40/128 18:320/4/51/64 19:336/1/12/64 20:352/2/23/96 21:368/1/11/48 22:384/3/32/0
  23:400/1/10/96 24:416/4/39/160 25:432/3/28/192 26:448/1/9/64 27:464/4/35/144 28:480/2/17/32 29:496/4/33/16
  30:512/1/8/0 31:528/4/31/16 32:544/2/15/32 33:560/4/29/144 34:576/1/7/64 35:592/4/27/400 36:608/3/20/128
  37:624/2/13/80 38:640/3/19/128 40:672/1/6/64[39-40] 42:704/4/23/192[41-42] 43:720/3/17/48 44:736/2/11/96
  46:768/3/16/0[45-46] 49:816/1/5/16[47-49] 51:848/4/19/272[50-51] 52:864/3/14/192 54:896/2/9/128[53-54]
  57:944/3/13/16[55-57] 58:960/4/17/64 62:1024/1/4/0[59-62] 66:1088/4/15/64[63-66] 67:1104/3/11/144
  71:1168/2/7/16[68-71] 74:1216/3/10/128[72-74] 76:1248/4/13/160[75-76] 83:1360/1/3/16[77-83] 91:1488/4/11/16[84-91]
  94:1536/3/8/0[92-94] 100:1632/2/5/32[95-100] 107:1744/3/7/80[101-107] 111:1808/4/9/112[108-111]
  126:2048/1/2/0[112-126] 144:2336/4/7/32[127-144] 151:2448/3/5/48[145-151] 168:2720/2/3/32[152-168]
  190:3072/3/4/0[169-190] 202:3264/4/5/64[191-202] 254:4096/1/1/0[203-254] H`;

const NEW_8 = `
  0:32/1/128/0 1:48/3/256/0 2:64/1/64/0 3:80/5/256/0 4:96/3/128/0 5:112/7/256/0 6:128/1/32/0 7:144/7/199/16
  8:160/5/128/0 9:176/4/93/16 10:192/3/64/0 11:208/3/59/16 12:224/7/128/0 13:240/1/17/16 14:256/1/16/0 15:272/1/15/16
  16:288/5/71/32 17:304/7/94/96 18:320/5/64/0 19:336/6/73/48 20:352/8/93/32 21:368/8/89/16 22:384/3/32/0
  23:400/5/51/80 24:416/6/59/32 25:432/7/66/160 26:448/7/64/0 27:464/5/44/64 28:480/2/17/32 29:496/4/33/16
  30:512/1/8/0 31:528/4/31/16 32:544/2/15/32 33:560/7/51/112 34:576/1/7/64 35:592/8/55/208 36:608/7/47/96
  37:624/2/13/80 38:640/5/32/0 39:656/5/31/144 40:672/1/6/64 41:688/8/47/432 42:704/5/29/64 43:720/3/17/48
  44:736/2/11/96 45:752/7/38/96 46:768/3/16/0 47:784/5/26/96 49:816/1/5/16[48-49] 50:832/8/39/320 51:848/5/24/128
  52:864/7/33/160 53:880/8/37/208 54:896/7/32/0 55:912/7/31/400 56:928/5/22/64 57:944/3/13/16 58:960/4/17/64
  59:976/6/25/176 60:992/8/33/32 62:1024/1/4/0[61-62] 64:1056/8/31/32[63-64] 65:1072/5/19/112 66:1088/4/15/64
  67:1104/3/11/144 68:1120/8/29/288 69:1136/5/18/32 71:1168/2/7/16[70-71] 72:1184/7/24/256 73:1200/5/17/80
  74:1216/3/10/128 75:1232/7/23/336 76:1248/4/13/160 78:1280/5/16/0[77-78] 79:1296/7/22/160 83:1360/1/3/16[80-83]
  87:1424/8/23/16[84-87] 88:1440/6/17/96 89:1456/5/14/96 91:1488/4/11/16[90-91] 92:1504/7/19/96 94:1536/3/8/0[93-94]
  95:1552/8/21/176 96:1568/5/13/96 97:1584/7/18/160 100:1632/2/5/32[98-100] 103:1680/7/17/112[101-103]
  104:1696/5/12/128 105:1712/8/19/240 107:1744/3/7/80[106-107] 110:1792/7/16/0[108-110] 111:1808/4/9/112
  114:1856/5/11/64[112-114] 116:1888/6/13/32[115-116] 117:1904/7/15/112 118:1920/8/17/128 126:2048/1/2/0[119-126]
  134:2176/8/15/128[127-134] 135:2192/7/13/176 137:2224/6/11/112[136-137] 140:2272/5/9/32[138-140]
  144:2336/4/7/32[141-144] 147:2384/7/12/64[145-147] 151:2448/3/5/48[148-151] 155:2512/8/13/112[152-155]
  158:2560/5/8/0[156-158] 160:2592/7/11/160[159-160] 168:2720/2/3/32[161-168] 177:2864/7/10/32[169-177]
  180:2912/5/7/96[178-180] 184:2976/8/11/32[181-184] 190:3072/3/4/0[185-190] 197:3184/7/9/16[191-197]
  202:3264/4/5/64[198-202] 211:3408/5/6/32[203-211] 217:3504/6/7/48[212-217] 222:3584/7/8/0[218-222]
  225:3632/8/9/80[223-225] 254:4096/1/1/0[226-254] H`;

/** Render a table in the notation of kernel-zswap.md §4. */
function render(t: SizeClassTable): string[] {
  return t.classes.map((c) =>
    `${c.index}:${c.size}/${c.pagesPerZspage}/${c.objsPerZspage}/${c.wasteBytes}` +
    (c.firstSlot !== c.lastSlot ? `[${c.firstSlot}-${c.lastSlot}]` : "") + (c.huge ? " H" : "")
  );
}

function rows(text: string): string[] {
  return text.trim().split(/\s+/).reduce<string[]>((acc, tok) => {
    if (tok === "H") acc[acc.length - 1] += " H";
    else acc.push(tok);
    return acc;
  }, []);
}

Deno.test("buildSizeClasses() reproduces the old 4-page table (<= 6.2)", () => {
  const t = buildSizeClasses(4096, { rule: "old", chain: 4 });
  assert.equal(t.slots, 255);
  assert.equal(t.delta, 16);
  assert.equal(t.classes.length, 69);
  assert.equal(t.hugeWatermark, 3264);
  assert.deepEqual(render(t), rows(OLD_4));
});

Deno.test("buildSizeClasses() reproduces the chain-8 table (>= 6.3)", () => {
  const t = buildSizeClasses(4096, { rule: "new", chain: 8 });
  assert.equal(t.classes.length, 119);
  assert.equal(t.hugeWatermark, 3632);
  assert.deepEqual(render(t), rows(NEW_8));
});

Deno.test("buildSizeClasses() gives the class counts of every chain size", async (t) => {
  // kernel-zswap.md §4 documentation cross-check: "v6.3+ code" column, and the used-percent
  // rule extended to N pages (what Documentation/mm/zsmalloc.rst lists).
  const table: [number, number, number, number][] = [
    // chain, new-rule classes, old-rule classes, watermark
    [4, 69, 69, 3264],
    [5, 86, 86, 3408],
    [6, 94, 93, 3504],
    [7, 110, 112, 3584],
    [8, 119, 123, 3632],
    [9, 136, 140, 3680],
    [10, 141, 143, 3712],
    [11, 153, 159, 3744],
    [12, 159, 164, 3776],
    [13, 173, 180, 3792],
    [14, 179, 183, 3808],
    [15, 186, 188, 3840],
    [16, 192, 191, 3840],
  ];
  for (const [chain, nNew, nOld, watermark] of table) {
    await t.step(`chain ${chain}`, () => {
      const n = buildSizeClasses(4096, { rule: "new", chain });
      const o = buildSizeClasses(4096, { rule: "old", chain });
      assert.equal(n.classes.length, nNew);
      assert.equal(o.classes.length, nOld);
      assert.equal(n.hugeWatermark, watermark);
      assert.equal(o.hugeWatermark, watermark);
    });
  }
});

Deno.test("buildSizeClasses() differs between old rule and chain 4 only at slot 11", () => {
  // kernel-zswap.md §4: slot 11 size 208: old 2 pages (39 objects), new 3 pages (59 objects).
  const o = buildSizeClasses(4096, { rule: "old", chain: 4 });
  const n = buildSizeClasses(4096, { rule: "new", chain: 4 });
  const differ = [];
  for (let s = 0; s < 255; s++) {
    const a = o.classes[o.slotToClass[s]];
    const b = n.classes[n.slotToClass[s]];
    if (a.pagesPerZspage !== b.pagesPerZspage || a.size !== b.size) differ.push(s);
  }
  assert.deepEqual(differ, [11]);
  const a = o.classes[o.slotToClass[11]];
  const b = n.classes[n.slotToClass[11]];
  assert.deepEqual([a.pagesPerZspage, a.objsPerZspage], [2, 39]);
  assert.deepEqual([b.pagesPerZspage, b.objsPerZspage], [3, 59]);
  // chain 4: slots 95-99 merged into class 100.
  assert.deepEqual([n.classes[n.slotToClass[95]].index, n.classes[n.slotToClass[99]].index], [
    100,
    100,
  ]);
  // chain 16: slot 212 merged into class 213 (3440 B, 16 pages, 19 objects).
  const c16 = buildSizeClasses(4096, { rule: "new", chain: 16 });
  const k = c16.classes[c16.slotToClass[212]];
  assert.deepEqual([k.index, k.size, k.pagesPerZspage, k.objsPerZspage], [213, 3440, 16, 19]);
});

Deno.test("classForLength() adds the 8-byte handle before the lookup", async (t) => {
  // kernel-zswap.md §4: compressed length -> class, chain 4 (old rule) and chain 8.
  const old = buildSizeClasses(4096, { rule: "old", chain: 4 });
  const c8 = buildSizeClasses(4096, { rule: "new", chain: 8 });
  const table: [number, string, string][] = [
    [1, "0:32/1/128", "0:32/1/128"],
    [24, "0:32/1/128", "0:32/1/128"],
    [25, "1:48/3/256", "1:48/3/256"],
    [100, "5:112/2/73", "5:112/7/256"],
    [1000, "62:1024/1/4", "62:1024/1/4"],
    [1560, "100:1632/2/5", "96:1568/5/13"],
    [2000, "126:2048/1/2", "126:2048/1/2"],
    [3000, "190:3072/3/4", "190:3072/3/4"],
    [3256, "202:3264/4/5", "202:3264/4/5"],
    [3257, "254:4096/1/1", "211:3408/5/6"],
    [3624, "254:4096/1/1", "225:3632/8/9"],
    [3625, "254:4096/1/1", "254:4096/1/1"],
    [4000, "254:4096/1/1", "254:4096/1/1"],
    [4096, "254:4096/1/1", "254:4096/1/1"],
  ];
  const fmt = (t: SizeClassTable, len: number) => {
    const c = classForLength(t, len);
    return `${c.index}:${c.size}/${c.pagesPerZspage}/${c.objsPerZspage}`;
  };
  for (const [len, a, b] of table) {
    await t.step(`length ${len}`, () => {
      assert.equal(fmt(old, len), a);
      assert.equal(fmt(c8, len), b);
    });
  }
  // zs_huge_class_size = watermark - 7: 3257 (old) and 3625 (chain 8) are the first huge lengths.
  assert.equal(old.hugeWatermark - 7, 3257);
  assert.equal(c8.hugeWatermark - 7, 3625);
});

Deno.test("buildSizeClasses() scales with the page size", async (t) => {
  // mm/zsmalloc.c: delta = PAGE_SIZE >> 8; ZS_SIZE_CLASSES = DIV_ROUND_UP(PAGE_SIZE - 32, delta) + 1
  // = 257 at 16K and 64K; the last slot's size is capped at PAGE_SIZE.
  for (const [pageSize, delta] of [[16384, 64], [65536, 256]]) {
    await t.step(`${pageSize} B pages`, () => {
      const tb = buildSizeClasses(pageSize, { rule: "new", chain: 8 });
      assert.equal(tb.delta, delta);
      assert.equal(tb.slots, 257);
      assert.equal(tb.classes[0].size, 32);
      assert.equal(tb.classes[1].size, 32 + delta);
      const last = tb.classes.at(-1)!;
      assert.deepEqual([last.index, last.size, last.huge], [256, pageSize, true]);
      for (const c of tb.classes) {
        assert.equal(c.objsPerZspage, Math.floor((c.pagesPerZspage * pageSize) / c.size));
        assert.ok(c.pagesPerZspage <= 8);
      }
    });
  }
  assert.throws(() => buildSizeClasses(8192, { rule: "new", chain: 8 }), RangeError);
});
