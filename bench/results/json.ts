/**
 * JSON parsing with the line and column of a syntax error (V8's `JSON.parse` message does not
 * always say where).
 *
 * @module
 */
import { UsageError } from "../../registry/errors.ts";

/**
 * Parse JSON; a syntax error becomes a {@linkcode UsageError} naming the source, line and column.
 *
 * @param text The JSON text.
 * @param source What to call it in the message, e.g. `Config file bench.json`.
 * @returns The parsed value.
 */
export function parseJsonOrThrow(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const at = findJsonError(text);
    const { line, column } = lineColumn(text, at.position);
    throw new UsageError(
      `${source}: invalid JSON at line ${line}, column ${column}: ${at.message}`,
      { cause: err },
    );
  }
}

/** Line and column (both 1-based) of a character offset. */
export function lineColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: position - lineStart + 1 };
}

/** Find the first syntax error of invalid JSON by a strict recursive-descent scan. */
export function findJsonError(text: string): { position: number; message: string } {
  let i = 0;
  const fail = (message: string): never => {
    throw { position: i, message };
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const describe = () => i >= text.length ? "end of input" : `"${text[i]}"`;
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a property name in double quotes, found ${describe()}`);
        string();
        ws();
        if (text[i] !== ":") fail(`expected ":" after a property name, found ${describe()}`);
        i++;
        value();
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] === "}") fail('trailing comma before "}"');
          continue;
        }
        if (text[i] === "}") {
          i++;
          return;
        }
        fail(`expected "," or "}" in an object, found ${describe()}`);
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ",") {
          i++;
          ws();
          if (text[i] === "]") fail('trailing comma before "]"');
          continue;
        }
        if (text[i] === "]") {
          i++;
          return;
        }
        fail(`expected "," or "]" in an array, found ${describe()}`);
      }
    } else if (c === '"') {
      string();
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
      if (!m) fail(`invalid number`);
      i += m![0].length;
    } else {
      for (const word of ["true", "false", "null"]) {
        if (text.startsWith(word, i)) {
          i += word.length;
          return;
        }
      }
      fail(`unexpected ${describe()}`);
    }
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}/.test(text.slice(i + 1, i + 5))) fail("invalid \\u escape");
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "")) {
          fail("invalid escape");
        }
      } else if (text.charCodeAt(i) < 0x20) {
        fail("control character in a string");
      }
      i++;
    }
    if (i >= text.length) fail("unterminated string");
    i++;
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${describe()} after the end of the value`);
    return { position: text.length, message: "invalid JSON" };
  } catch (e) {
    if (typeof e === "object" && e !== null && "position" in e) {
      return e as { position: number; message: string };
    }
    throw e;
  }
}
