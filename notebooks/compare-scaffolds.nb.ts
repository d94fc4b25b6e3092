// Source of notebooks/compare-scaffolds.ipynb — edit here, then: deno run -A scripts/build_notebooks.ts
// @title Comparing scaffolds on the task suite
// @figures win-loss, paired-differences, failure-categories, budget-curves
// @min-tables 5

// %% [markdown]
// # Comparing scaffolds on the task suite
//
// The four scaffold variants of METR's elicitation study — `basic` (text actions, bash and python),
// `chat` (function calling), `allTools` (more tools, sturdier prompting) and `bestOfN` (several candidate
// actions, the best chosen by a rater) — run on the bundled task suite, then compared task by task:
// a win/loss matrix, paired bootstrap differences against the baseline, failure categories, and success
// as a function of the token budget.
//
// By default the notebook reads the run log `./evalkit main` writes (`runsLog` below); point `runsLog` at
// a log from `deno task eval` to analyse another evaluation. Only `runGrid: true` makes it run its own
// small grid in the local sandbox (`EVALKIT_MODEL`, cached under `out/notebook-runs/`). Captions name the
// models actually in the runs, and mark the toolkit's offline stand-in model as such.

// %% [parameters]
// Parameters (this cell is tagged "parameters", as papermill expects): the defaults. Precedence: command
// line (`deno task report --param key=value`, `--params file.json`) > EVALKIT_* environment variables >
// these values. Relative paths resolve against this notebook's folder.
const parameters = {
  "runsLog": "../runs/main/main.jsonl",
  "runGrid": false,
  "variants": "basic,chat,allTools,bestOfN",
  "seed": 20240307,
  "bootstrap": 500
};

// %%
import * as Plot from "@observablehq/plot";
import * as aq from "arquero";
import { paramsFromCell } from "../lib/notebook/params.ts";
import { display, showMarkdown } from "../lib/notebook/display.ts";
import { notebookGridOptions, notebookRuns, readRunEvents } from "../lib/notebook/grid.ts";
import { budgetCurveFigure, renderPlot } from "../lib/plot/mod.ts";
import { pairedDifference } from "../lib/stats/mod.ts";
import { describeDataSources, modelsLabel } from "../lib/frame/sources.ts";
import { suggestFailureTags } from "../lib/elicitation/heuristics.ts";
import { successAtBudgets } from "../lib/elicitation/budget.ts";

const params = paramsFromCell(parameters);
const loaded = await notebookRuns(params.runsLog, notebookGridOptions(params));
if (loaded.taskTimes) console.log(loaded.taskTimes); // tasks with measured human minutes (docs/baselines.md)
const runs = loaded.table;
const sources = describeDataSources(runs);
const events = await readRunEvents(loaded.logPath);
const variants = params.variants.filter((v) => (runs.array("variant") as string[]).includes(v));
const baseline = variants[0];
const aliasOf = new Map((runs.objects() as { variant: string; alias: string }[]).map((r) => [r.variant, r.alias]));
console.log(
  `${runs.numRows()} runs from ${loaded.source === "grid" ? `the notebook's grid (${loaded.ran} cells run now)` : "the run log"}; ` +
    `variants ${variants.join(", ")}; baseline ${baseline}; models ${modelsLabel(sources)}`,
);

// %%
await display(
  runs.groupby("variant").rollup({
    runs: aq.op.count(),
    tasks: aq.op.distinct("task_id"),
    success_rate: aq.op.mean("score_binarized"),
    mean_score: aq.op.mean("score"),
    mean_tokens: aq.op.mean("total_tokens"),
    mean_actions: aq.op.mean("actions"),
    cost_usd: aq.op.sum("dollar_equivalent"),
  }).orderby("variant"),
  { name: "variant-summary", caption: `Scaffold variants on ${modelsLabel(sources)}` },
);

// %% [markdown]
// ## Per-task win/loss matrix
//
// For each pair of variants, the number of tasks on which the row variant's mean score is higher than the
// column variant's (ties count for neither).

// %%
const perTask = runs.groupby("variant", "task_id").rollup({ score: aq.op.mean("score") }).objects() as {
  variant: string;
  task_id: string;
  score: number;
}[];
const scoreOf = new Map(perTask.map((r) => [`${r.variant}\u0000${r.task_id}`, r.score]));
const taskIds = [...new Set(perTask.map((r) => r.task_id))].sort();
const wins = variants.flatMap((a) =>
  variants.map((b) => {
    let w = 0, l = 0, t = 0;
    for (const task of taskIds) {
      const sa = scoreOf.get(`${a}\u0000${task}`), sb = scoreOf.get(`${b}\u0000${task}`);
      if (sa === undefined || sb === undefined) continue;
      if (sa > sb) w++;
      else if (sa < sb) l++;
      else t++;
    }
    return { row: a, column: b, wins: a === b ? null : w, losses: a === b ? null : l, ties: a === b ? null : t };
  })
);
await display(
  aq.from(wins).groupby("row").pivot("column", "wins").select("row", ...variants),
  { name: "win-matrix", caption: `Tasks won by the row variant over the column variant (of ${taskIds.length})` },
);

