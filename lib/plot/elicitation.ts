/**
 * Elicitation figures: the gap against the number of variants tried (naive best-of-n rising with
 * selection optimism, cross-fitted beside it), and success against a token/time budget per variant.
 *
 * @module
 */
import * as Plot from "../deps/plot.ts";
import type { ColumnTable } from "../deps/arquero.ts";
import type { EffortPoint } from "../elicitation/effort.ts";
import type { BudgetPoint } from "../elicitation/budget.ts";
import { type Figure, renderPlot } from "./render.ts";
import { z } from "../deps/zod.ts";
import { parseOptions } from "../core/options.ts";

/** Size and title of a figure. */
const FigureSize = z.strictObject({
  /** Width in px. */
  width: z.number().positive().optional(),
  /** Height in px. */
  height: z.number().positive().optional(),
  /** Title above the chart. */
  title: z.string().optional(),
});
/** Options of {@link gapVsEffortFigure}. */
export const GapVsEffortFigureOptions = FigureSize;
/** Options of {@link gapVsEffortFigure}. */
export type GapVsEffortFigureOptions = z.input<typeof GapVsEffortFigureOptions>;
/** Options of {@link budgetCurveFigure}. */
export const BudgetCurveFigureOptions = FigureSize.extend({
  /** The budget's unit for the x label (`tokens`, `actions`, `seconds`, `usd`). Default `tokens`. */
  resource: z.string().optional(),
});
/** Options of {@link budgetCurveFigure}. */
export type BudgetCurveFigureOptions = z.input<typeof BudgetCurveFigureOptions>;

/** Gap versus variants tried: naive and cross-fitted. */
export function gapVsEffortFigure(
  points: readonly EffortPoint[],
  options: GapVsEffortFigureOptions = {},
): Figure {
  options = parseOptions(GapVsEffortFigureOptions, options, "gapVsEffortFigure");
  const data = points.flatMap((p) => [
    ...(p.naive_gap === null ? [] : [{ n: p.variants_tried, gap: p.naive_gap, estimate: "naive best-of-n" }]),
    ...(p.crossfit_gap === null
      ? []
      : [{ n: p.variants_tried, gap: p.crossfit_gap, estimate: "cross-fitted" }]),
  ]);
  return renderPlot({
    title: options.title ?? "Elicitation gap vs variants tried",
    width: options.width ?? 560,
    height: options.height ?? 340,
    x: { label: "Variants tried", ticks: points.map((p) => p.variants_tried) },
    y: { label: "Gap over baseline (success rate)", grid: true },
    color: { legend: true },
    marks: [
      Plot.ruleY([0]),
      Plot.line(data, { x: "n", y: "gap", stroke: "estimate" }),
      Plot.dot(data, { x: "n", y: "gap", stroke: "estimate", tip: true }),
    ],
  });
}

/** Success rate against budget, one line per variant (log-scaled budget). */
export function budgetCurveFigure(
  curve: ColumnTable | readonly BudgetPoint[],
  options: BudgetCurveFigureOptions = {},
): Figure {
  options = parseOptions(BudgetCurveFigureOptions, options, "budgetCurveFigure");
  const data = (Array.isArray(curve) ? curve : (curve as ColumnTable).objects()) as BudgetPoint[];
  const positive = data.filter((d) => d.budget > 0);
  return renderPlot({
    title: options.title ?? "Success vs budget",
    width: options.width ?? 560,
    height: options.height ?? 340,
    x: { type: "log", label: `Budget (${options.resource ?? "tokens"})`, grid: true },
    y: { label: "Success rate", domain: [0, 1], grid: true },
    color: { legend: true },
    marks: [
      Plot.line(positive, { x: "budget", y: "success_rate", stroke: "variant", curve: "step-after" }),
      Plot.dot(positive, { x: "budget", y: "success_rate", stroke: "variant", r: 2, tip: true }),
    ],
  });
}
