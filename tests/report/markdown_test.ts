import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import { renderInline, renderMarkdown, slugify } from "../../lib/report/markdown.ts";

// deno-lint-ignore no-explicit-any
const dom = (html: string): any => (parseHTML(`<html><body>${html}</body></html>`) as any).document;

Deno.test("headings get ids and an offset level", () => {
  const html = renderMarkdown("# Title one\n## Sub *part*", { headingOffset: 1, idPrefix: "nb-" });
  const doc = dom(html);
  assert.equal(doc.querySelector("h2")?.id, "nb-title-one");
  assert.equal(doc.querySelector("h3 em")?.textContent, "part");
});

Deno.test("paragraphs, lists, quotes, rules and fenced code", () => {
  const md = [
    "First line",
    "continues here.",
    "",
    "- one",
    "- two with `code`",
    "",
    "1. first",
    "2. second",
    "",
    "> quoted **bold**",
    "",
    "---",
    "```ts",
    "const a = 1 < 2;",
    "```",
  ].join("\n");
  const doc = dom(renderMarkdown(md));
  assert.equal(doc.querySelector("p")?.textContent, "First line continues here.");
  assert.equal(doc.querySelectorAll("ul li").length, 2);
  assert.equal(doc.querySelector("ul li code")?.textContent, "code");
  assert.equal(doc.querySelectorAll("ol li").length, 2);
  assert.equal(doc.querySelector("blockquote strong")?.textContent, "bold");
  assert.equal(doc.querySelectorAll("hr").length, 1);
  assert.equal(doc.querySelector("pre code.language-ts")?.textContent, "const a = 1 < 2;");
});

Deno.test("pipe tables with alignment", () => {
  const doc = dom(renderMarkdown("| a | b |\n|---|--:|\n| 1 | 2 |\n| 3 | 4 |"));
  assert.equal(doc.querySelectorAll("tbody tr").length, 2);
  assert.equal(doc.querySelectorAll("th")[1].getAttribute("style"), "text-align:right");
});

Deno.test("raw HTML is escaped and only safe link targets survive", () => {
  const html = renderMarkdown(
    "<img src=x onerror=alert(1)> [ok](https://metr.org) [bad](javascript:alert(1))",
  );
  assert.ok(!html.includes("<img"));
  assert.ok(html.includes('<a href="https://metr.org">ok</a>'));
  assert.ok(!html.includes("javascript:"));
});

Deno.test("code spans are not parsed for emphasis", () => {
  assert.equal(renderInline("`a*b*c` and *x*"), "<code>a*b*c</code> and <em>x</em>");
  assert.equal(renderInline("snake_case_name stays"), "snake_case_name stays");
});

Deno.test("slugify", () => {
  assert.equal(slugify("Part 1 — METR's public runs"), "part-1-metr-s-public-runs");
  assert.equal(slugify("!!!"), "section");
});
