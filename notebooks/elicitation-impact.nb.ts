// Source of notebooks/elicitation-impact.ipynb — edit here, then: deno run -A scripts/build_notebooks.ts
// @title Elicitation impact: model steps against scaffolding
// @figures metr-success-differences, metr-horizon-differences, library-study, gap-vs-effort
// @min-tables 5

// %% [markdown]
// # Elicitation impact: model steps against scaffolding
//
// METR's report *Measuring the impact of post-training enhancements* (March 2024) asked how much agent
// performance moves with modest extra effort, to size the safety margin of a capability evaluation. Its
// headline: OpenAI's GPT-4 post-training raised agent performance by **26 percentage points** — about as
// much as scaling GPT-3.5 Turbo to GPT-4 — while METR's own scaffolding improvements added **8 points,
// not statistically significant**. Its runs, task list and intervals were not published.
//
// This notebook reproduces the *design*. Part 1 uses METR's public runs (January 2025): the sequential
// GPT-4 releases in the data (GPT-4 0314, GPT-4 Turbo, GPT-4o) against the GPT-3.5-class model
// (gpt-3.5-turbo-instruct), on the tasks both ran, with paired bootstrap intervals on the success-rate and
// horizon differences. Part 2 runs the same design through the library: a model step and the four
// scaffolds on the bundled suite, from the run log `./evalkit main` writes by default (`runsLog`), or from
// the notebook's own small grid with `runGrid: true` (`EVALKIT_MODEL`/`EVALKIT_BASE_MODEL`).

// %% [parameters]
// Parameters (this cell is tagged "parameters", as papermill expects): the defaults. Precedence: command
// line (`deno task report --param key=value`, `--params file.json`) > EVALKIT_* environment variables >
// these values. Relative paths resolve against this notebook's folder.
const parameters = {
  "data": "../../shared/data/metr/all_runs_2025-01.jsonl",
  "runsLog": "../runs/main/main.jsonl",
  "runGrid": false,
  "variants": "basic,chat,allTools,bestOfN",
  "seed": 20240307,
  "bootstrap": 500
};

// %%
import * as Plot from "@observablehq/plot";
import * as aq from "arquero";
import { deriveBaseModel, paramsFromCell, PARAM_ENV } from "../lib/notebook/params.ts";
import { display, showMarkdown } from "../lib/notebook/display.ts";
import { notebookGridOptions, notebookRuns, runNotebookGrid } from "../lib/notebook/grid.ts";
import { readMetrRuns } from "../lib/frame/metr.ts";
import { unionRuns } from "../lib/frame/tables.ts";
import { describeDataSources, illustrativeNote, modelsLabel } from "../lib/frame/sources.ts";
import { gapVsEffortFigure, renderPlot } from "../lib/plot/mod.ts";
import { pairedDifference } from "../lib/stats/mod.ts";
import { elicitationGap } from "../lib/elicitation/gap.ts";
import { gapVsEffortPoints } from "../lib/elicitation/effort.ts";

const params = paramsFromCell(parameters);
const metr = await readMetrRuns(params.data);
const BASE = "gpt-3.5-turbo-instruct";
const GPT4 = ["GPT-4 0314", "GPT-4 Turbo", "GPT-4o"];
const METR_POST_TRAINING_PP = 26;
const METR_SCAFFOLDING_PP = 8;
console.log(`${metr.rows.length} METR runs; seed ${params.seed}; ${params.bootstrap} bootstrap replicates`);

// %% [markdown]
// ## Part 1 — METR's public runs
//
// Each comparison keeps the tasks both agents ran and resamples families, tasks and runs identically for
// the two (a paired hierarchical bootstrap). Success rate is the mean score with METR's
// inverse-square-root family weights; horizon differences are in doublings (log2 of the p50 ratio).

// %%
const tasksOf = (alias: string) =>
  new Set((metr.table.filter(aq.escape((d: { alias: string }) => d.alias === alias)).array("task_id") as string[]));
