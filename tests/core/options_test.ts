/**
 * Options are checked, never silently ignored: an unknown key, a value of the wrong type or an option of a
 * different function fails naming the function and the option; names of agents work in any of the three
 * namings (alias, variant, model) across the analysis rooms.
 */
import assert from "node:assert/strict";
import { from } from "../../lib/deps/arquero.ts";
import { nearestOption, OptionsError } from "../../lib/core/options.ts";
import { AgentNameError, resolveAgentNames } from "../../lib/core/agent_names.ts";
import {
  agentHorizons,
  bootstrapHorizons,
  clusterRobustHorizon,
  pairedDifference,
} from "../../lib/stats/mod.ts";
import { bucketScores } from "../../lib/measure/score.ts";
import { estimateMetrics } from "../../lib/measure/estimates.ts";
import { protocolChecks } from "../../lib/protocol/checks.ts";
import { protocolReport } from "../../lib/protocol/report.ts";
import { crossFittedGap } from "../../lib/elicitation/crossfit.ts";
import { gapVsEffortPoints } from "../../lib/elicitation/effort.ts";
import { successAtBudgets } from "../../lib/elicitation/budget.ts";
import { rng } from "../../lib/stats/mod.ts";

/** Two models × two scaffolds on 24 tasks in 6 families; the success probability falls with length. */
function runs() {
  const r = rng(5);
  const rows: Record<string, unknown>[] = [];
  for (const model of ["m1", "m2"]) {
    for (const variant of ["chat", "react"]) {
      const skill = (model === "m2" ? 1 : 0) + (variant === "react" ? 0.5 : 0);
      for (let t = 0; t < 24; t++) {
        const minutes = 2 ** (t % 12);
        for (let e = 0; e < 3; e++) {
          const p = 1 / (1 + Math.exp(-(3 + skill - 0.6 * Math.log2(minutes))));
          rows.push({
            run_id: `${model}-${variant}-${t}-${e}`,
            task_id: `t${t}`,
            task_family: `f${t % 6}`,
            alias: `${model} · ${variant}`,
            model,
            variant,
            score: r() < p ? 1 : 0,
            human_minutes: minutes,
            total_tokens: 1000 * (e + 1),
          });
        }
      }
    }
  }
  return from(rows);
}

Deno.test("nearestOption suggests close names only", () => {
  assert.equal(nearestOption("sed", ["seed", "replicates"]), "seed");
  assert.equal(nearestOption("Replicates", ["seed", "replicates"]), "replicates");
  assert.equal(nearestOption("banana", ["seed", "replicates"]), null);
  assert.equal(nearestOption("titel", ["title", "width"]), "title", "a transposition is one edit");
});

Deno.test("every analysis refuses an unknown option, naming the function and the nearest option", () => {
  const t = runs();
  const cases: [string, () => unknown, RegExp][] = [
    [
      "agentHorizons",
      () => agentHorizons(t, { regularisation: 0.1 } as never),
      /did you mean "regularization"/,
    ],
    ["bootstrapHorizons", () => bootstrapHorizons(t, { replicate: 5 } as never), /did you mean "replicates"/],
    ["pairedDifference", () => pairedDifference(t, "m1 · chat", "m2 · chat", { sed: 1 } as never), /"seed"/],
    [
      "clusterRobustHorizon",
      () => clusterRobustHorizon(t, "m1 · chat", { clusters: "task" } as never),
      /"cluster"/,
    ],
    ["bucketScores", () => bucketScores(t, { weights: "equal" } as never), /unknown option "weights"/],
    ["estimateMetrics", () => estimateMetrics(t, { replicates: 0, seeds: 1 } as never), /"seed"/],
    ["protocolChecks", () => protocolChecks(t, { floors: 0.1 } as never), /did you mean "floor"/],
    [
      "protocolReport",
      () => protocolReport(t, { thresholds: [], agentColum: "alias" } as never),
      /"agentColumn"/,
    ],
    ["crossFittedGap", () => crossFittedGap(t, { baseline: "chat", repeat: 2 } as never), /"repeats"/],
    [
      "gapVsEffort",
      () => gapVsEffortPoints(t, { baseline: "chat", replicates: 3 } as never),
      /unknown option "replicates"/,
    ],
    ["successAtBudgets", () => successAtBudgets(t, "tokens", { budget: [1] } as never), /"budgets"/],
  ];
  for (const [fn, call, pattern] of cases) {
    assert.throws(call, (e: unknown) => {
      assert.ok(e instanceof OptionsError, `${fn}: ${e}`);
      assert.equal(e.fn, fn);
      assert.match(e.message, pattern);
      return true;
    });
  }
});

Deno.test("a value of the wrong type is refused with the option's name", () => {
  const t = runs();
  assert.throws(
    () => agentHorizons(t, { successProbabilities: [1.5] }),
    /agentHorizons: option "successProbabilities.0"/,
  );
  assert.throws(() => bootstrapHorizons(t, { replicates: -1 }), /bootstrapHorizons: option "replicates"/);
  assert.throws(
    () => estimateMetrics(t, { bucketWeighting: "flat" as never }),
    /estimateMetrics: option "bucketWeighting"/,
  );
});

Deno.test("one naming: a variant or model name selects the one agent it stands for; ambiguity is an error", () => {
  const t = runs();
  const one = t.filter((d: { model: string }) => d.model === "m1").reify();
  const byVariant = agentHorizons(one, { agents: ["chat"] });
  const byAlias = agentHorizons(one, { agents: ["m1 · chat"] });
  assert.equal(byVariant[0].agent, "m1 · chat");
  assert.deepEqual(byVariant, byAlias);
  // "chat" is a variant of both models in the full table: the error lists both aliases.
  assert.throws(() => agentHorizons(t, { agents: ["chat"] }), (e: unknown) => {
    assert.ok(e instanceof AgentNameError);
    assert.match(e.message, /"chat" \(a variant\) names 2 alias values: m1 · chat, m2 · chat/);
    return true;
  });
  assert.throws(() => agentHorizons(t, { agents: ["nobody"] }), /unknown agent "nobody" \(alias: m1 · chat/);
  // Comparing variants instead (agentColumn), an alias resolves to its variant.
  assert.deepEqual(resolveAgentNames(one, "variant", ["m1 · react"], "test"), ["react"]);
  const v = agentHorizons(one, { agentColumn: "variant", agents: ["m1 · react"] });
  assert.equal(v[0].agent, "react");
  const d = pairedDifference(one, "react", "chat", { replicates: 20, statistic: "successRate" });
  assert.equal(d.a, "m1 · react");
});

Deno.test("figure functions refuse unknown options too", async () => {
  const plot = await import("../../lib/plot/mod.ts");
  const t = runs();
  const fits = agentHorizons(t);
  const cases: [string, () => unknown, RegExp][] = [
    [
      "successCurveFigure",
      () => plot.successCurveFigure(fits, "m1 · chat", { titel: "x" } as never),
      /"title"/,
    ],
    ["gapVsEffortFigure", () => plot.gapVsEffortFigure([], { hight: 3 } as never), /"height"/],
    ["budgetCurveFigure", () => plot.budgetCurveFigure([], { resorce: "tokens" } as never), /"resource"/],
    ["bucketProfileFigure", () => plot.bucketProfileFigure([], { agent: ["a"] } as never), /"agents"/],
    ["verdictFigure", () => plot.verdictFigure([], "x", { log: true } as never), /unknown option "log"/],
  ];
  for (const [fn, call, pattern] of cases) {
    assert.throws(call, (e: unknown) => e instanceof OptionsError && e.fn === fn && pattern.test(e.message));
  }
});
