/**
 * The `offload` compressor: any registered codec run on a simulated offload engine (a hardware
 * compressor behind crypto_acomp). Calls return Promises, so zswap must sleep while it waits —
 * which is what makes the 2020 sleep-while-atomic bug visible.
 *
 * By default the engine is modelled (`compressors/engines.ts`): the codec runs in this thread and
 * each request completes at the virtual time the engine model gives (`engine`, `latency_us`), so
 * latencies and contention follow the modelled timeline. With `worker: true` each instance owns
 * one Worker thread that runs the codec for real parallelism; its latencies are wall-clock round
 * trips to the thread (plus `latency_us` through a timer of about 1 ms resolution).
 *
 * @module
 */

import { Worker } from "node:worker_threads";
import { z } from "zod";
import { parsePluginOptions, UsageError } from "../registry/errors.ts";
import type { Compressor, CompressorPlugin } from "../registry/types.ts";
import { errorFromWire, type WireError } from "../registry/wire.ts";
import { createModelledEngine, type EngineOptions, resolveEngine } from "./engines.ts";

/** Options of the `offload` compressor. */
export interface OffloadOptions {
  /** The codec the engine runs: the name of any registered compressor (default `lz4`). */
  codec?: string;
  /** Options for the codec's `create()` (default `{}`). */
  codec_options?: Record<string, unknown>;
  /**
   * Completion latency per call, in microseconds (default 0). Modelled engine: the engine's fixed
   * latency unless `engine` sets one. Worker: the answer is held this long by a timer (about
   * 1 ms resolution, so small values round up).
   */
  latency_us?: number;
  /** The modelled engine: a preset name (`cpu`, `iaa`, `qat`) or its figures (default `cpu`). */
  engine?: string | EngineOptions;
  /** Run the codec in a Worker thread (wall-clock times) instead of the modelled engine. */
  worker?: boolean;
}

const OffloadOptionsSchema = z.strictObject({
  codec: z.string().min(1).default("lz4").describe("The compressor that does the work"),
  codec_options: z.record(z.string(), z.unknown()).default({}).describe("Options of that codec"),
  latency_us: z.number().min(0).max(10_000_000).default(0).describe(
    "Extra time each request takes on the engine, microseconds (virtual time; the Worker engine sleeps it)",
  ),
  engine: z.unknown().default("cpu").describe(
    'The modelled engine: a preset name ("cpu", "iaa", "qat") or its fields (docs/virtual-time.md)',
  ),
  worker: z.boolean().default(false).describe(
    "Run the codec on a real Worker thread (wall-clock times) instead of the modelled engine",
  ),
});

/** Finds a compressor plugin by name (the registry's lookup); throws or returns undefined if none. */
export type OffloadCodecResolver = (
  name: string,
) => CompressorPlugin | undefined | Promise<CompressorPlugin | undefined>;

interface Pending {
  resolve: (n: number) => void;
  reject: (err: unknown) => void;
  dst: Uint8Array;
}

/** The codec runs in a worker thread; the thread is referenced only while requests are pending. */
class WorkerOffload implements Compressor {
  #worker: Worker;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #latencyMs: number;
  #closed = false;
  #ready: Promise<void>;

  constructor(codec: string, codecOptions: unknown, latencyMs: number) {
    this.#latencyMs = latencyMs;
    this.#worker = new Worker(new URL("./_offload_worker.ts", import.meta.url));
    this.#ready = new Promise<void>((resolve, reject) => {
      const onInit = (m: Record<string, unknown>): void => {
        if (m.type === "ready") {
          this.#worker.off("message", onInit);
          this.#worker.on("message", (msg: Record<string, unknown>) => this.#onMessage(msg));
          this.#worker.unref();
          resolve();
        } else if (m.type === "init-error") {
          this.#worker.off("message", onInit);
          reject(errorFromWire(m.error as WireError));
        }
      };
      this.#worker.on("message", onInit);
      this.#worker.once("error", (err: unknown) => reject(err));
    });
    this.#worker.postMessage({ type: "init", codec, options: codecOptions });
  }

  /** Resolves when the engine is ready; rejects (and terminates it) when the codec failed. */
  async ready(): Promise<void> {
    try {
      await this.#ready;
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  compress(src: Uint8Array, dst: Uint8Array): Promise<number> {
    return this.#submit("compress", src, dst);
  }

  decompress(src: Uint8Array, dst: Uint8Array): Promise<number> {
    return this.#submit("decompress", src, dst);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pending.values()) {
      p.reject(new Error("Offload compressor closed with the request still pending"));
    }
    this.#pending.clear();
    await this.#worker.terminate();
  }

  #submit(op: "compress" | "decompress", src: Uint8Array, dst: Uint8Array): Promise<number> {
    if (this.#closed) return Promise.reject(new Error("Offload compressor is closed"));
    const id = this.#nextId++;
    const copy = src.slice();
    return new Promise<number>((resolve, reject) => {
      if (this.#pending.size === 0) this.#worker.ref();
      this.#pending.set(id, { resolve, reject, dst });
      this.#worker.postMessage(
        { type: "op", id, op, src: copy.buffer, dstLength: dst.length },
        [copy.buffer],
      );
    });
  }

  #onMessage(m: Record<string, unknown>): void {
    const id = m.id as number;
    const p = this.#pending.get(id);
    if (p === undefined) return;
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker.unref();
    if (m.type === "error") {
      p.reject(errorFromWire(m.error as WireError));
      return;
    }
    const n = m.n as number;
    p.dst.set(new Uint8Array(m.bytes as ArrayBuffer));
    if (this.#latencyMs > 0) setTimeout(() => p.resolve(n), this.#latencyMs);
    else p.resolve(n);
  }
}

