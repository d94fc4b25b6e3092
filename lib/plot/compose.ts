/**
 * One standalone SVG for a figure. Observable Plot puts a figure's title, subtitle, legend and caption in
 * HTML around the chart's `<svg>`; this module lays them out as SVG text and shapes above and below the
 * chart (legend swatches drawn as SVG), adds an optional source line, and widens the chart's viewBox so no
 * text of the chart is cut (long tick or point labels). The result is a plain `<svg>` that keeps everything
 * in SVG, PNG and PDF alike.
 *
 * Text widths are estimated from per-character widths of DejaVu Sans (the font the PNG and PDF exports
 * use), which is wider than most UI fonts, so estimates err on the generous side.
 *
 * @module
 */
import { parseHTML } from "../deps/linkedom.ts";
import { z } from "../deps/zod.ts";

const SVG_NS = "http://www.w3.org/2000/svg";

/** Where the figure's data came from: a free text, or the parts of a standard source line. */
export const SourceLineSchema = z.union([
  z.string().min(1),
  z.strictObject({
    /** Data file or run log the figure was computed from. */
    data: z.string().min(1).optional(),
    /** Models or agents in the figure. */
    models: z.array(z.string().min(1)).optional(),
    /** Date of the analysis (a `Date` or text such as `2026-11-27`). */
    date: z.union([z.string().min(1), z.date()]).optional(),
    /** Anything else worth a mention (seed, toolkit version). */
    note: z.string().min(1).optional(),
  }),
]);
/** The `source` option of {@link standaloneSvg} and `writeFigure`. */
export type SourceLine = z.infer<typeof SourceLineSchema>;

/** Options of {@link standaloneSvg}. */
export const StandaloneOptionsSchema = z.strictObject({
  /** A source line drawn under the caption ("Source: data file · models · date"). */
  source: SourceLineSchema.optional(),
  /** A caption used when Plot's figure has none (e.g. the caption passed to `showFigure`). */
  caption: z.string().optional(),
  /** Draw a white background rectangle (default true: slides with dark themes stay readable). */
  background: z.boolean().optional(),
});
/** Options of {@link standaloneSvg}. */
export type StandaloneOptions = z.infer<typeof StandaloneOptionsSchema>;

/** The source line's text for a {@link SourceLine}. */
export function sourceLine(source: SourceLine): string {
  if (typeof source === "string") return source.startsWith("Source") ? source : `Source: ${source}`;
  const parts: string[] = [];
  if (source.data) parts.push(source.data);
  if (source.models && source.models.length > 0) parts.push(`models: ${source.models.join(", ")}`);
  if (source.date) {
    parts.push(source.date instanceof Date ? source.date.toISOString().slice(0, 10) : source.date);
  }
  if (source.note) parts.push(source.note);
  return `Source: ${parts.join(" · ")}`;
}

// Advance widths of DejaVu Sans in em (rounded up a little); unknown characters count as wide.
const NARROW = new Set([..."iljtfrI.,:;'|!()[]{} `\"/\\"]);
const WIDE = new Set([..."mwMW@%"]);
const UPPER = /[A-Z]/;
const DIGIT = /[0-9]/;

/** Estimated width in px of `text` at `fontSize` px (DejaVu Sans; bold adds 10%). */
export function estimateTextWidth(text: string, fontSize: number, bold = false): number {
  let em = 0;
  for (const ch of text) {
    if (NARROW.has(ch)) em += 0.36;
    else if (WIDE.has(ch)) em += 0.98;
    else if (UPPER.test(ch)) em += 0.74;
    else if (DIGIT.test(ch)) em += 0.64;
    else if (ch.charCodeAt(0) < 128) em += 0.62;
    else em += 0.8;
  }
  return em * fontSize * (bold ? 1.1 : 1);
}

/** A 2-D affine matrix [a, b, c, d, e, f] (SVG order). */
type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];

function multiply(m: Matrix, n: Matrix): Matrix {
  return [
    m[0] * n[0] + m[2] * n[1],
    m[1] * n[0] + m[3] * n[1],
    m[0] * n[2] + m[2] * n[3],
    m[1] * n[2] + m[3] * n[3],
    m[0] * n[4] + m[2] * n[5] + m[4],
    m[1] * n[4] + m[3] * n[5] + m[5],
  ];
}

