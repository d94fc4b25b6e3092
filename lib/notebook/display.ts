/**
 * Jupyter display hooks for the toolkit's tables and figures.
 *
 * The Deno kernel renders any value that has a `[Symbol.for("Jupyter.display")]()` method returning a
 * MIME bundle. {@link show} wraps an arquero table, an SVG figure or a list of records in such an
 * object: tables become escaped HTML tables (plus an aligned text version); figures become `text/html`
 * (Plot's whole `<figure>`: title, legend, chart, caption) plus `image/svg+xml` (one standalone SVG with
 * the title, legend and caption laid out as SVG, for front ends that show SVG through `<img>`, and for the
 * report's figure files) plus `text/plain`.
 * Each bundle also carries a small evalkit-specific JSON part ({@link TABLE_MIME}, {@link FIGURE_MIME})
 * that names the output, so the HTML report can find figures and tables by name. Frontends ignore MIME
 * types they do not know.
 *
 * Output is deterministic: no timestamps, no random ids, numbers formatted with fixed precision.
 *
 * @module
 */
import { Table as ArqueroTable } from "../deps/arquero.ts";
import { figureParts, standaloneSvg } from "../plot/compose.ts";
import { setResultTableRenderer } from "../core/display.ts";
import { alignedLines } from "../util/table.ts";

/** The symbol the Deno Jupyter kernel looks for on a cell's result. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;
/** MIME type of the metadata part of a table bundle. */
export const TABLE_MIME = "application/vnd.evalkit.table+json";
/** MIME type of the metadata part of a figure bundle. */
export const FIGURE_MIME = "application/vnd.evalkit.figure+json";

/** A Jupyter MIME bundle. */
export type MediaBundle = Record<string, string | Record<string, unknown>>;

/** Anything the Deno kernel can display. */
export interface Displayable {
  /** The MIME bundle the kernel shows when the value is displayed (or left as a cell's last expression). */
  [JUPYTER_DISPLAY](): MediaBundle;
}

/** Metadata carried by a table bundle under {@link TABLE_MIME}. */
export interface TableInfo {
  /** The table's stable name (see {@link TableDisplayOptions.name}); null when none was given. */
  name: string | null;
  /** The caption given; null when none. */
  caption: string | null;
  /** Rows in the table. */
  rows: number;
  /** Rows rendered: at most `limit` (default 50). */
  shownRows: number;
  /** Column names, in order. */
  columns: string[];
}

/** Metadata carried by a figure bundle under {@link FIGURE_MIME}. */
export interface FigureInfo {
  /** The figure's stable name; `figures/<name>.svg` / `.png` in the report. */
  name: string;
  /** The caption given; null when none. */
  caption: string | null;
  /** True when the caption is drawn inside the `image/svg+xml` part (the report then adds no second one). */
  captionInSvg?: boolean;
}

/** The slice of arquero's table API this module needs (structural, so any arquero version fits). */
export interface TableLike {
  /** Number of rows. */
  numRows(): number;
  /** Column names, in order. */
  columnNames(): string[];
  /** The rows as objects, at most `options.limit` of them. */
  objects(options?: { limit?: number }): object[];
}

/** Options for {@link showTable}. */
export interface TableDisplayOptions {
  /** Stable name used by the report (and as an HTML id); default none. */
  name?: string;
  /** Caption shown above the table; default none. */
  caption?: string;
  /** Maximum rows rendered; default 50. The caption notes how many were left out. */
  limit?: number;
  /** Significant digits for non-integer numbers; default 4. */
  digits?: number;
  /** Per-column formatters overriding the default cell formatting. */
  format?: Record<string, (value: unknown) => string>;
}

