/**
 * Render Observable Plot figures without a browser (linkedom supplies the DOM), as SVG text, as notebook
 * output, or as files ready to paste (SVG, PNG, PDF with title, legend, caption and a source line).
 *
 * ```ts
 * import * as Plot from "../deps/plot.ts";
 * const fig = renderPlot({ title: "A", color: { legend: true }, marks: [Plot.dot(data, { x: "a", y: "b", fill: "c" })] });
 * fig;                                                            // in a Deno notebook: HTML + SVG
 * await writeFigure("out/a", fig, { formats: ["svg", "png", "pdf"], source: { data: "runs.jsonl" } });
 * ```
 *
 * @module
 */
import * as Plot from "../deps/plot.ts";
import { parseHTML } from "../deps/linkedom.ts";
import { z } from "../deps/zod.ts";
import { SourceLineSchema, standaloneSvg } from "./compose.ts";

const SVG_NS = "http://www.w3.org/2000/svg";

/** A rendered figure: SVG text plus a Jupyter display hook (Deno kernel picks it up automatically). */
export interface Figure {
  /** The chart's own `<svg>` (with xmlns): no title, legend or caption. */
  readonly svg: string;
  /** Full HTML of what Plot returned (a `<figure>` with title, legend and caption, or the bare `<svg>`). */
  readonly html: string;
  /** One standalone `<svg>` with title, subtitle, legend and caption laid out around the chart. */
  readonly standalone: string;
  /** The chart's SVG text. */
  toString(): string;
  /**
   * Jupyter rich display: `text/html` (Plot's whole `<figure>`, self-contained), `image/svg+xml` (the
   * standalone SVG: front ends that render SVG through `<img>` get title and legend too) and `text/plain`.
   */
  [key: symbol]: () => Record<string, string>;
}

/** A one-line text description of a figure (its title, or its size). */
export function figureText(figure: { html: string; svg: string }): string {
  const title = /<h2[^>]*>([^<]*)<\/h2>/.exec(figure.html)?.[1];
  const vb = /viewBox="([^"]*)"/.exec(figure.svg)?.[1]?.split(/\s+/);
  return `[figure${title ? `: ${title}` : ""}${vb ? ` ${vb[2]}×${vb[3]}` : ""}]`;
}

/** Make a {@link Figure} from SVG (and optionally Plot's `<figure>` HTML) text. Useful for figures built without Plot. */
export function figureFromSvg(svg: string, html: string = svg): Figure {
  let standalone: string | null = null;
  const figure = {
    svg,
    html,
    get standalone(): string {
      return (standalone ??= standaloneSvg(html));
    },
    toString: () => svg,
  };
  return Object.assign(figure, {
    [Symbol.for("Jupyter.display")]: (): Record<string, string> => ({
      "text/html": html,
      "image/svg+xml": figure.standalone,
      "text/plain": figureText(figure),
    }),
  });
}

/** The few DOM members used here (linkedom's elements have them; Deno's lib has no DOM types). */
interface DomElement {
  tagName: string;
  outerHTML: string;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
}

/** Plot options without `document` (this helper supplies one). */
export type RenderOptions = Omit<Plot.PlotOptions, "document">;

/** Render `Plot.plot(options)` to a {@link Figure}. */
export function renderPlot(options: RenderOptions): Figure {
  // deno-lint-ignore no-explicit-any
  const { document } = parseHTML("<!DOCTYPE html><html><head></head><body></body></html>") as any;
  const el = Plot.plot({ ...options, document } as Plot.PlotOptions) as unknown as DomElement;
  const svgEl = el.tagName.toLowerCase() === "svg"
    ? el
    : (Array.from(el.querySelectorAll("svg")).find((s) => s.getAttribute("viewBox") !== null) ??
      el.querySelector("svg"));
  if (!svgEl) throw new Error("renderPlot: Plot produced no <svg> element");
  if (!svgEl.getAttribute("xmlns")) svgEl.setAttribute("xmlns", SVG_NS);
  return figureFromSvg(svgEl.outerHTML, el.outerHTML);
}

/** File formats {@link writeFigure} writes. */
export const FIGURE_FORMATS = ["svg", "png", "pdf", "html"] as const;
/** One of {@link FIGURE_FORMATS}. */
export type FigureFormat = typeof FIGURE_FORMATS[number];

/** Options of {@link writeFigure}. */
export const WriteFigureOptionsSchema = z.strictObject({
  /** Formats to write beside each other (`<path>.svg`, …); default: the format named by `path`'s extension. */
  formats: z.array(z.enum(FIGURE_FORMATS)).min(1).optional(),
  /** Source line under the caption: text, or `{ data, models, date, note }`. */
  source: SourceLineSchema.optional(),
  /** Caption used when the figure has none of its own. */
  caption: z.string().optional(),
  /** PNG scale relative to the SVG's size; default 2. */
  scale: z.number().positive().max(16).optional(),
  /** TrueType font for the PNG; default `EVALKIT_FONT` or DejaVu Sans. */
  fontPath: z.string().optional(),
});
/** Options of {@link writeFigure}. */
export type WriteFigureOptions = z.infer<typeof WriteFigureOptionsSchema>;

/**
 * Write a figure to paste into a paper or slides. The format comes from the extension of `path` (`.svg`,
 * `.png`, `.pdf`, `.html`), or `options.formats` writes several files beside each other (an extension in
 * `path` is then replaced). SVG, PNG and PDF hold one standalone SVG: title, subtitle, legend, caption and
 * the optional source line laid out around the chart, nothing clipped. `.html` is Plot's own `<figure>`.
 * PNG uses resvg (2× by default), PDF Debian's `rsvg-convert` (librsvg2-bin). Creates parent directories.
 * @returns the paths written.
 */
export async function writeFigure(
  path: string,
  figure: { svg: string; html?: string },
  options: WriteFigureOptions = {},
): Promise<string[]> {
  const opts = WriteFigureOptionsSchema.parse(options);
  const ext = /\.([A-Za-z]+)$/.exec(path)?.[1]?.toLowerCase();
  const known = (FIGURE_FORMATS as readonly string[]).includes(ext ?? "");
  const formats: FigureFormat[] = opts.formats ?? (known ? [ext as FigureFormat] : []);
  if (formats.length === 0) {
    throw new TypeError(
      `writeFigure: ${path} has no .svg/.png/.pdf/.html extension and no formats were given`,
    );
  }
  const base = known ? path.slice(0, -(ext!.length + 1)) : path;
  const dir = base.replace(/[\\/][^\\/]*$/, "");
  if (dir && dir !== base) await Deno.mkdir(dir, { recursive: true });
  const html = figure.html ?? figure.svg;
  const svg = standaloneSvg(html, { source: opts.source, caption: opts.caption });
  const written: string[] = [];
  for (const format of formats) {
    const file = `${base}.${format}`;
    if (format === "svg") await Deno.writeTextFile(file, `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`);
    else if (format === "html") await Deno.writeTextFile(file, html);
    else if (format === "png") {
      const { svgToPng } = await import("./png.ts");
      await Deno.writeFile(file, await svgToPng(svg, { scale: opts.scale ?? 2, fontPath: opts.fontPath }));
    } else {
      const { svgToPdf } = await import("./pdf.ts");
      await Deno.writeFile(file, await svgToPdf(svg));
    }
    written.push(file);
  }
  return written;
}
