/**
 * Success probability against task length for one agent: the weighted empirical rate per duration bucket
 * (dots), the fitted logistic curve (line), its bootstrap band, and the p50 horizon (dashed rule).
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { parseOptions } from "../core/options.ts";
import * as Plot from "../deps/plot.ts";
import type { AgentHorizon } from "../stats/agent_horizons.ts";
import type { BootstrapHorizons } from "../stats/bootstrap_horizons.ts";
import { sigmoid } from "../stats/fit_logistic.ts";
import { horizonMinutes } from "../stats/horizon.ts";
import { quantiles } from "../stats/quantile.ts";
import { type Figure, renderPlot } from "./render.ts";

/** The numbers behind the figure (pure; handy for tests and other renderers). */
export interface SuccessCurveData {
  /** The agent, as a value of the agent column. */
  agent: string;
  /** Curve on a log-spaced grid: fitted probability and (with a bootstrap) the band. */
  curve: { minutes: number; p: number; low: number; high: number }[];
  /** Empirical weighted success rate per bucket, placed at the bucket's geometric midpoint. */
  buckets: { bucket: string; minutes: number; rate: number; runs: number }[];
  /** p50 horizon in minutes. */
  p50: number;
}

/** Options of {@link successCurveFigure} and {@link successCurveData}. */
export const SuccessCurveOptions = z.strictObject({
  /** Grid range in minutes. Default [0.5, 2000]. */
  domain: z.tuple([z.number().positive(), z.number().positive()]).readonly().optional(),
  /** Grid points. Default 120. */
  points: z.number().int().min(2).optional(),
  /** Band quantiles. Default the bootstrap's interval. */
  band: z.tuple([z.number().min(0).max(1), z.number().min(0).max(1)]).readonly().optional(),
  /** Width in px. */
  width: z.number().positive().optional(),
  /** Height in px. */
  height: z.number().positive().optional(),
  /** Title above the chart; default "<agent>: success vs task length". */
  title: z.string().optional(),
  /** Subtitle under the title; default none. */
  subtitle: z.string().optional(),
  /** Caption under the chart; default none. */
  caption: z.string().optional(),
  /** Legend naming the curve, the bucket dots and the p50 rule; default true. */
  legend: z.boolean().optional(),
});
/** Options of {@link successCurveFigure}. */
export type SuccessCurveOptions = z.input<typeof SuccessCurveOptions>;

/** Legend entries of the success-curve figure, with their colours. */
export const SUCCESS_CURVE_KEYS = {
  fitted: { label: "fitted logistic (band: bootstrap interval)", color: "steelblue" },
  buckets: { label: "weighted success rate per length bucket", color: "black" },
  p50: { label: "p50 horizon", color: "crimson" },
} as const;

/** Compute the curve, band and bucket dots for `agent` from point estimates or a bootstrap. */
export function successCurveData(
  source: BootstrapHorizons | readonly AgentHorizon[],
  agent: string,
  options: SuccessCurveOptions = {},
): SuccessCurveData {
  options = parseOptions(SuccessCurveOptions, options, "successCurveData");
  const boot = "point" in source ? source as BootstrapHorizons : null;
  const points = boot ? boot.point : source as readonly AgentHorizon[];
  const g = points.findIndex((p) => p.agent === agent);
  if (g < 0) {
    throw new Error(
      `successCurveData: unknown agent "${agent}" (known: ${points.map((p) => p.agent).join(", ")})`,
    );
  }
  const p = points[g];
  const [d0, d1] = options.domain ?? [0.5, 2000];
  const n = options.points ?? 120;
  const band = options.band ?? boot?.interval ?? [0.1, 0.9];
  const curve: SuccessCurveData["curve"] = [];
  const draws = boot ? new Float64Array(boot.replicates) : null;
  for (let k = 0; k < n; k++) {
    const minutes = d0 * (d1 / d0) ** (k / (n - 1));
    const x = Math.log2(minutes);
    const fitted = p.degenerate === "all-fail"
      ? 0
      : p.degenerate === "all-success"
      ? 1
      : sigmoid(p.intercept + p.coefficient * x);
    let low = NaN, high = NaN;
    if (boot && draws) {
      const a = boot.intercepts[g], b = boot.coefficients[g];
      for (let r = 0; r < draws.length; r++) {
        draws[r] = Number.isNaN(a[r]) ? NaN : b[r] === -Infinity ? 0 : sigmoid(a[r] + b[r] * x);
      }
      [low, high] = quantiles(draws, band);
    }
    curve.push({ minutes, p: fitted, low, high });
  }
  const buckets = p.buckets.filter((b) => b.runs > 0).map((b) => ({
    bucket: b.bucket,
    minutes: Math.sqrt(Math.max(b.minMinutes, 1e-9) * b.maxMinutes),
    rate: b.rate,
    runs: b.runs,
  }));
  return { agent, curve, buckets, p50: horizonMinutes(p, 0.5) };
}

