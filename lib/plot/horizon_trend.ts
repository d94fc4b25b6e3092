/**
 * Horizon against release date on a log axis: one dot per agent with its bootstrap interval, labelled, and
 * the fitted exponential trend with its doubling time.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { parseOptions } from "../core/options.ts";
import * as Plot from "../deps/plot.ts";
import { type HorizonTrend, trendAt } from "../stats/doubling_time.ts";
import { type Figure, renderPlot } from "./render.ts";
import { formatMinutes } from "./success_curve.ts";
import { estimateTextWidth } from "./compose.ts";

/** Options of {@link horizonTrendFigure}. */
export const HorizonTrendOptions = z.strictObject({
  /** Interval per agent (e.g. `bootstrapHorizons(...).summary[i].intervals.p50`), in minutes. */
  intervals: z.record(z.string(), z.object({ low: z.number(), high: z.number() })).optional(),
  /** Width in px. */
  width: z.number().positive().optional(),
  /** Height in px. */
  height: z.number().positive().optional(),
  /** Title; default "Time horizon by release date". */
  title: z.string().optional(),
  /** Subtitle; default the doubling time with its interval. */
  subtitle: z.string().optional(),
  /** Caption under the chart; default none. */
  caption: z.string().optional(),
  /** Y label. Default "Time horizon at 50% success (minutes)". */
  yLabel: z.string().optional(),
});
/** Options of {@link horizonTrendFigure}. */
export type HorizonTrendOptions = z.input<typeof HorizonTrendOptions>;

/** Render the horizon-vs-release-date trend. */
export function horizonTrendFigure(trend: HorizonTrend, options: HorizonTrendOptions = {}): Figure {
  options = parseOptions(HorizonTrendOptions, options, "horizonTrendFigure");
  const pts = trend.points.map((p) => ({
    ...p,
    low: options.intervals?.[p.agent]?.low ?? NaN,
    high: options.intervals?.[p.agent]?.high ?? NaN,
  }));
  const bars = pts.filter((p) => p.low > 0 && p.high > 0 && Number.isFinite(p.high));
  const dates = pts.map((p) => p.date.getTime());
  const t0 = new Date(Math.min(...dates)), t1 = new Date(Math.max(...dates));
  const line = Array.from({ length: 50 }, (_, k) => {
    const date = new Date(t0.getTime() + (t1.getTime() - t0.getTime()) * (k / 49));
    return { date, horizon: trendAt(trend, date) };
  });
  // Keep the axis on the points: intervals reaching far below are clipped at a tenth of the smallest point.
  const hs = pts.map((p) => p.horizon);
  const yMin = Math.min(...hs) / 10, yMax = Math.max(...hs, ...bars.map((b) => b.high)) * 2;
  const dt = Number.isFinite(trend.doublingMonths) ? trend.doublingMonths.toFixed(1) : "∞";
  const ci = Number.isFinite(trend.low)
    ? ` (${trend.low.toFixed(1)}–${Number.isFinite(trend.high) ? trend.high.toFixed(1) : "∞"})`
    : "";
  // Point labels start 6 px right of their dot: make the right margin wide enough for the labels of the
  // latest agents (a label like "Claude 3.5 Sonnet (New)" at the last date was cut to "Cla").
  const width = options.width ?? 720, marginLeft = 72;
  const span = Math.max(1, t1.getTime() - t0.getTime());
  let marginRight = 20;
  for (let pass = 0; pass < 3; pass++) {
    const inner = width - marginLeft - marginRight;
    const need = Math.max(
      20,
      ...pts.map((p) =>
        ((p.date.getTime() - t0.getTime()) / span) * inner + 6 + estimateTextWidth(p.agent, 9) + 4 - inner
      ),
    );
    marginRight = Math.min(Math.ceil(need), Math.floor(width / 2));
  }
  return renderPlot({
    title: options.title ?? "Time horizon by release date",
    subtitle: options.subtitle ?? `Doubling time ${dt} months${ci}`,
    ...(options.caption ? { caption: options.caption } : {}),
    width,
    height: options.height ?? 420,
    marginLeft,
    marginRight,
    x: { type: "utc", label: "Release date", grid: true },
    y: {
      type: "log",
      domain: [yMin, yMax],
      clamp: true,
      labelAnchor: "center",
      label: options.yLabel ?? "Time horizon at 50% success",
      grid: true,
      tickFormat: (d: number) => formatMinutes(d),
      ticks: 6,
    },
    marks: [
      Plot.line(line, { x: "date", y: "horizon", stroke: "gray", strokeDasharray: "6,4" }),
      Plot.ruleX(bars, {
        x: "date",
        y1: (b) => Math.max(b.low, yMin),
        y2: (b) => Math.min(b.high, yMax),
        stroke: "steelblue",
        strokeOpacity: 0.6,
      }),
      Plot.dot(pts, {
        x: "date",
        y: "horizon",
        fill: "steelblue",
        r: 4,
        title: (p) => `${p.agent}: ${formatMinutes(p.horizon)}`,
      }),
      Plot.text(pts, { x: "date", y: "horizon", text: "agent", dx: 6, textAnchor: "start", fontSize: 9 }),
    ],
  });
}
