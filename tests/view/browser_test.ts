/**
 * The viewer in real headless Chromium (Debian's `chromium`, driven over the DevTools protocol by
 * `lib/report/browser.ts`): load the page served on 127.0.0.1, filter the list, open a transcript (hostile
 * markup stays text, a long output is collapsed until "show all"), tag a failed run as spurious through
 * the page's form, then check the tags file gained the record and that `deno task protocol` on the same log
 * reports a different adjusted (as_success) score for that agent. Also the static export opened from
 * `file://`. Skipped when Chromium is absent.
 */
import assert from "node:assert/strict";
import { type OpenPage, withPage } from "../../lib/report/browser.ts";
import { loadViewData, viewDataFromRows } from "../../lib/view/data.ts";
import type { ReviewEvent } from "../../lib/elicitation/events.ts";
import { TagStore } from "../../lib/view/review.ts";
import { serveView } from "../../lib/view/server.ts";
import { writeStaticExport } from "../../lib/view/export.ts";
import { FailureTag, readTags, resolveTags, tagsPathFor } from "../../lib/elicitation/tags.ts";
import { readAnyRuns } from "../../lib/frame/read_any.ts";
import { cli } from "../cli/_run.ts";
import { applySpuriousPolicy } from "../../lib/elicitation/policy.ts";
import { bucketScores } from "../../lib/measure/score.ts";
import { HOSTILE_RUN, HOSTILE_TEXT, LONG_RUN, MODEL, RUNS, writeViewLog } from "./_log.ts";

const hasChromium = (() => {
  try {
    return Deno.statSync("/usr/bin/chromium").isFile;
  } catch {
    return false;
  }
})();

