// Source of notebooks/difficulty-curves.ipynb — edit here, then: deno run -A scripts/build_notebooks.ts
// @title Difficulty curves and time horizons
// @figures success-vs-length, horizons-by-agent, horizon-trend, estimates-vs-baselines
// @min-tables 4

// %% [markdown]
// # Difficulty curves and time horizons
//
// Success against task length for every agent in METR's public runs, with METR's time-horizon method
// (weighted logistic fit on log2 human minutes, hierarchical bootstrap over families → tasks → runs), the
// p50 and p80 horizons with 80% intervals, and the trend of p50 against release date with its doubling time.
//
// Parameters come from the environment: `EVALKIT_DATA` (METR's runs.jsonl), `EVALKIT_RELEASE_DATES`,
// `EVALKIT_SEED`, `EVALKIT_BOOTSTRAP`.

// %% [parameters]
// Parameters (this cell is tagged "parameters", as papermill expects): the defaults. Precedence: command
// line (`deno task report --param key=value`, `--params file.json`) > EVALKIT_* environment variables >
// these values. Relative paths resolve against this notebook's folder.
const parameters = {
  "data": "../../shared/data/metr/all_runs_2025-01.jsonl",
  "seed": 20240307,
  "bootstrap": 500
};

// %%
import * as Plot from "@observablehq/plot";
import * as aq from "arquero";
import { paramsFromCell, projectRoot } from "../lib/notebook/params.ts";
import { display, showMarkdown } from "../lib/notebook/display.ts";
import { readReleaseDates } from "../lib/notebook/release_dates.ts";
import { readMetrRuns } from "../lib/frame/metr.ts";
import { readLogs } from "../lib/run/log_reader.ts";
import type { LogEvent } from "../lib/run/events.ts";
import {
  type HumanAttempt,
  humanAttemptsFromEvents,
  humanAttemptsFromMetr,
  summarizeBaselines,
} from "../lib/baseline/summary.ts";
import { bootstrapHorizons, HORIZON_BUCKETS, horizonTrend, sigmoid } from "../lib/stats/mod.ts";
import { horizonTrendFigure, lineEndLabels, minuteAxis, renderPlot } from "../lib/plot/mod.ts";

const params = paramsFromCell(parameters);
const runs = await readMetrRuns(params.data);
const releaseDates = await readReleaseDates(params.releaseDates);
// METR's human baselines are not an agent: leave them out of the fits.
const agentRuns = runs.table.filter((d: { alias: string }) => d.alias !== "human");
console.log(`${runs.rows.length} runs read (${runs.errors.length} bad lines skipped); seed ${params.seed}`);

// %%
await display(
  agentRuns.groupby("alias").rollup({
    runs: aq.op.count(),
    tasks: aq.op.distinct("task_id"),
    families: aq.op.distinct("task_family"),
    mean_score: aq.op.mean("score"),
  }).orderby("alias"),
  { name: "agents", caption: "Agents in the data" },
);

// %% [markdown]
// ## Horizons with bootstrap intervals
//
// Point estimates on the full data; intervals are the 10th–90th percentiles of the replicate horizons
// (METR's 80% interval). Replicates use the seed, so the table is the same on every run.

// %%
const boot = bootstrapHorizons(agentRuns, {
  replicates: params.bootstrap,
  seed: params.seed,
  successProbabilities: [0.5, 0.8],
});
const horizonRows = boot.point.map((p, i) => ({
  agent: p.agent,
  release: releaseDates.get(p.agent) ?? null,
  runs: p.runs,
  average: p.average,
  p50_min: p.horizons.p50,
  p50_low: boot.summary[i].intervals.p50.low,
  p50_high: boot.summary[i].intervals.p50.high,
  p80_min: p.horizons.p80,
  p80_low: boot.summary[i].intervals.p80.low,
  p80_high: boot.summary[i].intervals.p80.high,
  fitted_replicates: boot.summary[i].fitted,
})).sort((a, b) => (a.release ?? "").localeCompare(b.release ?? ""));
await display(horizonRows, { name: "horizons", caption: `p50/p80 horizons (minutes), ${params.bootstrap} replicates` })

