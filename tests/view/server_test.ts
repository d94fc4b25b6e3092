/**
 * The viewer's HTTP API on a real server (127.0.0.1, any free port) over a real event log: filters and
 * paging, run details, 404 and 400 answers, and reviews appended to the tags file the protocol reads.
 */
import assert from "node:assert/strict";
import { loadViewData, type ViewData } from "../../lib/view/data.ts";
import { TagStore } from "../../lib/view/review.ts";
import { serveView, viewHandler } from "../../lib/view/server.ts";
import { FailureTag, tagsPathFor } from "../../lib/elicitation/tags.ts";
import { ERROR_RUN, HOSTILE_RUN, LIMIT_RUN, MODEL, RUNS, writeViewLog } from "./_log.ts";

const METR = new URL("../../../shared/data/metr/all_runs_2025-01.jsonl", import.meta.url).pathname;

async function withServer(
  fn: (base: string, ctx: { data: ViewData; store: TagStore; log: string }) => Promise<void>,
  options: { reviewer?: string } = {},
) {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-view-test-" });
  const log = `${dir}/grid.jsonl`;
  writeViewLog(log);
  const data = await loadViewData(log);
  const store = new TagStore(await tagsPathFor(log));
  const ac = new AbortController();
  const running = await serveView(data, store, { port: 0, signal: ac.signal, ...options });
  try {
    await fn(running.url, { data, store, log });
  } finally {
    ac.abort();
    await running.server.finished;
    await Deno.remove(dir, { recursive: true });
  }
}

async function get(url: string) {
  const r = await fetch(url);
  return { status: r.status, body: await r.json() };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const r = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

const BASIC = `${MODEL} · basic`;

Deno.test("view API: facets, filters and paging", async () => {
  await withServer(async (base) => {
    const f = (await get(`${base}api/facets`)).body;
    assert.equal(f.kind, "log");
    assert.equal(f.total, RUNS);
    assert.deepEqual(f.aliases, [BASIC, `${MODEL} · chat`]);
    assert.deepEqual(f.limits, ["tokens"]);
    assert.equal(f.tasks.length, 8);

    const all = (await get(`${base}api/runs`)).body;
    assert.equal(all.total, RUNS);
    assert.equal(all.rows.length, RUNS);
    const page = (await get(`${base}api/runs?offset=30&limit=5`)).body;
    assert.equal(page.total, RUNS);
    assert.equal(page.rows.length, 2);
    assert.deepEqual(
      page.rows.map((r: { run_id: string }) => r.run_id),
      all.rows.slice(30).map((r: { run_id: string }) => r.run_id),
    );
    assert.equal((await get(`${base}api/runs?limit=5`)).body.rows.length, 5);

    const q = async (query: string) => (await get(`${base}api/runs?${query}`)).body;
    const basic = await q(`alias=${encodeURIComponent(BASIC)}`);
    assert.equal(basic.total, 16);
    assert.ok(basic.rows.every((r: { alias: string }) => r.alias === BASIC));
    assert.equal((await q("task=TASK2")).total, 4);
    const failed = await q("failed=yes");
    assert.ok(failed.total > 0 && failed.total < RUNS);
    assert.ok(
      failed.rows.every((r: { failed: boolean; score: number | null }) => r.failed && (r.score ?? 0) < 1),
    );
    assert.equal((await q("failed=no")).total + failed.total, RUNS);
    assert.equal(all.failed, failed.total);
    assert.equal(all.reviewed, 0);
    assert.deepEqual((await q("limit_hit=tokens")).rows.map((r: { run_id: string }) => r.run_id), [
      LIMIT_RUN,
    ]);
    assert.equal((await q("limit_hit=any")).total, 1);
    assert.equal((await q("limit_hit=none")).total, RUNS - 1);
    assert.deepEqual((await q("error=yes")).rows.map((r: { run_id: string }) => r.run_id), [ERROR_RUN]);
    const high = await q("score_min=1");
    assert.ok(high.rows.every((r: { score: number }) => r.score === 1));
    assert.equal(high.total, RUNS - failed.total);
    assert.equal((await q(`model=${encodeURIComponent(MODEL)}&score_max=0`)).total, failed.total - 1); // the error run has no score
  });
});

Deno.test("view API: a bad query is a 400 with the problem, an unknown run a 404", async () => {
  await withServer(async (base) => {
    for (
      const [query, pattern] of [
        ["score_min=2", /score_min: a score is in \[0, 1\]/],
        ["limit=0", /limit:/],
        ["limit=100000", /limit:/],
        ["offset=-1", /offset:/],
        ["limit_hit=gpu", /limit_hit:/],
        ["failed=maybe", /failed:/],
        ["score_min=0.9&score_max=0.1", /score_min is above score_max/],
        ["colour=red", /colour/],
      ] as const
    ) {
      const r = await get(`${base}api/runs?${query}`);
      assert.equal(r.status, 400, query);
      assert.match(r.body.error, pattern, query);
    }
    const missing = await get(`${base}api/run/no-such-run`);
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /no run "no-such-run"/);
    assert.equal((await get(`${base}api/nothing`)).status, 404);
    const badId = await get(`${base}api/run/%E0%A4%A`);
    assert.equal(badId.status, 400);
    assert.match(badId.body.error, /bad run id/);
  });
});

