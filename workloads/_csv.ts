/**
 * A small CSV line splitter (RFC 4180 fields on one line: commas, double quotes, `""` for a quote
 * inside quotes). Multi-line quoted fields are not supported: the workloads' CSV files never need
 * them.
 *
 * @module
 */

/**
 * Split one CSV line into fields.
 *
 * @param line The line, without its line end.
 * @returns The fields, or a string saying what is wrong.
 */
export function splitCsvLine(line: string): string[] | string {
  if (!line.includes('"')) return line.split(",");
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) return "a quoted field is not closed";
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      if (i < line.length && line[i] !== ",") return `a quoted field is followed by "${line[i]}"`;
      fields.push(value);
    } else {
      const comma = line.indexOf(",", i);
      const end = comma === -1 ? line.length : comma;
      const value = line.slice(i, end);
      if (value.includes('"')) return `a quote appears inside the unquoted field "${value}"`;
      fields.push(value);
      i = end;
    }
    if (i >= line.length) return fields;
    i++; // the comma
    if (i === line.length) {
      fields.push("");
      return fields;
    }
  }
}
