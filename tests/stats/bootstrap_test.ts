import assert from "node:assert/strict";
import {
  bootstrapHorizons,
  fitLogistic,
  horizonMinutes,
  makeResampler,
  pairedDifference,
  rng,
  runColumns,
  splitFractional,
} from "../../lib/stats/mod.ts";
import { haveMetr, metrRuns, near } from "./_helpers.ts";
import { simulateRuns } from "./_simulate.ts";

Deno.test(
  "a replicate equals a fit on the literally duplicated rows (counts kept, weights not renormalised)",
  {
    ignore: !haveMetr,
  },
  () => {
    const cols = metrRuns().columns;
    const boot = bootstrapHorizons(cols, { replicates: 4, seed: 11, weights: "invsqrt" });
    const resample = makeResampler({
      family: cols.family.codes,
      task: cols.task.codes,
      group: cols.agent.codes,
    });
    for (const b of [0, 3]) {
      const counts = resample(rng(11, b));
      for (const agent of ["GPT-4o", "o1"]) {
        const g = boot.agents.indexOf(agent);
        const x: number[] = [], y: number[] = [], w: number[] = [];
        for (let i = 0; i < cols.n; i++) {
          if (cols.agent.names[cols.agent.codes[i]] !== agent) continue;
          for (let k = 0; k < counts[i]; k++) {
            x.push(cols.x[i]);
            y.push(cols.score[i]);
            w.push(cols.invsqrtWeight[i]);
          }
        }
        const s = splitFractional(x, y, w);
        const fit = fitLogistic(s.x, s.y, s.w, { regularization: 0.01 });
        near(boot.intercepts[g][b], fit.intercept, 1e-7, `${agent} replicate ${b} intercept`);
        near(boot.coefficients[g][b], fit.coefficient, 1e-7, `${agent} replicate ${b} coefficient`);
        near(boot.horizons[g][0][b], horizonMinutes(fit, 0.5), 1e-6, `${agent} replicate ${b} p50`);
      }
    }
  },
);

Deno.test("bootstrap is reproducible by seed and the interval brackets the point estimate", {
  ignore: !haveMetr,
}, () => {
  const cols = metrRuns().columns;
  const a = bootstrapHorizons(cols, { replicates: 100, seed: 5 });
  const b = bootstrapHorizons(cols, { replicates: 100, seed: 5 });
  const c = bootstrapHorizons(cols, { replicates: 100, seed: 6 });
  assert.deepEqual(a.summary, b.summary);
  assert.notDeepEqual(a.summary, c.summary);
  for (const [g, s] of a.summary.entries()) {
    const p50 = a.point[g].horizons.p50;
    if (s.agent === "davinci-002" || s.agent === "gpt-3.5-turbo-instruct") continue; // p50 ≈ 0, skewed
    assert.ok(
      s.intervals.p50.low < p50 && p50 < s.intervals.p50.high,
      `${s.agent}: ${JSON.stringify(s.intervals.p50)} vs ${p50}`,
    );
  }
});

Deno.test("agents whose drawn runs have a single score value are skipped in that replicate", () => {
  // Agent "rare" succeeds on exactly one task; replicates that do not draw it have only zeros.
  const rows = simulateRuns(3, [{ alias: "x", intercept: 1, coefficient: -0.4 }], 12, 3);
  const rare = rows.filter((r) => r.alias === "x").map((r, i) => ({
    ...r,
    alias: "rare",
    score: i < 3 ? 1 : 0,
  }));
  const all = [...rows, ...rare];
  const B = 300;
  const boot = bootstrapHorizons(all, { replicates: B, seed: 1, weights: "none" });
  const cols = runColumns(all);
  const resample = makeResampler({
    family: cols.family.codes,
    task: cols.task.codes,
    group: cols.agent.codes,
  });
  const g = boot.agents.indexOf("rare");
  let expectSkipped = 0;
  for (let b = 0; b < B; b++) {
    const counts = resample(rng(1, b));
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < cols.n; i++) {
      if (cols.agent.names[cols.agent.codes[i]] !== "rare" || counts[i] === 0) continue;
      lo = Math.min(lo, cols.score[i]);
      hi = Math.max(hi, cols.score[i]);
    }
    const skipped = !(hi > lo);
    if (skipped) expectSkipped++;
    assert.equal(Number.isNaN(boot.horizons[g][0][b]), skipped, `replicate ${b}`);
  }
  assert.ok(expectSkipped > 0 && expectSkipped < B, `skipped ${expectSkipped}`);
  assert.equal(boot.summary[g].fitted, B - expectSkipped);
});