/** Options for {@link showFigure}. */
export interface FigureDisplayOptions {
  /** Stable file-system-safe name; becomes `figures/<name>.svg` / `.png` in the report. Required. */
  name: string;
  /** Caption shown under the figure. */
  caption?: string;
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** True for an object that quacks like an arquero table. */
export function isTableLike(value: unknown): value is TableLike {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.numRows === "function" && typeof v.columnNames === "function" &&
    typeof v.objects === "function";
}

/**
 * Format one cell value deterministically: integers as is, other numbers with `digits` significant
 * digits, null/undefined/NaN as an en dash, dates as ISO dates, objects as JSON.
 */
export function formatCell(value: unknown, digits = 4): string {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "–";
    if (!Number.isFinite(value)) return value > 0 ? "∞" : "−∞";
    if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
    const abs = Math.abs(value);
    if (abs !== 0 && (abs < 1e-4 || abs >= 1e9)) return value.toExponential(digits - 1);
    return String(Number(value.toPrecision(digits)));
  }
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? "–" : value.toISOString().replace("T00:00:00.000Z", "");
  }
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

function checkName(name: string, what: string): string {
  if (!SAFE_NAME.test(name)) {
    throw new TypeError(
      `${what} name ${JSON.stringify(name)} is not file-system safe: use letters, digits, '.', '_', '-' ` +
        `(start with a letter or digit, at most 100 characters)`,
    );
  }
  return name;
}

function cellText(column: string, value: unknown, options: TableDisplayOptions): string {
  const custom = options.format?.[column];
  return custom ? custom(value) : formatCell(value, options.digits ?? 4);
}

/** Render rows of a table as an escaped HTML `<table>` (deterministic). */
export function tableToHtml(table: TableLike, options: TableDisplayOptions = {}): string {
  const limit = options.limit ?? 50;
  const columns = table.columnNames();
  const total = table.numRows();
  const rows = table.objects({ limit }) as Record<string, unknown>[];
  const numeric = columns.map((c) =>
    rows.length > 0 && rows.every((r) => r[c] == null || typeof r[c] === "number")
  );
  const id = options.name ? ` id="table-${escapeHtml(checkName(options.name, "table"))}"` : "";
  const parts: string[] = [`<table class="evalkit-table"${id}>`];
  const notes: string[] = [];
  if (options.caption) notes.push(escapeHtml(options.caption));
  if (rows.length < total) notes.push(`(first ${rows.length} of ${total} rows)`);
  if (notes.length > 0) parts.push(`<caption>${notes.join(" ")}</caption>`);
  parts.push(
    "<thead><tr>" +
      columns.map((c, i) => `<th${numeric[i] ? ' class="num"' : ""}>${escapeHtml(c)}</th>`).join("") +
      "</tr></thead>",
  );
  parts.push("<tbody>");
  for (const row of rows) {
    parts.push(
      "<tr>" +
        columns.map((c, i) =>
          `<td${numeric[i] ? ' class="num"' : ""}>${escapeHtml(cellText(c, row[c], options))}</td>`
        ).join("") + "</tr>",
    );
  }
  parts.push("</tbody></table>");
  return parts.join("");
}

/** Render rows of a table as aligned plain text (the `text/plain` part of the bundle). */
export function tableToText(table: TableLike, options: TableDisplayOptions = {}): string {
  const limit = options.limit ?? 50;
  const columns = table.columnNames();
  const rows = table.objects({ limit }) as Record<string, unknown>[];
  const cells = rows.map((r) => columns.map((c) => cellText(c, r[c], options)));
  const out: string[] = [];
  if (options.caption) out.push(options.caption);
  out.push(...alignedLines(columns, cells, { rule: true }));
  const total = table.numRows();
  if (rows.length < total) out.push(`… ${total - rows.length} more rows (${total} in all)`);
  return out.join("\n");
}

/** A displayable table: render it as the last expression of a cell or pass it to `Deno.jupyter.display`. */
export function showTable(table: TableLike, options: TableDisplayOptions = {}): Displayable {
  if (!isTableLike(table)) throw new TypeError("showTable expects an arquero table");
  if (options.name) checkName(options.name, "table");
  const info: TableInfo = {
    name: options.name ?? null,
    caption: options.caption ?? null,
    rows: table.numRows(),
    shownRows: Math.min(table.numRows(), options.limit ?? 50),
    columns: table.columnNames(),
  };
  return {
    [JUPYTER_DISPLAY]: () => ({
      "text/html": tableToHtml(table, options),
      "text/plain": tableToText(table, options),
      [TABLE_MIME]: { ...info },
    }),
  };
}

