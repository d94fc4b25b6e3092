// Source of notebooks/protocol-thresholds.ipynb — edit here, then: deno run -A scripts/build_notebooks.ts
// @title Protocol: bucket scores, threshold verdicts, checks and recalibration
// @figures bucket-scores, bucket-profile, verdict-probabilities, verdict-horizon, threshold-sweep, recalibration-p50
// @min-tables 6

// %% [markdown]
// # Protocol: bucket scores, threshold verdicts, checks and recalibration
//
// METR's example evaluation protocol turns runs into a bucket-weighted overall score (each difficulty bucket
// carries a fixed weight), compares capability estimates with thresholds, and lists checks that flag
// misleading results. This notebook applies the toolkit's protocol functions to METR's public runs, then
// asks how the verdicts move when the analyst's choices move: threshold values, bucket boundaries, the
// weighting scheme and the task subset.
//
// Parameters: `EVALKIT_DATA`, `EVALKIT_THRESHOLDS` (default `data/thresholds.example.json`, illustrative
// values — METR published none), `EVALKIT_SEED`, `EVALKIT_BOOTSTRAP`.

// %% [parameters]
// Parameters (this cell is tagged "parameters", as papermill expects): the defaults. Precedence: command
// line (`deno task report --param key=value`, `--params file.json`) > EVALKIT_* environment variables >
// these values. Relative paths resolve against this notebook's folder.
const parameters = {
  "data": "../../shared/data/metr/all_runs_2025-01.jsonl",
  "thresholds": "../data/thresholds.example.json",
  "seed": 20240307
};

// %%
import * as Plot from "@observablehq/plot";
import * as aq from "arquero";
import { paramsFromCell } from "../lib/notebook/params.ts";
import { display, showMarkdown } from "../lib/notebook/display.ts";
import { readMetrRuns } from "../lib/frame/metr.ts";
import { bucketProfileFigure, renderPlot, verdictFigure } from "../lib/plot/mod.ts";
import { rng } from "../lib/stats/mod.ts";
import { bucketScores } from "../lib/measure/score.ts";
import { estimateMetrics } from "../lib/measure/estimates.ts";
import { loadThresholds, type Threshold } from "../lib/protocol/thresholds.ts";
import { verdicts } from "../lib/protocol/verdict.ts";
import { protocolChecks } from "../lib/protocol/checks.ts";
import { DEFAULT_BUCKETS, type BucketScheme } from "../lib/task/buckets.ts";

const params = paramsFromCell(parameters);
const runs = await readMetrRuns(params.data);
const table = runs.table.filter((d: { alias: string }) => d.alias !== "human");
const thresholdFile = await loadThresholds(params.thresholds);
const thresholds = thresholdFile.thresholds;
// Fewer replicates for the many refits of the recalibration section.
const sweepReplicates = Math.max(100, Math.round(params.bootstrap / 5));
console.log(`${table.numRows()} agent runs; ${thresholds.length} thresholds from ${params.thresholds}`);

// %% [markdown]
// ## Bucket-weighted scores
//
// Runs are averaged per task, task weights normalised within each bucket, and the bucket scores summed to
// a level (0–7). Bucket boundaries are this project's factor-4 default (METR did not publish theirs).

// %%
const scores = bucketScores(table, { scheme: DEFAULT_BUCKETS, weighting: "equal" });
const scoreRows = scores.map((s) => ({
  agent: s.agent,
  ...Object.fromEntries(s.buckets.map((b) => [b.bucket, b.score])),
  level: s.level,
  horizon_hours: s.horizonHours,
})).sort((a, b) => a.level - b.level);
await display(scoreRows, { name: "bucket-score-table", caption: "Bucket scores (weighted mean score per bucket), level and its equivalent horizon" });

