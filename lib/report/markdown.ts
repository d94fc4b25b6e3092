/**
 * A small, safe Markdown renderer for notebook markdown cells: ATX headings, paragraphs, bullet and
 * numbered lists (one level), block quotes, fenced code, pipe tables, horizontal rules, and the inline
 * forms `code`, **bold**, *italic*, [links](url). All text is HTML-escaped; raw HTML in the source is
 * shown as text, and links accept only http(s), mailto and in-page `#` targets.
 *
 * @module
 */
import { escapeHtml } from "../notebook/display.ts";

/** Render inline Markdown (already split into a block) to HTML. */
export function renderInline(text: string): string {
  const codeSpans: string[] = [];
  // Protect code spans first so their content is not parsed.
  let s = text.replace(/`([^`]+)`/g, (_m, code: string) => {
    codeSpans.push(`<code>${escapeHtml(code)}</code>`);
    return `\uE000${codeSpans.length - 1}\uE001`;
  });
  s = escapeHtml(s);
  s = s.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_m, label: string, url: string) => {
    const raw = url.replace(/&amp;/g, "&");
    if (!/^(https?:|mailto:|#)/.test(raw)) return label;
    return `<a href="${escapeHtml(raw)}">${label}</a>`;
  });
  s = s.replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");
  s = s.replace(/(^|[^*])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>");
  s = s.replace(/(^|[\s(])_([^_\s][^_]*)_(?=[\s).,;:!?]|$)/g, "$1<em>$2</em>");
  return s.replace(/\uE000(\d+)\uE001/g, (_m, i: string) => codeSpans[Number(i)]);
}

/** Slug for a heading id: lowercase letters, digits and dashes. */
export function slugify(text: string): string {
  return text.toLowerCase().replace(/<[^>]*>/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") ||
    "section";
}

function splitRow(line: string): string[] {
  return line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
}

/** Options for {@link renderMarkdown}. */
export interface MarkdownOptions {
  /** Added to every heading level (e.g. 1 turns `#` into `<h2>`); default 0. */
  headingOffset?: number;
  /** Prefix for heading ids; default none. */
  idPrefix?: string;
}

/** Render a Markdown document to HTML. */
export function renderMarkdown(markdown: string, options: MarkdownOptions = {}): string {
  const lines = markdown.replace(/\r\n/g, "\n").split("\n");
  const out: string[] = [];
  let i = 0;
  const isBlank = (l: string | undefined) => l === undefined || l.trim() === "";
  const startsBlock = (l: string) =>
    /^(#{1,6}\s|```|>|\s*[-*+]\s|\s*\d+[.)]\s|\s*\|)/.test(l) || /^\s*(-{3,}|\*{3,})\s*$/.test(l);
  while (i < lines.length) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1].length + (options.headingOffset ?? 0));
      const html = renderInline(heading[2]);
      out.push(
        `<h${level} id="${escapeHtml((options.idPrefix ?? "") + slugify(heading[2]))}">${html}</h${level}>`,
      );
      i++;
      continue;
    }
    if (line.startsWith("```")) {
      const lang = line.slice(3).trim();
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].startsWith("```")) body.push(lines[i++]);
      i++;
      const cls = lang ? ` class="language-${escapeHtml(lang)}"` : "";
      out.push(`<pre><code${cls}>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    if (/^\s*(-{3,}|\*{3,})\s*$/.test(line)) {
      out.push("<hr>");
      i++;
      continue;
    }
    if (line.startsWith(">")) {
      const body: string[] = [];
      while (i < lines.length && lines[i].startsWith(">")) body.push(lines[i++].replace(/^>\s?/, ""));
      out.push(`<blockquote>${renderMarkdown(body.join("\n"), options)}</blockquote>`);
      continue;
    }
    if (/^\s*\|/.test(line) && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) {
      const header = splitRow(line);
      const aligns = splitRow(lines[i + 1]).map((c) =>
        c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : null
      );
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && /^\s*\|/.test(lines[i])) rows.push(splitRow(lines[i++]));
      const cell = (tag: string, text: string, j: number) =>
        `<${tag}${aligns[j] ? ` style="text-align:${aligns[j]}"` : ""}>${renderInline(text)}</${tag}>`;
      out.push(
        `<table class="md-table"><thead><tr>${
          header.map((h, j) => cell("th", h, j)).join("")
        }</tr></thead><tbody>` +
          rows.map((r) => `<tr>${header.map((_h, j) => cell("td", r[j] ?? "", j)).join("")}</tr>`).join("") +
          "</tbody></table>",
      );
      continue;
    }
    const bullet = /^\s*([-*+]|\d+[.)])\s+/;
    if (bullet.test(line)) {
      const ordered = /^\s*\d/.test(line);
      const items: string[] = [];
      while (i < lines.length && !isBlank(lines[i])) {
        const m = bullet.exec(lines[i]);
        if (m) items.push(lines[i].slice(m[0].length));
        else if (items.length > 0) items[items.length - 1] += " " + lines[i].trim();
        i++;
      }
      const tag = ordered ? "ol" : "ul";
      out.push(`<${tag}>${items.map((it) => `<li>${renderInline(it)}</li>`).join("")}</${tag}>`);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && !isBlank(lines[i]) && (para.length === 0 || !startsBlock(lines[i]))) {
      para.push(lines[i++].trim());
    }
    out.push(`<p>${renderInline(para.join(" "))}</p>`);
  }
  return out.join("\n");
}