Deno.test("view API: a run's detail has its transcript and, when it failed, the heuristics' suggestion", async () => {
  await withServer(async (base) => {
    const d = (await get(`${base}api/run/${HOSTILE_RUN}`)).body;
    assert.equal(d.run.run_id, HOSTILE_RUN);
    assert.equal(d.failed, true);
    assert.equal(d.note, null);
    assert.deepEqual(
      [...new Set(d.events.map((e: { type: string }) => e.type))],
      ["cell_start", "model_call", "action", "observation", "score", "cell_end"],
    );
    assert.ok(d.events.every((e: { run_id: string }) => e.run_id === HOSTILE_RUN));
    assert.equal(d.suggestion.run_id, HOSTILE_RUN);
    assert.ok(["spurious", "real"].includes(d.suggestion.category));
    const limit = (await get(`${base}api/run/${LIMIT_RUN}`)).body;
    assert.equal(limit.suggestion.signal, "limit");
    const error = (await get(`${base}api/run/${ERROR_RUN}`)).body;
    assert.equal(error.suggestion.signal, "environment");
    const ok = (await get(`${base}api/runs?failed=no&limit=1`)).body.rows[0];
    assert.equal((await get(`${base}api/run/${ok.run_id}`)).body.suggestion, null);
  });
});

Deno.test("view API: a review POST appends one valid review record to the protocol's tags file; bad ones are refused", async () => {
  await withServer(async (base, { store, log }) => {
    const file = await tagsPathFor(log);
    assert.equal(store.file, file);
    const url = `${base}api/run/${HOSTILE_RUN}/tags`;
    const lines = async () => {
      try {
        return (await Deno.readTextFile(file)).trim().split("\n").filter(Boolean);
      } catch {
        return [];
      }
    };
    // Refused: nothing is written.
    const bad: [unknown, number, RegExp, Record<string, string>?][] = [
      [{ category: "broken", note: "x" }, 400, /category/],
      [{ category: "spurious", note: "   " }, 400, /note: a note is required/],
      [{ category: "spurious" }, 400, /note/],
      [{ category: "spurious", note: "x", extra: 1 }, 400, /extra/],
      [{ category: "spurious", note: "x", signal: "bogus" }, 400, /signal/],
      ["{not json", 400, /not JSON/],
      [{ category: "spurious", note: "x", reviewer: "ana" }, 403, /cross-origin/, {
        origin: "http://evil.example",
      }],
      [{ category: "spurious", note: "x", reviewer: "ana" }, 415, /application\/json/, {
        "content-type": "text/plain",
      }],
    ];
    for (const [body, status, pattern, headers] of bad) {
      const r = await post(url, body, headers);
      assert.equal(r.status, status, JSON.stringify(body));
      assert.match(r.body.error, pattern);
    }
    assert.equal((await post(`${base}api/run/nope/tags`, { category: "real", note: "x" })).status, 404);
    const success = (await get(`${base}api/runs?failed=no&limit=1`)).body.rows[0].run_id;
    const notFailed = await post(`${base}api/run/${success}/tags`, { category: "spurious", note: "x" });
    assert.equal(notFailed.status, 409);
    assert.deepEqual(await lines(), []);

    // Accepted: one record, valid by the tags schema, a person's review.
    const ok = await post(url, { category: "spurious", signal: "tool_format", note: "bad <b>format</b>" });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.file, file);
    const written = await lines();
    assert.equal(written.length, 1);
    const tag = FailureTag.parse(JSON.parse(written[0]));
    assert.equal(tag.run_id, HOSTILE_RUN);
    assert.equal(tag.category, "spurious");
    assert.equal(tag.source, "review");
    assert.equal(tag.reviewer, "tester");
    assert.equal(tag.signal, "tool_format");
    assert.equal(tag.reason, "bad <b>format</b>");
    // The list and the run page see it.
    assert.equal((await get(`${base}api/runs`)).body.reviewed, 1);
    const reviewed = (await get(`${base}api/runs?reviewed=yes`)).body;
    assert.deepEqual(reviewed.rows.map((r: { run_id: string; tag: string }) => [r.run_id, r.tag]), [[
      HOSTILE_RUN,
      "spurious",
    ]]);
    const detail = (await get(`${base}api/run/${HOSTILE_RUN}`)).body;
    assert.equal(detail.resolved.category, "spurious");
    assert.equal(detail.tags.length, 1);
    // A second review overrides (appended, never rewritten); a record appended by another tool is seen too.
    assert.equal(
      (await post(url, { category: "real", note: "on second look", reviewer: "ben" })).status,
      201,
    );
    await Deno.writeTextFile(
      file,
      JSON.stringify({
        run_id: LIMIT_RUN,
        category: "tradeoff",
        reason: "cli",
        source: "review",
        reviewer: "cli",
        signal: null,
        at: new Date(Date.now() + 1000).toISOString(),
      }) + "\n",
      { append: true },
    );
    const after = (await get(`${base}api/runs?reviewed=yes`)).body.rows.map((
      r: { run_id: string; tag: string },
    ) => `${r.run_id}:${r.tag}`);
    assert.deepEqual(after.sort(), [`${HOSTILE_RUN}:real`, `${LIMIT_RUN}:tradeoff`].sort());
    assert.equal((await lines()).length, 3);
  }, { reviewer: "tester" });
});