/** Rows as plain records, shown as a table (for small summaries that are not arquero tables). */
export function showRecords(
  records: readonly Record<string, unknown>[],
  options: TableDisplayOptions = {},
): Displayable {
  const columns: string[] = [];
  for (const r of records) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const table: TableLike = {
    numRows: () => records.length,
    columnNames: () => columns,
    objects: (o) => records.slice(0, o?.limit ?? records.length).map((r) => ({ ...r })),
  };
  return showTable(table, options);
}

/** Something that holds an SVG figure: SVG text, an SVG DOM element, or an object exposing `svg`. */
export type FigureSource =
  | string
  | { outerHTML: string }
  | { svg: string; html?: string }
  | { toSVG(): string };

/** Extract the SVG text from a {@link FigureSource}. */
export function figureSvg(figure: FigureSource): string {
  let svg: unknown;
  if (typeof figure === "string") svg = figure;
  else if ("html" in figure && typeof figure.html === "string" && figure.html.trim().startsWith("<figure")) {
    // lib/plot's Figure: `html` keeps Plot's legend and caption around the chart.
    svg = figure.html;
  } else if ("svg" in figure && typeof figure.svg === "string") svg = figure.svg;
  else if ("toSVG" in figure && typeof figure.toSVG === "function") svg = figure.toSVG();
  else if ("outerHTML" in figure) svg = figure.outerHTML;
  if (typeof svg !== "string") throw new TypeError("figure: expected SVG text, an SVG element or { svg }");
  const trimmed = svg.trim();
  // Observable Plot wraps a figure with a legend or caption in <figure>; keep that, it is still inline SVG.
  if (!/^<(svg|figure)[\s>]/.test(trimmed) || !trimmed.includes("<svg")) {
    throw new TypeError(`figure: expected SVG markup, got ${JSON.stringify(trimmed.slice(0, 40))}`);
  }
  return trimmed;
}

/** The HTML (Plot's `<figure>` or a bare `<svg>`) of a {@link FigureSource}. */
export function figureHtml(figure: FigureSource): string {
  if (typeof figure === "object" && "html" in figure && typeof figure.html === "string") {
    const html = figure.html.trim();
    if (/^<(svg|figure)[\s>]/.test(html)) return html;
  }
  return figureSvg(figure);
}

/**
 * A displayable figure with a stable name for the report's figure files: `text/html` (the whole figure,
 * self-contained), `image/svg+xml` (a standalone SVG with title, legend and caption — the display's
 * `caption` is drawn when the figure has none of its own), `text/plain` and {@link FIGURE_MIME}.
 */
export function showFigure(figure: FigureSource, options: FigureDisplayOptions): Displayable {
  const name = checkName(options.name, "figure");
  const html = figureHtml(figure);
  const svg = standaloneSvg(html, { caption: options.caption });
  const info: FigureInfo = {
    name,
    caption: options.caption ?? null,
    // standaloneSvg draws the display caption when Plot's figure has no caption of its own.
    captionInSvg: (options.caption ?? "").trim() !== "" && figureParts(html).caption === null,
  };
  return {
    [JUPYTER_DISPLAY]: () => ({
      "text/html": html,
      "image/svg+xml": svg,
      "text/plain": `[figure ${name}${options.caption ? `: ${options.caption}` : ""}]`,
      [FIGURE_MIME]: { ...info },
    }),
  };
}

/** Markdown produced by code (e.g. a verdict sentence with computed numbers). */
export function showMarkdown(markdown: string): Displayable {
  return { [JUPYTER_DISPLAY]: () => ({ "text/markdown": markdown, "text/plain": markdown }) };
}