/** One sentence on the cross-fitted p50-horizon gap in doublings, with its interval when there is one. */
function crossFittedHorizonSentence(c: {
  horizonLog2Gap: number | null;
  horizonLog2Lower: number | null;
  horizonLog2Upper: number | null;
}): string {
  if (c.horizonLog2Gap === null) return "";
  const interval = c.horizonLog2Lower !== null && c.horizonLog2Upper !== null
    ? ` (80% interval ${c.horizonLog2Lower.toFixed(2)} to ${c.horizonLog2Upper.toFixed(2)})`
    : "";
  return `In p50 horizon the cross-fitted gap is **${c.horizonLog2Gap.toFixed(2)} doublings**${interval}. `;
}
function pairTable(a: string, b: string) {
  const ta = tasksOf(a), tb = tasksOf(b);
  const shared = new Set([...ta].filter((t) => tb.has(t)));
  return {
    shared: shared.size,
    table: metr.table.filter(aq.escape((d: { alias: string; task_id: string }) =>
      (d.alias === a || d.alias === b) && shared.has(d.task_id)
    )),
  };
}
const comparisons: { label: string; from: string; to: string; kind: string }[] = [
  ...GPT4.map((g) => ({ label: `${BASE} → ${g}`, from: BASE, to: g, kind: "GPT-3.5 → GPT-4 class" })),
  { label: "GPT-4 0314 → GPT-4 Turbo", from: "GPT-4 0314", to: "GPT-4 Turbo", kind: "GPT-4 update" },
  { label: "GPT-4 Turbo → GPT-4o", from: "GPT-4 Turbo", to: "GPT-4o", kind: "GPT-4 update" },
  { label: "GPT-4 0314 → GPT-4o", from: "GPT-4 0314", to: "GPT-4o", kind: "GPT-4 update" },
];
const metrRows = comparisons.map((c) => {
  const { shared, table } = pairTable(c.from, c.to);
  const opts = { replicates: params.bootstrap, seed: params.seed };
  const sr = pairedDifference(table, c.to, c.from, { ...opts, statistic: "successRate" });
  const hz = pairedDifference(table, c.to, c.from, { ...opts, statistic: "horizon", scale: "log2" });
  return {
    comparison: c.label,
    kind: c.kind,
    tasks: shared,
    success_pp: 100 * sr.estimate,
    success_low: 100 * sr.low,
    success_high: 100 * sr.high,
    p_better: sr.probabilityPositive,
    horizon_doublings: hz.estimate,
    horizon_low: hz.low,
    horizon_high: hz.high,
  };
});
await display(metrRows, {
  name: "metr-paired",
  caption: "Paired differences on shared tasks (80% intervals): success rate in points, p50 horizon in doublings",
});

// %%
await display(
  renderPlot({
    width: 760,
    height: 300,
    marginLeft: 230,
    x: { label: "success-rate difference (percentage points)", grid: true },
    y: { label: null, domain: metrRows.map((r) => r.comparison) },
    marks: [
      Plot.ruleX([0], { stroke: "gray" }),
      Plot.ruleX([METR_POST_TRAINING_PP], { stroke: "firebrick", strokeDasharray: "5,3" }),
      Plot.ruleX([METR_SCAFFOLDING_PP], { stroke: "darkorange", strokeDasharray: "2,3" }),
      Plot.text([{ x: METR_POST_TRAINING_PP, t: "METR: GPT-4 post-training +26" }], { x: "x", text: "t", frameAnchor: "top", dy: 4, dx: 4, textAnchor: "start", fill: "firebrick", fontSize: 9 }),
      Plot.text([{ x: METR_SCAFFOLDING_PP, t: "METR: scaffolding +8 (n.s.)" }], { x: "x", text: "t", frameAnchor: "bottom", dy: -4, dx: 4, textAnchor: "start", fill: "darkorange", fontSize: 9 }),
      Plot.ruleY(metrRows, { y: "comparison", x1: "success_low", x2: "success_high", strokeWidth: 2 }),
      Plot.dot(metrRows, { y: "comparison", x: "success_pp", fill: "black", r: 4 }),
    ],
  }),
  {
    name: "metr-success-differences",
    caption: "Success-rate differences with 80% paired intervals; METR's 2024 headlines as reference lines.",
  },
);

// %%
const finiteHorizon = metrRows.filter((r) => Number.isFinite(r.horizon_doublings));
await display(
  renderPlot({
    width: 760,
    height: 300,
    marginLeft: 230,
    x: { label: "p50 horizon difference (doublings)", grid: true },
    y: { label: null, domain: metrRows.map((r) => r.comparison) },
    marks: [
      Plot.ruleX([0], { stroke: "gray" }),
      Plot.ruleY(finiteHorizon.filter((r) => Number.isFinite(r.horizon_low) && Number.isFinite(r.horizon_high)), {
        y: "comparison",
        x1: "horizon_low",
        x2: "horizon_high",
        strokeWidth: 2,
      }),
      Plot.dot(finiteHorizon, { y: "comparison", x: "horizon_doublings", fill: "black", r: 4 }),
    ],
  }),
  {
    name: "metr-horizon-differences",
    caption: "p50 horizon differences in doublings with 80% paired intervals. gpt-3.5-turbo-instruct's horizon lies " +
      "below the shortest task in the file, so steps from it are extrapolations.",
  },
);

// %%
const step35 = metrRows[0];
const updates = metrRows.filter((r) => r.kind === "GPT-4 update");
const fmt = (r: { success_pp: number; success_low: number; success_high: number }) =>
  `${r.success_pp >= 0 ? "+" : ""}${r.success_pp.toFixed(1)} points (80% interval ${r.success_low.toFixed(1)} to ${r.success_high.toFixed(1)})`;
