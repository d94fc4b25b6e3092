import assert from "node:assert/strict";
import { parseHTML } from "linkedom";
import { isSafeUrl, renderInline, renderMarkdown, slugify } from "../../lib/report/markdown.ts";

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
  assert.equal(doc.querySelector("p")?.textContent.replace(/\s+/g, " "), "First line continues here.");
  assert.equal(doc.querySelectorAll("ul li").length, 2);
  assert.equal(doc.querySelector("ul li code")?.textContent, "code");
  assert.equal(doc.querySelectorAll("ol li").length, 2);
  assert.equal(doc.querySelector("blockquote strong")?.textContent, "bold");
  assert.equal(doc.querySelectorAll("hr").length, 1);
  assert.equal(doc.querySelector("pre code.language-ts")?.textContent, "const a = 1 < 2;\n");
});

Deno.test("nested lists stay nested", () => {
  const md = ["- outer one", "  - inner a", "  - inner b", "    1. deep", "- outer two"].join("\n");
  const doc = dom(renderMarkdown(md));
  const outer = doc.querySelector("ul");
  assert.equal(outer.children.length, 2, "two top-level items");
  assert.equal(doc.querySelectorAll("ul ul > li").length, 2, "two items one level down");
  assert.equal(doc.querySelector("ul ul ol > li")?.textContent, "deep");
  assert.equal(outer.children[1].textContent, "outer two");
});

Deno.test("links with parentheses and underscores survive intact", () => {
  const url = "https://en.wikipedia.org/wiki/Item_response_theory_(IRT)";
  const doc = dom(renderMarkdown(`See [IRT](${url}) and [the_notes](docs/my_notes.md#part_2).`));
  const links = doc.querySelectorAll("a");
  assert.equal(links.length, 2);
  assert.equal(links[0].getAttribute("href"), url);
  assert.equal(links[0].textContent, "IRT");
  assert.equal(links[1].getAttribute("href"), "docs/my_notes.md#part_2");
  assert.equal(links[1].textContent, "the_notes");
  assert.ok(!doc.querySelector("em"), "underscores are not emphasis");
});

Deno.test("images are not rendered: the report loads nothing from outside", () => {
  const doc = dom(renderMarkdown("![chart](https://example.org/x.png) and ![local](figures/a.svg)"));
  assert.equal(doc.querySelectorAll("img").length, 0);
  assert.equal(doc.querySelectorAll("a").length, 2, "shown as links the reader may follow");
});

Deno.test("script tags in the source come out as text", () => {
  const html = renderMarkdown("Before <script>alert(1)</script> after\n\n<div onclick=x>block</div>");
  assert.ok(!/<script/i.test(html) && !/<div/i.test(html), html);
  assert.ok(html.includes("&lt;script&gt;alert(1)&lt;/script&gt;"), html);
  const doc = dom(html);
  assert.equal(doc.querySelectorAll("script").length, 0);
  assert.ok(doc.body.textContent.includes("<script>alert(1)</script>"));
});

Deno.test("only http(s), mailto, in-page and relative link targets", () => {
  for (
    const bad of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      "data:text/html,x",
      "vbscript:x",
      "file:///etc",
    ]
  ) {
    const doc = dom(renderMarkdown(`[x](${bad}) ![y](${bad})`));
    assert.equal(doc.querySelectorAll("a").length, 0, bad);
    assert.equal(doc.querySelectorAll("img").length, 0, bad);
    assert.equal(isSafeUrl(bad), false, bad);
  }
  for (
    const good of ["https://metr.org", "http://a.b/c", "mailto:a@b.c", "#part-1", "figures/x.svg", "../x"]
  ) {
    assert.equal(isSafeUrl(good), true, good);
    const doc = dom(renderMarkdown(`[x](${good})`));
    assert.equal(doc.querySelector("a")?.getAttribute("href"), good, good);
  }
});

Deno.test("tables render with header, body and alignment", () => {
  const doc = dom(renderMarkdown("| model | score |\n|:--|--:|\n| `a` | **0.5** |"));
  assert.equal(doc.querySelector("table.md-table thead th")?.textContent, "model");
  assert.equal(doc.querySelector("tbody td code")?.textContent, "a");
  assert.equal(doc.querySelector("tbody td strong")?.textContent, "0.5");
  assert.equal(doc.querySelectorAll("td")[1].getAttribute("style"), "text-align:right");
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
  // The refused link stays visible as plain text, never as a link.
  assert.ok(!/href="javascript:/i.test(html), html);
  assert.equal(dom(html).querySelectorAll("a").length, 1);
});

Deno.test("code spans are not parsed for emphasis", () => {
  assert.equal(renderInline("`a*b*c` and *x*"), "<code>a*b*c</code> and <em>x</em>");
  assert.equal(renderInline("snake_case_name stays"), "snake_case_name stays");
});

Deno.test("slugify", () => {
  assert.equal(slugify("Part 1 — METR's public runs"), "part-1-metr-s-public-runs");
  assert.equal(slugify("!!!"), "section");
});
