/**
 * A real front end: classic Jupyter Notebook (Debian's `jupyter-notebook`) with the Deno kernel, serving a
 * fresh notebook from a temporary folder outside the repository that imports the toolkit by `file://` URL.
 * Headless Chromium opens the notebook page and runs every cell through the page's own notebook UI
 * (`Jupyter.notebook.execute_all_cells()`, what Cell → Run All does); then the test checks, in the page,
 * that no cell shows an error, that the figure is drawn at its intended size (not as a 15×15 legend
 * swatch) with its legend text, that an arquero table left as a cell's last expression renders as an HTML
 * table, and that the files `writeFigure` exported exist with the legend in the SVG.
 */
import assert from "node:assert/strict";
import { withPage } from "../../lib/report/browser.ts";
import { fromFileUrl } from "../../lib/util/path.ts";
import { writeRunLog } from "../util/run_log.ts";

const ROOT = fromFileUrl(new URL("../../", import.meta.url)).replace(/\/$/, "");
const DATA = `${ROOT}/../shared/data/metr/all_runs_2025-01.jsonl`;
const NOTEBOOK_SERVER = "/usr/bin/jupyter-notebook";

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

const hasDenoKernel = (() => {
  try {
    return new Deno.Command("/usr/bin/python3", {
      args: ["-c", "import jupyter_client.kernelspec as k; k.KernelSpecManager().get_kernel_spec('deno')"],
      stdout: "null",
      stderr: "null",
    }).outputSync().success;
  } catch {
    return false;
  }
})();
const ready = exists(NOTEBOOK_SERVER) && exists("/usr/bin/chromium") && hasDenoKernel && exists(DATA);

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

function cell(id: string, source: string) {
  return { cell_type: "code", id, metadata: {}, execution_count: null, outputs: [], source };
}

const AGENT = "Claude 3.5 Sonnet (New)";

/** The study notebook: one import line, parameters from the environment, a fit, a figure, its export. */
function studyNotebook() {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: "deno", display_name: "Deno", language: "typescript" },
      language_info: { name: "typescript" },
    },
    cells: [
      cell("import", `import * as ek from "file://${ROOT}/mod.ts";`),
      cell(
        "params",
        `const DATA = Deno.env.get("STUDY_DATA")!; // the parameter: METR's public runs\n` +
          `const OUT = Deno.env.get("STUDY_OUT")!;\n` +
          `const runs = await ek.readMetrRuns(DATA);\n` +
          `const agentRuns = runs.table.filter((d: { alias: string }) => d.alias !== "human");`,
      ),
      cell(
        "fit",
        `const fits = ek.agentHorizons(agentRuns);\n` +
          `ek.aq.from(fits.map((f) => ({ agent: f.agent, p50_minutes: f.horizons.p50 })))`,
      ),
      cell(
        "figure",
        `const fig = ek.successCurveFigure(fits, ${JSON.stringify(AGENT)}, {\n` +
          `  title: "Success against task length",\n` +
          `  caption: "METR's public runs; weighted logistic fit.",\n` +
          `});\n` +
          `await ek.display(fig, { name: "success-vs-length" });`,
      ),
      cell("last-expression", `fig`),
      cell(
        "export",
        `await ek.writeFigure(OUT + "/success-vs-length", fig, {\n` +
          `  formats: ["svg", "png"],\n` +
          `  source: { data: DATA.split("/").pop(), models: [${
            JSON.stringify(AGENT)
          }], date: "2025-01" },\n` +
          `});`,
      ),
    ],
  };
}

async function waitFor<T>(
  what: string,
  ms: number,
  probe: () => Promise<T | null | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (${last})` : ""}`);
}

interface PageFigure {
  cell: number;
  /** The evalkit figure name of the output, when it has one. */
  name: string | null;
  /** Rendered size of the largest <svg>/<img> of the output, and the size it asks for. */
  width: number;
  height: number;
  intendedWidth: number;
  intendedHeight: number;
  text: string;
}

interface PageReport {
  cells: { index: number; prompt: string; errors: number; text: string }[];
  figures: PageFigure[];
  tables: number;
}

// In the page: every code cell's prompt and error outputs, and for each output holding an <svg>/<img> the
// rendered and intended size of its largest one (the chart; legend swatches are 15×15).
const SURVEY = `(() => {
  const FIGURE_MIME = "application/vnd.evalkit.figure+json";
  const cells = Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code");
  const out = { cells: [], figures: [], tables: 0 };
  cells.forEach((c, index) => {
    const el = c.element[0].querySelector(".output");
    out.cells.push({
      index,
      prompt: String(c.input_prompt_number),
      errors: el ? el.querySelectorAll(".output_error").length : 0,
      text: el ? el.textContent.slice(0, 400) : "",
    });
    if (!el) return;
    out.tables += el.querySelectorAll(".output_html table").length;
    const models = c.output_area.outputs;
    [...el.querySelectorAll(".output_area")].forEach((area, i) => {
      const shown = [...area.querySelectorAll("svg, img")].filter((s) => !s.parentElement.closest("svg"));
      if (shown.length === 0) return;
      const sized = shown.map((s) => ({ s, r: s.getBoundingClientRect() }));
      const big = sized.reduce((a, b) => (a.r.width * a.r.height >= b.r.width * b.r.height ? a : b));
      const data = (models[i] && models[i].data) || {};
      const info = data[FIGURE_MIME];
      out.figures.push({
        cell: index,
        name: info && typeof info.name === "string" ? info.name : null,
        width: big.r.width,
        height: big.r.height,
        intendedWidth: Number(big.s.getAttribute("width")) || big.s.naturalWidth || 0,
        intendedHeight: Number(big.s.getAttribute("height")) || big.s.naturalHeight || 0,
        text: area.textContent.slice(0, 2000),
      });
    });
  });
  return JSON.stringify(out);
})()`;

