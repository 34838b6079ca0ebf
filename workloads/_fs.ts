/**
 * File helpers shared by the file-backed workloads: error wording, positioned reads and a
 * streaming line reader.
 *
 * @module
 */

/**
 * Describe a file-system error in words, for messages that name the path.
 *
 * @param err What `Deno.*Sync` threw.
 * @returns "does not exist", "cannot be read (permission denied)" or the error's message.
 */
export function describeFsError(err: unknown): string {
  if (err instanceof Deno.errors.NotFound) return "does not exist";
  if (err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable) {
    return "cannot be read (permission denied)";
  }
  return `cannot be read (${err instanceof Error ? err.message : String(err)})`;
}

/**
 * Read exactly `into.length` bytes from `file` at byte `position`.
 *
 * @param file An open file.
 * @param position Byte offset in the file.
 * @param into Where the bytes go.
 * @returns The number of bytes read: less than `into.length` only at the end of the file.
 */
export function readAt(file: Deno.FsFile, position: number, into: Uint8Array): number {
  file.seekSync(position, Deno.SeekMode.Start);
  let got = 0;
  while (got < into.length) {
    const n = file.readSync(got === 0 ? into : into.subarray(got));
    if (n === null || n === 0) break;
    got += n;
  }
  return got;
}

/**
 * Stream the lines of a text file (UTF-8, `\n` or `\r\n`), reading 64 KiB at a time, so a huge
 * trace never sits in memory whole. The last line may lack its newline.
 *
 * @param path The file.
 * @returns The lines, without their line ends.
 */
export function* readLines(path: string): Generator<string, void, undefined> {
  const file = Deno.openSync(path, { read: true });
  try {
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const chunk = new Uint8Array(1 << 16);
    let rest = "";
    for (;;) {
      const n = file.readSync(chunk);
      if (n === null) break;
      const text = rest + decoder.decode(chunk.subarray(0, n), { stream: true });
      let from = 0;
      for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", from)) {
        const end = at > from && text.charCodeAt(at - 1) === 13 ? at - 1 : at;
        yield text.slice(from, end);
        from = at + 1;
      }
      rest = text.slice(from);
    }
    rest += decoder.decode();
    if (rest.endsWith("\r")) rest = rest.slice(0, -1);
    if (rest !== "") yield rest;
  } finally {
    file.close();
  }
}
