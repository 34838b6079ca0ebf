/**
 * The Worker behind the `offload` compressor: one simulated offload engine. It imports the
 * built-in compressors itself, creates the codec it was told to, then serves requests one at a
 * time in arrival order. Protocol (structured clone; byte buffers are transferred):
 *
 * - in `{ type: "init", codec, options }` -> out `{ type: "ready" }` or `{ type: "init-error", error }`
 * - in `{ type: "op", id, op: "compress" | "decompress", src: ArrayBuffer, dstLength }`
 *   -> out `{ type: "done", id, n, bytes: ArrayBuffer }` or `{ type: "error", id, error }`
 *
 * @module
 */

import { parentPort } from "node:worker_threads";
import type { Compressor, CompressorPlugin } from "../registry/types.ts";
import { errorToWire } from "../registry/wire.ts";

const port = parentPort;
if (port === null) throw new Error("The offload worker must run as a worker thread");

let codec: Compressor | undefined;
let out = new Uint8Array(0);

async function init(name: string, options: unknown): Promise<void> {
  const mod = await import("./mod.ts");
  const plugin = (mod.builtinCompressors as CompressorPlugin[]).find((p) => p.name === name);
  if (plugin === undefined) throw new Error(`Codec "${name}" is not a built-in compressor`);
  codec = await plugin.create(options);
}

async function serve(
  id: number,
  op: "compress" | "decompress",
  src: ArrayBuffer,
  dstLength: number,
): Promise<void> {
  if (codec === undefined) throw new Error("The offload worker has no codec (init failed)");
  if (out.length < dstLength) out = new Uint8Array(dstLength);
  const dst = out.subarray(0, dstLength);
  const input = new Uint8Array(src);
  const n = op === "compress"
    ? await codec.compress(input, dst)
    : await codec.decompress(input, dst);
  const bytes = dst.slice(0, n);
  port!.postMessage({ type: "done", id, n, bytes: bytes.buffer }, [bytes.buffer]);
}

// Requests are served strictly one after another: an engine works on one request at a time.
let queue: Promise<void> = Promise.resolve();

port.on("message", (m: Record<string, unknown>) => {
  if (m.type === "init") {
    queue = queue.then(() =>
      init(m.codec as string, m.options).then(
        () => port.postMessage({ type: "ready" }),
        (err) => port.postMessage({ type: "init-error", error: errorToWire(err) }),
      )
    );
    return;
  }
  if (m.type === "op") {
    const id = m.id as number;
    queue = queue.then(() =>
      serve(id, m.op as "compress" | "decompress", m.src as ArrayBuffer, m.dstLength as number)
        .catch((err) => port.postMessage({ type: "error", id, error: errorToWire(err) }))
    );
  }
});