function parseTransform(text: string | null): Matrix {
  let m: Matrix = IDENTITY;
  if (!text) return m;
  for (const [, op, args] of text.matchAll(/(\w+)\s*\(([^)]*)\)/g)) {
    const v = args.split(/[\s,]+/).filter((s) => s !== "").map(Number);
    if (op === "translate") m = multiply(m, [1, 0, 0, 1, v[0] ?? 0, v[1] ?? 0]);
    else if (op === "scale") m = multiply(m, [v[0] ?? 1, 0, 0, v[1] ?? v[0] ?? 1, 0, 0]);
    else if (op === "rotate") {
      const r = ((v[0] ?? 0) * Math.PI) / 180, cx = v[1] ?? 0, cy = v[2] ?? 0;
      m = multiply(m, [1, 0, 0, 1, cx, cy]);
      m = multiply(m, [Math.cos(r), Math.sin(r), -Math.sin(r), Math.cos(r), 0, 0]);
      m = multiply(m, [1, 0, 0, 1, -cx, -cy]);
    } else if (op === "matrix" && v.length === 6) m = multiply(m, v as Matrix);
  }
  return m;
}

/** The few DOM members used here (linkedom's elements have them; Deno's lib has no DOM types). */
interface El {
  tagName: string;
  localName?: string;
  textContent: string | null;
  outerHTML: string;
  innerHTML: string;
  children: ArrayLike<El>;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}

function parseFragment(markup: string): El {
  // deno-lint-ignore no-explicit-any
  const { document } = parseHTML(`<!DOCTYPE html><html><body>${markup}</body></html>`) as any;
  const root = document.body.firstElementChild as El | null;
  if (!root) throw new TypeError("figure markup holds no element");
  return root;
}

/** Length in px of an SVG length ("0.71em", "12", "12px"). */
function length(value: string | null, fontSize: number): number {
  if (!value) return 0;
  const first = value.trim().split(/[\s,]+/)[0];
  const n = parseFloat(first);
  if (!Number.isFinite(n)) return 0;
  return first.endsWith("em") ? n * fontSize : n;
}

/** One text element's estimated box in the coordinates of the outermost SVG. */
export interface TextExtent {
  /** The element's text content. */
  text: string;
  /** Left edge, in px of the outermost SVG's coordinates (an estimate from font size and character count). */
  x0: number;
  /** Top edge, in px. */
  y0: number;
  /** Right edge, in px. */
  x1: number;
  /** Bottom edge, in px. */
  y1: number;
}

interface Inherited {
  m: Matrix;
  fontSize: number;
  anchor: string;
  bold: boolean;
}

function inheritedFrom(el: El, parent: Inherited): Inherited {
  const fs = el.getAttribute("font-size");
  const style = el.getAttribute("style") ?? "";
  const styleFs = /font-size:\s*([\d.]+)px/.exec(style);
  const weight = el.getAttribute("font-weight") ?? /font-weight:\s*(\w+)/.exec(style)?.[1];
  return {
    m: multiply(parent.m, parseTransform(el.getAttribute("transform"))),
    fontSize: fs ? length(fs, parent.fontSize) : styleFs ? Number(styleFs[1]) : parent.fontSize,
    anchor: el.getAttribute("text-anchor") ?? parent.anchor,
    bold: weight ? weight === "bold" || Number(weight) >= 600 : parent.bold,
  };
}

function nestedSvgMatrix(el: El): Matrix {
  const x = Number(el.getAttribute("x") ?? 0), y = Number(el.getAttribute("y") ?? 0);
  let m: Matrix = [1, 0, 0, 1, x, y];
  const vb = el.getAttribute("viewBox")?.split(/[\s,]+/).map(Number);
  const w = Number(el.getAttribute("width")), h = Number(el.getAttribute("height"));
  if (vb && vb.length === 4 && w > 0 && h > 0 && vb[2] > 0 && vb[3] > 0) {
    const s = Math.min(w / vb[2], h / vb[3]);
    m = multiply(m, [s, 0, 0, s, -vb[0] * s, -vb[1] * s]);
  }
  return m;
}