// %%
// Fitted curves on a grid of task lengths, and the empirical weighted rates per duration bucket.
const grid = Array.from({ length: 61 }, (_, k) => 2 ** (-1 + k * 0.25));
const curves = boot.point.flatMap((p) =>
  grid.map((m) => ({ agent: p.agent, minutes: m, p: sigmoid(p.intercept + p.coefficient * Math.log2(m)) }))
);
const rates = boot.point.flatMap((p) =>
  p.buckets.filter((b) => b.runs > 0).map((b) => ({
    agent: p.agent,
    minutes: Math.sqrt(b.minMinutes * b.maxMinutes),
    rate: b.rate,
  }))
);
await display(
  renderPlot({
    width: 760,
    height: 420,
    x: {
      type: "log",
      label: "task length for a skilled human",
      labelAnchor: "center",
      labelOffset: 40,
      domain: [0.5, 2 ** 14],
      ...minuteAxis([0.5, 2 ** 14]).scale,
    },
    // The y axis on the right leaves the left margin to the direct labels.
    y: { domain: [0, 1], label: "success probability", grid: true, axis: "right" },
    marginLeft: 160,
    marginRight: 50,
    marginBottom: 48,
    color: { legend: true },
    marks: [
      minuteAxis([0.5, 2 ** 14]).mark,
      Plot.line(curves, { x: "minutes", y: "p", stroke: "agent" }),
      Plot.dot(rates, { x: "minutes", y: "rate", stroke: "agent", r: 3 }),
      Plot.ruleY([0.5], { strokeDasharray: "3,3" }),
      // Direct labels at the left end, pushed apart so none overlap (12 px of the 352 px plot height), so
      // the chart reads without its legend (e.g. as PNG).
      lineEndLabels(curves, { x: "minutes", y: "p", z: "agent" }, { minGap: 12 / (420 - 20 - 48), domain: [0, 1] }),
    ],
  }),
  {
    name: "success-vs-length",
    caption: `Fitted success curves (lines) and weighted success rates in METR's buckets ${
      HORIZON_BUCKETS.map((b) => b.label).join(", ")
    } (dots).`,
  },
);

// %%
await display(
  renderPlot({
    width: 760,
    height: 360,
    marginLeft: 180,
    x: {
      type: "log",
      label: "horizon",
      grid: true,
      domain: [0.01, 2000],
      clamp: true,
      ...minuteAxis([0.01, 2000]).scale,
    },
    y: { label: null, domain: horizonRows.map((r) => r.agent) },
    marks: [
      minuteAxis([0.01, 2000]).mark,
      Plot.ruleY(horizonRows.filter((r) => r.p50_low > 0), { y: "agent", x1: "p50_low", x2: "p50_high", strokeWidth: 2 }),
      Plot.dot(horizonRows.filter((r) => r.p50_min > 0), { y: "agent", x: "p50_min", fill: "black", r: 4 }),
      Plot.dot(horizonRows.filter((r) => r.p80_min > 0), { y: "agent", x: "p80_min", stroke: "steelblue", r: 4 }),
    ],
  }),
  { name: "horizons-by-agent", caption: "p50 horizon (black, with 80% interval) and p80 horizon (blue) per agent." },
);

// %% [markdown]
// ## Trend against release date
//
// As in METR's analysis the trend is fitted over *frontier* agents: those whose p50 horizon exceeds that
// of every agent released before them. Agents whose p50 lies below the shortest task in the data are left
// out too: their horizon is an extrapolation of the fit, not a measurement (METR's paper adds very short
// tasks for them, which this public file does not contain). The fit is ordinary least squares of log2(p50)
// on release date; the doubling time's interval comes from refitting the trend on every bootstrap replicate
// (the same replicate for every agent, so the resampled tasks are shared).

// %%
const shortestTask = Math.min(...(agentRuns.array("human_minutes") as number[]));
const p50Index = boot.successProbabilities.indexOf(0.5);
let best = 0;
const trendSelection = horizonRows.filter((r) => r.release !== null).map((r) => {
  const frontier = r.p50_min > best;
  best = Math.max(best, r.p50_min);
  const inRange = r.p50_min >= shortestTask;
  return { agent: r.agent, release: r.release, p50_min: r.p50_min, frontier, in_data_range: inRange, in_trend: frontier && inRange };
});
await display(trendSelection, { name: "trend-agents", caption: `Agents on the trend (shortest task: ${shortestTask} minutes)` })

// %%
const trendPoints = trendSelection.filter((r) => r.in_trend).map((r) => {
  const i = boot.agents.indexOf(r.agent);
  return { agent: r.agent, date: r.release!, horizon: r.p50_min, samples: boot.horizons[i][p50Index] };
});
const trend = horizonTrend(trendPoints);
await display(
  horizonTrendFigure(trend, {
    intervals: Object.fromEntries(boot.summary.map((b) => [b.agent, b.intervals.p50])),
    title: "p50 horizon of frontier agents against release date",
  }),
  { name: "horizon-trend", caption: "Frontier agents' p50 horizons (80% intervals) against release date, with the least-squares trend." },
);

