/**
 * Plain-text tables for terminals and notebooks' `text/plain` output: one layout (columns padded to their
 * widest cell, two spaces apart, no trailing blanks), each caller formatting its own cells.
 * @module
 */

/**
 * Column names and rows of cell text as aligned lines: the header, a rule of dashes under it when `rule`
 * is set, then one line per row.
 */
export function alignedLines(
  columns: readonly string[],
  cells: readonly (readonly string[])[],
  options: { rule?: boolean } = {},
): string[] {
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd();
  const rule = options.rule ? [line(widths.map((w) => "-".repeat(w)))] : [];
  return [line(columns), ...rule, ...cells.map(line)];
}

/** Format rows as an aligned text table (columns from the first row's keys). */
export function formatTable(rows: Array<Record<string, unknown>>, columns?: string[]): string {
  if (rows.length === 0) return "(no rows)";
  const cols = columns ?? Object.keys(rows[0]);
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return "-";
    if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toFixed(3);
    return String(v);
  };
  return alignedLines(cols, rows.map((r) => cols.map((c) => cell(r[c]))), { rule: true }).join("\n");
}
