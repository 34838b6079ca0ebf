/**
 * What the page check (compare.ts) and the trace check (trace_compare.ts) share on the simulator
 * side: finding a built-in plugin by name, and the head of a row for a failed cell.
 *
 * @module
 */

/** The plugin called `name` in `list`; throws naming the known ones when there is none. */
export function plugin<T extends { name: string }>(
  list: readonly T[],
  kind: string,
  name: string,
): T {
  const p = list.find((x) => x.name === name);
  if (!p) {
    throw new Error(
      `The simulator has no ${kind} "${name}" (known: ${list.map((x) => x.name).join(", ")})`,
    );
  }
  return p;
}

/** The first fields of a failed row, in the order the row keeps them. */
export function failedRowHead(
  cell: { zpool: string; compressor: string },
  error: string,
): { zpool: string; compressor: string; status: "failed"; error: string; kernel: null } {
  return {
    zpool: cell.zpool,
    compressor: cell.compressor,
    status: "failed",
    error,
    kernel: null,
  };
}