/** Polls `expression` in the page until it is truthy. */
async function waitFor(page: OpenPage, expression: string, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await page.evaluate(`!!(${expression})`)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Sets a filter control's value and fires its change event. */
function setFilter(page: OpenPage, id: string, value: string): Promise<unknown> {
  return page.evaluate(
    `(() => { const e = document.getElementById(${JSON.stringify(id)}); e.value = ${
      JSON.stringify(value)
    }; e.dispatchEvent(new Event("change", { bubbles: true })); document.body.dataset.list = "stale"; })()`,
  );
}

const rowIds = (page: OpenPage) =>
  page.evaluate(`[...document.querySelectorAll("#runs tbody tr")].map((tr) => tr.dataset.run)`) as Promise<
    string[]
  >;

async function openRun(page: OpenPage, id: string) {
  await page.evaluate(`document.querySelector('#runs tbody tr[data-run="${id}"]').click()`);
  await waitFor(
    page,
    `document.getElementById("detail").dataset.run === ${
      JSON.stringify(id)
    } && document.getElementById("detail").dataset.state === "ready"`,
    `run ${id}`,
  );
}

const BASIC = `${MODEL} · basic`;

/**
 * The protocol's adjusted (as_success) bucket scores of the basic agent, read the way `deno task protocol`
 * reads them: the runs of the log, the tags file `tagsPathFor(log)`, resolved, under the as_success policy.
 */
async function adjustedScores(log: string): Promise<unknown> {
  const { table } = await readAnyRuns(log);
  const tags = resolveTags((await readTags(await tagsPathFor(log))).tags);
  const scores = bucketScores(applySpuriousPolicy(table, tags, "as_success"));
  return scores.find((s) => s.agent === BASIC);
}

/** `deno task protocol --runs <log> --policy as_success`: the basic agent's level and the tags file read. */
async function protocolCli(log: string): Promise<{ tags: string | null; level: number; buckets: unknown }> {
  const r = await cli("protocol", ["--runs", log, "--replicates", "0", "--policy", "as_success"]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const basic = out.bucketScores.find((s: { agent: string }) => s.agent === BASIC);
  return { tags: out.input.tags, level: basic.level, buckets: basic.buckets };
}

Deno.test({
  name:
    "viewer in Chromium: filter, open a transcript, tag a failure spurious → tags file and protocol change",
  ignore: !hasChromium,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "evalkit-view-browser-" });
    const log = `${dir}/grid.jsonl`;
    writeViewLog(log);
    const before = await adjustedScores(log);
    const cliBefore = await protocolCli(log);
    assert.equal(cliBefore.tags, null);
    const data = await loadViewData(log);
    const store = new TagStore(await tagsPathFor(log));
    const ac = new AbortController();
    const running = await serveView(data, store, { port: 0, signal: ac.signal, reviewer: "chromium" });
    try {
      await withPage(running.url, async (page) => {
        await waitFor(page, `document.body.dataset.ready === "1"`, "the page");
        assert.equal((await rowIds(page)).length, RUNS);
        assert.match(
          String(await page.evaluate(`document.getElementById("page-info").textContent`)),
          /of 32/,
        );

        // Filter: the basic agent's failures.
        await setFilter(page, "f-alias", BASIC);
        await waitFor(page, `document.body.dataset.list === "ready"`, "the filtered list");
        assert.equal((await rowIds(page)).length, 16);
        await setFilter(page, "f-failed", "yes");
        await waitFor(page, `document.body.dataset.list === "ready"`, "the filtered list");
        const failedBasic = await rowIds(page);
        assert.ok(failedBasic.length > 0 && failedBasic.length < 16);
        assert.ok(failedBasic.includes(HOSTILE_RUN));
        assert.equal(
          await page.evaluate(
            `[...document.querySelectorAll("#runs tbody tr")].every((tr) => tr.children[2].textContent === ${
              JSON.stringify(BASIC)
            })`,
          ),
          true,
        );

        // The hostile transcript is shown as text: no script ran, no image element was made.
        await openRun(page, HOSTILE_RUN);
        assert.equal(await page.evaluate(`window.__pwned`), undefined);
        assert.equal(
          await page.evaluate(
            `document.querySelectorAll("#detail img, #detail script").length + [...document.querySelectorAll("#detail b")].filter((b) => b.textContent === "bold?").length`,
          ),
          0,
        );
        assert.ok(
          String(await page.evaluate(`document.getElementById("transcript").textContent`)).includes(
            HOSTILE_TEXT,
          ),
        );
        assert.ok(Number(await page.evaluate(`document.querySelectorAll("#transcript .ev").length`)) >= 10);
        assert.match(
          String(await page.evaluate(`document.getElementById("rv-suggestion").textContent`)),
          /Heuristics suggest/,
        );

        // Tag it spurious through the form.
        await page.evaluate(`(() => {
          document.getElementById("rv-spurious").checked = true;
          document.getElementById("rv-note").value = "tool output garbled by the harness";
          document.getElementById("rv-submit").click();
        })()`);
        await waitFor(
          page,
          `document.getElementById("rv-msg") && document.getElementById("rv-msg").className === "good"`,
          "the saved tag",
        );
        assert.match(
          String(await page.evaluate(`document.getElementById("rv-tags").textContent`)),
          /review by chromium · spurious/,
        );
        await waitFor(
          page,
          `/1 of them reviewed/.test(document.getElementById("list-counts").textContent)`,
          "the review count",
        );
        await waitFor(
          page,
          `[...document.querySelectorAll("#runs tbody tr")].some((tr) => tr.dataset.run === ${
            JSON.stringify(HOSTILE_RUN)
          } && tr.children[7].textContent.startsWith("spurious"))`,
          "the tag in the list",
        );

        // A long tool output is collapsed until "show all".
        await setFilter(page, "f-alias", "");
        await setFilter(page, "f-failed", "");
        await waitFor(
          page,
          `document.querySelector('#runs tbody tr[data-run="${LONG_RUN}"]')`,
          "the long run's row",
        );
        await openRun(page, LONG_RUN);
        const text = `document.getElementById("transcript").textContent`;
        assert.ok(!String(await page.evaluate(text)).includes("END-OF-LONG"));
        await page.evaluate(`[...document.querySelectorAll("#transcript button.more")][0].click()`);
        assert.ok(String(await page.evaluate(text)).includes("END-OF-LONG"));
        assert.deepEqual(page.errors, []);
      });
    } finally {
      ac.abort();
      await running.server.finished;
    }
    // The tags file the protocol reads has the review, and the protocol's adjusted score moved.
    const lines = (await Deno.readTextFile(await tagsPathFor(log))).trim().split("\n");
    assert.equal(lines.length, 1);
    const tag = FailureTag.parse(JSON.parse(lines[0]));
    assert.deepEqual([tag.run_id, tag.category, tag.source, tag.reviewer], [
      HOSTILE_RUN,
      "spurious",
      "review",
      "chromium",
    ]);
    const after = await adjustedScores(log);
    assert.notDeepEqual(after, before);
    // …and `deno task protocol` on the same log reads the review and reports a higher adjusted level.
    const cliAfter = await protocolCli(log);
    assert.equal(cliAfter.tags, await tagsPathFor(log));
    assert.ok(cliAfter.level > cliBefore.level, `${cliAfter.level} > ${cliBefore.level}`);
    assert.notDeepEqual(cliAfter.buckets, cliBefore.buckets);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "static export in Chromium from file://: list, filter, transcript; review controls disabled",
  ignore: !hasChromium,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "evalkit-view-static-" });
    const log = `${dir}/grid.jsonl`;
    writeViewLog(log);
    const data = await loadViewData(log);
    const out = `${dir}/site`;
    const done = await writeStaticExport(data, new TagStore(await tagsPathFor(log)), out);
    assert.equal(done.runs, RUNS);
    const dataJs = await Deno.readTextFile(`${out}/data.js`);
    assert.ok(!dataJs.includes("</script>"));
    const hostileFile = await Deno.readTextFile(`${out}/runs/${data.index.get(HOSTILE_RUN)}.js`);
    assert.ok(!hostileFile.includes("<script>") && hostileFile.includes("\\u003cscript\\u003e"));
    await withPage(done.index, async (page) => {
      await waitFor(page, `document.body.dataset.ready === "1"`, "the page");
      assert.equal(await page.evaluate(`document.getElementById("static-note").hidden`), false);
      assert.equal((await rowIds(page)).length, RUNS);
      await setFilter(page, "f-task", "task2");
      await waitFor(page, `document.body.dataset.list === "ready"`, "the filtered list");
      assert.equal((await rowIds(page)).length, 4);
      await openRun(page, HOSTILE_RUN);
      assert.equal(await page.evaluate(`window.__pwned`), undefined);
      assert.ok(
        String(await page.evaluate(`document.getElementById("transcript").textContent`)).includes(
          HOSTILE_TEXT,
        ),
      );
      assert.equal(await page.evaluate(`document.getElementById("rv-form")`), null);
      assert.match(
        String(await page.evaluate(`document.getElementById("review").textContent`)),
        /disabled in the static export/,
      );
      assert.deepEqual(page.errors, []);
    });
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "viewer in Chromium on Inspect logs: a sample's messages, tool calls and score render",
  ignore: !hasChromium,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "evalkit-view-inspect-" });
    await Deno.copyFile(
      new URL("../../../shared/data/inspect/log_read_sample.eval", import.meta.url).pathname,
      `${dir}/log_read_sample.eval`,
    );
    const data = await loadViewData(dir);
    const id = data.runs[0].run_id;
    const ac = new AbortController();
    const running = await serveView(data, new TagStore(await tagsPathFor(dir)), {
      port: 0,
      signal: ac.signal,
    });
    try {
      await withPage(`${running.url}#run=${encodeURIComponent(id)}`, async (page) => {
        await waitFor(page, `document.getElementById("detail").dataset.state === "ready"`, "the run page");
        const types = await page.evaluate(
          `[...document.querySelectorAll("#transcript .ev")].map((e) => e.dataset.type)`,
        ) as string[];
        assert.ok(types.includes("message"), types.join());
        assert.ok(types.includes("model_call"), types.join());
        assert.ok(types.includes("score"), types.join());
        const text = String(await page.evaluate(`document.getElementById("transcript").textContent`));
        assert.ok(text.length > 50);
        assert.equal(await page.evaluate(`document.getElementById("detail").dataset.run`), id);
        assert.deepEqual(page.errors, []);
      });
    } finally {
      ac.abort();
      await running.server.finished;
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "viewer in Chromium: event types it does not know render generically, as text",
  ignore: !hasChromium,
  fn: async () => {
    const run_id = "odd-run";
    const events = [
      {
        type: "message",
        run_id,
        role: "user",
        content: [{ type: "text", text: "hello <u>there</u>" }, { type: "image" }],
      },
      { type: "sandbox_event", run_id, t: 5, detail: { cmd: "<img src=x onerror=window.__pwned=3>" } },
    ];
    const data = viewDataFromRows(
      "synthetic",
      "other",
      [{ run_id, task_id: "t/1", alias: "a", score: 0 }],
      [true],
      // Content parts as Inspect writes them: not the string the heuristics' shape declares.
      () => Promise.resolve({ events: events as unknown as ReviewEvent[], note: null }),
    );
    const dir = await Deno.makeTempDir({ prefix: "evalkit-view-generic-" });
    const ac = new AbortController();
    const running = await serveView(data, new TagStore(`${dir}/tags.ndjson`), { port: 0, signal: ac.signal });
    try {
      await withPage(`${running.url}#run=${run_id}`, async (page) => {
        await waitFor(page, `document.getElementById("detail").dataset.state === "ready"`, "the run page");
        const boxes = await page.evaluate(
          `[...document.querySelectorAll("#transcript .ev")].map((e) => [e.dataset.type, e.textContent])`,
        ) as [string, string][];
        assert.equal(boxes.length, 2);
        assert.equal(boxes[0][0], "message");
        assert.match(boxes[0][1], /user/);
        assert.match(boxes[0][1], /hello <u>there<\/u>/);
        assert.match(boxes[0][1], /\[image\]/);
        assert.equal(boxes[1][0], "sandbox_event");
        assert.match(boxes[1][1], /"cmd": "<img src=x onerror=window.__pwned=3>"/);
        assert.equal(await page.evaluate(`window.__pwned`), undefined);
        assert.equal(await page.evaluate(`document.querySelectorAll("#detail img, #detail u").length`), 0);
        assert.deepEqual(page.errors, []);
      });
    } finally {
      ac.abort();
      await running.server.finished;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
