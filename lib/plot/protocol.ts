/**
 * Protocol figures: each agent's success-versus-level profile (bucket scores in bucket order: a profile
 * that tops out bends, a linear one is a red flag), and the verdict chart (each agent's estimate with its
 * interval against one threshold, plus the margin-adjusted estimate).
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { parseOptions } from "../core/options.ts";
import * as Plot from "../deps/plot.ts";
import type { AgentScore } from "../measure/score.ts";
import type { VerdictRow } from "../protocol/verdict.ts";
import { type Figure, renderPlot } from "./render.ts";

/** Options of {@link bucketProfileFigure}. */
export const BucketProfileFigureOptions = z.strictObject({
  /** Only these agents (default all). */
  agents: z.array(z.string()).readonly().optional(),
  /** Width in px. */
  width: z.number().positive().optional(),
  /** Height in px. */
  height: z.number().positive().optional(),
  /** Title above the chart. */
  title: z.string().optional(),
});
/** Options of {@link bucketProfileFigure}. */
export type BucketProfileFigureOptions = z.input<typeof BucketProfileFigureOptions>;

/** Options of {@link verdictFigure}. */
export const VerdictFigureOptions = z.strictObject({
  /** Width in px. */
  width: z.number().positive().optional(),
  /** Height in px. */
  height: z.number().positive().optional(),
  /** Log scale on x (default: yes for horizon thresholds). */
  logScale: z.boolean().optional(),
});
/** Options of {@link verdictFigure}. */
export type VerdictFigureOptions = z.input<typeof VerdictFigureOptions>;

/** Minutes as a short label: 30 s, 5 min, 2 h, 3 d. */
export function formatTime(minutes: number): string {
  const g = (v: number) => String(Number(v.toPrecision(2)));
  if (minutes < 1) return `${g(minutes * 60)} s`;
  if (minutes < 60) return `${g(minutes)} min`;
  if (minutes < 60 * 24) return `${g(minutes / 60)} h`;
  return `${g(minutes / 1440)} d`;
}

/** One point of the bucket profile. */
export interface ProfilePoint {
  /** The agent, as a value of the agent column. */
  agent: string;
  /** Bucket id. */
  bucket: string;
  /** Bucket label for the axis, e.g. `Under an hour`. */
  label: string;
  /** 1-based position of the bucket. */
  index: number;
  /** The agent's weighted mean score in the bucket, in [0, 1]. */
  score: number;
  /** Tasks the agent has scored runs on in the bucket. */
  tasks: number;
}

/** The profile points (buckets without tasks left out). */
export function bucketProfileData(scores: readonly AgentScore[], agents?: readonly string[]): ProfilePoint[] {
  return scores
    .filter((s) => !agents || agents.includes(s.agent))
    .flatMap((s) =>
      s.buckets.flatMap((b, i) =>
        b.score === null ? [] : [{
          agent: s.agent,
          bucket: b.bucket,
          label: b.label,
          index: i + 1,
          score: b.score,
          tasks: b.tasks,
        }]
      )
    );
}

/** Success per difficulty bucket, one line per agent. */
export function bucketProfileFigure(
  scores: readonly AgentScore[],
  options: BucketProfileFigureOptions = {},
): Figure {
  options = parseOptions(BucketProfileFigureOptions, options, "bucketProfileFigure");
  const data = bucketProfileData(scores, options.agents);
  const labels = new Map(data.map((d) => [d.index, d.label]));
  return renderPlot({
    title: options.title ?? "Success per difficulty bucket",
    width: options.width ?? 640,
    height: options.height ?? 360,
    x: {
      label: "Difficulty bucket",
      ticks: [...labels.keys()],
      tickFormat: (i: number) => labels.get(i) ?? "",
    },
    y: { label: "Bucket score", domain: [0, 1], grid: true },
    marginRight: 170,
    color: { legend: true },
    marks: [
      Plot.line(data, { x: "index", y: "score", stroke: "agent" }),
      Plot.dot(data, { x: "index", y: "score", stroke: "agent", r: 3, tip: true }),
      // Direct labels at each line's end (the SVG carries no separate legend).
      Plot.text(
        data,
        Plot.selectLast({
          x: "index",
          y: "score",
          z: "agent",
          text: "agent",
          fill: "agent",
          dx: 6,
          textAnchor: "start",
        }),
      ),
    ],
  });
}

/** Estimates with intervals against one threshold; hollow dots are the margin-adjusted estimates. */
export function verdictFigure(
  rows: readonly VerdictRow[],
  threshold: string,
  options: VerdictFigureOptions = {},
): Figure {
  options = parseOptions(VerdictFigureOptions, options, "verdictFigure");
  const data = rows.filter((r) => r.threshold === threshold && r.estimate !== null);
  if (data.length === 0) throw new Error(`verdictFigure: no estimable rows for threshold "${threshold}"`);
  const { value, unit, metric } = data[0];
  const horizon = unit === "hours" || unit === "minutes";
  const log = options.logScale ?? horizon;
  const positive = (v: number | null) => (v === null ? null : log ? Math.max(v, 1e-3) : v);
  const points = data.map((r) => ({
    agent: r.agent,
    estimate: positive(r.estimate),
    lower: positive(r.lower),
    upper: positive(r.upper),
    margin: positive(r.margin_estimate),
    verdict: r.verdict,
  }));
  return renderPlot({
    title: `${threshold}: ${metric} ${data[0].comparator} ${value} ${unit}`,
    width: options.width ?? 640,
    height: options.height ?? 40 + 28 * data.length,
    marginLeft: 170,
    marginRight: 90,
    x: {
      type: log ? "log" : "linear",
      label: `${metric} (${unit})`,
      grid: true,
      tickFormat: horizon ? (v: number) => formatTime(unit === "hours" ? v * 60 : v) : undefined,
    },
    y: { label: null },
    color: {
      domain: ["crossed", "uncertain", "not_crossed"],
      range: ["#c0392b", "#e6a23c", "#2e86c1"],
      legend: true,
    },
    marks: [
      Plot.ruleX([positive(value)], { stroke: "black", strokeDasharray: "4,3" }),
      Plot.ruleY(points.filter((p) => p.lower !== null && p.upper !== null), {
        y: "agent",
        x1: "lower",
        x2: "upper",
        stroke: "verdict",
      }),
      Plot.dot(points, { y: "agent", x: "margin", stroke: "gray", r: 3 }),
      Plot.dot(points, { y: "agent", x: "estimate", fill: "verdict", r: 4, tip: true }),
      Plot.text(points, {
        y: "agent",
        text: "verdict",
        fill: "verdict",
        frameAnchor: "right",
        textAnchor: "start",
        dx: 8,
      }),
    ],
  });
}
