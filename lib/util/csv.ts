/**
 * Minimal RFC 4180 CSV writing and reading (quoted fields, doubled quotes, CRLF or LF), used for tag
 * export/import so values such as run ids stay strings.
 *
 * @module
 */

/** One CSV field, quoted when needed. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Rows of objects as CSV with the given header. */
export function toCsv(header: readonly string[], rows: readonly Record<string, unknown>[]): string {
  return [header.join(","), ...rows.map((r) => header.map((h) => csvField(r[h])).join(","))].join("\n") +
    "\n";
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