/**
 * Make a value displayable: arquero tables → {@link showTable}, arrays of records → {@link showRecords},
 * SVG figures → {@link showFigure} (which needs `options.name`). Values that are already displayable are
 * returned unchanged.
 */
export function show(
  value: unknown,
  options: TableDisplayOptions & Partial<FigureDisplayOptions> = {},
): Displayable {
  const figureLike = typeof value === "string" ||
    (typeof value === "object" && value !== null &&
      ("outerHTML" in value || "svg" in value || "toSVG" in value));
  // A named figure gets this module's hook even when it has its own (lib/plot's Figure does).
  if (figureLike && options.name) {
    return showFigure(value as FigureSource, { name: options.name, caption: options.caption });
  }
  // Before the generic hook: arquero tables carry one (a rich default display), which has no name or caption.
  if (isTableLike(value)) return showTable(value, options);
  if (typeof value === "object" && value !== null && JUPYTER_DISPLAY in value) return value as Displayable;
  if (Array.isArray(value) && value.every((r) => typeof r === "object" && r !== null && !Array.isArray(r))) {
    return showRecords(value as Record<string, unknown>[], options);
  }
  if (figureLike) throw new TypeError("show(figure) needs options.name (the figure's file name)");
  throw new TypeError(`show: cannot display a ${value === null ? "null" : typeof value}`);
}

/** The Deno kernel's display function, or null outside a notebook. */
function kernelDisplay(): ((obj: unknown, options?: { raw?: boolean }) => Promise<void>) | null {
  try {
    // deno-lint-ignore no-explicit-any
    const jupyter = (Deno as any).jupyter;
    return typeof jupyter?.display === "function" ? jupyter.display : null;
  } catch {
    return null; // Deno.jupyter throws outside the kernel
  }
}

/**
 * Display a value now (see {@link show} for what it accepts) and wait until the kernel has sent it.
 *
 * Prefer this to leaving a displayable as a cell's last expression: with nbconvert (and any runner that
 * stops reading at idle), the Deno kernel's
 * `execute_result` can arrive after the cell is reported idle and be dropped from the saved notebook, while
 * an awaited `display_data` is always sent before the cell finishes. Outside a notebook (a `.nb.ts` source
 * run as a script) it prints the text form.
 */
export async function display(
  value: unknown,
  options: TableDisplayOptions & Partial<FigureDisplayOptions> = {},
): Promise<void> {
  const displayable = show(value, options);
  const bundle = displayable[JUPYTER_DISPLAY]();
  const kernel = kernelDisplay();
  // raw: the bundle is sent as it is (Deno's own formatting would drop the evalkit MIME parts).
  if (kernel) await kernel(bundle, { raw: true });
  else console.log(String(bundle["text/plain"] ?? ""));
}

/**
 * arquero tables left as a cell's last expression display as this module's HTML table (first 50 rows,
 * plus the aligned text form) instead of the kernel's object dump. Installed once, when this module loads;
 * a hook arquero itself may define some day is left alone.
 */
function installTableHook(): void {
  const proto = ArqueroTable.prototype as unknown as Record<symbol, unknown>;
  if (proto[JUPYTER_DISPLAY] !== undefined) return;
  Object.defineProperty(proto, JUPYTER_DISPLAY, {
    configurable: true,
    writable: true,
    value: function (this: TableLike): MediaBundle {
      const bundle = showTable(this)[JUPYTER_DISPLAY]();
      delete bundle[TABLE_MIME]; // unnamed: not one of the report's promised tables
      return bundle;
    },
  });
}
installTableHook();

// Analysis results (agentHorizons, elicitationGap, …) left as a cell's last expression show as this
// module's HTML table once it is loaded (see lib/core/display.ts).
setResultTableRenderer((rows, { caption }) => {
  const bundle = showRecords(rows, { caption })[JUPYTER_DISPLAY]();
  delete bundle[TABLE_MIME]; // unnamed: not one of the report's promised tables
  return bundle;
});