// %%
const agentOrder = scoreRows.map((r) => r.agent);
await display(
  renderPlot({
    width: 760,
    height: 380,
    marginLeft: 170,
    x: { label: "level (sum of bucket scores)", grid: true },
    y: { label: null, domain: agentOrder },
    color: { legend: true, domain: DEFAULT_BUCKETS.map((b) => b.label) },
    marks: [
      Plot.barX(
        scores.flatMap((s) => s.buckets.map((b) => ({ agent: s.agent, bucket: b.label, score: b.score ?? 0 }))),
        { y: "agent", x: "score", fill: "bucket", order: DEFAULT_BUCKETS.map((b) => b.label) },
      ),
      Plot.ruleX([0]),
    ],
  }),
  { name: "bucket-scores", caption: "Each agent's level as stacked bucket scores." },
);

// %%
await display(bucketProfileFigure(scores), {
  name: "bucket-profile",
  caption: "Bucket score per difficulty bucket: a profile that tops out bends; a straight decline is flagged by the checks.",
});

// %% [markdown]
// ## Threshold verdicts
//
// Every metric is estimated with one shared hierarchical bootstrap (families → tasks → runs). P(crossed)
// is the share of replicates beyond the threshold; the verdict is `crossed` at P ≥ 0.9, `not_crossed` at
// P ≤ 0.1, else `uncertain` (this project's rule: METR published none).

// %%
const est = estimateMetrics(table, { replicates: params.bootstrap, seed: params.seed });
const verdictRows = verdicts(est, thresholds);
await display(
  aq.from(verdictRows).select("threshold", "agent", "estimate", "lower", "upper", "unit", "p_crossed", "verdict")
    .orderby("threshold", "agent"),
  { name: "verdicts", caption: `Verdicts (${params.bootstrap} replicates, 80% intervals)`, limit: 200 },
);

// %%
await display(
  renderPlot({
    width: 760,
    height: 320,
    marginLeft: 130,
    marginBottom: 90,
    x: { label: null, tickRotate: -35 },
    y: { label: null },
    // No ramp legend: Plot draws it on a canvas, which the DOM used here lacks; cells carry their values.
    color: { type: "linear", domain: [0, 1], scheme: "RdBu", reverse: true },
    marks: [
      Plot.cell(verdictRows.filter((r) => r.p_crossed !== null), { x: "agent", y: "threshold", fill: "p_crossed" }),
      Plot.text(verdictRows.filter((r) => r.p_crossed !== null), {
        x: "agent",
        y: "threshold",
        text: (r: { p_crossed: number }) => r.p_crossed.toFixed(2),
        fontSize: 9,
      }),
    ],
  }),
  { name: "verdict-probabilities", caption: "Probability each agent crosses each threshold." },
);

// %%
const firstHorizon = thresholds.find((t) => t.metric === "p50_horizon");
if (firstHorizon) {
  await display(verdictFigure(verdictRows, firstHorizon.id), {
    name: "verdict-horizon",
    caption: `Estimates with 80% intervals against the "${firstHorizon.id}" threshold.`,
  });
}

// %%
const counts = aq.from(verdictRows).groupby("verdict").count().orderby("verdict").objects() as { verdict: string; count: number }[];
await display(showMarkdown(
  `Of ${verdictRows.length} threshold × agent pairs: ` +
    counts.map((c) => `**${c.count}** ${c.verdict.replace("_", " ")}`).join(", ") + ".",
));

// %% [markdown]
// ## Checks
//
// Results that may mislead: too few runs per task or tasks per bucket, a success profile that does not
// top out, floor/ceiling effects, epochs that disagree, QA status, limits. Limits are this project's
// defaults. METR's public file has no epochs, failure tags, QA results or limit records, so those checks
// report what they could not assess.

// %%
const checks = protocolChecks(table);
await display(checks.map((c) => ({ check: c.id, status: c.status, message: c.message })), {
  name: "checks",
  caption: "Protocol checks over all agents",
});

// %%
await display(
  checks.flatMap((c) => c.agents.filter((a) => a.status !== "pass").map((a) => ({ check: c.id, agent: a.agent, status: a.status, message: a.message }))),
  { name: "check-flags", caption: "Per-agent warnings and failures", limit: 60 },
);