function lineBoxes(text: El, ctx: Inherited): TextExtent[] {
  const out: TextExtent[] = [];
  const fs = ctx.fontSize;
  const tspans = Array.from(text.children).filter((c) => c.tagName.toLowerCase() === "tspan");
  const baseX = length(text.getAttribute("x"), fs) + length(text.getAttribute("dx"), fs);
  let y = length(text.getAttribute("y"), fs) + length(text.getAttribute("dy"), fs);
  const lines: { x: number; y: number; text: string; ctx: Inherited }[] = [];
  if (tspans.length === 0) lines.push({ x: baseX, y, text: text.textContent ?? "", ctx });
  else {
    for (const t of tspans) {
      const tctx = inheritedFrom(t, ctx);
      const x = t.getAttribute("x") !== null ? length(t.getAttribute("x"), tctx.fontSize) : baseX;
      if (t.getAttribute("y") !== null) y = length(t.getAttribute("y"), tctx.fontSize);
      y += length(t.getAttribute("dy"), tctx.fontSize);
      lines.push({
        x: x + length(t.getAttribute("dx"), tctx.fontSize),
        y,
        text: t.textContent ?? "",
        ctx: tctx,
      });
    }
  }
  for (const line of lines) {
    if (line.text.trim() === "") continue;
    const w = estimateTextWidth(line.text, line.ctx.fontSize, line.ctx.bold);
    const x0 = line.ctx.anchor === "middle"
      ? line.x - w / 2
      : line.ctx.anchor === "end"
      ? line.x - w
      : line.x;
    const corners = [
      [x0, line.y - 0.8 * line.ctx.fontSize],
      [x0 + w, line.y - 0.8 * line.ctx.fontSize],
      [x0, line.y + 0.25 * line.ctx.fontSize],
      [x0 + w, line.y + 0.25 * line.ctx.fontSize],
    ].map(([px, py]) => {
      const m = line.ctx.m;
      return [m[0] * px + m[2] * py + m[4], m[1] * px + m[3] * py + m[5]];
    });
    out.push({
      text: line.text,
      x0: Math.min(...corners.map((c) => c[0])),
      y0: Math.min(...corners.map((c) => c[1])),
      x1: Math.max(...corners.map((c) => c[0])),
      y1: Math.max(...corners.map((c) => c[1])),
    });
  }
  return out;
}

function collectExtents(el: El, ctx: Inherited, out: TextExtent[], top: boolean): void {
  const tag = el.tagName.toLowerCase();
  if (tag === "style" || tag === "title" || tag === "defs") return;
  let here = inheritedFrom(el, ctx);
  if (tag === "svg" && !top) here = { ...here, m: multiply(ctx.m, nestedSvgMatrix(el)) };
  if (tag === "text") {
    out.push(...lineBoxes(el, here));
    return;
  }
  for (const child of Array.from(el.children)) collectExtents(child, here, out, false);
}

/**
 * Estimated boxes of every `<text>` (one per line) of an SVG, in the coordinates of its viewBox (nested
 * `<svg>` elements and `translate`/`rotate`/`scale` transforms are followed).
 */
export function textExtents(svg: string): TextExtent[] {
  const root = parseFragment(svg.replace(/^<\?xml[^>]*>\s*/, ""));
  const out: TextExtent[] = [];
  const base: Inherited = { m: IDENTITY, fontSize: 10, anchor: "start", bold: false };
  collectExtents(root, base, out, true);
  return out;
}