await display(showMarkdown(
  [
    `**Set beside METR's headline.** On the public 2025 tasks, moving from ${BASE} to GPT-4 0314 adds ` +
    `${fmt(step35)}. The later GPT-4 releases — further post-training of the GPT-4 line — move it by ` +
    updates.map((u) => `${fmt(u)} (${u.comparison})`).join("; ") + ".",
    "",
    `METR reported +${METR_POST_TRAINING_PP} points from GPT-4's post-training, comparable to the GPT-3.5 → ` +
    `GPT-4 step, and +${METR_SCAFFOLDING_PP} (not significant) from its own scaffolding. The designs differ: ` +
    `METR compared a GPT-4 checkpoint before and after OpenAI's post-training on a private "grab bag of ` +
    `moderately easy" tasks with its own four scaffolds; the public file has different, harder tasks, ` +
    `one scaffold per model, and GPT-3.5 only as gpt-3.5-turbo-instruct, which nearly always fails here ` +
    `(a floor effect that shrinks every step measured from it).`,
  ].join("\n"),
));

// %% [markdown]
// ## Part 2 — the same design through the library
//
// A **model step** (the weaker model against the stronger one, same scaffold — the GPT-3.5 → GPT-4
// analogue) and a **scaffolding step** (the four scaffolds on the stronger model: `basic` as baseline, the
// best of the others, and the cross-fitted gap that removes the optimism of picking the best on the same
// tasks). With the toolkit's offline stand-in model the skill shifts are illustrative settings, so this
// part demonstrates the method (a note below says so whenever such runs are present); with a real
// endpoint it measures.

// %%
const gridOptions = notebookGridOptions(params);
const scaffoldRuns = await notebookRuns(params.runsLog, gridOptions);
if (scaffoldRuns.taskTimes) console.log(scaffoldRuns.taskTimes); // tasks with measured human minutes (docs/baselines.md)
// Models in the runs, weakest (lowest mean score) first.
const modelsInLog = (scaffoldRuns.table.groupby("model").rollup({ mean: aq.op.mean("score") }).orderby("mean")
  .array("model") as string[]);
// The model step: the same scaffold (chat when present) on a weaker model, on the notebook's quick tasks.
const stepVariant = params.variants.includes("chat") ? "chat" : params.variants[0];
const strongModel = params.runsLog ? modelsInLog[modelsInLog.length - 1] : params.model;
// An explicit EVALKIT_BASE_MODEL wins; otherwise derive it from the model actually in the runs.
let weakModel: string | null = Deno.env.get(PARAM_ENV.baseModel) ? params.baseModel : deriveBaseModel(strongModel);
let modelStepRuns: aq.ColumnTable | null = null;
if (params.runsLog && modelsInLog.length >= 2) {
  weakModel = modelsInLog[0];
  modelStepRuns = scaffoldRuns.table;
} else if (weakModel) {
  const weak = await runNotebookGrid({ ...gridOptions, variants: [stepVariant], models: [weakModel] });
  const weakTasks = new Set(weak.table.array("task_id") as string[]);
  // A run log may hold more tasks than the weak grid: compare on the tasks both have.
  const strongRows = scaffoldRuns.table.filter(aq.escape((d: { task_id: string; model: string }) =>
    weakTasks.has(d.task_id) && d.model === strongModel
  ));
  // No task in common (a log of other tasks): there is no paired model step to measure.
  modelStepRuns = strongRows.numRows() > 0 ? strongRows.concat(weak.table) : null;
}
// What the library study's runs really are (models named from the data, never from a default parameter).
const librarySources = describeDataSources(modelStepRuns ? unionRuns(scaffoldRuns.table, modelStepRuns) : scaffoldRuns.table);
console.log(
  `scaffold runs: ${scaffoldRuns.table.numRows()} (${scaffoldRuns.source}); model step: ` +
    (modelStepRuns
      ? `${weakModel} → ${strongModel} with ${stepVariant}`
      : "skipped (no weaker model configured, or no task in common with it)"),
);

// %%
await display(
  (modelStepRuns ?? scaffoldRuns.table).groupby("model", "variant").rollup({
    runs: aq.op.count(),
    tasks: aq.op.distinct("task_id"),
    success_rate: aq.op.mean("score_binarized"),
    mean_score: aq.op.mean("score"),
  }).orderby("model", "variant"),
  { name: "library-cells", caption: `Runs of the library study: ${modelsLabel(librarySources)}` },
);

