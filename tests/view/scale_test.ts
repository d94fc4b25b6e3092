/**
 * 10,000 runs: the server filters and pages them, so a page request returns at most the page size, and
 * the page in Chromium shows one page of rows (no timing asserts here; see bench/view_runs.ts).
 */
import assert from "node:assert/strict";
import { TagStore } from "../../lib/view/review.ts";
import { serveView } from "../../lib/view/server.ts";
import { withPage } from "../../lib/report/browser.ts";
import { manyRuns } from "./_many.ts";

const hasChromium = (() => {
  try {
    return Deno.statSync("/usr/bin/chromium").isFile;
  } catch {
    return false;
  }
})();

async function serveMany() {
  const data = manyRuns(10_000);
  const dir = await Deno.makeTempDir({ prefix: "evalkit-view-scale-" });
  const ac = new AbortController();
  const running = await serveView(data, new TagStore(`${dir}/tags.ndjson`), { port: 0, signal: ac.signal });
  return {
    url: running.url,
    close: async () => {
      ac.abort();
      await running.server.finished;
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("10,000 runs: every page request returns at most the page size, totals are exact", async () => {
  const s = await serveMany();
  try {
    const get = async (q: string) => await (await fetch(`${s.url}api/runs?${q}`)).json();
    const first = await get("limit=50");
    assert.equal(first.total, 10_000);
    assert.equal(first.rows.length, 50);
    const last = await get("offset=9990&limit=50");
    assert.equal(last.rows.length, 10);
    assert.equal(last.rows[9].run_id, "run-9999");
    const big = await get("limit=500");
    assert.equal(big.rows.length, 500);
    assert.equal((await fetch(`${s.url}api/runs?limit=501`)).status, 400);
    const agent = await get(`alias=${encodeURIComponent("model-1 · variant-1")}&failed=yes&limit=50`);
    assert.ok(agent.total > 0 && agent.total < 1250);
    assert.ok(agent.rows.length <= 50);
    assert.ok(
      agent.rows.every((r: { alias: string; failed: boolean }) =>
        r.alias === "model-1 · variant-1" && r.failed
      ),
    );
    assert.equal((await get("limit_hit=any")).total, Math.ceil(10_000 / 37));
  } finally {
    await s.close();
  }
});

Deno.test({
  name: "10,000 runs in Chromium: the page shows one page of rows and pages on",
  ignore: !hasChromium,
  fn: async () => {
    const s = await serveMany();
    try {
      await withPage(s.url, async (page) => {
        const end = Date.now() + 15_000;
        while (!(await page.evaluate(`document.body.dataset.ready === "1"`)) && Date.now() < end) {
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.equal(await page.evaluate(`document.querySelectorAll("#runs tbody tr").length`), 50);
        assert.match(
          String(await page.evaluate(`document.getElementById("page-info").textContent`)),
          /1–50 of 10000/,
        );
        await page.evaluate(`document.body.dataset.list = "stale"; document.getElementById("next").click()`);
        while (!(await page.evaluate(`document.body.dataset.list === "ready"`)) && Date.now() < end) {
          await new Promise((r) => setTimeout(r, 50));
        }
        assert.match(
          String(await page.evaluate(`document.getElementById("page-info").textContent`)),
          /51–100 of 10000/,
        );
        assert.deepEqual(page.errors, []);
      });
    } finally {
      await s.close();
    }
  },
});