/** The viewBox `[x, y, width, height]` of an SVG (from `viewBox`, else `width`/`height`). */
export function viewBoxOf(svg: string): [number, number, number, number] {
  const root = parseFragment(svg.replace(/^<\?xml[^>]*>\s*/, ""));
  const vb = root.getAttribute("viewBox")?.split(/[\s,]+/).map(Number);
  if (vb && vb.length === 4 && vb.every(Number.isFinite)) return vb as [number, number, number, number];
  return [0, 0, Number(root.getAttribute("width") ?? 0), Number(root.getAttribute("height") ?? 0)];
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Break `text` into lines no wider than `width` px at `fontSize`. */
export function wrapText(text: string, width: number, fontSize: number, bold = false): string[] {
  const lines: string[] = [];
  for (const para of text.split("\n")) {
    let line = "";
    for (const word of para.split(/\s+/).filter((w) => w !== "")) {
      const next = line === "" ? word : `${line} ${word}`;
      if (line !== "" && estimateTextWidth(next, fontSize, bold) > width) {
        lines.push(line);
        line = word;
      } else line = next;
    }
    lines.push(line);
  }
  return lines;
}

/** What a Plot figure holds, taken apart. */
export interface FigureParts {
  /** The figure's title; null when it has none. */
  title: string | null;
  /** The figure's subtitle; null when it has none. */
  subtitle: string | null;
  /** Legend entries: label and the swatch's SVG (15×15 as Plot draws it). */
  legend: { label: string; swatch: string }[];
  /** The chart's `<svg>` markup. */
  chart: string;
  /** The figure's caption; null when it has none. */
  caption: string | null;
}

/** Take Plot's output (a bare `<svg>` or a `<figure>` with title, legend, caption) apart. */
export function figureParts(markup: string): FigureParts {
  const root = parseFragment(markup.trim());
  const tag = root.tagName.toLowerCase();
  if (tag === "svg") return { title: null, subtitle: null, legend: [], chart: root.outerHTML, caption: null };
  if (tag !== "figure") throw new TypeError(`figure markup: expected <svg> or <figure>, got <${tag}>`);
  const parts: FigureParts = { title: null, subtitle: null, legend: [], chart: "", caption: null };
  let chartArea = -1;
  for (const child of Array.from(root.children)) {
    const t = child.tagName.toLowerCase();
    const text = (child.textContent ?? "").trim();
    if (t === "h2") parts.title = text || null;
    else if (t === "h3") parts.subtitle = text || null;
    else if (t === "figcaption") parts.caption = text || null;
    else if (t === "svg") {
      const vb = child.getAttribute("viewBox")?.split(/[\s,]+/).map(Number);
      const area = vb
        ? vb[2] * vb[3]
        : Number(child.getAttribute("width")) * Number(child.getAttribute("height"));
      if (area > chartArea) {
        chartArea = area;
        parts.chart = child.outerHTML;
      }
    } else if (t === "div") {
      for (const span of Array.from(child.querySelectorAll("span"))) {
        const sw = span.querySelector("svg");
        if (!sw) continue;
        const label = (span.textContent ?? "").trim();
        parts.legend.push({ label, swatch: sw.outerHTML });
      }
    }
  }
  if (parts.chart === "") throw new TypeError("figure markup holds no chart <svg>");
  return parts;
}

/**
 * Inline size of a nested `<svg>`: a page's CSS such as `figure svg { height: auto }` (the report has one)
 * would otherwise resize nested SVGs when the figure is inlined in HTML; inline style wins over it.
 */
function pinnedSize(width: number, height: number): string {
  return `width:${width}px;height:${height}px;max-width:none`;
}

/** Attribute marking an SVG made by {@link standaloneSvg} (so it is not laid out twice). */
const STANDALONE_MARK = 'data-evalkit="figure"';

function addSourceLine(svg: string, line: string): string {
  const root = parseFragment(svg);
  const width = Number(root.getAttribute("width")), height = Number(root.getAttribute("height"));
  const lines = wrapText(line, width - 2 * PAD, SOURCE_SIZE);
  let y = height - PAD + 4;
  const texts = lines.map((l) => {
    y += SOURCE_SIZE;
    const t = `<text x="${PAD}" y="${y.toFixed(1)}" font-size="${SOURCE_SIZE}" fill="#666">${
      escapeXml(l)
    }</text>`;
    y += SOURCE_SIZE * 0.3;
    return t;
  }).join("");
  const h = Math.ceil(y + PAD - 4);
  return root.outerHTML
    .replace(/^<svg([^>]*?) height="[\d.]+"/, `<svg$1 height="${h}"`)
    .replace(/^<svg([^>]*?) viewBox="0 0 ([\d.]+) [\d.]+"/, `<svg$1 viewBox="0 0 $2 ${h}"`)
    .replace(
      /^(<svg[^>]*>)<rect width="([\d.]+)" height="[\d.]+" fill="white"\/>/,
      `$1<rect width="$2" height="${h}" fill="white"/>`,
    )
    .replace(/<\/svg>$/, `${texts}</svg>`);
}

const TITLE_SIZE = 16, SUBTITLE_SIZE = 12.5, LEGEND_SIZE = 11, CAPTION_SIZE = 12, SOURCE_SIZE = 10.5;
const PAD = 12, SWATCH = 12;

/**
 * Lay a Plot figure (its `<figure>` HTML or bare `<svg>`) out as one standalone SVG: title, subtitle and
 * legend above the chart, caption and source line below, the chart's viewBox widened to hold all its
 * text. Deterministic (same input → same output).
 */
export function standaloneSvg(markup: string, options: StandaloneOptions = {}): string {
  const opts = StandaloneOptionsSchema.parse(options);
  const trimmed = markup.trim().replace(/^<\?xml[^>]*>\s*/, "");
  // Already laid out (e.g. a notebook's image/svg+xml part): keep it, only add the source line.
  if (trimmed.startsWith(`<svg ${STANDALONE_MARK}`) || trimmed.includes(` ${STANDALONE_MARK} `)) {
    return opts.source === undefined ? trimmed : addSourceLine(trimmed, sourceLine(opts.source));
  }
  const parts = figureParts(markup);
  const chart = parseFragment(parts.chart);
  const [vx, vy, vw, vh] = viewBoxOf(parts.chart);
  // Widen the chart's viewBox to hold every text of the chart (with 2 px to spare).
  let [x0, y0, x1, y1] = [vx, vy, vx + vw, vy + vh];
  for (const e of textExtents(parts.chart)) {
    x0 = Math.min(x0, Math.floor(e.x0 - 2));
    y0 = Math.min(y0, Math.floor(e.y0 - 2));
    x1 = Math.max(x1, Math.ceil(e.x1 + 2));
    y1 = Math.max(y1, Math.ceil(e.y1 + 2));
  }
  const cw = x1 - x0, ch = y1 - y0;
  const caption = parts.caption ?? (opts.caption?.trim() || null);
  const source = opts.source === undefined ? null : sourceLine(opts.source);
  // The width: the chart's, or wider when the title cannot wrap (a single long word).
  const width = Math.ceil(Math.max(cw + 2 * PAD, 200));
  const inner = width - 2 * PAD;
  const out: string[] = [];
  let y = PAD;
  const textLines = (lines: string[], size: number, attrs: string) => {
    for (const line of lines) {
      y += size;
      out.push(`<text x="${PAD}" y="${y.toFixed(1)}" font-size="${size}"${attrs}>${escapeXml(line)}</text>`);
      y += size * 0.3;
    }
  };
  if (parts.title) {
    textLines(wrapText(parts.title, inner, TITLE_SIZE, true), TITLE_SIZE, ' font-weight="bold"');
  }
  if (parts.subtitle) {
    textLines(wrapText(parts.subtitle, inner, SUBTITLE_SIZE), SUBTITLE_SIZE, ' fill="#444"');
  }
  if (parts.title || parts.subtitle) y += 4;
  if (parts.legend.length > 0) {
    let x = PAD;
    y += 2;
    for (const item of parts.legend) {
      const w = SWATCH + 5 + estimateTextWidth(item.label, LEGEND_SIZE) + 14;
      if (x > PAD && x + w - 14 > width - PAD) {
        x = PAD;
        y += LEGEND_SIZE * 1.6;
      }
      const sw = parseFragment(item.swatch);
      sw.setAttribute("x", String(x));
      sw.setAttribute("y", (y + (LEGEND_SIZE * 1.2 - SWATCH) / 2).toFixed(1));
      sw.setAttribute("width", String(SWATCH));
      sw.setAttribute("height", String(SWATCH));
      if (!sw.getAttribute("viewBox")) sw.setAttribute("viewBox", "0 0 15 15");
      sw.setAttribute("overflow", "visible");
      sw.setAttribute("style", pinnedSize(SWATCH, SWATCH));
      out.push(sw.outerHTML);
      out.push(
        `<text x="${x + SWATCH + 5}" y="${(y + LEGEND_SIZE * 0.95).toFixed(1)}" font-size="${LEGEND_SIZE}">${
          escapeXml(item.label)
        }</text>`,
      );
      x += w;
    }
    y += LEGEND_SIZE * 1.6 + 4;
  }
  const chartX = PAD + Math.max(0, (inner - cw) / 2), chartY = y;
  chart.setAttribute("x", chartX.toFixed(1));
  chart.setAttribute("y", chartY.toFixed(1));
  chart.setAttribute("width", String(cw));
  chart.setAttribute("height", String(ch));
  chart.setAttribute("viewBox", `${x0} ${y0} ${cw} ${ch}`);
  chart.setAttribute("overflow", "visible");
  chart.setAttribute("style", pinnedSize(cw, ch));
  chart.removeAttribute("xmlns");
  // Plot's own sizing rule for the chart (display:block, height:auto, max-width:100%) would resize a nested
  // <svg> in browsers: drop it, keep the rest of its style sheet.
  const style = chart.querySelector("style");
  if (style) style.innerHTML = style.innerHTML.replace(/:where\(\.plot-[\w-]+\)\s*\{[^}]*\}/, "");
  out.push(chart.outerHTML);
  y += ch + 6;
  if (caption) textLines(wrapText(caption, inner, CAPTION_SIZE), CAPTION_SIZE, ' fill="#333"');
  if (source) textLines(wrapText(source, inner, SOURCE_SIZE), SOURCE_SIZE, ' fill="#666"');
  const height = Math.ceil(y + PAD - 4);
  const bg = opts.background === false ? "" : `<rect width="${width}" height="${height}" fill="white"/>`;
  return `<svg xmlns="${SVG_NS}" ${STANDALONE_MARK} width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="system-ui, 'DejaVu Sans', sans-serif" font-size="10" fill="black">${bg}${
      out.join("")
    }</svg>`;
}
