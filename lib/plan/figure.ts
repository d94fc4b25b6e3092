/**
 * The planner's figure: power against the number of tasks, one line per epoch count, with ±1.96 MCSE
 * bars, the target power as a rule and the recommended design ringed.
 *
 * @module
 */
import * as Plot from "../deps/plot.ts";
import { type Figure, renderPlot } from "../plot/render.ts";
import { z } from "../deps/zod.ts";
import { parseOptions } from "../core/options.ts";
import type { PowerPlan } from "./power.ts";
import { describeQuestion } from "./questions.ts";

/** Options of {@link powerFigure}. */
export const PowerFigureOptions = z.strictObject({
  width: z.number().positive().optional(),
  height: z.number().positive().optional(),
  /** Title above the chart. Default: the question. */
  title: z.string().optional(),
});
/** Options of {@link powerFigure}. */
export type PowerFigureOptions = z.input<typeof PowerFigureOptions>;

/** Power vs tasks per epoch count (simulated; the caption says so). */
export function powerFigure(plan: PowerPlan, options: PowerFigureOptions = {}): Figure {
  const o = parseOptions(PowerFigureOptions, options, "powerFigure");
  const data = plan.rows.map((r) => ({
    tasks: r.tasks,
    power: r.power,
    lo: Math.max(0, r.power - 1.96 * r.mcse),
    hi: Math.min(1, r.power + 1.96 * r.mcse),
    epochs: `${r.epochs} epoch${r.epochs === 1 ? "" : "s"}`,
  }));
  const rec = plan.recommended;
  return renderPlot({
    title: o.title ?? `Power: ${describeQuestion(plan.question)}`,
    subtitle: `${plan.sims} simulated evaluations per design; target ${plan.targetPower}`,
    caption: `Simulated from the assumptions (not measurements). Power = share of simulated ` +
      `evaluations whose analysis gives a decisive and correct answer; bars ±1.96 Monte Carlo SE.` +
      (rec
        ? ` Ringed: cheapest design reaching the target (${rec.tasks} tasks × ${rec.epochs} epoch${
          rec.epochs === 1 ? "" : "s"
        }).`
        : ""),
    width: o.width ?? 600,
    height: o.height ?? 360,
    x: { label: "Tasks", type: "log", ticks: [...new Set(plan.rows.map((r) => r.tasks))], tickFormat: "d" },
    y: { label: "Power", domain: [0, 1], grid: true },
    color: { legend: true, label: "Epochs" },
    marks: [
      Plot.ruleY([plan.targetPower], { stroke: "currentColor", strokeDasharray: "4 3" }),
      Plot.ruleX(data, { x: "tasks", y1: "lo", y2: "hi", stroke: "epochs", strokeOpacity: 0.5 }),
      Plot.line(data, { x: "tasks", y: "power", stroke: "epochs" }),
      Plot.dot(data, { x: "tasks", y: "power", fill: "epochs", r: 3, tip: true }),
      ...(rec
        ? [Plot.dot([rec], { x: "tasks", y: "power", r: 8, stroke: "currentColor", fill: "none" })]
        : []),
    ],
  });
}
