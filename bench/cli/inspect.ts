/**
 * `deno task cli inspect <allocator> [--page-size N] [--chain N] [--rule old|new] [--json]`: an
 * allocator's geometry as the kernel derives it. For zsmalloc, the distinct size classes after
 * merging (index, size, pages and objects per zspage, waste, the slots each serves); for zbud and
 * z3fold, the chunk size, usable chunks, header bytes and the largest object.
 *
 * @module
 */
import {
  buildSizeClasses,
  resolveZsmallocOptions,
  type SizeClassTable,
  z3foldGeometry,
  zbudGeometry,
} from "../../allocators/mod.ts";
import { closestName, unknownNameMessage } from "../../registry/registry.ts";
import { parseFlags } from "./args.ts";
import { UsageError } from "../../registry/errors.ts";

/** Help text of `inspect`. */
export const INSPECT_HELP =
  `Usage: deno task cli inspect <allocator> [--page-size N] [--chain N] [--rule old|new] [--json]

Print the geometry of a built-in allocator (zbud, z3fold, zsmalloc) as the kernel derives it.

  --page-size N  bytes per page: 4096 (default), 16384 or 65536
  --rule R       zsmalloc only: "new" (>= 6.3, default) or "old" (<= 6.2, used-percent rule)
  --chain N      zsmalloc only: most pages per zspage, 4..16 (default 8 new, 4 old)
  --json         machine-readable: for zsmalloc an array of
                 {"index", "size", "pagesPerZspage", "objsPerZspage", "slots": [first, last]};
                 for zbud and z3fold an object with the allocator's constants
  --help         this text`;

/** One distinct zsmalloc class as `inspect zsmalloc --json` prints it. */
export interface InspectedClass {
  /** The class index (its largest slot). */
  index: number;
  /** Object size in bytes, the 8-byte handle included. */
  size: number;
  /** Pages per zspage. */
  pagesPerZspage: number;
  /** Objects per zspage. */
  objsPerZspage: number;
  /** The first and last slot merged into this class. */
  slots: [number, number];
}

const ALLOCATORS = ["zbud", "z3fold", "zsmalloc"];

/**
 * The distinct classes of a zsmalloc size-class table, in `--json` form.
 *
 * @param table A table from `buildSizeClasses`.
 * @returns One entry per distinct class, smallest first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildSizeClasses } from "../../allocators/mod.ts";
 * import { inspectedClasses } from "./inspect.ts";
 * const rows = inspectedClasses(buildSizeClasses(4096, { rule: "old", chain: 4 }));
 * assert.equal(rows.find((r) => r.index === 40)!.slots[0], 39);
 * ```
 */
export function inspectedClasses(table: SizeClassTable): InspectedClass[] {
  return table.classes.map((c) => ({
    index: c.index,
    size: c.size,
    pagesPerZspage: c.pagesPerZspage,
    objsPerZspage: c.objsPerZspage,
    slots: [c.firstSlot, c.lastSlot],
  }));
}

/**
 * A zsmalloc size-class table as text: a summary line, then one row per distinct class.
 *
 * @param table A table from `buildSizeClasses`.
 * @returns The text.
 */
export function formatSizeClasses(table: SizeClassTable): string {
  const huge = table.classes.find((c) => c.huge);
  const lines = [
    `zsmalloc, ${table.pageSize}-byte pages, ${table.rule} rule, chain ${table.chain}: ` +
    `${table.classes.length} classes over ${table.slots} slots (delta ${table.delta} bytes)`,
    `huge objects: ${table.hugeWatermark - 7} bytes and more (zs_huge_class_size)` +
    (huge ? `, class ${huge.index}` : ""),
    "",
    " class   size  pages  objs  waste  slots",
  ];
  for (const c of table.classes) {
    const slots = c.firstSlot === c.lastSlot ? `${c.index}` : `${c.firstSlot}-${c.lastSlot}`;
    lines.push(
      `${String(c.index).padStart(6)} ${String(c.size).padStart(6)} ${
        String(c.pagesPerZspage).padStart(6)
      } ${String(c.objsPerZspage).padStart(5)} ${String(c.wasteBytes).padStart(6)}  ${slots}${
        c.huge ? " huge" : ""
      }`,
    );
  }
  return lines.join("\n");
}