/** A running classic Notebook server (see {@link startNotebookServer}). */
interface NotebookServer {
  base: string;
  token: string;
  log(): string;
  stop(): Promise<void>;
}

/** Start Debian's classic Notebook on a free loopback port with a random token, serving `dir`. */
async function startNotebookServer(dir: string, env: Record<string, string>): Promise<NotebookServer> {
  const port = freePort();
  const token = crypto.randomUUID().replaceAll("-", "");
  const runtime = await Deno.makeTempDir({ prefix: "evalkit-jupyter-runtime-" });
  const server = new Deno.Command(NOTEBOOK_SERVER, {
    args: [
      "--no-browser",
      "--ip=127.0.0.1",
      `--port=${port}`,
      "--port-retries=0",
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${dir}`,
      "--allow-root",
    ],
    cwd: dir,
    env: { ...env, NO_COLOR: "1", JUPYTER_RUNTIME_DIR: runtime, PYDEVD_DISABLE_FILE_VALIDATION: "1" },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // Keep draining the server's log (the tail is shown on failure).
  let log = "";
  const drained = (async () => {
    for await (const chunk of server.stderr.pipeThrough(new TextDecoderStream())) {
      log = (log + chunk).slice(-6000);
    }
  })();
  const stop = async () => {
    try {
      server.kill("SIGTERM"); // the server shuts its kernels down
    } catch { /* exited */ }
    const timer = setTimeout(() => {
      try {
        server.kill("SIGKILL");
      } catch { /* exited */ }
    }, 5000);
    await server.status;
    clearTimeout(timer);
    await drained.catch(() => {});
    await Deno.remove(runtime, { recursive: true }).catch(() => {});
  };
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitFor("the notebook server", 30_000, async () => {
      const r = await fetch(`${base}/api/status?token=${token}`);
      await r.body?.cancel();
      return r.ok;
    });
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${log.slice(-2000)}`);
  }
  return { base, token, log: () => log, stop };
}

/**
 * Open `notebook` in headless Chromium, wait for a connected Deno kernel, run every cell through the
 * notebook UI (`Jupyter.notebook.execute_all_cells()`, the code path of Cell → Run All) and survey the page.
 */
async function runInPage(server: NotebookServer, notebook: string, timeoutMs: number): Promise<PageReport> {
  return await withPage(`${server.base}/notebooks/${notebook}?token=${server.token}`, async (page) => {
    await waitFor("the notebook UI and a connected Deno kernel", 60_000, async () =>
      await page.evaluate(
        `typeof Jupyter !== "undefined" && !!Jupyter.notebook && !!Jupyter.notebook.kernel && ` +
          `Jupyter.notebook.kernel.is_connected() && Jupyter.notebook.kernel.name === "deno"`,
      ) === true);
    await page.evaluate(`Jupyter.notebook.execute_all_cells(), true`);
    await waitFor(`every cell of ${notebook} to finish`, timeoutMs, async () =>
      await page.evaluate(
        `Jupyter.notebook.get_cells().filter((c) => c.cell_type === "code")` +
          `.every((c) => typeof c.input_prompt_number === "number") && ` +
          `Jupyter.notebook.kernel_busy === false`,
      ) === true);
    // Outputs of the last cell render right after its reply: give the page a moment.
    await new Promise((r) => setTimeout(r, 500));
    // EVALKIT_FRONTEND_SCREENSHOTS=/dir keeps a screenshot of each executed notebook page there.
    const shots = Deno.env.get("EVALKIT_FRONTEND_SCREENSHOTS");
    if (shots) await page.screenshot(`${shots}/${notebook.replace(/\.ipynb$/, "")}.png`);
    return JSON.parse(String(await page.evaluate(SURVEY))) as PageReport;
  }, { timeoutMs: 60_000, width: 1280, height: 2400 });
}

/** Every figure drawn at the size it asks for (not shrunk to a 15×15 swatch or an empty box). */
function assertFiguresSized(notebook: string, report: PageReport): void {
  for (const f of report.figures) {
    const what = `${notebook} cell ${f.cell} figure ${f.name ?? "(unnamed)"}`;
    assert.ok(f.width > 100 && f.height > 60, `${what} drawn at ${f.width}×${f.height}`);
    if (f.intendedWidth > 0) {
      assert.ok(
        Math.abs(f.width - f.intendedWidth) <= 1 && Math.abs(f.height - f.intendedHeight) <= 1,
        `${what} drawn at ${f.width}×${f.height}, intended ${f.intendedWidth}×${f.intendedHeight}`,
      );
    }
  }
}

function assertNoErrors(notebook: string, report: PageReport): void {
  const failed = report.cells.filter((c) => c.errors > 0);
  assert.deepEqual(failed, [], `${notebook}: error outputs: ${JSON.stringify(failed)}`);
}

Deno.test({
  name:
    "classic Jupyter Notebook + Deno kernel: a study notebook outside the repo runs through the UI, figures sized",
  ignore: !ready,
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-frontend-" });
  assert.ok(!dir.startsWith(ROOT), "the study folder is outside the repository");
  const out = `${dir}/figures`;
  await Deno.writeTextFile(`${dir}/study.ipynb`, JSON.stringify(studyNotebook(), null, 1));
  const server = await startNotebookServer(dir, { STUDY_DATA: DATA, STUDY_OUT: out });
  try {
    const report = await runInPage(server, "study.ipynb", 240_000);
    if (Deno.env.get("EVALKIT_FRONTEND_SCREENSHOTS")) console.log(JSON.stringify(report, null, 1));
    assertNoErrors("study", report);
    assert.equal(report.cells.length, 6);
    assert.ok(report.tables >= 1, "the arquero table (last expression) renders as an HTML table");
    // Two displays of the figure: the awaited display and the last-expression form.
    assert.equal(report.figures.length, 2, JSON.stringify(report.figures.map((f) => f.cell)));
    assertFiguresSized("study", report);
    for (const f of report.figures) {
      assert.ok(
        f.width >= 600 && f.height >= 330,
        `figure drawn at ${f.width}×${f.height}, intended 640×360`,
      );
      assert.ok(f.text.includes("Success against task length"), "title present in the page");
      for (const t of ["weighted success rate per length bucket", "p50 horizon"]) {
        assert.ok(f.text.includes(t), `legend text "${t}" present in the page`);
      }
    }
    assert.equal(report.figures[0].name, "success-vs-length");
    const svg = await Deno.readTextFile(`${out}/success-vs-length.svg`);
    for (
      const t of ["Success against task length", "weighted success rate per length bucket", "p50 horizon"]
    ) {
      assert.ok(svg.includes(t), `exported SVG lacks "${t}"`);
    }
    assert.ok(svg.includes("Source: all_runs_2025-01.jsonl"), "source line");
    const png = await Deno.readFile(`${out}/success-vs-length.png`);
    assert.deepEqual([...png.slice(1, 4)], [0x50, 0x4e, 0x47]);
    assert.ok(png.length > 10_000);
  } catch (e) {
    throw new Error(
      `${(e as Error).message}\n--- notebook server log (tail) ---\n${server.log().slice(-2500)}`,
    );
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

/** Every project notebook (a new one is covered by being in notebooks/). */
const PROJECT_NOTEBOOKS = [...Deno.readDirSync(new URL("../../notebooks/", import.meta.url))]
  .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
  .map((e) => e.name.replace(/\.ipynb$/, ""))
  .sort();

Deno.test({
  name:
    "classic Jupyter Notebook: the project notebooks run through the UI with no error, every figure sized",
  ignore: !ready,
  sanitizeResources: false,
  sanitizeOps: false,
}, async (t) => {
  // Copies beside notebooks/ (inside the repository, so the kernel finds deno.json and `../lib/` resolves),
  // so the notebook UI's autosave never touches the committed notebooks.
  const dir = await Deno.makeTempDir({ dir: ROOT, prefix: ".nb-frontend-" });
  // The scaffold notebooks read a run log (they run a grid only when asked): a small one of a real model's
  // runs, so the test needs no earlier main job and starts no grid.
  await writeRunLog(`${dir}/runs.jsonl`, "openai/gpt-4o");
  const server = await startNotebookServer(dir, {
    EVALKIT_BOOTSTRAP: "50",
    EVALKIT_RUNS_LOG: `${dir}/runs.jsonl`,
    EVALKIT_VARIANTS: "basic,chat",
  });
  try {
    for (const name of PROJECT_NOTEBOOKS) {
      const source = `${ROOT}/notebooks/${name}.ipynb`;
      if (!exists(source)) continue;
      await Deno.copyFile(source, `${dir}/${name}.ipynb`);
      await t.step(name, async () => {
        const nb = JSON.parse(await Deno.readTextFile(source));
        const expected: string[] = nb.metadata?.evalkit?.expects?.figures ?? [];
        try {
          const report = await runInPage(server, `${name}.ipynb`, 480_000);
          assertNoErrors(name, report);
          assertFiguresSized(name, report);
          const shown = report.figures.flatMap((f) => (f.name ? [f.name] : []));
          assert.deepEqual(expected.filter((f) => !shown.includes(f)), [], `${name}: figures not shown`);
        } catch (e) {
          throw new Error(`${(e as Error).message}\n--- server log (tail) ---\n${server.log().slice(-2000)}`);
        }
      });
    }
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
