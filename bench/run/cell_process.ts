/**
 * The entry of a cell process (issue 16, `bench/run/containment.ts`): read one request from stdin,
 * answer it with a narrowed Worker as the main process would, and print the answer on one line
 * after the nonce the parent gave. The process runs with a heap limit and read access only to
 * the tool and the cell's files, so a plugin that exhausts memory or kills V8 ends this process,
 * not the run.
 *
 * @module
 */
import { exchangeInWorker, type ExchangeOptions } from "./worker_pool.ts";
import type { CellWorkerRequest } from "./cell_worker.ts";

interface ProcessInput {
  nonce: string;
  request: CellWorkerRequest;
  options: Omit<ExchangeOptions, "signal">;
}

if (import.meta.main) {
  const input = JSON.parse(await new Response(Deno.stdin.readable).text()) as ProcessInput;
  // The parent keeps the time: no timeout here.
  const outcome = await exchangeInWorker(input.request, { ...input.options, timeoutMs: 0 });
  const line = `\n${input.nonce}${JSON.stringify(outcome)}\n`;
  const bytes = new TextEncoder().encode(line);
  let done = 0;
  while (done < bytes.length) done += await Deno.stdout.write(bytes.subarray(done));
  Deno.exit(0);
}
