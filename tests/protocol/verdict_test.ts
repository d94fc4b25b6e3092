import assert from "node:assert/strict";
import { estimateMetrics } from "../../lib/measure/estimates.ts";
import { verdicts } from "../../lib/protocol/verdict.ts";
import type { Threshold } from "../../lib/protocol/thresholds.ts";
import { fitLogistic, horizonMinutes, taskWeights } from "../../lib/stats/mod.ts";
import { logisticP, simRuns, simTasks } from "./_sim.ts";

const tasks = simTasks(24, 3, 1, 3000, 11);
const table = simRuns(
  tasks,
  ["weak", "strong"],
  (a, t) => logisticP(t.human_minutes, a === "weak" ? 8 : 240),
  6,
  12,
);

Deno.test("estimates: p50 equals an independent weighted logistic fit; replicates are seeded", () => {
  const est = estimateMetrics(table, { replicates: 50, seed: 3 });
  // Independent: fit the strong agent's rows directly with the stats fit and METR's invsqrt weights.
  const rows = table.objects() as Record<string, unknown>[];
  const w = taskWeights({
    agent: rows.map((r) => r.alias),
    task: rows.map((r) => r.task_id),
    family: rows.map((r) => r.task_family),
  });
  const idx = rows.map((_, i) => i).filter((i) => rows[i].alias === "strong");
  const fit = fitLogistic(
    idx.map((i) => Math.log2(rows[i].human_minutes as number)),
    idx.map((i) => rows[i].score as number),
    idx.map((i) => w.invsqrt[i]),
  );
  const a = est.agents.indexOf("strong");
  assert.ok(Math.abs(est.estimate.p50_horizon[a] - horizonMinutes(fit)) < 1e-6 * horizonMinutes(fit));
  // Recovered within a factor 2.5 of the truth (240 min) and seeded.
  assert.ok(
    est.estimate.p50_horizon[a] > 96 && est.estimate.p50_horizon[a] < 600,
    String(est.estimate.p50_horizon[a]),
  );
  const again = estimateMetrics(table, { replicates: 50, seed: 3 });
  assert.deepEqual(again.replicates.p50_horizon, est.replicates.p50_horizon);
  const other = estimateMetrics(table, { replicates: 50, seed: 4 });
  assert.notDeepEqual(other.replicates.p50_horizon, est.replicates.p50_horizon);
});

const th = (t: Partial<Threshold> & Pick<Threshold, "id">): Threshold =>
  ({ metric: "p50_horizon", comparator: ">=", value: 1, unit: "hours", meaning: "m", ...t }) as Threshold;

Deno.test("verdicts: P(crossed) from replicates, distance, interval, and the margin-adjusted verdict", () => {
  const est = estimateMetrics(table, { replicates: 300, seed: 5 });
  const rows = verdicts(est, [th({ id: "1h" }), th({ id: "100h", value: 100 })], {
    margin: { horizonFactor: 10000 },
  });
  const get = (id: string, agent: string) => rows.find((r) => r.threshold === id && r.agent === agent)!;
  // strong (truth 4 h) clearly crosses 1 h; weak (truth 8 min) clearly does not.
  assert.equal(get("1h", "strong").verdict, "crossed");
  assert.equal(get("1h", "weak").verdict, "not_crossed");
  assert.ok(get("1h", "strong").p_crossed! >= 0.9);
  assert.ok(get("1h", "weak").p_crossed! <= 0.1);
  // Independent share of replicates.
  const a = est.agents.indexOf("strong");
  let k = 0, n = 0;
  for (let r = 0; r < est.replicateCount; r++) {
    const v = est.replicates.p50_horizon[r * est.agents.length + a];
    if (Number.isNaN(v)) continue;
    n++;
    if (v >= 60) k++;
  }
  assert.equal(get("1h", "strong").p_crossed, k / n);
  const s = get("1h", "strong");
  assert.ok(s.lower! <= s.estimate! && s.estimate! <= s.upper!);
  assert.ok(Math.abs(s.distance! - (s.estimate! - 1)) < 1e-12);
  assert.ok(Math.abs(s.doublings! - Math.log2(s.estimate!)) < 1e-9);
  // With a 10000× margin even the weak agent crosses 100 h.
  assert.equal(get("100h", "weak").verdict, "not_crossed");
  assert.equal(get("100h", "weak").margin_verdict, "crossed");
  assert.ok(Math.abs(get("100h", "weak").margin_estimate! - get("100h", "weak").estimate! * 10000) < 1e-6);
});