function pageSizeFlag(value: string | undefined): number {
  if (value === undefined) return 4096;
  const n = Number(value);
  if (!["4096", "16384", "65536"].includes(value) || !Number.isInteger(n)) {
    throw new UsageError(`Page size "${value}" is not supported (use 4096, 16384 or 65536)`);
  }
  return n;
}

/**
 * Run the `inspect` subcommand.
 *
 * @param args Arguments after `inspect`.
 * @returns 0 (a rejected promise with a {@linkcode UsageError} for an unknown allocator, a bad
 *   flag or value, or a zsmalloc-only flag given for another allocator).
 *
 * @example
 * ```ts
 * import { main } from "./inspect.ts";
 * await main(["zbud", "--json"]);
 * ```
 */
export function main(args: string[]): Promise<number> {
  try {
    return Promise.resolve(inspect(args));
  } catch (err) {
    return Promise.reject(err);
  }
}

function inspect(args: string[]): number {
  const { values, positionals } = parseFlags("inspect", args, {
    "page-size": { type: "string" },
    chain: { type: "string" },
    rule: { type: "string" },
    json: { type: "boolean" },
    debug: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) {
    console.log(INSPECT_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      `Name one allocator to inspect (known: ${ALLOCATORS.join(", ")}); see "inspect --help"`,
    );
  }
  const name = positionals[0];
  if (!ALLOCATORS.includes(name)) {
    const builtinOnly = closestName(name, ALLOCATORS) === undefined
      ? "; inspect knows the built-in allocators only"
      : "";
    throw new UsageError(`${unknownNameMessage("allocator", name, ALLOCATORS)}${builtinOnly}`);
  }
  const pageSize = pageSizeFlag(values["page-size"] as string | undefined);
  const chainFlag = values.chain as string | undefined;
  const ruleFlag = values.rule as string | undefined;
  const json = values.json === true;
  if (name !== "zsmalloc") {
    if (chainFlag !== undefined || ruleFlag !== undefined) {
      throw new UsageError(
        `Flags --chain and --rule apply to zsmalloc only, not "${name}" (drop them)`,
      );
    }
    const g = name === "zbud" ? zbudGeometry(pageSize) : z3foldGeometry(pageSize);
    if (json) {
      console.log(JSON.stringify({ allocator: name, ...g }, null, 2));
    } else {
      const lines = [
        `${name}, ${pageSize}-byte pages`,
        `  chunk size   ${g.chunkSize} bytes (PAGE_SIZE >> 6)`,
        `  header       ${g.headerBytes} bytes (${g.headerBytes / g.chunkSize} chunk${
          g.headerBytes === g.chunkSize ? "" : "s"
        })`,
        `  chunks       ${g.chunks} usable of 64`,
        `  max object   ${g.maxObjectBytes} bytes`,
      ];
      if ("headlessAbove" in g) {
        lines.push(`  headless     objects above ${g.headlessAbove} bytes take a page alone`);
      }
      console.log(lines.join("\n"));
    }
    return 0;
  }
  let chain: number | undefined;
  if (chainFlag !== undefined) {
    chain = Number(chainFlag);
    if (!/^\d+$/.test(chainFlag) || chain < 4 || chain > 16) {
      throw new UsageError(`Chain "${chainFlag}" is not an integer from 4 to 16 (e.g. --chain 8)`);
    }
  }
  if (ruleFlag !== undefined && ruleFlag !== "old" && ruleFlag !== "new") {
    throw new UsageError(`Rule "${ruleFlag}" is not "old" or "new" (e.g. --rule old)`);
  }
  const options = resolveZsmallocOptions({ rule: ruleFlag, chain });
  const table = buildSizeClasses(pageSize, options);
  console.log(
    json ? JSON.stringify(inspectedClasses(table), null, 2) : formatSizeClasses(table),
  );
  return 0;
}
