/**
 * End-to-end tests of `deno task protocol`: on METR's public runs file, on a log the real runner writes
 * (simulated model, local bubblewrap sandbox), and on bad input. The protocol command is called in this
 * process (its `main`); the eval that writes the log runs as a subprocess, as `deno task eval` does.
 */
import assert from "node:assert/strict";
import { cli } from "../cli/_run.ts";
import { inProcess } from "../cli/_in_process.ts";
import { main } from "../../lib/cli/protocol.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const METR = new URL("../../../shared/data/metr/all_runs_2025-01.jsonl", import.meta.url).pathname;

const protocol = (args: string[]) => inProcess(main, args);

Deno.test("protocol CLI on METR's public runs: bucket scores, verdicts for every threshold × agent, checks", async () => {
  const r = await protocol(["--runs", METR, "--replicates", "60"]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.input.kind, "metr");
  assert.equal(out.runs, 7063);
  assert.equal(out.agents.length, 11);
  const example = JSON.parse(await Deno.readTextFile(`${ROOT}data/thresholds.example.json`));
  assert.equal(out.verdicts.length, example.thresholds.length * 11);
  for (const v of out.verdicts) {
    assert.ok(["crossed", "not_crossed", "uncertain", "not_estimable"].includes(v.verdict));
  }
  // The human baseline crosses the 1-hour p50 threshold; GPT-4 0314 (p50 of a few minutes) does not.
  const v = (agent: string, id: string) =>
    out.verdicts.find((x: Record<string, string>) => x.agent === agent && x.threshold === id);
  assert.equal(v("human", "horizon-1h").verdict, "crossed");
  assert.equal(v("GPT-4 0314", "horizon-1h").verdict, "not_crossed");
  const o1 = out.bucketScores.find((s: { agent: string }) => s.agent === "o1");
  assert.ok(o1.level > 1 && o1.level < 6);
  assert.deepEqual(out.checks.map((c: { id: string }) => c.id), [
    "runs_per_task",
    "tasks_per_bucket",
    "profile_linearity",
    "spurious_share",
    "floor_ceiling",
    "epoch_variance",
    "qa_failed",
    "limits_hit",
  ]);
  // Agents are models here, not elicitation variants: no margin by default, and the notes say why.
  assert.equal(out.margin, null);
  assert.ok(out.notes.some((n: string) => /different agents/.test(n)));
  // Default baseline: the weakest agent clear of the 5% floor (davinci-002 and gpt-3.5-turbo-instruct are below it).
  assert.equal(out.elicitationGap.baseline, "GPT-4 Turbo");
  assert.equal(out.elicitationGap.best, "o1");
  assert.ok(out.elicitationGap.crossFitted.gap <= out.elicitationGap.crossFitted.naiveGap + 0.05);
});

