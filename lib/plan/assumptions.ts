/**
 * What a power calculation assumes about the evaluation to come: each variant's success curve, the task
 * lengths, and how much tasks, families and runs vary beyond the curve. One zod schema, so an assumptions
 * file (`deno task plan --assume file.json`) is checked like every analysis option.
 *
 * The generative model ({@link resolveAssumptions} normalises to it; `simulate.ts` draws from it):
 *
 * ```
 * logit P(success of variant v on task t, run e) =
 *   intercept[v] + slope[v] · log2(minutes[t]) + family effect[f(t)] + task effect[t]
 *   + variant-task effect[v, t] + run effect[v, t, e]
 * ```
 *
 * with independent normal effects of SD `familySd`, `taskSd`, `variantTaskSd`, `runSd`. The family and
 * task effects are shared by all variants (that is what pairing exploits); the variant-task effect is not.
 * The curves are *conditional* on the effects being 0 (a typical task); the p50 horizon is the same for the
 * population-averaged curve, since the effects are symmetric about 0.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { parseOptions } from "../core/options.ts";

/** A variant's success curve: logistic in log2 minutes, as intercept + slope or as a p50 horizon + slope. */
export const Curve = z.union([
  z.strictObject({
    /** Logit of success at a 1-minute task. */
    intercept: z.number().finite(),
    /** Change of the logit per doubling of task length (negative: longer tasks are harder). */
    slope: z.number().finite(),
  }),
  z.strictObject({
    /** Task length (minutes) at which the variant succeeds half the time. */
    p50Minutes: z.number().positive().finite(),
    /** Change of the logit per doubling of task length; must be negative. */
    slope: z.number().negative().finite(),
  }),
]);
/** A variant's success curve. */
export type Curve = z.infer<typeof Curve>;

/** Options of the assumptions (see the module comment for the model). */
export const Assumptions = z.strictObject({
  /** Success curve per variant (or agent), keyed by its name. At least one. */
  curves: z.record(z.string().min(1), Curve).refine((c) => Object.keys(c).length > 0, {
    message: "needs at least one curve",
  }),
  /**
   * Lengths (human minutes) of the tasks a design draws from: each task of a simulated evaluation gets a
   * length drawn from this list at random (with replacement: the tasks of a future suite as a sample from
   * the population of such tasks, which is what the analysis' task bootstrap assumes).
   */
  taskMinutes: z.array(z.number().positive().finite()).min(1),
  /** SD of the per-task effect on the logit, shared by all variants. Default 0. */
  taskSd: z.number().nonnegative().finite().optional(),
  /** SD of the per-(variant, task) effect on the logit (the variants disagree about a task). Default 0. */
  variantTaskSd: z.number().nonnegative().finite().optional(),
  /** SD of the per-family effect on the logit, shared by all variants. Default 0. */
  familySd: z.number().nonnegative().finite().optional(),
  /** Tasks per family in a simulated evaluation (the last family may be smaller). Default 1. */
  tasksPerFamily: z.number().int().positive().optional(),
  /**
   * SD of a per-run effect on the logit (epochs differ beyond the binomial draw). Default 0; a pilot of
   * binary outcomes cannot tell it from the curve, so {@link assumptionsFromPilot} leaves it at 0.
   */
  runSd: z.number().nonnegative().finite().optional(),
  /** Cost of one run (any unit: dollars, tokens, minutes), per variant or one number for all. Default 1. */
  costPerRun: z.union([z.number().nonnegative().finite(), z.record(z.string(), z.number().nonnegative())])
    .optional(),
  /** Unit of `costPerRun`, for labels. Default "runs" when no cost is given, else "cost". */
  costUnit: z.string().optional(),
  /** Where these numbers came from (a pilot file, a guess, …), carried into reports. */
  source: z.string().optional(),
});
/** Assumptions of a power calculation. */
export type Assumptions = z.input<typeof Assumptions>;

/** Assumptions with every default filled in and curves as intercept + slope. */
export interface ResolvedAssumptions {
  variants: string[];
  intercept: Float64Array;
  slope: Float64Array;
  taskMinutes: Float64Array;
  taskSd: number;
  variantTaskSd: number;
  familySd: number;
  tasksPerFamily: number;
  runSd: number;
  /** Cost of one run per variant (same order as `variants`). */
  costPerRun: Float64Array;
  costUnit: string;
  source: string | null;
}

/** The intercept of a curve (converting a p50 horizon: intercept = −slope · log2(p50)). */
export function curveIntercept(c: Curve): number {
  return "intercept" in c ? c.intercept : -c.slope * Math.log2(c.p50Minutes);
}

/** A curve's p50 horizon in minutes (∞ or 0 for a flat curve, by the sign of the intercept). */
export function curveP50(c: Curve): number {
  const a = curveIntercept(c);
  if (c.slope === 0) return a >= 0 ? Infinity : 0;
  return 2 ** (-a / c.slope);
}

/** Assumptions already resolved are used as they are; others are validated ({@link resolveAssumptions}). */
export function asResolved(assumptions: Assumptions | ResolvedAssumptions, fn: string): ResolvedAssumptions {
  return "intercept" in assumptions && assumptions.intercept instanceof Float64Array
    ? assumptions as ResolvedAssumptions
    : resolveAssumptions(assumptions, fn);
}

/**
 * Validate assumptions and fill in the defaults.
 * @throws OptionsError naming each bad field (fn = `fn`, default "assumptions").
 */
export function resolveAssumptions(input: unknown, fn = "assumptions"): ResolvedAssumptions {
  const a = parseOptions(Assumptions, input, fn);
  const variants = Object.keys(a.curves);
  const cost = a.costPerRun;
  return {
    variants,
    intercept: Float64Array.from(variants, (v) => curveIntercept(a.curves[v])),
    slope: Float64Array.from(variants, (v) => a.curves[v].slope),
    taskMinutes: Float64Array.from(a.taskMinutes),
    taskSd: a.taskSd ?? 0,
    variantTaskSd: a.variantTaskSd ?? 0,
    familySd: a.familySd ?? 0,
    tasksPerFamily: a.tasksPerFamily ?? 1,
    runSd: a.runSd ?? 0,
    costPerRun: Float64Array.from(
      variants,
      (v) => typeof cost === "number" ? cost : cost === undefined ? 1 : cost[v] ?? NaN,
    ),
    costUnit: a.costUnit ?? (cost === undefined ? "runs" : "cost"),
    source: a.source ?? null,
  };
}

/** Index of `name` among the assumptions' variants. @throws Error naming the known variants. */
export function variantIndex(a: ResolvedAssumptions, name: string): number {
  const i = a.variants.indexOf(name);
  if (i < 0) throw new Error(`no curve for variant "${name}" (known: ${a.variants.join(", ")})`);
  return i;
}