Deno.test("view API: without --reviewer a review must name its reviewer; non-loopback Host is refused", async () => {
  await withServer(async (base, { data, store }) => {
    const r = await post(`${base}api/run/${HOSTILE_RUN}/tags`, { category: "real", note: "x" });
    assert.equal(r.status, 400);
    assert.match(r.body.error, /reviewer/);
    const handler = viewHandler(data, store);
    const rebound = await handler(
      new Request("http://evil.example/api/facets", { headers: { host: "evil.example" } }),
    );
    assert.equal(rebound.status, 403);
    await rebound.body?.cancel();
    const page = await handler(new Request("http://127.0.0.1:1/", { headers: { host: "127.0.0.1:1" } }));
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
    assert.match(await page.text(), /<script src="app.js">/);
  });
});

Deno.test("view on METR's runs file: rows without transcripts, and the page says so", async () => {
  const data = await loadViewData(METR);
  assert.equal(data.kind, "metr");
  assert.equal(data.runs.length, 7063);
  const dir = await Deno.makeTempDir({ prefix: "evalkit-view-metr-" });
  const store = new TagStore(`${dir}/tags.ndjson`);
  const ac = new AbortController();
  const running = await serveView(data, store, { port: 0, signal: ac.signal });
  try {
    const failed = (await get(`${running.url}api/runs?failed=yes&limit=1`)).body.rows[0];
    const d = (await get(`${running.url}api/run/${encodeURIComponent(failed.run_id)}`)).body;
    assert.equal(d.events, null);
    assert.match(d.note, /no transcripts/);
    assert.ok(d.suggestion);
    const f = (await get(`${running.url}api/facets`)).body;
    assert.equal(f.transcripts, false);
    assert.ok(f.aliases.length >= 10);
  } finally {
    ac.abort();
    await running.server.finished;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("view on a folder of Inspect logs: transcripts through the Inspect importer, reviews beside the folder", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-view-inspect-" });
  for (const f of ["log_read_sample.eval", "log_tool_call_error.json"]) {
    await Deno.copyFile(
      new URL(`../../../shared/data/inspect/${f}`, import.meta.url).pathname,
      `${dir}/${f}`,
    );
  }
  const data = await loadViewData(dir);
  assert.equal(data.kind, "inspect");
  assert.ok(data.runs.length >= 2);
  const store = new TagStore(await tagsPathFor(dir));
  const ac = new AbortController();
  const running = await serveView(data, store, { port: 0, signal: ac.signal, reviewer: "tester" });
  try {
    const base = running.url;
    const ok = (await get(`${base}api/runs?failed=no&limit=1`)).body.rows[0];
    const d = (await get(`${base}api/run/${encodeURIComponent(ok.run_id)}`)).body;
    assert.equal(d.run.run_id, ok.run_id);
    assert.ok(d.events.length > 0);
    assert.ok(d.events.some((e: { type: string }) => e.type === "message" || e.type === "model_call"));
    const failed = (await get(`${base}api/runs?failed=yes&limit=1`)).body.rows[0];
    const id = encodeURIComponent(failed.run_id); // Inspect run ids hold slashes
    assert.ok((await get(`${base}api/run/${id}`)).body.suggestion);
    const r = await post(`${base}api/run/${id}/tags`, { category: "tradeoff", note: "needs a person" });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.file, `${dir}/failure_tags.ndjson`);
    const tag = FailureTag.parse(JSON.parse(await Deno.readTextFile(r.body.file)));
    assert.equal(tag.run_id, failed.run_id);
  } finally {
    ac.abort();
    await running.server.finished;
    await Deno.remove(dir, { recursive: true });
  }
});
