import assert from "node:assert/strict";
import { from } from "arquero";
import { type CheckResult, protocolChecks } from "../../lib/protocol/checks.ts";
import { chiSquareUpperTail } from "../../lib/protocol/chisq.ts";
import { logisticP, simRuns, simTasks } from "./_sim.ts";

const byId = (results: CheckResult[]) => Object.fromEntries(results.map((c) => [c.id, c]));
const tasks = simTasks(20, 4, 1, 900, 21);

Deno.test("chi-square upper tail matches known quantiles", () => {
  // Known: P(χ²₁ ≥ 3.841) = 0.05, P(χ²₁₀ ≥ 18.307) = 0.05, P(χ²₅ ≥ 15.086) = 0.01, P(χ²₂ ≥ x) = e^{-x/2}.
  assert.ok(Math.abs(chiSquareUpperTail(3.841459, 1) - 0.05) < 1e-5);
  assert.ok(Math.abs(chiSquareUpperTail(18.307038, 10) - 0.05) < 1e-5);
  assert.ok(Math.abs(chiSquareUpperTail(15.086272, 5) - 0.01) < 1e-5);
  for (const x of [0.5, 3, 12]) assert.ok(Math.abs(chiSquareUpperTail(x, 2) - Math.exp(-x / 2)) < 1e-10);
});

Deno.test("a well-behaved suite passes the data checks", () => {
  const t = simRuns(tasks, ["A"], (_, task) => logisticP(task.human_minutes, 30, -1.5), 6, 22);
  const c = byId(protocolChecks(t, { qaFailedTasks: [], spuriousRuns: new Map() }));
  for (
    const id of [
      "runs_per_task",
      "profile_linearity",
      "floor_ceiling",
      "epoch_variance",
      "qa_failed",
      "limits_hit",
      "spurious_share",
    ]
  ) {
    assert.equal(c[id].status, "pass", `${id}: ${c[id].message}`);
  }
});

Deno.test("runs per task: warn below 5, fail below 2, with the numbers", () => {
  const three = simRuns(tasks, ["A"], () => 0.5, 3, 23);
  const c = byId(protocolChecks(three));
  assert.equal(c.runs_per_task.status, "warn");
  assert.equal(c.runs_per_task.agents[0].numbers.min_runs, 3);
  const one = simRuns(tasks, ["A"], () => 0.5, 1, 24);
  assert.equal(byId(protocolChecks(one)).runs_per_task.status, "fail");
});

Deno.test("tasks per bucket: a bucket with one task fails; empty buckets beyond the suite are reported", () => {
  const few = [
    ...simTasks(3, 3, 1, 3.9, 1).map((t) => ({
      ...t,
      task_family: "x" + t.task_family,
      task_id: "x" + t.task_id,
    })),
    { task_id: "lonely", task_family: "l", human_minutes: 10 },
  ];
  const c = byId(protocolChecks(simRuns(few, ["A"], () => 0.5, 5, 25)));
  assert.equal(c.tasks_per_bucket.status, "fail");
  assert.equal(c.tasks_per_bucket.numbers.several_minutes, 1);
  assert.match(c.tasks_per_bucket.message, /no tasks at all in .*Month-long/);
});

Deno.test("profile linearity: a shallow (linear-looking) decline warns, a sharp top-out passes", () => {
  const sharp = simRuns(tasks, ["A"], (_, t) => logisticP(t.human_minutes, 30, -2), 6, 26);
  const shallow = simRuns(tasks, ["A"], (_, t) => logisticP(t.human_minutes, 30, -0.2), 6, 27);
  const a = byId(protocolChecks(sharp)).profile_linearity,
    b = byId(protocolChecks(shallow)).profile_linearity;
  assert.equal(a.status, "pass", a.message);
  assert.equal(b.status, "warn", b.message);
  assert.ok((b.agents[0].numbers.transition_buckets as number) > 3);
  assert.ok((a.agents[0].numbers.transition_buckets as number) < 3);
});