/** A codec that is not a built-in runs in this thread; its answers still come later. */
class InThreadOffload implements Compressor {
  #codec: Compressor;
  #latencyMs: number;

  constructor(codec: Compressor, latencyMs: number) {
    this.#codec = codec;
    this.#latencyMs = latencyMs;
  }

  compress(src: Uint8Array, dst: Uint8Array): Promise<number> {
    return this.#later(this.#codec.compress(src, dst));
  }

  decompress(src: Uint8Array, dst: Uint8Array): Promise<number> {
    return this.#later(this.#codec.decompress(src, dst));
  }

  async close(): Promise<void> {
    await this.#codec.close?.();
  }

  async #later(result: number | Promise<number>): Promise<number> {
    const n = await result;
    if (this.#latencyMs > 0) {
      await new Promise<void>((resolve) => setTimeout(resolve, this.#latencyMs));
    }
    return n;
  }
}

/**
 * Make an `offload` compressor plugin (asynchronous) that finds the codec it wraps with `resolve`,
 * given when it is made (no process-wide lookup: each registry makes its own, see
 * `createDefaultRegistry()`). Options: `codec` (default `lz4`), `codec_options`, `latency_us`
 * (completion latency, default 0), `engine` (the modelled device: preset `cpu`, `iaa`, `qat` or
 * its figures) and `worker`. By default the codec runs in this thread and the zswap frontend
 * completes each call in virtual time. With `worker: true` a codec of `builtins` runs in a Worker
 * of its own (one per instance, terminated by `close()`; it never keeps the process alive while
 * idle) and any other codec (from a plugin module) in this thread; byte buffers are copied to the
 * engine and back, and times are wall-clock.
 *
 * @param builtins The built-in compressors: the engine Worker can make these itself.
 * @param resolve Finds a codec by name (default: among `builtins`).
 * @returns The plugin.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createOffloadCompressor } from "./offload.ts";
 * import { noneCompressor } from "./none.ts";
 * const offload = createOffloadCompressor([noneCompressor]);
 * const codec = await offload.create({ codec: "none" });
 * const dst = new Uint8Array(4096);
 * assert.equal(await codec.compress(new Uint8Array(4096).fill(1), dst), 4096);
 * await codec.close?.();
 * ```
 */
export function createOffloadCompressor(
  builtins: readonly CompressorPlugin[],
  resolve?: OffloadCodecResolver,
): CompressorPlugin {
  const find: OffloadCodecResolver = resolve ?? ((name) => builtins.find((p) => p.name === name));
  return {
    kind: "compressor",
    name: "offload",
    description:
      "Any codec on a modelled offload engine (virtual time; or a Worker): asynchronous, callers sleep",
    optionsSchema: OffloadOptionsSchema,
    async: true,
    async create(options: unknown): Promise<Compressor> {
      const o = parsePluginOptions(
        "compressor",
        "offload",
        OffloadOptionsSchema,
        options,
        "known: codec, codec_options, latency_us, engine, worker",
      );
      if (o.codec === "offload") {
        throw new UsageError(`Compressor "offload" cannot wrap itself (set codec to another one)`);
      }
      const plugin = await find(o.codec);
      if (plugin === undefined) {
        throw new UsageError(
          `Unknown codec "${o.codec}" for compressor "offload" (known: ${
            builtins.map((p) => p.name).join(", ")
          })`,
        );
      }
      if (!o.worker) {
        const preset = resolveEngine(o.engine, o.latency_us);
        return createModelledEngine(await plugin.create(o.codec_options), plugin.name, preset);
      }
      // Only an engine the user set clashes with the Worker (the default is "cpu").
      if (Object.hasOwn(Object(options), "engine")) {
        throw new UsageError(
          `Compressor "offload": "engine" models time, "worker" measures it; set one`,
        );
      }
      const latencyMs = o.latency_us / 1000;
      if (builtins.includes(plugin)) {
        const engine = new WorkerOffload(plugin.name, o.codec_options, latencyMs);
        await engine.ready();
        return engine;
      }
      return new InThreadOffload(await plugin.create(o.codec_options), latencyMs);
    },
  };
}