/** The success-vs-length figure for one agent. */
export function successCurveFigure(
  source: BootstrapHorizons | readonly AgentHorizon[],
  agent: string,
  options: SuccessCurveOptions = {},
): Figure {
  options = parseOptions(SuccessCurveOptions, options, "successCurveFigure");
  const d = successCurveData(source, agent, options);
  const [d0, d1] = options.domain ?? [0.5, 2000];
  const hasBand = d.curve.some((c) => !Number.isNaN(c.low));
  const p50Shown = d.p50 >= d0 && d.p50 <= d1;
  const keys = [
    SUCCESS_CURVE_KEYS.fitted,
    SUCCESS_CURVE_KEYS.buckets,
    ...(p50Shown ? [SUCCESS_CURVE_KEYS.p50] : []),
  ];
  return renderPlot({
    title: options.title ?? `${agent}: success vs task length`,
    ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    ...(options.caption ? { caption: options.caption } : {}),
    width: options.width ?? 640,
    height: options.height ?? 360,
    color: {
      domain: keys.map((k) => k.label),
      range: keys.map((k) => k.color),
      legend: options.legend ?? true,
    },
    x: {
      type: "log",
      domain: [d0, d1],
      label: "Time for a skilled human",
      grid: true,
      ...minuteAxis([d0, d1]).scale,
    },
    marginLeft: 56,
    y: { domain: [0, 1], label: "Success probability", grid: true, labelAnchor: "center" },
    marks: [
      minuteAxis([d0, d1]).mark,
      ...(hasBand
        ? [Plot.areaY(d.curve, { x: "minutes", y1: "low", y2: "high", fill: "steelblue", fillOpacity: 0.2 })]
        : []),
      Plot.line(d.curve, { x: "minutes", y: "p", stroke: "steelblue", strokeWidth: 2 }),
      Plot.dot(d.buckets, {
        x: "minutes",
        y: "rate",
        fill: "black",
        r: 4,
        title: (b) => `${b.bucket}: ${b.runs} runs`,
      }),
      ...(p50Shown
        ? [
          Plot.ruleX([d.p50], { stroke: "crimson", strokeDasharray: "4,3" }),
          Plot.text([d.p50], {
            x: (v: number) => v,
            y: 0.97,
            text: (v: number) => `p50 = ${formatMinutes(v)}`,
            dx: 4,
            textAnchor: "start",
            fill: "crimson",
          }),
        ]
        : []),
    ],
  });
}

/**
 * Ticks for a log axis in minutes at human-friendly steps (1 s … 1 week) inside `domain`.
 */
export function minuteTicks([lo, hi]: [number, number]): number[] {
  return [1 / 60, 10 / 60, 1, 4, 15, 60, 240, 960, 3840, 10080].filter((t) => t >= lo && t <= hi);
}

/**
 * A horizontal log axis in minutes labelled "10 s", "15 min", "4 h" (instead of SI "500m"): spread the
 * returned `scale` into the `x` scale options and add `mark` to the marks. The labels are drawn as a text
 * mark because Plot thins out the labels of explicit ticks on log scales.
 */
export function minuteAxis(
  domain: [number, number],
): { scale: { ticks: number[]; tickFormat: () => string }; mark: Plot.Markish } {
  const ticks = minuteTicks(domain);
  return {
    scale: { ticks, tickFormat: () => "" },
    mark: Plot.text(ticks, {
      x: (d: number) => d,
      text: formatMinutes,
      frameAnchor: "bottom",
      dy: 12,
      lineAnchor: "top",
    }),
  };
}

/** "42 min", "3.1 h", "12 s". */
export function formatMinutes(m: number): string {
  if (!Number.isFinite(m)) return String(m);
  if (m < 1) return `${+(m * 60).toPrecision(2)} s`;
  if (m < 120) return `${+m.toPrecision(3)} min`;
  return `${+(m / 60).toPrecision(3)} h`;
}

/** A title drawn inside the SVG (Plot's own `title` option lives outside it, in an HTML wrapper). */
export function titleMark(title: string, subtitle: string | undefined, marginTop: number): Plot.Markish {
  return Plot.text([subtitle ? `${title}\n${subtitle}` : title], {
    frameAnchor: "top-left",
    dy: -marginTop + 4,
    dx: -50,
    textAnchor: "start",
    lineAnchor: "top",
    fontSize: 12,
    fontWeight: "bold",
  });
}
