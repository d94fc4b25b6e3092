import assert from "node:assert/strict";
import { from } from "arquero";
import { defaultBaseline, protocolReport } from "../../lib/protocol/report.ts";
import { InsufficientDataError } from "../../lib/measure/errors.ts";
import type { Threshold } from "../../lib/protocol/thresholds.ts";
import { resolveTags, reviewTag } from "../../lib/elicitation/tags.ts";
import { logisticP, simRuns, simTasks } from "./_sim.ts";

const thresholds: Threshold[] = [
  { id: "p50-1h", metric: "p50_horizon", comparator: ">=", value: 1, unit: "hours", meaning: "m" },
  { id: "lvl-3", metric: "level", comparator: ">=", value: 3, unit: "level", meaning: "m" },
];
const tasks = simTasks(16, 3, 1, 900, 51);
const h50: Record<string, number> = { basic: 10, chat: 20, tools: 60 };

Deno.test("report on variants of one model: gap-based margin applied by default (auto)", () => {
  const t = simRuns(
    tasks,
    ["basic", "chat", "tools"],
    (v, task) => logisticP(task.human_minutes, h50[v]),
    4,
    52,
  );
  const r = protocolReport(t, { thresholds, replicates: 60, seed: 3, baseline: "basic" });
  assert.equal(r.elicitationGap!.best, "tools");
  assert.ok(r.margin !== null);
  assert.equal(r.margin!.successRate, Math.max(0, r.elicitationGap!.crossFitted.gap!));
  assert.equal(r.margin!.horizonFactor, 2 ** Math.max(0, r.elicitationGap!.crossFitted.horizonLog2Gap!));
  assert.ok(r.margin!.horizonFactor! > 1);
  const row = r.verdicts.find((v) => v.threshold === "p50-1h" && v.agent === "basic")!;
  assert.ok(Math.abs(row.margin_estimate! - row.estimate! * r.margin!.horizonFactor!) < 1e-9);
  const lvl = r.verdicts.find((v) => v.threshold === "lvl-3" && v.agent === "basic")!;
  assert.ok(Math.abs(lvl.margin_estimate! - (lvl.estimate! + r.margin!.level!)) < 1e-9);
  // margin "none" and an explicit margin.
  assert.equal(
    protocolReport(t, { thresholds, replicates: 0, baseline: "basic", margin: "none" }).margin,
    null,
  );
  const explicit = protocolReport(t, {
    thresholds,
    replicates: 0,
    baseline: "basic",
    margin: { horizonFactor: 3 },
  });
  assert.deepEqual(explicit.margin, { horizonFactor: 3 });
  // Without replicates the verdict follows the point estimate and P(crossed) is null.
  for (const v of explicit.verdicts) {
    assert.equal(v.p_crossed, null);
    assert.ok(v.verdict === "crossed" || v.verdict === "not_crossed");
  }
});

Deno.test("report with tags: bucket scores and horizons under each policy bracket the observed ones", () => {
  const t = simRuns(tasks, ["basic", "chat"], (v, task) => logisticP(task.human_minutes, h50[v]), 4, 53);
  const ids = (t.array("run_id") as string[]).filter((_, i) => (t.array("score") as number[])[i] === 0);
  const tags = resolveTags(ids.slice(0, 30).map((id) => reviewTag(id, "spurious", "format", "ana")));
  const r = protocolReport(t, { thresholds, replicates: 20, tags, baseline: "basic" });
  const lv = (p: "as_failure" | "exclude" | "as_success") => r.horizonsByPolicy[p]!.map((h) => h.level);
  lv("as_failure").forEach((l, k) => {
    assert.ok(l <= lv("exclude")[k] + 1e-12 && lv("exclude")[k] <= lv("as_success")[k] + 1e-12);
  });
  const spur = r.checks.find((c) => c.id === "spurious_share")!;
  assert.equal(spur.numbers.reviewed, 1);
});

Deno.test("report edge cases: one agent, no run_id, all scores missing", () => {
  const one = simRuns(tasks, ["solo"], (_, task) => logisticP(task.human_minutes, 30), 3, 54);
  const r = protocolReport(one, { thresholds, replicates: 10 });
  assert.equal(r.elicitationGap, null);
  assert.ok(r.notes.some((n) => /only 1 variant/.test(n)));
  const noIds = from((one.objects() as Record<string, unknown>[]).map(({ run_id: _, ...rest }) => rest));
  const r2 = protocolReport(noIds, { thresholds, replicates: 0 });
  assert.ok(r2.notes.some((n) => /no run_id column/.test(n)));
  const empty = from([{
    task_id: "a",
    task_family: "f",
    alias: "A",
    human_minutes: 5,
    score: null,
    run_id: "x",
  }]);
  assert.throws(() => protocolReport(empty, { thresholds }), InsufficientDataError);
});

Deno.test("default baseline: weakest variant clear of the floor, never human", () => {
  const t = simRuns(
    tasks,
    ["human", "dud", "weak", "strong"],
    (v, task) =>
      v === "dud" ? 0.01 : logisticP(task.human_minutes, v === "weak" ? 5 : v === "human" ? 1 : 100),
    3,
    55,
  );
  assert.equal(defaultBaseline(t, "variant"), "weak");
  assert.equal(defaultBaseline(t, "variant", "score", 0), "dud");
});
