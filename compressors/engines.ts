/**
 * Modelled asynchronous compression engines: the device behind the `offload` compressor when it
 * is not asked for a real Worker. The codec runs for real (lengths and bytes are real); the model
 * says only when each request completes, in the virtual time of the simulated machine
 * (`zswap/_clock.ts`). Presets name engines people ask about; every figure of a preset is listed
 * with its source in docs/virtual-time.md, and most are assumptions.
 *
 * @module
 */

import { z } from "zod";
import { UsageError } from "../registry/errors.ts";
import { formatZodIssues } from "../registry/schemas.ts";
import type { Compressor, EngineModel } from "../registry/types.ts";

/** A figure that may differ by direction. */
export type PerDirection = number | { compress?: number; decompress?: number };

/** Options of a modelled engine (the `engine` option of `offload`). */
export interface EngineOptions {
  /** A preset to start from: `cpu` (default), `iaa`, `qat`. */
  preset?: string;
  /** Engines (hardware queues) serving requests at once. */
  engines?: number;
  /** Fixed completion latency per request (µs), or per direction. */
  latency_us?: PerDirection;
  /** MB/s of uncompressed data per engine (or per direction); absent: the codec's own cost. */
  throughput_mbps?: PerDirection;
  /** Random extra latency: `{ dist: "uniform" | "exponential", us }`. */
  jitter?: { dist: "none" | "uniform" | "exponential"; us: number };
}

/** The shape of a preset (figures in µs and MB/s; null throughput: the codec's own cost). */
export interface EnginePreset {
  /** Name. */
  name: string;
  /** One line. */
  description: string;
  /** Engines. */
  engines: number;
  /** Latency per direction (µs). */
  latencyUs: { compress: number; decompress: number };
  /** Throughput per direction (MB/s) or null. */
  throughputMBps: { compress: number | null; decompress: number | null };
  /** Jitter. */
  jitter: { dist: "none" | "uniform" | "exponential"; us: number };
}

/**
 * Engine presets. `cpu` is an engine exactly as fast as this CPU's codec with no latency (add
 * `latency_us`); `iaa` and `qat` are rough pictures of Intel IAA (In-Memory Analytics
 * Accelerator, on-die) and a QAT-like PCIe offload card. Sources and which figures are
 * assumptions: docs/virtual-time.md.
 */
export const ENGINE_PRESETS: readonly EnginePreset[] = Object.freeze([
  {
    name: "cpu",
    description: "As fast as this CPU's codec, one engine, no latency unless latency_us is given",
    engines: 1,
    latencyUs: { compress: 0, decompress: 0 },
    throughputMBps: { compress: null, decompress: null },
    jitter: { dist: "none", us: 0 },
  },
  {
    name: "iaa",
    description: "Intel IAA-like on-die accelerator: 8 engines, ~2-3 µs per 4 KiB (assumptions)",
    engines: 8,
    latencyUs: { compress: 1.5, decompress: 1 },
    throughputMBps: { compress: 3000, decompress: 6000 },
    jitter: { dist: "exponential", us: 0.3 },
  },
  {
    name: "qat",
    description: "QAT-like PCIe offload card: 16 queues, ~20 µs round trip (assumptions)",
    engines: 16,
    latencyUs: { compress: 20, decompress: 15 },
    throughputMBps: { compress: 2500, decompress: 4000 },
    jitter: { dist: "exponential", us: 3 },
  },
]);

const PerDirectionSchema = z.union([
  z.number().min(0).max(10_000_000),
  z.strictObject({
    compress: z.number().min(0).max(10_000_000).optional(),
    decompress: z.number().min(0).max(10_000_000).optional(),
  }),
]);

const ThroughputSchema = z.union([
  z.number().positive(),
  z.strictObject({
    compress: z.number().positive().optional(),
    decompress: z.number().positive().optional(),
  }),
]);

const EngineOptionsSchema = z.union([
  z.string(),
  z.strictObject({
    preset: z.string().optional(),
    engines: z.number().int().min(1).max(1024).optional(),
    latency_us: PerDirectionSchema.optional(),
    throughput_mbps: ThroughputSchema.optional(),
    jitter: z.strictObject({
      dist: z.enum(["none", "uniform", "exponential"]),
      us: z.number().min(0).max(10_000_000),
    }).optional(),
  }),
]);