// %% [markdown]
// ## Recalibration: how verdicts move
//
// ### Threshold value
// The p50-horizon threshold swept from 15 minutes to 16 hours: the probability each agent is beyond it.

// %%
const sweepValues = Array.from({ length: 25 }, (_, k) => 0.25 * 2 ** (k / 4));
const sweepThresholds: Threshold[] = sweepValues.map((v, k) => ({
  id: `p50-${k}`,
  metric: "p50_horizon",
  comparator: ">=",
  value: v,
  unit: "hours",
  meaning: "sweep",
}));
const sweep = verdicts(est, sweepThresholds).map((r) => ({ agent: r.agent, hours: r.value, p: r.p_crossed ?? NaN }));
await display(
  renderPlot({
    width: 760,
    height: 380,
    marginRight: 160,
    x: {
      type: "log",
      label: "p50 horizon threshold",
      grid: true,
      ticks: [0.25, 0.5, 1, 2, 4, 8, 16],
      tickFormat: (h: number) => (h < 1 ? `${Math.round(h * 60)} min` : `${h} h`),
    },
    y: { domain: [0, 1], label: "P(crossed)", grid: true },
    color: { legend: true },
    marks: [
      Plot.ruleY([0.1, 0.9], { strokeDasharray: "3,3" }),
      Plot.line(sweep, { x: "hours", y: "p", stroke: "agent" }),
      Plot.text(sweep, Plot.selectFirst({ x: "hours", y: "p", z: "agent", text: "agent", fill: "agent", dx: 4, textAnchor: "start", fontSize: 9, filter: (d: { p: number }) => d.p > 0.05 })),
    ],
  }),
  { name: "threshold-sweep", caption: "P(p50 horizon ≥ threshold) as the threshold moves; dashed: the verdict cut-offs." },
);

// %% [markdown]
// ### Bucket boundaries and weighting
// The level and its equivalent horizon under other bucket schemes (factor-2 and factor-8 spacing,
// METR's five time-horizon buckets) and with METR's inverse-square-root family weighting.

// %%
function geometricScheme(factor: number, count: number): BucketScheme {
  return Array.from({ length: count }, (_, k) => ({
    id: `b${k}`,
    label: `bucket ${k + 1}`,
    minMinutes: k === 0 ? 0 : factor ** k,
    maxMinutes: k === count - 1 ? Number.POSITIVE_INFINITY : factor ** (k + 1),
  }));
}
const schemes: { name: string; scheme: BucketScheme }[] = [
  { name: "default (×4, 7 buckets)", scheme: DEFAULT_BUCKETS },
  { name: "×2, 13 buckets", scheme: geometricScheme(2, 13) },
  { name: "×8, 5 buckets", scheme: geometricScheme(8, 5) },
];
const levelRows = schemes.flatMap(({ name, scheme }) =>
  (["equal", "invsqrt"] as const).flatMap((weighting) =>
    bucketScores(table, { scheme, weighting }).map((s) => ({
      scheme: name,
      weighting,
      agent: s.agent,
      level: s.level,
      horizon_hours: s.horizonHours,
    }))
  )
);
const levelThreshold = thresholds.find((t) => t.metric === "level_horizon");
const levelCut = levelThreshold ? (levelThreshold.unit === "hours" ? levelThreshold.value : levelThreshold.value / 60) : 4;
await display(
  aq.from(levelRows)
    .derive({ crosses: aq.escape((d: { horizon_hours: number }) => d.horizon_hours >= levelCut) })
    .groupby("agent")
    .pivot(["scheme", "weighting"], "horizon_hours")
    .orderby("agent"),
  { name: "level-horizon-by-scheme", caption: `Level-equivalent horizon (hours) by bucket scheme and weighting; the example threshold is ${levelCut} h` },
);

// %% [markdown]
// ### Task subsets and horizon weighting
// The p50 horizon re-estimated on task subsets: all tasks, without the AI R&D families, only families
// with at least three tasks, and two random halves of the families (seeded), each with METR's invsqrt
// weights and with equal task weights.

