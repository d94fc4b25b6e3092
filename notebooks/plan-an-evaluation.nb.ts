// Source of notebooks/plan-an-evaluation.ipynb — edit here, then: deno run -A scripts/build_notebooks.ts
// @title Planning an evaluation: power and sample size
// @figures plan-gap-power, plan-threshold-power, plan-sensitivity
// @min-tables 4

// %% [markdown]
// # Planning an evaluation: power and sample size
//
// Before spending runs, ask how many tasks and epochs a question needs. The planner (`lib/plan`,
// `deno task plan`) simulates many evaluations from stated or pilot-estimated assumptions, analyses each
// with the **same function the real analysis uses** (`elicitationGap`'s paired interval, `bootstrapHorizons`,
// the protocol's `verdicts`), and reports the share that answer the question decisively and correctly —
// the power — for every design of a grid, with its Monte Carlo SE, and the cheapest design reaching a
// target power.
//
// Two walk-throughs: a **scaffold comparison** (is the strongest variant better than the weakest, by at least 5
// points? — `allTools` over `basic` in the main job's log)
// and a **threshold check** (does an agent's p50 horizon reach 30 minutes?). Every power number here comes
// from **simulated evaluations**; the pilots they start from are named where they are used.

// %% [parameters]
// Parameters (this cell is tagged "parameters", as papermill expects): the defaults. Precedence: command
// line (`deno task report --param key=value`, `--params file.json`) > EVALKIT_* environment variables >
// these values. Relative paths resolve against this notebook's folder.
const parameters = {
  "data": "../../shared/data/metr/all_runs_2025-01.jsonl",
  "runsLog": "../runs/main/main.jsonl",
  "seed": 20240307
};

// %%
import { paramsFromCell } from "../lib/notebook/params.ts";
import { display, showMarkdown } from "../lib/notebook/display.ts";
import { readAnyRuns } from "../lib/frame/read_any.ts";
import { readMetrRuns } from "../lib/frame/metr.ts";
import { type Assumptions, assumptionsFromPilot, planPower, powerFigure, type PowerPlan } from "../lib/plan/mod.ts";
import { renderPlot } from "../lib/plot/mod.ts";
import * as Plot from "@observablehq/plot";

const params = paramsFromCell(parameters);
const seed = params.seed;
const started = performance.now();
const powerRows = (plan: PowerPlan) =>
  plan.rows.map((r) => ({
    tasks: r.tasks,
    epochs: r.epochs,
    runs: r.runs,
    [`cost (${plan.costUnit})`]: r.cost,
    power: r.power,
    mcse: r.mcse,
    decisive: r.decisive,
    wrong: r.wrong,
  }));
const recommendation = (plan: PowerPlan) =>
  plan.recommended
    ? `**Recommended:** ${plan.recommended.tasks} tasks × ${plan.recommended.epochs} ` +
      `epoch${plan.recommended.epochs === 1 ? "" : "s"} ` +
      `(${plan.recommended.runs} runs, cost ${plan.recommended.cost.toPrecision(3)} ${plan.costUnit}), ` +
      `power ${plan.recommended.power.toFixed(2)} ± ${plan.recommended.mcse.toFixed(2)} (simulated).`
    : `**No design of this grid reaches power ${plan.targetPower}** — widen the grid.`;

// %% [markdown]
// ## 1. A scaffold comparison
//
// The assumptions come from a pilot when there is one: the run log `./evalkit main` writes (`runsLog`) —
// each variant's logistic curve fitted as the horizon analysis fits it, the random task, family and
// variant-task effects estimated by the method of moments, and each variant's mean cost per run. Without a
// log the notebook states illustrative assumptions instead (say so when you quote it).