Deno.test("verdicts: unknown family, bucket or agent are not estimable with a note, never NaN", () => {
  const est = estimateMetrics(table, { replicates: 20 });
  const rows = verdicts(est, [
    th(
      { id: "fam", metric: "family_success", family: "nope", unit: "fraction", value: 0.5 } as
        & Partial<Threshold>
        & { id: string },
    ),
    th(
      { id: "bucket", metric: "bucket_score", bucket: "month_long", unit: "fraction", value: 0.5 } as
        & Partial<Threshold>
        & { id: string },
    ),
    th({ id: "who", agent: "ghost" }),
    th({ id: "lvl", metric: "level", unit: "level", value: 2 }),
  ]);
  for (const id of ["fam", "bucket", "who"]) {
    for (const r of rows.filter((r) => r.threshold === id)) {
      assert.equal(r.verdict, "not_estimable");
      assert.equal(r.estimate, null);
      assert.ok(r.note && r.note.length > 0, id);
    }
  }
  assert.match(rows.find((r) => r.threshold === "who")!.note!, /ghost/);
  assert.match(rows.find((r) => r.threshold === "fam")!.note!, /nope/);
  for (const r of rows) {
    for (const v of Object.values(r)) assert.ok(!(typeof v === "number" && Number.isNaN(v)));
  }
  const lvl = rows.filter((r) => r.threshold === "lvl");
  assert.equal(lvl.length, 2);
  assert.ok(lvl.every((r) => r.verdict !== "not_estimable"));
});

Deno.test("estimates on METR's public runs agree with lib/stats' agentHorizons (p50 and p80, every agent)", async () => {
  const { readMetrRuns } = await import("../../lib/frame/metr.ts");
  const { agentHorizons } = await import("../../lib/stats/mod.ts");
  const { table } = await readMetrRuns(
    new URL("../../../shared/data/metr/all_runs_2025-01.jsonl", import.meta.url).pathname,
  );
  const est = estimateMetrics(table, { replicates: 0 });
  const ref = agentHorizons(table);
  assert.equal(ref.length, est.agents.length);
  for (const h of ref) {
    const a = est.agents.indexOf(h.agent);
    for (const [key, q] of [["p50_horizon", "p50"], ["p80_horizon", "p80"]] as const) {
      const mine = est.estimate[key][a], theirs = h.horizons[q];
      assert.ok(
        Math.abs(mine - theirs) <= 1e-6 * Math.max(1, theirs),
        `${h.agent} ${q}: ${mine} vs ${theirs}`,
      );
    }
  }
});

Deno.test("verdicts: replicates whose curve does not fall with task length are counted in the note", () => {
  const t = simTasks(20, 3, 1, 3000, 21);
  const runs = simRuns(
    t,
    ["rising", "falling", "flat"],
    (a, task) =>
      a === "rising"
        ? logisticP(task.human_minutes, 200, +0.8) // success grows with length
        : a === "falling"
        ? logisticP(task.human_minutes, 60)
        : 0.06,
    4,
    22,
  );
  const R = 100;
  const est = estimateMetrics(runs, { replicates: R, seed: 9 });
  const rows = verdicts(est, [th({ id: "1h" })]);
  const risingCount = (agent: string) => {
    const note = rows.find((r) => r.agent === agent)!.note ?? "";
    const m = note.match(/(\d+) of (\d+) replicates fit a success curve that does not fall/);
    return m ? Number(m[1]) : 0;
  };
  assert.ok(risingCount("rising") >= 0.9 * R, `rising: ${risingCount("rising")}`);
  assert.equal(risingCount("falling"), 0);
  const flat = risingCount("flat");
  assert.ok(flat > 0.05 * R && flat < 0.95 * R, `flat: ${flat}`);
  // The note counts the replicate fits' slopes: the same number, read independently from the replicates.
  const a = est.agents.indexOf("flat"), A = est.agents.length;
  let k = 0;
  for (let r = 0; r < R; r++) if (est.replicates.horizon_slope[r * A + a] >= 0) k++;
  assert.equal(flat, k);
  // Only horizon thresholds carry it.
  const level = verdicts(est, [
    th({ id: "lv", metric: "level", value: 1, unit: "level" } as Partial<Threshold> & { id: string }),
  ]);
  assert.ok(!(level.find((r) => r.agent === "rising")!.note ?? "").includes("does not fall"));
});
