/**
 * Safe Markdown for notebook markdown cells in the report, rendered by markdown-it (CommonMark plus pipe
 * tables): nested lists, block quotes, fenced code, tables, emphasis, code spans and links. Images are
 * not rendered (the report is self-contained and loads nothing from outside).
 *
 * Safety: raw HTML in the source is shown as text (`html: false`); a link target must pass
 * markdown-it's `validateLink` *and* {@link isSafeUrl} (http(s), mailto, in-page `#…` or a relative path,
 * nothing else), otherwise the source text is shown as text. Headings get the ids the report's table of
 * contents and cross-links use: `idPrefix` + {@link slugify} of the heading's source text, and
 * `headingOffset` shifts their level.
 *
 * @module
 */
import { MarkdownIt, type Token } from "../deps/markdown_it.ts";

/** True for the link targets the report allows: http(s), mailto, in-page `#…`, or relative (no scheme). */
export function isSafeUrl(url: string): boolean {
  const u = url.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(u);
  if (scheme) return /^(https?|mailto)$/i.test(scheme[1]);
  // Any other colon before the first slash, `?` or `#` would be read as a scheme by some browsers.
  // Control characters and backslashes are refused too (browsers drop or rewrite them before parsing).
  return !/^[^/?#]*:/.test(u) && !/\\/.test(u) && ![...u].some((c) => c.charCodeAt(0) < 0x20);
}

function createRenderer(): MarkdownIt {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  const validate = md.validateLink.bind(md);
  md.validateLink = (url: string) => validate(url) && isSafeUrl(url);
  // No images: the report loads nothing from outside (`![alt](url)` stays "!" and a link, as before).
  md.disable("image");
  md.renderer.rules.table_open = () => '<table class="md-table">\n';
  return md;
}

const md = createRenderer();

/** Render inline Markdown (one block's text, no paragraph wrapper) to HTML. */
export function renderInline(text: string): string {
  return md.renderInline(text);
}

/** Slug for a heading id: lowercase letters, digits and dashes. */
export function slugify(text: string): string {
  return text.toLowerCase().replace(/<[^>]*>/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") ||
    "section";
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
  const tokens = md.parse(markdown, {});
  const offset = options.headingOffset ?? 0;
  tokens.forEach((token: Token, i: number) => {
    if (token.type !== "heading_open" && token.type !== "heading_close") return;
    const level = Math.min(6, Number(token.tag.slice(1)) + offset);
    token.tag = `h${level}`;
    if (token.type === "heading_open") {
      token.attrSet("id", (options.idPrefix ?? "") + slugify(tokens[i + 1]?.content ?? ""));
    }
  });
  return md.renderer.render(tokens, md.options, {});
}
