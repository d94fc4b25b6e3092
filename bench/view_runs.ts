/**
 * The viewer's run list at 10,000 runs: medians of page requests (`GET /api/runs`, 50 rows) to the real
 * server on 127.0.0.1 — the first page, a deep page, and a filtered page (agent + failed + score range) —
 * and, when Chromium is present, the time from navigation until the page shows its first 50 rows.
 *
 * ```sh
 * deno run -A bench/view_runs.ts [--runs 10000] [--requests 200]
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { TagStore } from "../lib/view/review.ts";
import { serveView } from "../lib/view/server.ts";
import { withPage } from "../lib/report/browser.ts";
import { manyRuns } from "../tests/view/_many.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "10000" }, requests: { type: "string", default: "200" } },
});
const n = Number(values.runs), requests = Number(values.requests);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const data = manyRuns(n);
const dir = await Deno.makeTempDir({ prefix: "evalkit-view-bench-" });
const ac = new AbortController();
const running = await serveView(data, new TagStore(`${dir}/tags.ndjson`), { port: 0, signal: ac.signal });
const cases: Record<string, string> = {
  "first page": "limit=50",
  "deep page": `offset=${Math.max(0, n - 50)}&limit=50`,
  "filtered page": `alias=${
    encodeURIComponent("model-1 · variant-1")
  }&failed=yes&score_min=0.1&score_max=0.4&limit=50`,
};
console.log(`viewer run list: ${n} runs, ${requests} requests per case (median ms per request)`);
for (const [name, q] of Object.entries(cases)) {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    const body = await (await fetch(`${running.url}api/runs?${q}`)).json();
    times.push(performance.now() - t0);
    rows = body.rows.length;
  }
  console.log(`  ${name.padEnd(14)} ${median(times).toFixed(2)} ms  (${rows} rows)`);
}
try {
  Deno.statSync("/usr/bin/chromium");
  const loads: number[] = [];
  for (let i = 0; i < 5; i++) {
    await withPage(running.url, async (page) => {
      const t0 = performance.now() - page.loadWallMs;
      while (!(await page.evaluate(`document.body.dataset.ready === "1"`))) {
        await new Promise((r) => setTimeout(r, 5));
      }
      loads.push(performance.now() - t0);
    });
  }
  console.log(
    `  page in Chromium until the first 50 rows show: median ${median(loads).toFixed(0)} ms (5 loads)`,
  );
} catch (e) {
  if (!(e instanceof Deno.errors.NotFound)) throw e;
  console.log("  (no Chromium: page load not measured)");
}
ac.abort();
await running.server.finished;
await Deno.remove(dir, { recursive: true });