Deno.test("protocol CLI on the runner's own event log; tags suggest/review/export/import; CSV output", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-protocol-test-" });
  const ev = await cli("eval", [
    "--tasks",
    "esolang/*,mystery_function/*",
    "--variants",
    "basic,chat",
    "--model",
    "simulated/30",
    "--epochs",
    "2",
    "--sandbox",
    "local",
    "--log",
    dir,
    "--concurrency",
    "2",
  ]);
  assert.equal(ev.code, 0, ev.stderr);
  const r = await protocol(["--runs", dir, "--baseline", "basic", "--replicates", "40"]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.input.kind, "log");
  assert.equal(out.elicitationGap.baseline, "basic");
  assert.equal(out.elicitationGap.variantColumn, "variant");
  assert.equal(out.elicitationGap.best, "chat");
  assert.ok(out.margin === null || typeof out.margin.successRate === "number");
  assert.ok(out.bucketScores.length === 2);

  // Tags: suggestions written beside the log, a review, export, import.
  const s = await protocol(["tags", "suggest", "--runs", dir, "--write"]);
  assert.equal(s.code, 0, s.stderr);
  const store = `${dir}/failure_tags.ndjson`;
  const stored = (await Deno.readTextFile(store)).trim().split("\n").map((l) => JSON.parse(l));
  assert.ok(stored.length > 0);
  const target = stored[0].run_id;
  const rv = await protocol([
    "tags",
    "review",
    "--runs",
    dir,
    "--run",
    target,
    "--reviewer",
    "ana",
    "--category",
    "spurious",
    "--reason",
    "tool format errors",
  ]);
  assert.equal(rv.code, 0, rv.stderr);
  const ex = await protocol(["tags", "export", "--runs", dir, "--format", "json"]);
  const exported = JSON.parse(ex.stdout);
  assert.equal(exported.find((t: { run_id: string }) => t.run_id === target).reviewer, "ana");
  const csvFile = `${dir}/import.csv`;
  await Deno.writeTextFile(
    csvFile,
    `run_id,category,reason,source,reviewer,signal,at\n${
      stored[0].run_id
    },real,second opinion,review,ben,,2030-01-01T00:00:00.000Z\nbad,nope,x,review,ben,,2030-01-01T00:00:00.000Z\n`,
  );
  const im = await protocol(["tags", "import", "--runs", dir, "--file", csvFile]);
  assert.equal(im.code, 0);
  assert.match(im.stderr, /import\.csv:3: category/);
  // The stored review now feeds the report: reviewed tags, and all three policies' bucket scores.
  const withTags = JSON.parse(
    (await protocol(["--runs", dir, "--baseline", "basic", "--replicates", "20", "--policy", "exclude"]))
      .stdout,
  );
  assert.equal(withTags.input.tags, store);
  assert.deepEqual(Object.keys(withTags.bucketScoresByPolicy).sort(), [
    "as_failure",
    "as_success",
    "exclude",
  ]);
  const csv = await protocol(["--runs", dir, "--baseline", "basic", "--replicates", "20", "--format", "csv"]);
  assert.equal(csv.code, 0);
  assert.match(csv.stdout, /^# bucket_scores\nagent,bucket,label,tasks,runs,score,level,horizon_hours\n/);
  assert.match(csv.stdout, /\n# verdicts\nthreshold,metric,agent,/);
  assert.match(csv.stdout, /\n# checks\ncheck,agent,status,message,numbers\n/);
});

Deno.test("protocol CLI bad input: names the file, the path or the column, and exits non-zero", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-protocol-test-" });
  await Deno.writeTextFile(
    `${dir}/t.json`,
    JSON.stringify({
      thresholds: [{ id: "x", metric: "level", comparator: ">=", value: 1, unit: "hours", meaning: "m" }],
    }),
  );
  const bad = await protocol(["--runs", METR, "--thresholds", `${dir}/t.json`]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /t\.json at thresholds\.0\.unit/);
  await Deno.writeTextFile(
    `${dir}/b.json`,
    JSON.stringify([{ id: "a", label: "A", minMinutes: 5, maxMinutes: 1 }]),
  );
  const b = await protocol(["--runs", METR, "--buckets", `${dir}/b.json`]);
  assert.equal(b.code, 1);
  assert.match(b.stderr, /b\.json at buckets\.0\.maxMinutes: maxMinutes must exceed minMinutes/);
  const none = await protocol([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--runs/);
  const missing = await protocol(["--runs", `${dir}/nope.jsonl`]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.jsonl/);
  // A runs file whose rows lack human_minutes: the reader rejects every line, naming the field.
  await Deno.writeTextFile(
    `${dir}/r.jsonl`,
    JSON.stringify({ run_id: "a", task_id: "t", task_family: "f", alias: "A", score: 1 }) + "\n",
  );
  const col = await protocol(["--runs", `${dir}/r.jsonl`]);
  assert.notEqual(col.code, 0);
  assert.match(col.stderr, /human_minutes/);
});

Deno.test("--qa-failed reads deno task qa --json output, a JSON list, or one id per line", async () => {
  const { qaFailedFrom } = await import("../../lib/cli/protocol.ts");
  const qa = JSON.stringify({
    sandbox: "local",
    results: [{ taskId: "a/x", passed: true }, { taskId: "b/y", passed: false }, {
      taskId: "c/z",
      passed: false,
    }],
  });
  assert.deepEqual(qaFailedFrom(qa), ["b/y", "c/z"]);
  assert.deepEqual(qaFailedFrom('["p/q"]'), ["p/q"]);
  assert.deepEqual(qaFailedFrom("# failed\nm/n\n\nr/s\n"), ["m/n", "r/s"]);
  const dir = await Deno.makeTempDir({ prefix: "evalkit-protocol-test-" });
  await Deno.writeTextFile(
    `${dir}/qa.json`,
    JSON.stringify({ results: [{ taskId: "ai_rd_fix_embedding/main", passed: false }] }),
  );
  const r = await protocol(["--runs", METR, "--replicates", "0", "--qa-failed", `${dir}/qa.json`]);
  assert.equal(r.code, 0, r.stderr);
  const qaCheck = JSON.parse(r.stdout).checks.find((c: { id: string }) => c.id === "qa_failed");
  assert.equal(qaCheck.status, "fail");
  assert.match(qaCheck.message, /ai_rd_fix_embedding\/main/);
});
