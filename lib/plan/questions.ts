/**
 * The questions a plan is for, and what counts as a decisive and a correct answer to each.
 *
 * Every question compares an estimate with a cut-off `c` (a gap Δ, a horizon threshold, a protocol
 * threshold): the analysis answers `above` or `below` when its interval (or verdict) excludes `c`, else
 * nothing (undecided). The truth under the assumptions is `above`, `below`, or `at` (exactly at the
 * cut-off: then every decisive answer is a false one). Power = P(decisive and correct).
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { parseOptions } from "../core/options.ts";
import { Comparator, type Threshold } from "../protocol/thresholds.ts";
import { type ResolvedAssumptions, variantIndex } from "./assumptions.ts";
import { trueGap, trueP50 } from "./truth.ts";

const interval = z.number().gt(0).lt(1).optional();

/** A question (discriminated on `question`). */
export const Question = z.discriminatedUnion("question", [
  z.strictObject({
    /** Is the paired success-rate gap of `a` over `b` above `delta` (success-rate points, 0.1 = 10)? */
    question: z.literal("gap"),
    a: z.string().min(1),
    b: z.string().min(1),
    /** Cut-off on the gap, as a fraction. Default 0 (does the interval exclude 0?). */
    delta: z.number().gt(-1).lt(1).optional(),
    /** Width of the central interval (the analysis' default 0.8). */
    interval,
  }),
  z.strictObject({
    /** Is the agent's p50 time horizon above (or below) `threshold` minutes? */
    question: z.literal("horizon"),
    agent: z.string().min(1),
    threshold: z.number().positive().finite(),
    /** The side the researcher asks about (labels only: either decisive answer counts when correct). */
    direction: z.enum(["above", "below"]).optional(),
    /** Width of the central interval (bootstrapHorizons' default 0.8: 10th–90th percentile). */
    interval,
  }),
  z.strictObject({
    /** Protocol verdict on the p50 horizon: `crossed` / `not_crossed` with P ≥ `confidence`. */
    question: z.literal("verdict"),
    agent: z.string().min(1),
    comparator: Comparator.optional(),
    /** Threshold value in `unit`. */
    value: z.number().positive().finite(),
    unit: z.enum(["minutes", "hours"]).optional(),
    /** P(crossed) needed for `crossed` (and 1 − it for `not_crossed`). Default 0.9, as `verdicts`. */
    confidence: z.number().gt(0.5).lt(1).optional(),
  }),
]);
/** A question. */
export type Question = z.input<typeof Question>;
/** A checked question. */
export type CheckedQuestion = z.output<typeof Question>;

/** `above` / `below` the cut-off, or `at` it (the truth only). */
export type Side = "above" | "below" | "at";

/** Validate a question. @throws OptionsError naming the bad field. */
export function checkQuestion(q: unknown, fn = "question"): CheckedQuestion {
  return parseOptions(Question, q, fn);
}

/** Variants (names) a question needs, in the order the simulated runs list them. */
export function questionVariants(q: CheckedQuestion): string[] {
  return q.question === "gap" ? [q.a, q.b] : [q.agent];
}

/** The cut-off in the estimate's unit: success-rate fraction, or minutes. */
export function cutoff(q: CheckedQuestion): number {
  if (q.question === "gap") return q.delta ?? 0;
  if (q.question === "horizon") return q.threshold;
  return q.unit === "hours" ? q.value * 60 : q.value;
}

/** The protocol threshold a verdict question asks about (p50 horizon against its value). */
export function verdictThreshold(
  q: Extract<CheckedQuestion, { question: "verdict" }>,
  meaning: string,
): Threshold {
  return {
    id: "plan",
    metric: "p50_horizon",
    comparator: q.comparator ?? ">=",
    value: q.value,
    unit: q.unit ?? "minutes",
    meaning,
  };
}

/** Whether `above` means the verdict's `crossed` (comparator `>=`/`>`, the default) or `not_crossed`. */
export function crossedIsAbove(q: CheckedQuestion): boolean {
  return q.question !== "verdict" || !(q.comparator === "<" || q.comparator === "<=");
}

/** The true value (gap fraction or p50 minutes) and its side of the cut-off under the assumptions. */
export function questionTruth(a: ResolvedAssumptions, q: CheckedQuestion): { value: number; side: Side } {
  const value = q.question === "gap"
    ? trueGap(a, variantIndex(a, q.a), variantIndex(a, q.b))
    : trueP50(a, variantIndex(a, q.agent));
  const c = cutoff(q);
  const tol = 1e-9 * Math.max(1, Math.abs(c));
  return { value, side: Math.abs(value - c) <= tol ? "at" : value > c ? "above" : "below" };
}

/** One line describing the question. */
export function describeQuestion(q: CheckedQuestion): string {
  if (q.question === "gap") {
    const d = q.delta ?? 0;
    return `gap "${q.a}" − "${q.b}" in success rate vs ${fmtPoints(d)} (${
      pct(q.interval ?? 0.8)
    } paired interval)`;
  }
  if (q.question === "horizon") {
    return `p50 horizon of "${q.agent}" ${q.direction ?? "above"} ${q.threshold} min (${
      pct(q.interval ?? 0.8)
    } bootstrap interval)`;
  }
  return `verdict: p50 horizon of "${q.agent}" ${q.comparator ?? ">="} ${q.value} ${q.unit ?? "minutes"}` +
    ` with P ≥ ${q.confidence ?? 0.9}`;
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

function fmtPoints(d: number): string {
  return `${Math.round(d * 1000) / 10} points`;
}
