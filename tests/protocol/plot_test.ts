import assert from "node:assert/strict";
import {
  bucketProfileData,
  bucketProfileFigure,
  formatTime,
  verdictFigure,
} from "../../lib/plot/protocol.ts";
import { budgetCurveFigure, gapVsEffortFigure } from "../../lib/plot/elicitation.ts";
import { bucketScores } from "../../lib/measure/score.ts";
import { estimateMetrics } from "../../lib/measure/estimates.ts";
import { verdicts } from "../../lib/protocol/verdict.ts";
import type { Threshold } from "../../lib/protocol/thresholds.ts";
import { successAtBudgets } from "../../lib/elicitation/budget.ts";
import { logisticP, simRuns, simTasks } from "./_sim.ts";

const tasks = simTasks(12, 3, 1, 900, 3);
const table = simRuns(
  tasks,
  ["A", "B"],
  (a, t) => logisticP(t.human_minutes, a === "A" ? 10 : 100),
  4,
  4,
  (_a, _t, e) => ({
    total_tokens: 1000 * (e + 1),
  }),
);
const count = (svg: string, re: RegExp) => (svg.match(re) ?? []).length;

Deno.test("bucket profile: one line and one dot per (agent, covered bucket), labelled by agent", () => {
  const scores = bucketScores(table);
  const data = bucketProfileData(scores);
  const covered = scores.reduce((n, s) => n + s.buckets.filter((b) => b.score !== null).length, 0);
  assert.equal(data.length, covered);
  const fig = bucketProfileFigure(scores);
  assert.ok(fig.svg.startsWith("<svg"));
  assert.equal(count(fig.svg, /<circle/g), covered);
  assert.equal(count(fig.svg, /<path[^>]*d="M/g) >= 2, true);
  assert.match(fig.svg, />A</);
  assert.match(fig.svg, />B</);
  // Same input, same SVG (seeded, deterministic).
  assert.equal(bucketProfileFigure(scores).svg, fig.svg);
});

Deno.test("verdict figure: one estimate dot and one margin dot per agent, with verdict labels", () => {
  const est = estimateMetrics(table, { replicates: 40 });
  const t: Threshold = {
    id: "1h",
    metric: "p50_horizon",
    comparator: ">=",
    value: 1,
    unit: "hours",
    meaning: "m",
  };
  const rows = verdicts(est, [t], { margin: { horizonFactor: 2 } });
  const fig = verdictFigure(rows, "1h");
  assert.equal(count(fig.svg, /<circle/g), 4);
  for (const r of rows) assert.match(fig.svg, new RegExp(`>${r.verdict}<`));
  assert.throws(() => verdictFigure(rows, "nope"), /no estimable rows/);
  assert.equal(formatTime(0.5), "30 s");
  assert.equal(formatTime(90), "1.5 h");
});

Deno.test("elicitation figures: effort and budget curves render their points", () => {
  const fig = gapVsEffortFigure([
    { variants_tried: 1, subsets: 3, tokens_spent: null, naive_gap: 0.01, crossfit_gap: 0 },
    { variants_tried: 2, subsets: 3, tokens_spent: null, naive_gap: 0.05, crossfit_gap: 0.01 },
    { variants_tried: 3, subsets: 1, tokens_spent: null, naive_gap: 0.07, crossfit_gap: null },
  ]);
  assert.equal(count(fig.svg, /<circle/g), 5);
  const curve = successAtBudgets(table, "tokens", { budgets: [500, 1500, 2500, 5000] });
  const b = budgetCurveFigure(curve);
  assert.equal(count(b.svg, /<circle/g), 8);
});
