import assert from "node:assert/strict";
import {
  bootstrapHorizons,
  clusterRobustHorizon,
  decimalYear,
  frontierPoints,
  horizonTrend,
  quantiles,
  trendAt,
} from "../../lib/stats/mod.ts";
import { near } from "./_helpers.ts";
import { simulateRuns } from "./_simulate.ts";

Deno.test("doubling time of exactly exponential horizons is recovered", () => {
  // horizon doubles every 6 months: h = 2^(2·(year − 2020))
  const dates = ["2020-01-01", "2021-01-01", "2022-07-02", "2023-03-15"];
  const points = dates.map((d, i) => ({
    agent: `m${i}`,
    date: d,
    horizon: 2 ** (2 * (decimalYear(d) - 2020)),
  }));
  const t = horizonTrend(points);
  near(t.doublingMonths, 6, 1e-9);
  near(trendAt(t, "2022-01-01"), 2 ** (2 * (decimalYear("2022-01-01") - 2020)), 1e-9);
  assert.ok(Number.isNaN(t.low));
});

Deno.test("doubling-time interval comes from the replicate slopes", () => {
  // Replicate b: every horizon scaled so that the slope is s_b exactly.
  const dates = ["2020-01-01", "2021-01-01", "2022-01-01"];
  const slopes = [1, 1.5, 2, 2.5, 3, 4];
  const samples = dates.map((d) => slopes.map((s) => 2 ** (s * (decimalYear(d) - 2020))));
  const t = horizonTrend(
    dates.map((d, i) => ({
      agent: `m${i}`,
      date: d,
      horizon: 2 ** (2 * (decimalYear(d) - 2020)),
      samples: samples[i],
    })),
  );
  const [qlo, qhi] = quantiles(slopes, [0.1, 0.9]);
  near(t.low, 12 / qhi, 1e-9);
  near(t.high, 12 / qlo, 1e-9);
  near(t.doublingMonths, 6, 1e-9);
});

Deno.test("trend needs two usable agents", () => {
  assert.throws(
    () =>
      horizonTrend([{ agent: "a", date: "2020-01-01", horizon: 3 }, {
        agent: "b",
        date: "2021-01-01",
        horizon: 0,
      }]),
    /at least 2/,
  );
  assert.throws(
    () =>
      horizonTrend([{ agent: "a", date: "not a date", horizon: 3 }, {
        agent: "b",
        date: "2021-01-01",
        horizon: 2,
      }]),
    /invalid release date/,
  );
});

Deno.test("cluster-robust SE of log2 p50 matches a family-level cluster bootstrap on simulated data", () => {
  // The sandwich clustered by family estimates the same variance as resampling whole families only (the
  // full three-level bootstrap resamples within-family noise again at each level, so it runs wider).
  const rows = simulateRuns(77, [{ alias: "a", intercept: 2, coefficient: -0.5 }], 80, 2);
  const cr = clusterRobustHorizon(rows, "a", { weights: "equal", regularization: 0.01 });
  const boot = bootstrapHorizons(rows, {
    replicates: 2000,
    seed: 4,
    weights: "equal",
    levels: { family: true, task: false, run: false },
  });
  const l2 = Array.from(boot.horizons[0][0]).filter((h) => h > 0).map(Math.log2);
  const mean = l2.reduce((s, v) => s + v, 0) / l2.length;
  const sd = Math.sqrt(l2.reduce((s, v) => s + (v - mean) ** 2, 0) / (l2.length - 1));
  assert.equal(cr.clusters, 80);
  near(cr.log2Horizon, Math.log2(boot.point[0].horizons.p50), 1e-9);
  const ratio = cr.seLog2Horizon / sd;
  assert.ok(ratio > 0.85 && ratio < 1.15, `sandwich ${cr.seLog2Horizon} vs bootstrap ${sd}`);
  assert.ok(cr.low < boot.point[0].horizons.p50 && boot.point[0].horizons.p50 < cr.high);
});

Deno.test("clustering by family widens the SE when tasks within a family are copies", () => {
  // Families of 4 identical tasks: clustering by task treats copies as independent and understates the spread.
  const base = simulateRuns(5, [{ alias: "a", intercept: 2, coefficient: -0.5 }], 40, 1);
  const rows = base.flatMap((r) => [0, 1, 2, 3].map((k) => ({ ...r, task_id: `${r.task_id}#${k}` })));
  const byTask = clusterRobustHorizon(rows, "a", { cluster: "task", weights: "none" });
  const byFamily = clusterRobustHorizon(rows, "a", { cluster: "family", weights: "none" });
  assert.ok(
    byFamily.seLog2Horizon > 1.5 * byTask.seLog2Horizon,
    `${byFamily.seLog2Horizon} vs ${byTask.seLog2Horizon}`,
  );
});

Deno.test("frontierPoints keeps agents that beat every earlier release", () => {
  const pts = [
    { agent: "a", date: "2020-01-01", horizon: 1 },
    { agent: "b", date: "2020-06-01", horizon: 0.5 }, // worse than a
    { agent: "c", date: "2021-01-01", horizon: 4 },
    { agent: "d", date: "2021-01-01", horizon: 3 }, // same day as c: compared with releases before that day
    { agent: "e", date: "2021-06-01", horizon: 3.5 }, // worse than c
    { agent: "f", date: "2022-01-01", horizon: 0 }, // no horizon
    { agent: "g", date: "2022-06-01", horizon: 9 },
  ];
  assert.deepEqual(frontierPoints(pts).map((p) => p.agent), ["a", "c", "d", "g"]);
});
