/**
 * End to end: `buildReport` executes every notebook for real (nbconvert + the Deno kernel; the scaffold
 * notebooks run their grid in the local sandbox with the simulated model), then the report is checked file
 * by file and opened in real headless Chromium.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { buildReport, type ReportResult } from "../../lib/report/report.ts";
import { textExtents, viewBoxOf } from "../../lib/plot/compose.ts";
import { ReportManifest } from "../../lib/report/manifest.ts";
import { executeNotebook } from "../../lib/report/execute.ts";
import { inspectPage } from "../../lib/report/browser.ts";
import { joinText, type Notebook, parseNotebook } from "../../lib/notebook/ipynb.ts";
import { notebookParams, projectRoot } from "../../lib/notebook/params.ts";

const ROOT = projectRoot();
// The report's reading order (REPORT_ORDER).
// Notebooks not in REPORT_ORDER follow in name order (plan-an-evaluation).
const NAMES = [
  "elicitation-impact",
  "difficulty-curves",
  "protocol-thresholds",
  "compare-scaffolds",
  "plan-an-evaluation",
];
// Kept after the run (CI can archive the screenshot): <root>/out/test-report/.
const KEEP = join(ROOT, "out", "test-report");

function outputsOf(nb: Notebook) {
  return nb.cells.flatMap((c) => (c.cell_type === "code" ? c.outputs : []));
}

Deno.test({
  name: "the report: every notebook executed, figures as SVG and PNG, self-contained HTML, clean in Chromium",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const out = await Deno.makeTempDir({ prefix: "evalkit-report-" });
    const gridDir = join(out, "grid");
    await Deno.remove(KEEP, { recursive: true }).catch(() => {});
    let result: ReportResult;
    try {
      result = await buildReport({
        outDir: join(out, "report"),
        env: { EVALKIT_GRID_DIR: gridDir, EVALKIT_RUN_GRID: "1" },
      });

      await t.step("every notebook ran without error outputs and shows what it promises", async () => {
        assert.deepEqual(result.executed.map((e) => e.name), NAMES);
        for (const name of NAMES) {
          const nb = parseNotebook(
            await Deno.readTextFile(join(out, "report", "notebooks", `${name}.ipynb`)),
            name,
          );
          const outputs = outputsOf(nb);
          assert.equal(outputs.filter((o) => o.output_type === "error").length, 0, `${name}: error outputs`);
          const expects = nb.metadata.evalkit!.expects;
          const svgs = outputs.filter((o) => "data" in o && o.data["image/svg+xml"] !== undefined).length;
          const tables = outputs.filter((o) =>
            "data" in o && o.data["text/html"] !== undefined &&
            joinText(o.data["text/html"] as string[]).includes("<table")
          ).length;
          assert.ok(
            svgs >= expects.figures.length,
            `${name}: ${svgs} SVG outputs, expected ${expects.figures.length}`,
          );
          assert.ok(
            tables >= expects.minTables,
            `${name}: ${tables} HTML tables, expected ${expects.minTables}`,
          );
          for (const f of expects.figures) {
            assert.ok(
              result.figures.some((w) => w.name === f && w.notebook === name),
              `${name}: figure ${f}`,
            );
          }
        }
      });

      await t.step(
        "each figure is written as SVG, PNG and PDF, with a source line and nothing clipped",
        async () => {
          assert.ok(result.figures.length >= 14);
          const sha = createHash("sha256").update(await Deno.readFile(notebookParams({}, ROOT).data)).digest(
            "hex",
          );
          for (const f of result.figures) {
            const svg = await Deno.readTextFile(f.svgPath);
            assert.match(svg, /^<\?xml[^>]*>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
            // The source line names METR's file by hash prefix and the date of the analysis.
            assert.ok(svg.includes("Source: "), `${f.name}.svg has a source line`);
            assert.ok(svg.includes(sha.slice(0, 12)), `${f.name}.svg names the data file's hash`);
            const [vx, vy, vw, vh] = viewBoxOf(svg);
            for (const e of textExtents(svg)) {
              assert.ok(
                e.x0 >= vx - 0.5 && e.x1 <= vx + vw + 0.5 && e.y0 >= vy - 0.5 && e.y1 <= vy + vh + 0.5,
                `${f.name}.svg: "${e.text}" lies outside the viewBox`,
              );
            }
            assert.ok(f.pdfPath, `${f.name}.pdf written (rsvg-convert is installed by ./evalkit)`);
            const pdf = await Deno.readFile(f.pdfPath!);
            assert.equal(new TextDecoder().decode(pdf.slice(0, 5)), "%PDF-", `${f.name}.pdf signature`);
            const png = await Deno.readFile(f.pngPath!);
            assert.deepEqual([...png.slice(0, 4)], [137, 80, 78, 71], `${f.name}.png signature`);
            const width = new DataView(png.buffer, png.byteOffset).getUint32(16);
            assert.ok(width >= 600, `${f.name}.png width ${width}`);
            assert.ok(png.length > 5000, `${f.name}.png is ${png.length} bytes`);
          }
        },
      );

      await t.step("the HTML is self-contained and carries the manifest", async () => {
        const html = await Deno.readTextFile(result.indexPath);
        assert.ok(!/<script\b/i.test(html), "no scripts");
        assert.ok(!/\bsrc\s*=\s*["']?https?:/i.test(html), "no network sources");
        assert.ok(!/<link\b(?![^>]*href="data:)/i.test(html), "no external stylesheets");
        for (const f of result.figures) {
          assert.ok(html.includes(`id="fig-${f.name}"`), `figure ${f.name} inline`);
        }
        const params = notebookParams({}, ROOT);
        const sha = createHash("sha256").update(await Deno.readFile(params.data)).digest("hex");
        assert.ok(html.includes(sha), "the METR file's sha256 (computed independently) is in the page");
        const manifest = ReportManifest.parse(JSON.parse(await Deno.readTextFile(result.manifestPath)));
        assert.equal(manifest.dataFiles.find((d) => d.path === params.data)?.sha256, sha);
        assert.equal(
          manifest.toolkit.version,
          JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json"))).version,
        );
        assert.equal(manifest.notebooks.length, NAMES.length);
        assert.ok(html.includes(`seed ${manifest.seed}`));
      });

      await t.step("headless Chromium shows it without console errors; screenshot taken", async () => {
        await Deno.mkdir(KEEP, { recursive: true });
        const shot = join(KEEP, "screenshot.png");
        const page = await inspectPage(result.indexPath, { screenshotPath: shot });
        assert.deepEqual(page.errors, []);
        assert.ok(page.svgCount >= result.figures.length);
        assert.ok(page.tableCount >= 20);
        const png = await Deno.readFile(shot);
        assert.ok(png.length > 50_000, `screenshot is ${png.length} bytes`);
      });

      await t.step("same seed, same outputs; another seed, other intervals", async () => {
        const first = await Deno.readTextFile(join(out, "report", "notebooks", "difficulty-curves.ipynb"));
        const again = await executeNotebook(join(ROOT, "notebooks", "difficulty-curves.ipynb"), {
          outputPath: join(out, "again", "difficulty-curves.ipynb"),
          env: { EVALKIT_SEED: String(result.manifest.seed) },
        });
        const strip = (nb: Notebook) => JSON.stringify(outputsOf(nb));
        assert.equal(strip(again.notebook), strip(parseNotebook(first, "first")));
        const other = await executeNotebook(join(ROOT, "notebooks", "difficulty-curves.ipynb"), {
          outputPath: join(out, "other", "difficulty-curves.ipynb"),
          env: { EVALKIT_SEED: String(result.manifest.seed + 1) },
        });
        assert.notEqual(strip(other.notebook), strip(again.notebook));
      });
    } finally {
      // Keep the report beside the screenshot for inspection; drop the rest.
      await Deno.rename(join(out, "report"), join(KEEP, "report")).catch(() => {});
      await Deno.remove(out, { recursive: true }).catch(() => {});
    }
  },
});