// %%
await display(
  [{
    agents: trend.points.length,
    slope_log2_per_year: trend.slope,
    doubling_months: trend.doublingMonths,
    doubling_low: trend.low,
    doubling_high: trend.high,
  }],
  { name: "doubling-time", caption: "Doubling time of the p50 horizon (months, 80% bootstrap interval)" },
);

// %%
await display(showMarkdown(
  `On this data the p50 horizon doubles every **${trend.doublingMonths.toFixed(1)} months** ` +
    `(80% interval ${trend.low.toFixed(1)}–${trend.high.toFixed(1)}) over ${trend.points.length} frontier agents ` +
    `released ${trend.points[0].date.toISOString().slice(0, 10)} to ` +
    `${trend.points[trend.points.length - 1].date.toISOString().slice(0, 10)}. METR's 2025 paper reports about ` +
    `7 months over 2019–2025; a short window of recent models gives a faster, less certain rate.`,
))

// %% [markdown]
// ## Estimates vs baselines
//
// Every horizon above rests on task minutes. Where people have attempted a task, the measured time can be set
// against the estimate: this project's own baselines (`deno task workbench baseline`, recorded under
// `runs/baselines/`: working time, pauses excluded) and METR's human runs in the runs file (alias `human`;
// their wall-clock time, breaks included). Each point is a task with at least one successful attempt: the
// estimate in the runs file or the task's metadata against the geometric mean of the successful attempts'
// minutes (METR's rule). `deno task horizons --task-times baseline|estimate` fits either.

// %%
const estimates = new Map<string, { minutes: number | null; source: string | null }>();
for (const r of runs.rows) {
  const minutes = typeof r.human_minutes === "number" ? r.human_minutes : null;
  if (r.alias !== "human") estimates.set(String(r.task_id), { minutes, source: r.human_source ?? null });
}
const attempts: HumanAttempt[] = humanAttemptsFromMetr(runs.rows as unknown as Record<string, unknown>[]);
const localEvents: LogEvent[] = [];
const localDir = `${projectRoot()}/runs/baselines`;
await readLogs(localDir, { onEvent: (e) => localEvents.push(e) }).catch(() => null);
const localAttempts = humanAttemptsFromEvents(localEvents);
const summary = [
  ...summarizeBaselines(attempts, estimates).map((s) => ({ ...s, origin: "METR human runs (wall clock)" })),
  ...summarizeBaselines(localAttempts, estimates).map((s) => ({ ...s, origin: "this project's baselines" })),
].filter((s) => s.baseline_minutes !== null && s.estimate_minutes !== null);
const labelled = summary.filter((s) => Math.abs(Math.log2(s.ratio ?? 1)) >= 1);
const [lo, hi] = [0.5, 10080];
await display(
  renderPlot({
    width: 640,
    height: 520,
    title: "Task estimates against measured human time",
    subtitle: `${summary.length} tasks with a successful human attempt; tasks off by 2× or more named`,
    x: { type: "log", domain: [lo, hi], label: "estimate (minutes)", grid: true },
    y: { type: "log", domain: [lo, hi], label: "measured: geometric mean of successful attempts (minutes)", grid: true },
    color: { legend: true, label: "attempts" },
    marks: [
      Plot.line([[lo, lo], [hi, hi]], { stroke: "#999", strokeDasharray: "4,3" }),
      Plot.dot(summary, { x: "estimate_minutes", y: "baseline_minutes", stroke: "origin", r: 3.5 }),
      Plot.text(labelled, {
        x: "estimate_minutes",
        y: "baseline_minutes",
        text: "task_id",
        dx: 6,
        textAnchor: "start",
        fontSize: 9,
      }),
    ],
  }),
  {
    name: "estimates-vs-baselines",
    caption: `Estimate against measured minutes per task (dashed: equal). ${
      localAttempts.length
        ? `${localAttempts.length} attempts recorded in this project;`
        : "No baselines recorded in this project yet (deno task workbench baseline);"
    } METR's human runs are wall-clock time, so they read a little above working time.`,
  },
);

// %%
await display(
  summary
    .sort((a, b) => Math.abs(Math.log2(b.ratio ?? 1)) - Math.abs(Math.log2(a.ratio ?? 1)))
    .slice(0, 12)
    .map((s) => ({
      task: s.task_id,
      origin: s.origin,
      attempts: s.attempts,
      successes: s.successes,
      estimate_min: s.estimate_minutes,
      measured_min: s.baseline_minutes,
      ratio: s.ratio,
    })),
  { name: "estimates-vs-baselines-table", caption: "The tasks whose measured time is furthest from the estimate" },
);
