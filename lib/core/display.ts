/**
 * Results that read well when left as a notebook cell's last expression. The Deno Jupyter kernel shows a
 * value through its `[Symbol.for("Jupyter.display")]()` method when it has one; the analysis functions give
 * their results such a method (non-enumerable: JSON, equality and spreading see the plain object) that shows
 * a small table — one row per agent, metric or bucket — instead of the nested object.
 *
 * The HTML form comes from the notebook room's table renderer, which registers itself here when it loads
 * (`mod.ts` loads it); with only an analysis entry point loaded (`stats.ts`, …) the result shows as an
 * aligned text table.
 *
 * @module
 */
import { alignedLines } from "../util/table.ts";

/** The symbol the Deno Jupyter kernel looks for on a cell's value. */
export const JUPYTER_DISPLAY_SYMBOL: unique symbol = Symbol.for("Jupyter.display") as never;

/** Renders rows as a Jupyter MIME bundle (`text/html`, `text/plain`, …). */
export type ResultTableRenderer = (
  rows: readonly Record<string, unknown>[],
  options: { caption: string },
) => Record<string, unknown>;

let registered: ResultTableRenderer | null = null;

/** Register the renderer results use for their HTML form (the notebook room does this once). */
export function setResultTableRenderer(renderer: ResultTableRenderer): void {
  registered = renderer;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    if (!Number.isFinite(value)) return value > 0 ? "∞" : "-∞";
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
  }
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** Rows as an aligned plain-text table under a caption line. */
export function plainTable(rows: readonly Record<string, unknown>[], caption: string): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return [caption, ...alignedLines(columns, rows.map((r) => columns.map((c) => cell(r[c]))))].join("\n");
}

/**
 * Give `value` a Jupyter display showing `rows()` (computed when shown) as a table with `caption`.
 * The method is non-enumerable and the value is returned unchanged otherwise.
 */
export function withTableDisplay<T extends object>(
  value: T,
  caption: string,
  rows: () => readonly Record<string, unknown>[],
): T {
  Object.defineProperty(value, JUPYTER_DISPLAY_SYMBOL, {
    enumerable: false,
    configurable: true,
    writable: true,
    value: (): Record<string, unknown> => {
      const list = rows();
      return registered ? registered(list, { caption }) : { "text/plain": plainTable(list, caption) };
    },
  });
  return value;
}