/** Share of simulated datasets whose 80% p50 interval covers the true p50, per agent. */
function coverage(levels: { family?: boolean; task?: boolean; run?: boolean }, datasets: number) {
  const truth = [
    { alias: "strong", intercept: 3, coefficient: -0.5 }, // p50 = 2^6 = 64 min
    { alias: "weak", intercept: 1, coefficient: -0.6 }, // p50 = 2^(1/0.6) ≈ 3.2 min
  ];
  const covered: Record<string, number> = { strong: 0, weak: 0 };
  for (let d = 0; d < datasets; d++) {
    const rows = simulateRuns(1000 + d, truth, 30, 4);
    const boot = bootstrapHorizons(rows, {
      replicates: 200,
      seed: d,
      weights: "equal",
      regularization: 0.01,
      levels,
    });
    for (const t of truth) {
      const s = boot.summary.find((x) => x.agent === t.alias)!;
      const p50 = horizonMinutes(t, 0.5);
      if (s.intervals.p50.low <= p50 && p50 <= s.intervals.p50.high) covered[t.alias]++;
    }
  }
  return truth.map((t) => covered[t.alias] / datasets);
}

Deno.test("simulate-then-recover: resampling families recovers the true p50 at the nominal 80% rate", () => {
  // 100 datasets: binomial s.d. of the coverage is 0.04, so accept 0.68..0.92.
  for (const rate of coverage({ family: true, task: false, run: false }, 100)) {
    assert.ok(rate >= 0.68 && rate <= 0.92, `coverage ${rate}`);
  }
});

Deno.test("simulate-then-recover: METR's three-level bootstrap covers at least the nominal rate (conservative)", () => {
  // Without family or task effects in the truth, redrawing runs inside redrawn tasks inside redrawn families
  // counts the binomial noise more than once: coverage ≈ 0.93 for a nominal 0.8 (see docs/horizons.md).
  for (const rate of coverage({}, 100)) assert.ok(rate >= 0.8 && rate <= 0.99, `coverage ${rate}`);
});

Deno.test("paired difference of an agent with an exact copy of itself is identically 0", () => {
  // One run per (task, agent): the family and task draws are shared, so the copy sees exactly the same rows.
  // (With several runs per task each agent's runs are redrawn independently, as METR's method does.)
  const rows = simulateRuns(8, [{ alias: "a", intercept: 2, coefficient: -0.5 }], 20, 1);
  const copy = rows.map((r) => ({ ...r, alias: "a-copy" }));
  for (const statistic of ["horizon", "successRate"] as const) {
    const d = pairedDifference([...rows, ...copy], "a", "a-copy", {
      statistic,
      replicates: 100,
      seed: 2,
      weights: "none",
    });
    assert.equal(d.estimate, 0);
    assert.equal(d.fitted, 100);
    assert.ok(d.replicates.every((v) => v === 0), `${statistic}: paired replicates must be 0`);
  }
});

Deno.test("paired success-rate difference matches an independent per-replicate computation", () => {
  const rows = simulateRuns(
    4,
    [
      { alias: "a", intercept: 2.5, coefficient: -0.5 },
      { alias: "b", intercept: 1.5, coefficient: -0.5 },
    ],
    25,
    3,
  );
  const d = pairedDifference(rows, "a", "b", {
    statistic: "successRate",
    replicates: 50,
    seed: 3,
    weights: "equal",
  });
  const cols = runColumns(rows);
  const resample = makeResampler({
    family: cols.family.codes,
    task: cols.task.codes,
    group: cols.agent.codes,
  });
  for (let b = 0; b < 50; b++) {
    const counts = resample(rng(3, b));
    const rate = (agent: string) => {
      let s = 0, sw = 0;
      for (let i = 0; i < cols.n; i++) {
        if (cols.agent.names[cols.agent.codes[i]] !== agent) continue;
        s += counts[i] * cols.equalWeight[i] * cols.score[i];
        sw += counts[i] * cols.equalWeight[i];
      }
      return s / sw;
    };
    near(d.replicates[b], rate("a") - rate("b"), 1e-12, `replicate ${b}`);
  }
  assert.ok(
    d.estimate > 0 && d.probabilityPositive > 0.9,
    `a is better by construction: ${d.estimate}, ${d.probabilityPositive}`,
  );
});

Deno.test(
  "paired horizon difference on log2 scale is the log ratio of the two fits",
  { ignore: !haveMetr },
  () => {
    const cols = metrRuns().columns;
    const d = pairedDifference(cols, "o1", "GPT-4o", { scale: "log2", replicates: 100, seed: 1 });
    const boot = bootstrapHorizons(cols, { replicates: 100, seed: 1, agents: ["o1", "GPT-4o"] });
    near(d.estimate, Math.log2(boot.point[0].horizons.p50 / boot.point[1].horizons.p50), 1e-9);
    for (let b = 0; b < 100; b++) {
      near(
        d.replicates[b],
        Math.log2(boot.horizons[0][0][b] / boot.horizons[1][0][b]),
        1e-6,
        `replicate ${b}`,
      );
    }
    assert.ok(d.low < d.estimate && d.estimate < d.high);
  },
);