function split(v: PerDirection | undefined, base: { compress: number; decompress: number }) {
  if (v === undefined) return { ...base };
  if (typeof v === "number") return { compress: v, decompress: v };
  return { compress: v.compress ?? base.compress, decompress: v.decompress ?? base.decompress };
}

/**
 * Resolve engine options to a preset with overrides.
 *
 * @param input A preset name or {@linkcode EngineOptions}; undefined is `cpu`.
 * @param latencyUs The `offload` compressor's own `latency_us`, used when the engine sets none.
 * @returns The preset name (`custom` when overridden) and its figures.
 * @throws {UsageError} An unknown preset or a malformed option.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveEngine } from "./engines.ts";
 * const e = resolveEngine({ preset: "iaa", engines: 2 }, 0);
 * assert.equal(e.engines, 2);
 * assert.equal(resolveEngine(undefined, 5).latencyUs.decompress, 5);
 * ```
 */
export function resolveEngine(input: unknown, latencyUs: number): EnginePreset {
  const parsed = EngineOptionsSchema.safeParse(input ?? "cpu");
  if (!parsed.success) {
    throw new UsageError(
      `Invalid engine for compressor "offload": ${
        formatZodIssues(parsed.error.issues, input)
      } (a preset name or { preset, engines, latency_us, throughput_mbps, jitter })`,
      { cause: parsed.error },
    );
  }
  const o: EngineOptions = typeof parsed.data === "string" ? { preset: parsed.data } : parsed.data;
  const name = o.preset ?? "cpu";
  const preset = ENGINE_PRESETS.find((p) => p.name === name);
  if (preset === undefined) {
    throw new UsageError(
      `Unknown engine preset "${name}" for compressor "offload" (known: ${
        ENGINE_PRESETS.map((p) => p.name).join(", ")
      })`,
    );
  }
  const overridden = o.engines !== undefined || o.latency_us !== undefined ||
    o.throughput_mbps !== undefined || o.jitter !== undefined;
  const baseLatency = latencyUs > 0
    ? { compress: latencyUs, decompress: latencyUs }
    : preset.latencyUs;
  const tp = o.throughput_mbps;
  const throughputMBps = tp === undefined
    ? { ...preset.throughputMBps }
    : typeof tp === "number"
    ? { compress: tp, decompress: tp }
    : {
      compress: tp.compress ?? preset.throughputMBps.compress,
      decompress: tp.decompress ?? preset.throughputMBps.decompress,
    };
  return {
    name: overridden || latencyUs > 0 ? (name === "cpu" ? "cpu" : `${name}+custom`) : name,
    description: preset.description,
    engines: o.engines ?? preset.engines,
    latencyUs: split(o.latency_us, baseLatency),
    throughputMBps,
    jitter: o.jitter ?? preset.jitter,
  };
}

/**
 * A modelled engine as a {@linkcode Compressor}. Inside the zswap frontend, calls complete in
 * virtual time (the frontend reads `engine`); called directly, each call runs the codec and
 * resolves at once, as a device with no model of time would.
 *
 * @param codec The codec instance (runs in this thread).
 * @param codecName Its name.
 * @param preset The engine's figures ({@linkcode resolveEngine}).
 * @returns The compressor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createModelledEngine, resolveEngine } from "./engines.ts";
 * import { noneCompressor } from "./none.ts";
 * const c = createModelledEngine(await noneCompressor.create({}), "none", resolveEngine("iaa", 0));
 * assert.equal(c.engine?.engines, 8);
 * assert.equal(await c.compress(new Uint8Array(4096), new Uint8Array(4096)), 4096);
 * ```
 */
export function createModelledEngine(
  codec: Compressor,
  codecName: string,
  preset: EnginePreset,
): Compressor {
  const engine: EngineModel = {
    name: preset.name,
    codec,
    codecName,
    engines: preset.engines,
    latencyNs: {
      compress: preset.latencyUs.compress * 1000,
      decompress: preset.latencyUs.decompress * 1000,
    },
    throughputMBps: { ...preset.throughputMBps },
    jitter: { dist: preset.jitter.dist, ns: preset.jitter.us * 1000 },
  };
  return {
    engine,
    compress: async (src, dst) => await codec.compress(src, dst),
    decompress: async (src, dst) => await codec.decompress(src, dst),
    close: () => codec.close?.(),
  };
}
