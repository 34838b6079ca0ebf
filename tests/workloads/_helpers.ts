/**
 * Helpers for the workload tests: copy ops out of a reusing iterator, fill pages, measure lz4.
 *
 * @module
 */
import * as lz4 from "lz4-wasm/lz4_wasm.js";
import type { Op, Workload, WorkloadPlugin } from "../../registry/types.ts";

/** A copied op. */
export type OpCopy = [op: Op["op"], offset: number, pageId: number];

/** Every op of a workload, copied (the iterator reuses one object). */
export function collectOps(w: Workload): OpCopy[] {
  const out: OpCopy[] = [];
  for (const op of w.ops()) out.push([op.op, op.offset, op.pageId]);
  return out;
}

/** Page `id` of a workload, in a fresh buffer. */
export function pageOf(w: Workload, id: number, pageSize = 4096): Uint8Array {
  const page = new Uint8Array(pageSize);
  w.page(id, page);
  return page;
}

/** Create a workload with defaults for the test. */
export async function make(
  plugin: WorkloadPlugin,
  options: unknown = {},
  env: { pages?: number; seed?: number; pageSize?: number } = {},
): Promise<Workload> {
  return await plugin.create({
    pageSize: env.pageSize ?? 4096,
    seed: env.seed ?? 1,
    pages: env.pages ?? 64,
    options,
  });
}

/** lz4 compression ratio of one page (lz4-wasm prefixes a 4-byte size: not counted). */
export function lz4Ratio(page: Uint8Array): number {
  return page.length / (lz4.compress(page).length - 4);
}

/** Mean lz4 ratio of pages 0..n-1. */
export function meanLz4Ratio(w: Workload, n: number, pageSize = 4096): number {
  const page = new Uint8Array(pageSize);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    w.page(i, page);
    sum += lz4Ratio(page);
  }
  return sum / n;
}

/** True when two byte arrays are equal. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A fresh temporary folder (removed by the caller). */
export function tempDir(): string {
  return Deno.makeTempDirSync({ prefix: "zswapbench-workloads-" });
}

/** The oracle file `name` in tests/oracle (README there). */
export function oracle(name: string): string {
  return new URL(`../oracle/${name}`, import.meta.url).pathname;
}
