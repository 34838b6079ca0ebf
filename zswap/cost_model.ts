/**
 * Cost models: what a unit of synchronous work costs in virtual time.
 *
 * - `measured` (default): each store, load and writeback reports the CPU work this process
 *   measurably did for it (codec, copies, allocator), plus the waits of the modelled timeline
 *   (engine, queue, mutex). The timeline that orders the tasks — which task runs next, when an
 *   engine is free, who finds the mutex taken — is built from the calibrated table below, so the
 *   same seed gives the same contention counts however noisy this machine is.
 * - `calibrated`: every figure comes from the table: a codec call costs
 *   `ns_per_call + ns_per_byte x page bytes + ns_per_compressed_byte x compressed bytes`, a copy
 *   `copy_ns_per_byte x bytes`, and each operation `op_ns` on top (tree, allocator, map). Use it
 *   to read relative costs — a bounce copy against a decompression — as they would be on a kernel,
 *   with a table from a native run of the same codecs.
 *
 * The default table's figures are approximate native speeds of the codecs on a recent x86 core
 * (order of magnitude of lzbench's published single-thread tables; see docs/virtual-time.md);
 * they are assumptions for your machine, not measurements of it.
 *
 * @module
 */

import { z } from "zod";
import { UsageError } from "../registry/errors.ts";
import { formatZodIssues } from "../registry/schemas.ts";

/** The cost of one codec call: `ns_per_call + ns_per_byte x page + ns_per_compressed_byte x c`. */
export interface CodecCost {
  /** Fixed part per call (ns): a per-page figure goes here. */
  ns_per_call: number;
  /** Per uncompressed byte (ns). */
  ns_per_byte: number;
  /** Per compressed byte (ns). */
  ns_per_compressed_byte: number;
}

/** A codec's costs, by direction. */
export interface CodecCosts {
  /** Compressing one page. */
  compress: CodecCost;
  /** Decompressing one page. */
  decompress: CodecCost;
}

/** A cost table: per codec, copies, and the rest of an operation. */
export interface CostTable {
  /** By codec name; `default` serves codecs the table does not name (measured model only). */
  codecs: Record<string, CodecCosts>;
  /** A memcpy (bounce buffer, copy into the pool), per byte (ns). */
  copy_ns_per_byte: number;
  /** Everything else of one store, load or writeback (tree, allocator, map, lock), in ns. */
  op_ns: number;
}

/** A resolved cost model. */
export interface CostModel {
  /** Which figures the results report: measured CPU work, or the table's. */
  kind: "measured" | "calibrated";
  /** The table (calibrated figures; in `measured`, the one that orders the timeline). */
  table: CostTable;
}

/** What a user may write: a model name, or a name with a (partial) table over the default. */
export type CostModelInput =
  | "measured"
  | "calibrated"
  | {
    model?: "measured" | "calibrated";
    table?: {
      codecs?: Record<string, { compress?: Partial<CodecCost>; decompress?: Partial<CodecCost> }>;
      copy_ns_per_byte?: number;
      op_ns?: number;
    };
  };

const perMBps = (mbps: number): number => 1000 / mbps;
const cost = (mbps: number, perCall = 0): CodecCost => ({
  ns_per_call: perCall,
  ns_per_byte: perMBps(mbps),
  ns_per_compressed_byte: 0,
});

/**
 * The default table (assumptions, see the module doc): single-thread native speeds in MB/s of
 * uncompressed data — lz4 750 / 4500, lzo 700 / 1000, zstd (level 3) 330 / 1300, deflate
 * (level 6) 35 / 400 — memcpy 20 GB/s, and 300 ns for the rest of an operation.
 */
export const DEFAULT_COST_TABLE: Readonly<CostTable> = Object.freeze({
  codecs: {
    lz4: { compress: cost(750), decompress: cost(4500) },
    "lz4-wasm": { compress: cost(750), decompress: cost(4500) },
    lzo: { compress: cost(700), decompress: cost(1000) },
    "lzo-rle": { compress: cost(700), decompress: cost(1000) },
    zstd: { compress: cost(330), decompress: cost(1300) },
    deflate: { compress: cost(35), decompress: cost(400) },
    none: { compress: cost(20_000), decompress: cost(20_000) },
    default: { compress: cost(750), decompress: cost(4500) },
  },
  copy_ns_per_byte: perMBps(20_000),
  op_ns: 300,
});

const CodecCostInput = z.strictObject({
  ns_per_call: z.number().min(0).optional(),
  ns_per_byte: z.number().min(0).optional(),
  ns_per_compressed_byte: z.number().min(0).optional(),
});