// %%
await display(
  renderPlot({
    width: 520,
    height: 360,
    marginLeft: 90,
    x: { label: "column variant", domain: variants },
    y: { label: "row variant", domain: variants },
    color: { type: "linear", scheme: "Greens" },
    marks: [
      Plot.cell(wins.filter((d) => d.wins !== null), { x: "column", y: "row", fill: "wins" }),
      Plot.text(wins.filter((d) => d.wins !== null), {
        x: "column",
        y: "row",
        text: (d: { wins: number; losses: number }) => `${d.wins}–${d.losses}`,
        fontSize: 11,
      }),
    ],
  }),
  { name: "win-loss", caption: "Tasks won–lost by the row variant against the column variant." },
);

// %% [markdown]
// ## Paired differences against the baseline
//
// Success rate of each variant minus the baseline's, with an 80% interval from the hierarchical bootstrap
// in which both variants see the same resampled families and tasks (METR's weights).

// %%
const paired = variants.slice(1).map((v) => {
  const d = pairedDifference(runs, aliasOf.get(v)!, aliasOf.get(baseline)!, {
    statistic: "successRate",
    replicates: params.bootstrap,
    seed: params.seed,
  });
  return { variant: v, baseline, difference: d.estimate, low: d.low, high: d.high, p_positive: d.probabilityPositive };
});
await display(paired, { name: "paired-differences", caption: `Success-rate difference vs ${baseline} (${params.bootstrap} replicates)` });

// %%
await display(
  renderPlot({
    width: 620,
    height: 240,
    marginLeft: 90,
    x: { label: `success-rate difference vs ${baseline}`, grid: true },
    y: { label: null, domain: paired.map((p) => p.variant) },
    marks: [
      Plot.ruleX([0], { stroke: "gray" }),
      Plot.ruleY(paired, { y: "variant", x1: "low", x2: "high", strokeWidth: 2 }),
      Plot.dot(paired, { y: "variant", x: "difference", fill: "black", r: 4 }),
    ],
  }),
  { name: "paired-differences", caption: "Paired success-rate differences with 80% bootstrap intervals." },
);

// %% [markdown]
// ## Failure categories
//
// Every failed run gets a suggested category from its events (environment fault, scaffold crash, context
// trouble, limit, refusal, tool-format errors, giving up early → *spurious*; otherwise *real*). These are
// suggestions for a person to confirm (`deno task protocol tags`), not verdicts.

// %%
const suggestions = suggestFailureTags(runs, { events });
const variantOfRun = new Map((runs.objects() as { run_id: string; variant: string }[]).map((r) => [r.run_id, r.variant]));
const failureRows = suggestions.map((s) => ({ variant: variantOfRun.get(s.run_id) ?? "?", category: s.category, signal: s.signal }));
await display(
  failureRows.length > 0
    ? aq.from(failureRows).groupby("variant", "category", "signal").count().orderby("variant", "category", "signal")
    : aq.table({ variant: [], category: [], signal: [], count: [] }),
  { name: "failure-categories", caption: `Suggested categories of ${failureRows.length} failed runs` },
);

// %%
const failureCounts = variants.flatMap((v) =>
  ["spurious", "real", "tradeoff"].map((c) => ({
    variant: v,
    category: c,
    runs: failureRows.filter((r) => r.variant === v && r.category === c).length,
  }))
);
await display(
  renderPlot({
    width: 620,
    height: 260,
    marginLeft: 90,
    x: { label: "failed runs", grid: true },
    y: { label: null, domain: variants },
    color: { legend: true, domain: ["spurious", "real", "tradeoff"] },
    marks: [Plot.barX(failureCounts, { y: "variant", x: "runs", fill: "category" }), Plot.ruleX([0])],
  }),
  { name: "failure-categories", caption: "Failed runs per variant by suggested category." },
);

// %% [markdown]
// ## Budget curves
//
// Success as a function of the token budget, computed after the fact: each run is cut at the budget and
// counts as a success only if it had reached a successful score by then (the agents were not told the
// budget). METR's study plotted the same for its scaffolds.

// %%
const budget = successAtBudgets(runs, "tokens", { agentColumn: "variant", events });
await display(budget.select("variant", "budget", "success_rate", "mean_score", "runs"), {
  name: "budget-table",
  caption: "Success at token budgets",
  limit: 80,
});

// %%
await display(budgetCurveFigure(budget, { resource: "tokens", title: "Success vs token budget" }), {
  name: "budget-curves",
  caption: "Success rate against the token budget, per scaffold.",
});

// %%
const best = [...paired].sort((a, b) => b.difference - a.difference)[0];
await display(showMarkdown(
  best
    ? `Best variant against **${baseline}**: **${best.variant}**, ${(100 * best.difference).toFixed(1)} points ` +
      `(80% interval ${(100 * best.low).toFixed(1)} to ${(100 * best.high).toFixed(1)}; ` +
      `P(better) = ${best.p_positive.toFixed(2)}). Choosing the best of several variants on the same tasks ` +
      `overstates its gain: the elicitation-impact notebook reports the cross-fitted gap.`
    : "Only one variant: nothing to compare.",
));