// %%
let pilotLabel: string;
let gapAssumptions: Assumptions;
let pilotOk = false;
try {
  pilotOk = params.runsLog !== null && (await Deno.stat(params.runsLog)).isFile;
} catch { /* no log: stated assumptions below */ }
if (pilotOk) {
  const pilot = await readAnyRuns(params.runsLog!);
  const est = assumptionsFromPilot(pilot.table, { cost: "dollars", source: params.runsLog! });
  const models = [...new Set(pilot.table.array("model") as string[])].join(", ");
  pilotLabel = `pilot: the run log ${params.runsLog} (${est.runs} runs, ${est.tasks} tasks, models ${models}` +
    (pilot.sources.simulatedModels.length > 0 ? "; **the simulated model, not a language model**" : "") + ")";
  gapAssumptions = est.assumptions;
} else {
  pilotLabel = "no pilot log: **illustrative stated assumptions** (not estimated from data)";
  gapAssumptions = {
    curves: { basic: { p50Minutes: 30, slope: -0.9 }, allTools: { p50Minutes: 60, slope: -0.9 } },
    taskMinutes: [1, 2, 4, 8, 15, 30, 45, 60, 90, 120, 240, 480, 960],
    taskSd: 0.9,
    familySd: 0.5,
    tasksPerFamily: 3,
    costPerRun: { basic: 0.5, allTools: 0.8 },
    costUnit: "dollars",
  };
}
await display(showMarkdown(`Assumptions from ${pilotLabel}.`));
await display(
  Object.entries(gapAssumptions.curves).map(([variant, c]) => ({
    variant,
    intercept: "intercept" in c ? c.intercept : -c.slope * Math.log2(c.p50Minutes),
    slope: c.slope,
    p50_minutes: "p50Minutes" in c ? c.p50Minutes : 2 ** (-c.intercept / c.slope),
    cost_per_run: typeof gapAssumptions.costPerRun === "object" ? gapAssumptions.costPerRun[variant] : null,
  })),
  {
    name: "plan-gap-assumptions",
    caption: `Task-level success curves (logit = intercept + slope · log2 minutes); taskSd ${
      gapAssumptions.taskSd?.toFixed(2)
    }, familySd ${gapAssumptions.familySd?.toFixed(2)}, variantTaskSd ${(gapAssumptions.variantTaskSd ?? 0).toFixed(2)}`,
  },
);

// %%
// The compared pair: the variants with the longest and the shortest p50 horizon in the assumptions.
const p50Of = (c: Assumptions["curves"][string]) => ("p50Minutes" in c ? c.p50Minutes : 2 ** (-c.intercept / c.slope));
const byHorizon = Object.entries(gapAssumptions.curves).sort((x, y) => p50Of(x[1]) - p50Of(y[1]));
if (byHorizon.length < 2) throw new Error(`the pilot has ${byHorizon.length} variant(s): a comparison needs two`);
const gapB = byHorizon[0][0], gapA = byHorizon[byHorizon.length - 1][0];
await display(showMarkdown(`Compared: **${gapA}** (longest p50 horizon) against **${gapB}** (shortest).`));

// %% [markdown]
// The question: is the paired success-rate gap of the stronger variant over the weaker at least 5 points, decided by
// whether the 80% paired hierarchical-bootstrap interval (`elicitationGap`'s) lies above 0.05? Power is
// P(the interval lies on the true side of 0.05); "wrong" is P(it lies on the other side).

// %%
const gapPlan = planPower(
  gapAssumptions,
  { question: "gap", a: gapA, b: gapB, delta: 0.05 },
  // 100 bootstrap replicates per simulated analysis (the CLI's default is 200) keep the notebook quick; they
  // make power read ≈ 1.5 points high (docs/planning.md).
  { tasks: [20, 40, 80, 160, 320], epochs: [1, 2], sims: 100, seed, replicates: 100 },
);
await display(showMarkdown(
  `Assumed true gap: **${(gapPlan.truth.value * 100).toFixed(1)} points** (${gapPlan.truth.side} the 5-point ` +
    `cut-off). ${recommendation(gapPlan)}`,
));
const suiteTasks = gapAssumptions.taskMinutes.length;
if (pilotOk && gapPlan.recommended && gapPlan.recommended.tasks > suiteTasks) {
  await display(showMarkdown(
    `The pilot's suite has ${suiteTasks} tasks: settling a gap this close to the cut-off takes more distinct ` +
      `tasks than it holds (a larger suite, or a question with more margin).`,
  ));
}
await display(powerRows(gapPlan), {
  name: "plan-gap-table",
  caption: `Power of the gap question per design: ${gapPlan.sims} simulated evaluations each (simulated data)`,
});
await display(powerFigure(gapPlan, { title: "Scaffold comparison: power vs tasks (simulated)" }), {
  name: "plan-gap-power",
  caption: `Power to settle '${gapA} beats ${gapB} by ≥ 5 points' per design; simulated evaluations`,
});