const CostModelSchema = z.union([
  z.enum(["measured", "calibrated"]),
  z.strictObject({
    model: z.enum(["measured", "calibrated"]).optional(),
    table: z.strictObject({
      codecs: z.record(
        z.string(),
        z.strictObject({
          compress: CodecCostInput.optional(),
          decompress: CodecCostInput.optional(),
        }),
      ).optional(),
      copy_ns_per_byte: z.number().min(0).optional(),
      op_ns: z.number().min(0).optional(),
    }).optional(),
  }),
]);

/**
 * Resolve a cost model: a name, or `{ model, table }` whose table entries override the default
 * table's (a codec's missing fields are 0 when the codec is new, the default's otherwise).
 *
 * @param input A {@linkcode CostModelInput} (checked here); `undefined` is `measured`.
 * @returns The model with a complete table.
 * @throws {UsageError} For a malformed model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveCostModel } from "./cost_model.ts";
 * const m = resolveCostModel({ model: "calibrated", table: { codecs: { lz4: { decompress: { ns_per_call: 800, ns_per_byte: 0 } } } } });
 * assert.equal(m.kind, "calibrated");
 * assert.equal(m.table.codecs.lz4.decompress.ns_per_call, 800);
 * ```
 */
export function resolveCostModel(input: unknown): CostModel {
  if (input === undefined) return { kind: "measured", table: DEFAULT_COST_TABLE };
  const parsed = CostModelSchema.safeParse(input);
  if (!parsed.success) {
    throw new UsageError(
      `Invalid cost model: ${
        formatZodIssues(parsed.error.issues, input)
      } (use "measured", "calibrated" or { "model": ..., "table": { "codecs", "copy_ns_per_byte", "op_ns" } })`,
      { cause: parsed.error },
    );
  }
  const v = parsed.data as Exclude<CostModelInput, string> | "measured" | "calibrated";
  if (typeof v === "string") return { kind: v, table: DEFAULT_COST_TABLE };
  const d = DEFAULT_COST_TABLE;
  const codecs: Record<string, CodecCosts> = { ...d.codecs };
  const zero: CodecCost = { ns_per_call: 0, ns_per_byte: 0, ns_per_compressed_byte: 0 };
  for (const [name, c] of Object.entries(v.table?.codecs ?? {})) {
    const base = Object.hasOwn(d.codecs, name)
      ? d.codecs[name]
      : { compress: zero, decompress: zero };
    codecs[name] = {
      compress: { ...base.compress, ...c.compress },
      decompress: { ...base.decompress, ...c.decompress },
    };
  }
  return {
    kind: v.model ?? "measured",
    table: {
      codecs,
      copy_ns_per_byte: v.table?.copy_ns_per_byte ?? d.copy_ns_per_byte,
      op_ns: v.table?.op_ns ?? d.op_ns,
    },
  };
}

/**
 * A codec's costs from a table: its own entry, else (measured model) `default`.
 *
 * @param model The cost model.
 * @param codec The codec's name.
 * @returns Its costs.
 * @throws {UsageError} In the calibrated model, for a codec the table does not name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codecCosts, resolveCostModel } from "./cost_model.ts";
 * assert.ok(codecCosts(resolveCostModel("measured"), "my-codec").decompress.ns_per_byte > 0);
 * ```
 */
export function codecCosts(model: CostModel, codec: string): CodecCosts {
  const codecs = model.table.codecs;
  if (Object.hasOwn(codecs, codec)) return codecs[codec];
  if (model.kind === "calibrated") {
    throw new UsageError(
      `The calibrated cost table has no entry for codec "${codec}" (known: ${
        Object.keys(codecs).filter((k) => k !== "default").join(", ")
      }); add one under table.codecs`,
    );
  }
  return codecs.default;
}

/**
 * The cost of one call in ns.
 *
 * @param c The direction's cost.
 * @param pageBytes Uncompressed bytes.
 * @param compressedBytes Compressed bytes.
 * @returns Nanoseconds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { callCostNs } from "./cost_model.ts";
 * assert.equal(callCostNs({ ns_per_call: 100, ns_per_byte: 1, ns_per_compressed_byte: 0 }, 4096, 900), 4196);
 * ```
 */
export function callCostNs(c: CodecCost, pageBytes: number, compressedBytes: number): number {
  return c.ns_per_call + c.ns_per_byte * pageBytes + c.ns_per_compressed_byte * compressedBytes;
}
