/** The headless-Chromium check must be able to fail: console errors, exceptions and failed loads are seen. */
import assert from "node:assert/strict";
import { inspectPage } from "../../lib/report/browser.ts";

async function page(html: string): Promise<{ path: string; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-page-" });
  const path = `${dir}/index.html`;
  await Deno.writeTextFile(path, html);
  return { path, dir };
}

Deno.test("a clean page: no errors, DOM counted, load timed, screenshot written", async () => {
  const { path, dir } = await page(
    `<!DOCTYPE html><html><head><title>clean</title><link rel="icon" href="data:,"></head><body><table><tr><td>1</td></tr></table>` +
      `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect width="200" height="100" fill="teal"/></svg></body></html>`,
  );
  try {
    const r = await inspectPage(path, { screenshotPath: `${dir}/shot.png`, width: 400, height: 300 });
    assert.deepEqual(r.errors, []);
    assert.equal(r.title, "clean");
    assert.equal(r.svgCount, 1);
    assert.equal(r.tableCount, 1);
    assert.ok(r.loadMs > 0 && r.loadMs < 10_000, `load time ${r.loadMs}`);
    const png = await Deno.readFile(`${dir}/shot.png`);
    assert.deepEqual([...png.slice(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    const view = new DataView(png.buffer, png.byteOffset);
    assert.equal(view.getUint32(16), 400); // IHDR width
    assert.equal(view.getUint32(20), 300); // IHDR height
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("console errors, uncaught exceptions and missing resources are reported", async () => {
  const { path, dir } = await page(
    `<!DOCTYPE html><html><head><title>bad</title><link rel="icon" href="data:,"></head><body>` +
      `<img src="missing-image.png">` +
      `<script>console.error("boom from console");</script><script>throw new Error("uncaught boom");</script>` +
      `</body></html>`,
  );
  try {
    const r = await inspectPage(path);
    const text = r.errors.map((e) => `${e.source}: ${e.text}`).join("\n");
    assert.match(text, /console: boom from console/);
    assert.match(text, /missing-image\.png/);
    assert.match(text, /exception: Error: uncaught boom/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
