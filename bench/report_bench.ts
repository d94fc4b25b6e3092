/**
 * Report timings: total notebook execution (headless nbconvert + the Deno kernel, all four notebooks,
 * sequential) and the report's load time in headless Chromium (Navigation Timing, loadEventEnd).
 *
 *   deno run -A bench/report_bench.ts            # one full measurement, printed as a Markdown table
 *   deno run -A bench/report_bench.ts --cold     # … with an empty grid cache (the scaffold grid is run)
 *   deno bench -A bench/report_bench.ts          # the same two operations under `deno bench`
 *
 * Budgets (issue 7): notebooks ≤ 120 s together; report load < 2 s.
 *
 * @module
 */
import { join } from "node:path";
import { buildReport } from "../lib/report/report.ts";
import { inspectPage } from "../lib/report/browser.ts";
import { projectRoot } from "../lib/notebook/params.ts";

const NOTEBOOK_BUDGET_S = 120;
const LOAD_BUDGET_MS = 2000;

/** One measurement. */
export interface ReportTiming {
  notebooks: { name: string; seconds: number }[];
  totalSeconds: number;
  loadMs: number[];
  figures: number;
  htmlBytes: number;
}

/** Build the report into `outDir` and load it `loads` times in Chromium. */
export async function measure(outDir: string, gridDir: string, loads = 5): Promise<ReportTiming> {
  const result = await buildReport({ outDir, env: { EVALKIT_GRID_DIR: gridDir } });
  const loadMs: number[] = [];
  for (let i = 0; i < loads; i++) {
    const page = await inspectPage(result.indexPath);
    if (page.errors.length > 0) {
      throw new Error(`console errors: ${page.errors.map((e) => e.text).join("; ")}`);
    }
    loadMs.push(page.loadMs);
  }
  return {
    notebooks: result.manifest.notebooks.map((n) => ({ name: n.name, seconds: n.seconds })),
    totalSeconds: result.manifest.totalSeconds,
    loadMs,
    figures: result.figures.length,
    htmlBytes: (await Deno.stat(result.indexPath)).size,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

if (import.meta.main) {
  const cold = Deno.args.includes("--cold");
  const out = await Deno.makeTempDir({ prefix: "evalkit-report-bench-" });
  const gridDir = cold ? join(out, "grid") : join(projectRoot(), "out", "notebook-runs");
  try {
    const t = await measure(join(out, "report"), gridDir);
    console.log(`| notebook | seconds |\n|---|---:|`);
    for (const n of t.notebooks) console.log(`| ${n.name} | ${n.seconds.toFixed(1)} |`);
    console.log(
      `| **total** (${cold ? "cold grid cache" : "warm grid cache"}) | **${t.totalSeconds.toFixed(1)}** |`,
    );
    console.log(
      `\nreport: ${t.figures} figures, ${(t.htmlBytes / 1024).toFixed(0)} KiB; load in Chromium: median ` +
        `${median(t.loadMs).toFixed(0)} ms over ${t.loadMs.length} loads (${
          t.loadMs.map((m) => m.toFixed(0)).join(", ")
        })`,
    );
    console.log(
      `budgets: notebooks ${
        t.totalSeconds <= NOTEBOOK_BUDGET_S ? "within" : "OVER"
      } ${NOTEBOOK_BUDGET_S} s; ` +
        `load ${median(t.loadMs) < LOAD_BUDGET_MS ? "within" : "OVER"} ${LOAD_BUDGET_MS} ms`,
    );
  } finally {
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
} else {
  const out = join(projectRoot(), "out", "report-bench");
  Deno.bench(
    { name: "report: execute the four notebooks and write the report", n: 1, warmup: 0 },
    async () => {
      await buildReport({ outDir: out });
    },
  );
  Deno.bench({ name: "report: load index.html in headless Chromium", n: 3, warmup: 0 }, async (b) => {
    const indexPath = join(out, "index.html");
    await Deno.stat(indexPath);
    b.start();
    const page = await inspectPage(indexPath);
    b.end();
    if (page.errors.length > 0) throw new Error("console errors");
  });
}
