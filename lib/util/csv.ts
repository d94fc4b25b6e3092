/**
 * The toolkit's one CSV writer and reader (RFC 4180): every CSV the toolkit writes — tables
 * (`renderTable`), horizons, protocol reports, tag exports — goes through {@link csvField} / {@link toCsv},
 * and tag and task-time imports read with {@link parseCsv}, so values such as run ids stay strings.
 *
 * Kept hand-written rather than built on d3-dsv: the rules are a dozen lines, the reader must report the
 * source line of each record (for error messages pointing at `tags.csv:4`), and the writer must print the
 * toolkit's values its own way (NaN and null empty, objects as JSON); d3-dsv would need wrappers for all three.
 *
 * Writing: a field is quoted (with `"` doubled) when it holds a quote, comma, CR or LF, or starts or ends
 * with white space (so readers that trim keep it); null, undefined and NaN are empty fields; dates are ISO
 * 8601; other objects and arrays are JSON. Rows end with LF. There is no formula-injection rewriting: values
 * round-trip exactly, so open untrusted CSV in a spreadsheet with care.
 * Reading: quoted fields, doubled quotes, CRLF, LF or CR line ends.
 *
 * @module
 */

/** One CSV field, quoted when needed. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" && Number.isNaN(value)) return "";
  const s = value instanceof Date
    ? value.toISOString()
    : typeof value === "object"
    ? JSON.stringify(value)
    : String(value);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV line (no line end) of the given values. */
export function csvRow(values: readonly unknown[]): string {
  return values.map(csvField).join(",");
}

/** Rows of objects as CSV with the given header (header names quoted like any field). */
export function toCsv(header: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return [csvRow(header), ...rows.map((r) => csvRow(header.map((h) => r[h])))].join("\n") + "\n";
}

/**
 * Parses CSV text into records keyed by the header row. Returns each record with its 1-based line number.
 * @throws Error on an unterminated quoted field.
 */
export function parseCsv(
  text: string,
): { header: string[]; records: { line: number; values: Record<string, string> }[] } {
  const rows: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      cells.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      cells.push(field);
      rows.push({ line: rowLine, cells });
      cells = [];
      field = "";
      line++;
      rowLine = line;
    } else field += c;
  }
  if (quoted) throw new Error(`unterminated quoted field starting on line ${rowLine}`);
  if (field !== "" || cells.length > 0) {
    cells.push(field);
    rows.push({ line: rowLine, cells });
  }
  const nonEmpty = rows.filter((r) => !(r.cells.length === 1 && r.cells[0] === ""));
  if (nonEmpty.length === 0) return { header: [], records: [] };
  const header = nonEmpty[0].cells.map((h) => h.trim());
  return {
    header,
    records: nonEmpty.slice(1).map((r) => ({
      line: r.line,
      values: Object.fromEntries(header.map((h, k) => [h, r.cells[k] ?? ""])),
    })),
  };
}