Deno.test("spurious share: thresholds 20% / 50% of failures", () => {
  const t = simRuns(tasks, ["A"], () => 0.2, 5, 28);
  const ids = (t.array("run_id") as string[]).filter((_, i) => (t.array("score") as number[])[i] === 0);
  const tags = (share: number) =>
    new Map(ids.map((id, k) => [id, k < share * ids.length ? "spurious" as const : "real" as const]));
  assert.equal(byId(protocolChecks(t, { spuriousRuns: tags(0.1) })).spurious_share.status, "pass");
  assert.equal(byId(protocolChecks(t, { spuriousRuns: tags(0.3) })).spurious_share.status, "warn");
  const f = byId(protocolChecks(t, { spuriousRuns: tags(0.7), spuriousReviewed: true })).spurious_share;
  assert.equal(f.status, "fail");
  assert.ok(
    Math.abs((f.agents[0].numbers.share as number) - Math.ceil(0.7 * ids.length) / ids.length) < 1e-12,
  );
  assert.equal(byId(protocolChecks(t)).spurious_share.status, "warn"); // nothing given: cannot check
});

Deno.test("floor and ceiling effects", () => {
  const floor = byId(protocolChecks(simRuns(tasks, ["A"], () => 0.02, 5, 29))).floor_ceiling;
  assert.equal(floor.status, "warn");
  assert.match(floor.message, /floor/);
  const zero = byId(protocolChecks(simRuns(tasks, ["A"], () => 0, 5, 30))).floor_ceiling;
  assert.equal(zero.status, "fail");
  const ceil = byId(protocolChecks(simRuns(tasks, ["A"], () => 0.99, 5, 31))).floor_ceiling;
  assert.equal(ceil.status, "warn");
  assert.match(ceil.message, /ceiling|hardest bucket/);
});

Deno.test("epoch variance: an outage in one epoch is flagged, noise alone is not", () => {
  const p = (_: string, t: { human_minutes: number }) => logisticP(t.human_minutes, 30, -1);
  const ok = byId(protocolChecks(simRuns(tasks, ["A"], p, 6, 32))).epoch_variance;
  assert.equal(ok.status, "pass", ok.message);
  const outage = byId(protocolChecks(simRuns(tasks, ["A"], (a, t, e) => (e === 2 ? 0 : p(a, t)), 6, 33)))
    .epoch_variance;
  assert.equal(outage.status, "fail", outage.message);
  assert.ok((outage.agents[0].numbers.p_value as number) < 0.001);
  // Without an epoch column the epochs come from started_at order within each task.
  const rows = simRuns(tasks, ["A"], (a, t, e) => (e === 2 ? 0 : p(a, t)), 6, 33).objects().map((r) => {
    const { epoch, ...rest } = r as Record<string, unknown>;
    return { ...rest, started_at: 1000 * (epoch as number) };
  });
  assert.equal(byId(protocolChecks(from(rows))).epoch_variance.status, "fail");
});

Deno.test("QA and limits", () => {
  const t = simRuns(tasks, ["A"], () => 0.5, 5, 34, (_a, _t, e) => ({ limit: e < 5 ? "tokens" : null }));
  const c = byId(protocolChecks(t, { qaFailedTasks: ["fam3/t1", "not-run"] }));
  assert.equal(c.qa_failed.status, "fail");
  assert.match(c.qa_failed.message, /fam3\/t1/);
  assert.equal(c.qa_failed.numbers.qa_failed_tasks_run, 1);
  assert.equal(c.limits_hit.status, "fail"); // every run at a limit
  assert.equal(byId(protocolChecks(t)).qa_failed.status, "warn");
  const metrStyle = simRuns(
    tasks,
    ["A"],
    () => 0.5,
    5,
    35,
    (_a, _t, e) => ({ fatal_error_from: e < 3 ? "usageLimits" : null }),
  );
  const l = byId(protocolChecks(metrStyle)).limits_hit;
  assert.equal(l.status, "warn");
  assert.ok(Math.abs((l.agents[0].numbers.share as number) - 0.6) < 1e-12);
});

Deno.test("runs per task: one task with a single run warns; many such tasks fail", () => {
  const t = simRuns(tasks, ["A"], () => 0.5, 6, 36);
  const objects = t.objects() as Record<string, unknown>[];
  // Keep one run of fam0/t0 only: a single thin task warns.
  const thin = objects.filter((r) => r.task_id !== "fam0/t0" || r.epoch === 0);
  assert.equal(byId(protocolChecks(from(thin))).runs_per_task.status, "warn");
  // One run for a fifth of the tasks: fails.
  const many = objects.filter((r) => !(Number(String(r.task_family).slice(3)) < 4 && r.epoch !== 0));
  const c = byId(protocolChecks(from(many))).runs_per_task;
  assert.equal(c.status, "fail");
  assert.equal(c.agents[0].numbers.tasks_below_fail, 16); // 4 families × 4 tasks = 20% of 80
});
