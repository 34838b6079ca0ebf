/**
 * Text from plugins, contained (issue 16): error messages, descriptions and other strings a
 * plugin controls become one line — control characters escaped — of bounded length before they
 * are written anywhere (result files, the summary, reports, `cli list`).
 *
 * @module
 */

/** The longest plugin text written anywhere (characters, before the "more" note). */
export const MAX_TEXT = 1000;

/**
 * One line of at most `max` characters: control characters (newlines, escape sequences, DEL,
 * and the line and paragraph separators) escaped, the rest cut with a note of how much.
 *
 * @param text Any text.
 * @param max The most characters kept (default {@linkcode MAX_TEXT}).
 * @returns The contained text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { oneLine } from "./text.ts";
 * assert.equal(oneLine("a\nb\x1b[2J"), "a\\nb\\x1b[2J");
 * assert.equal(oneLine("x".repeat(20), 5), "xxxxx... (15 more characters)");
 * ```
 */
export function oneLine(text: string, max: number = MAX_TEXT): string {
  const s = String(text);
  const cut = s.length > max ? s.slice(0, max) : s;
  // deno-lint-ignore no-control-regex
  const escaped = cut.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    if (ch === "\n") return "\\n";
    if (ch === "\r") return "\\r";
    if (ch === "\t") return "\\t";
    const code = ch.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
  return s.length > max ? `${escaped}... (${s.length - max} more characters)` : escaped;
}

/** Does the text hold a control character (a newline, an escape sequence)? */
export function hasControl(text: string): boolean {
  // deno-lint-ignore no-control-regex
  return /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(text);
}
