import assert from "node:assert/strict";
import { outerSvg, svgToPng } from "../../lib/plot/png.ts";

function ihdr(png: Uint8Array): { width: number; height: number } {
  assert.deepEqual([...png.slice(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10], "PNG signature");
  const view = new DataView(png.buffer, png.byteOffset);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

Deno.test("SVG with text rasterises at twice its size with the bundled font", async () => {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40" font-family="system-ui, sans-serif">` +
    `<text x="5" y="25" font-size="16">p50 horizon</text></svg>`;
  const png = await svgToPng(svg);
  assert.deepEqual(ihdr(png), { width: 240, height: 80 });
  // Text drawn: the same SVG without the text compresses to far fewer bytes.
  const blank = await svgToPng(svg.replace(/<text.*<\/text>/, ""));
  assert.ok(png.length > blank.length + 200, `text should add ink (${png.length} vs ${blank.length})`);
});

Deno.test("outerSvg picks the chart out of Plot's <figure> wrapper and adds the namespace", () => {
  const fig = `<figure><div><svg width="15" height="15"><rect/></svg>a</div>` +
    `<svg viewBox="0 0 640 400" width="640"><g><svg><circle r="1"/></svg></g><text>chart</text></svg></figure>`;
  const svg = outerSvg(fig);
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 400"'));
  assert.ok(svg.endsWith("</svg>") && svg.includes("<text>chart</text>"));
  assert.throws(() => outerSvg("<div></div>"), /no complete <svg>/);
});