// %%
const families = [...new Set(table.array("task_family") as string[])].sort();
const taskFamily = new Map((table.objects() as { task_family: string; task_id: string }[]).map((r) => [r.task_id, r.task_family]));
const tasksPerFamily = new Map<string, number>();
for (const f of taskFamily.values()) tasksPerFamily.set(f, (tasksPerFamily.get(f) ?? 0) + 1);
const draw = rng(params.seed, 0);
const shuffled = [...families];
for (let i = shuffled.length - 1; i > 0; i--) {
  const j = Math.floor(draw() * (i + 1));
  [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
}
const half = new Set(shuffled.slice(0, Math.ceil(shuffled.length / 2)));
const subsets: { name: string; keep: (family: string) => boolean }[] = [
  { name: "all tasks", keep: () => true },
  { name: "without ai_rd_*", keep: (f) => !f.startsWith("ai_rd") },
  { name: "families with ≥3 tasks", keep: (f) => (tasksPerFamily.get(f) ?? 0) >= 3 },
  { name: "random half A", keep: (f) => half.has(f) },
  { name: "random half B", keep: (f) => !half.has(f) },
];
const horizonThreshold = thresholds.find((t) => t.metric === "p50_horizon")!;
const subsetRows = subsets.flatMap(({ name, keep }) => {
  const sub = table.filter(aq.escape((d: { task_family: string }) => keep(d.task_family)));
  return (["invsqrt", "equal"] as const).flatMap((w) => {
    const e = estimateMetrics(sub, { replicates: sweepReplicates, seed: params.seed, horizonWeighting: w });
    return verdicts(e, [horizonThreshold]).map((r) => ({
      subset: name,
      weighting: w,
      tasks: new Set(sub.array("task_id") as string[]).size,
      agent: r.agent,
      p50_hours: r.estimate,
      p_crossed: r.p_crossed,
      verdict: r.verdict,
    }));
  });
});
await display(
  aq.from(subsetRows).filter((d: { weighting: string }) => d.weighting === "invsqrt")
    .groupby("agent").pivot("subset", "verdict").orderby("agent"),
  { name: "subset-verdicts", caption: `Verdict on "${horizonThreshold.id}" by task subset (invsqrt weights, ${sweepReplicates} replicates)` },
);

// %%
await display(
  renderPlot({
    width: 760,
    height: 420,
    marginLeft: 170,
    x: {
      type: "log",
      label: "p50 horizon",
      grid: true,
      domain: [0.01, 20],
      clamp: true,
      ticks: [1 / 60, 5 / 60, 15 / 60, 0.5, 1, 2, 4, 8, 16],
      tickFormat: (h: number) => (h < 1 ? `${Math.round(h * 60)} min` : `${h} h`),
    },
    y: { label: null, domain: agentOrder },
    fy: { label: null },
    color: { legend: true },
    symbol: { legend: true },
    marks: [
      Plot.ruleX([horizonThreshold.unit === "hours" ? horizonThreshold.value : horizonThreshold.value / 60], { stroke: "red", strokeDasharray: "4,3" }),
      Plot.dot(subsetRows.filter((r) => (r.p50_hours ?? 0) > 0), { x: "p50_hours", y: "agent", stroke: "subset", symbol: "weighting", r: 4 }),
    ],
  }),
  { name: "recalibration-p50", caption: `p50 horizon per agent across task subsets and weightings; red: the "${horizonThreshold.id}" threshold.` },
);

// %%
const flips = aq.from(subsetRows).groupby("agent").rollup({ verdicts: aq.op.distinct("verdict") })
  .filter((d: { verdicts: number }) => d.verdicts > 1).array("agent") as string[];
await display(showMarkdown(
  flips.length === 0
    ? `No agent's verdict on "${horizonThreshold.id}" depends on the subset or weighting.`
    : `The verdict on "${horizonThreshold.id}" changes with the subset or weighting for **${flips.join(", ")}**: ` +
      `report it as sensitive to these choices.`,
));