// %% [markdown]
// ## 2. A threshold check
//
// The pilot here is real: METR's public runs of one agent (January 2025). The question is the protocol's:
// is the p50 horizon ≥ 30 minutes, with P(crossed) ≥ 0.9 (verdict `crossed`) or ≤ 0.1 (`not_crossed`)? The
// simulated evaluations are analysed by `estimateMetrics` + `verdicts`, as `deno task protocol` does.

// %%
const metr = await readMetrRuns(params.data);
const agent = "Claude 3.5 Sonnet (New)";
const agentRuns = metr.table.filter(`d => d.alias === "${agent}"`);
const est = assumptionsFromPilot(agentRuns, { agentColumn: "alias", source: params.data });
const thresholdPlan = planPower(
  est.assumptions,
  { question: "verdict", agent, value: 30, unit: "minutes" },
  // 100 bootstrap replicates here too (see above).
  { tasks: [20, 40, 80, 160], epochs: [1, 2], sims: 60, seed, replicates: 100 },
);
await display(showMarkdown(
  `Pilot: METR's ${est.runs} runs of ${agent} on ${est.tasks} tasks (${est.families} families). Fitted p50 ` +
    `${est.fitted[agent].p50Minutes.toFixed(1)} min; random-effect SDs (logit) task ${est.assumptions.taskSd?.toFixed(2)}, ` +
    `family ${est.assumptions.familySd?.toFixed(2)}. Assumed true p50 **${thresholdPlan.truth.value.toFixed(1)} min** ` +
    `(${thresholdPlan.truth.side} the 30-minute threshold). ${recommendation(thresholdPlan)}`,
));
await display(powerRows(thresholdPlan), {
  name: "plan-threshold-table",
  caption: `Power of the verdict per design (${thresholdPlan.sims} simulated evaluations each; cost = runs)`,
});
await display(powerFigure(thresholdPlan, { title: "Threshold check: power vs tasks (simulated)" }), {
  name: "plan-threshold-power",
  caption: `Power to reach a decisive, correct verdict on 'p50 ≥ 30 minutes' for ${agent}; simulated evaluations`,
});

// %% [markdown]
// ## 3. How much the answer leans on the assumptions
//
// The random-effect SDs from a pilot of tens of tasks are rough. The power of the recommended scaffold
// design (or the largest, if none reached the target) as the task SD is halved or raised by half:

// %%
const chosen = gapPlan.recommended ?? gapPlan.rows[gapPlan.rows.length - 1];
const sensitivity = [0.5, 1, 1.5].map((f) => {
  const p = planPower(
    { ...gapAssumptions, taskSd: (gapAssumptions.taskSd ?? 0) * f },
    { question: "gap", a: gapA, b: gapB, delta: 0.05 },
    { tasks: [chosen.tasks], epochs: [chosen.epochs], sims: 100, seed, replicates: 100 },
  ).rows[0];
  return { task_sd_factor: f, task_sd: (gapAssumptions.taskSd ?? 0) * f, power: p.power, mcse: p.mcse };
});
await display(sensitivity, {
  name: "plan-sensitivity-table",
  caption: `Power of ${chosen.tasks} tasks × ${chosen.epochs} epochs as the task SD varies (simulated)`,
});
await display(
  renderPlot({
    width: 520,
    height: 300,
    x: { label: "task SD (logit)", grid: true },
    y: { label: "power", domain: [0, 1], grid: true },
    caption: "Simulated evaluations; bars ±1.96 MCSE",
    marks: [
      Plot.ruleX(sensitivity, { x: "task_sd", y1: (d) => d.power - 1.96 * d.mcse, y2: (d) => d.power + 1.96 * d.mcse }),
      Plot.line(sensitivity, { x: "task_sd", y: "power" }),
      Plot.dot(sensitivity, { x: "task_sd", y: "power", fill: "currentColor" }),
    ],
  }),
  { name: "plan-sensitivity", caption: "Power of the chosen scaffold design against the assumed task SD (simulated)" },
);
console.log(`notebook computed in ${((performance.now() - started) / 1000).toFixed(1)} s`);

// %% [markdown]
// **Reading the numbers.** Power is a property of the assumptions as much as of the design: quote it with
// them. The Monte Carlo SE is the simulation's own noise (more `sims` shrink it). `deno task plan` runs the
// same calculation from the command line; docs/planning.md has the method, the validation against the
// simulated model and the limits.
