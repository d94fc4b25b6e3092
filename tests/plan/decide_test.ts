// The fast paths of lib/plan/decide.ts give the same intervals and verdicts as the public analysis
// functions on the same simulated runs (same replicate count and seed).
import { from } from "../../lib/deps/arquero.ts";
import { rng } from "../../lib/stats/rng.ts";
import { elicitationGap } from "../../lib/elicitation/gap.ts";
import { estimateMetrics } from "../../lib/measure/estimates.ts";
import { verdicts } from "../../lib/protocol/verdict.ts";
import { resolveAssumptions } from "../../lib/plan/assumptions.ts";
import { checkQuestion } from "../../lib/plan/questions.ts";
import { decide } from "../../lib/plan/decide.ts";
import { designRows, simulateBatch } from "../../lib/plan/simulate.ts";
import { assertAlmostEquals, assertEquals } from "./_assert.ts";

const A = resolveAssumptions({
  curves: { basic: { p50Minutes: 30, slope: -0.9 }, tools: { p50Minutes: 60, slope: -0.9 } },
  taskMinutes: [1, 4, 15, 30, 60, 240, 960],
  taskSd: 0.8,
  tasksPerFamily: 3,
});
const design = { tasks: 15, epochs: 2 };

Deno.test("gap: pairedDifference on typed columns = elicitationGap's paired interval", () => {
  const q = checkQuestion({ question: "gap", a: "tools", b: "basic" });
  for (let i = 0; i < 8; i++) {
    const b = simulateBatch(A, [1, 0], 15, 2, rng(21, i));
    const fast = decide(q, b, design, { analysis: "fast", replicates: 150, seed: 5 + i });
    const g = elicitationGap(from(designRows(b, design)), {
      baseline: "basic",
      variants: ["tools"],
      agentColumn: "variant",
      pairedReplicates: 150,
      replicates: 0,
      seed: 5 + i,
    }).successRate!;
    assertAlmostEquals(fast.estimate, g.gap, 1e-12);
    assertAlmostEquals(fast.lower, g.lower!, 1e-12);
    assertAlmostEquals(fast.upper, g.upper!, 1e-12);
  }
});

Deno.test("verdict: bootstrapHorizons-fed verdicts = estimateMetrics-fed verdicts", () => {
  const q = checkQuestion({ question: "verdict", agent: "tools", value: 30 });
  for (let i = 0; i < 8; i++) {
    const b = simulateBatch(A, [1], 15, 2, rng(22, i));
    const fast = decide(q, b, design, { analysis: "fast", replicates: 120, seed: 9 + i });
    const est = estimateMetrics(from(designRows(b, design)), { replicates: 120, seed: 9 + i });
    const [row] = verdicts(est, [{
      id: "t",
      metric: "p50_horizon",
      comparator: ">=",
      value: 30,
      unit: "minutes",
      meaning: "test",
    }]);
    const side = row.verdict === "crossed" ? "above" : row.verdict === "not_crossed" ? "below" : null;
    assertEquals(fast.side, side);
    assertAlmostEquals(fast.estimate, row.estimate!, 1e-6);
  }
});