// %%
const studyRows: Record<string, unknown>[] = [];
if (modelStepRuns && weakModel) {
  const aliasFor = (model: string) =>
    (modelStepRuns!.filter(aq.escape((d: { model: string; variant: string }) => d.model === model && d.variant === stepVariant))
      .array("alias") as string[])[0];
  const d = pairedDifference(modelStepRuns, aliasFor(strongModel), aliasFor(weakModel), {
    statistic: "successRate",
    replicates: params.bootstrap,
    seed: params.seed,
  });
  studyRows.push({
    step: `model: ${weakModel} → ${strongModel} (${stepVariant})`,
    success_pp: 100 * d.estimate,
    low: 100 * d.low,
    high: 100 * d.high,
    p_better: d.probabilityPositive,
  });
}
const gap = elicitationGap(scaffoldRuns.table, {
  baseline: params.variants[0],
  agentColumn: "variant",
  seed: params.seed,
  pairedReplicates: params.bootstrap,
  replicates: Math.max(50, Math.round(params.bootstrap / 5)),
});
// Thin data (one family, one scaffold) leave parts of the gap null, with the reason in gap.notes.
const pp = (v: number | null | undefined) => (v === null || v === undefined ? null : 100 * v);
if (gap.successRate) {
  studyRows.push({
    step: `scaffolding: ${gap.baseline} → ${gap.best} (best of ${gap.standings.length}, naive)`,
    success_pp: pp(gap.successRate.gap),
    low: pp(gap.successRate.lower),
    high: pp(gap.successRate.upper),
    p_better: gap.successRate.pPositive,
  });
}
if (gap.crossFitted.gap !== null) {
  studyRows.push({
    step: `scaffolding: cross-fitted gap`,
    success_pp: pp(gap.crossFitted.gap),
    low: pp(gap.crossFitted.lower),
    high: pp(gap.crossFitted.upper),
    p_better: null,
  });
}
if (gap.notes.length) await display(showMarkdown(`**Elicitation gap, not estimable here:** ${gap.notes.join("; ")}`));
await display(studyRows, { name: "library-study", caption: "The study's two steps on the library's runs (80% intervals)" });

// %%
await display(
  gap.standings.map((s) => ({ variant: s.variant, shared_tasks: s.sharedTasks, gap_pp: 100 * s.gap })),
  { name: "scaffold-standings", caption: `Each scaffold's paired success-rate gap over ${gap.baseline}` },
);

// %%
const plotted = studyRows.map((r) => ({ ...r, low: r.low ?? r.success_pp, high: r.high ?? r.success_pp }));
await display(
  renderPlot({
    width: 760,
    height: 240,
    marginLeft: 300,
    x: { label: "success-rate difference (percentage points)", grid: true },
    y: { label: null, domain: studyRows.map((r) => String(r.step)) },
    marks: [
      Plot.ruleX([0], { stroke: "gray" }),
      Plot.ruleX([METR_POST_TRAINING_PP], { stroke: "firebrick", strokeDasharray: "5,3" }),
      Plot.ruleX([METR_SCAFFOLDING_PP], { stroke: "darkorange", strokeDasharray: "2,3" }),
      Plot.ruleY(plotted, { y: "step", x1: "low", x2: "high", strokeWidth: 2 }),
      Plot.dot(plotted, { y: "step", x: "success_pp", fill: "black", r: 4 }),
    ],
  }),
  {
    name: "library-study",
    caption: "Model step and scaffolding step on the library's runs; dashed: METR's +26 and +8 points.",
  },
);

// %%
const effort = gapVsEffortPoints(scaffoldRuns.table, {
  baseline: params.variants[0],
  agentColumn: "variant",
  seed: params.seed,
});
await display(effort, { name: "gap-vs-effort-table", caption: "Elicitation gap against the number of scaffolds tried" });
await display(gapVsEffortFigure(effort), {
  name: "gap-vs-effort",
  caption: "Best-of-n gap over the baseline as more scaffolds are tried: naive (chosen and measured on the same tasks) and cross-fitted.",
});

// %%
const modelStep = studyRows.find((r) => String(r.step).startsWith("model"));
await display(showMarkdown(
  (modelStep
    ? `The model step adds **${Number(modelStep.success_pp).toFixed(1)} points**; `
    : "No model step was run; ") +
    (gap.successRate
      ? `the best scaffold adds **${pp(gap.successRate.gap)!.toFixed(1)} points** over ${gap.baseline} ` +
        `when chosen and measured on the same tasks` +
        (gap.crossFitted.gap !== null
          ? `, and **${pp(gap.crossFitted.gap)!.toFixed(1)} points** cross-fitted (selection optimism ` +
            `${pp(gap.crossFitted.optimism)!.toFixed(1)} points). `
          : ` (no cross-fitted gap: ${gap.crossFitted.note}). `)
      : `no scaffold gap could be estimated (${gap.notes.join("; ")}). `) +
    crossFittedHorizonSentence(gap.crossFitted) +
    illustrativeNote(librarySources),
));
