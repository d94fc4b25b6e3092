/**
 * Turn an executed notebook into report blocks: rendered markdown, figures (inline SVG with their names),
 * HTML tables, other HTML/markdown/text outputs, and the (collapsed) code that produced them.
 *
 * @module
 */
import { type Cell, joinText, type Notebook } from "../notebook/ipynb.ts";
import { escapeHtml, FIGURE_MIME, TABLE_MIME } from "../notebook/display.ts";
import { renderMarkdown, slugify } from "./markdown.ts";
import { stripAnsi } from "./execute.ts";

/** One figure found in a notebook. */
export interface ReportFigure {
  name: string;
  caption: string | null;
  /** The standalone SVG (title, legend and caption laid out as SVG: the figure files are made from it). */
  svg: string;
  notebook: string;
  /** True when the caption is already drawn in `svg`. */
  captionInSvg?: boolean;
  /** Plot's own `<figure>` markup (title, legend, chart, caption) when the notebook sent it. */
  html?: string;
}

/** One rendered block of a report section. */
export type ReportBlock =
  | { kind: "markdown"; html: string }
  | { kind: "code"; source: string }
  | { kind: "figure"; figure: ReportFigure }
  | { kind: "table"; html: string; name: string | null }
  | { kind: "html"; html: string }
  | { kind: "text"; text: string; stream: "stdout" | "stderr" | "result" };

/** One notebook as a report section. */
export interface ReportSection {
  notebook: string;
  title: string;
  anchor: string;
  blocks: ReportBlock[];
  figures: ReportFigure[];
  tables: number;
}

function bundleBlocks(data: Record<string, unknown>, notebook: string): ReportBlock[] {
  const text = (key: string) => (data[key] === undefined ? null : joinText(data[key] as string | string[]));
  const svg = text("image/svg+xml");
  if (svg !== null) {
    const info = (data[FIGURE_MIME] ?? {}) as {
      name?: string;
      caption?: string | null;
      captionInSvg?: boolean;
    };
    const name = typeof info.name === "string" ? info.name : null;
    if (name) {
      const captionInSvg = info.captionInSvg === true;
      const html = text("text/html");
      return [{
        kind: "figure",
        figure: {
          name,
          caption: info.caption ?? null,
          svg,
          notebook,
          captionInSvg,
          ...(html ? { html } : {}),
        },
      }];
    }
    return [{ kind: "html", html: `<div class="figure">${svg}</div>` }];
  }
  const html = text("text/html");
  if (html !== null) {
    const info = data[TABLE_MIME] as { name?: string | null } | undefined;
    if (info || html.includes("<table")) return [{ kind: "table", html, name: info?.name ?? null }];
    return [{ kind: "html", html }];
  }
  const md = text("text/markdown");
  if (md !== null) return [{ kind: "markdown", html: renderMarkdown(md, { headingOffset: 1 }) }];
  const png = text("image/png");
  if (png !== null) {
    return [{
      kind: "html",
      html: `<img alt="figure" src="data:image/png;base64,${png.replace(/\s/g, "")}">`,
    }];
  }
  const plain = text("text/plain");
  return plain === null ? [] : [{ kind: "text", text: stripAnsi(plain), stream: "result" }];
}

function cellBlocks(cell: Cell, notebook: string, sectionId: string): ReportBlock[] {
  if (cell.cell_type === "markdown") {
    return [{
      kind: "markdown",
      html: renderMarkdown(joinText(cell.source), { headingOffset: 1, idPrefix: `${sectionId}-` }),
    }];
  }
  if (cell.cell_type !== "code") return [];
  const blocks: ReportBlock[] = [];
  const source = joinText(cell.source);
  if (source.trim() !== "") blocks.push({ kind: "code", source });
  for (const output of cell.outputs) {
    if (output.output_type === "stream") {
      blocks.push({ kind: "text", text: stripAnsi(joinText(output.text)), stream: output.name });
    } else if (output.output_type === "display_data" || output.output_type === "execute_result") {
      blocks.push(...bundleBlocks(output.data, notebook));
    } else if (output.output_type === "error") {
      blocks.push({ kind: "text", text: `${output.ename}: ${stripAnsi(output.evalue)}`, stream: "stderr" });
    }
  }
  return blocks;
}

/** Build the report section of one executed notebook. */
export function notebookSection(notebook: Notebook, name: string): ReportSection {
  const anchor = `nb-${slugify(name)}`;
  const blocks = notebook.cells.flatMap((c) => cellBlocks(c, name, anchor));
  const figures = blocks.flatMap((b) => (b.kind === "figure" ? [b.figure] : []));
  const tables = blocks.filter((b) => b.kind === "table").length;
  const title = notebook.metadata.evalkit?.title ?? name;
  return { notebook: name, title, anchor, blocks, figures, tables };
}

/** Render one block to HTML. */
export function blockHtml(block: ReportBlock): string {
  switch (block.kind) {
    case "markdown":
    case "html":
      return block.html;
    case "code":
      return `<details class="code"><summary>code</summary><pre><code>${
        escapeHtml(block.source)
      }</code></pre></details>`;
    case "figure": {
      const f = block.figure;
      const caption = f.caption && !f.captionInSvg ? `<figcaption>${escapeHtml(f.caption)}</figcaption>` : "";
      const files = `<span class="files">figures/${escapeHtml(f.name)}.svg · .png</span>`;
      return `<figure class="report-figure" id="fig-${
        escapeHtml(f.name)
      }">${f.svg}${caption}${files}</figure>`;
    }
    case "table":
      return `<div class="table-wrap">${block.html}</div>`;
    case "text":
      return block.text.trim() === ""
        ? ""
        : `<pre class="out ${block.stream}">${escapeHtml(block.text.replace(/\n$/, ""))}</pre>`;
  }
}
