/**
 * Power by simulation: for every design of a grid (tasks × epochs), the share of simulated evaluations
 * in which the question's own analysis gives a decisive and correct answer, with its Monte Carlo SE.
 *
 * {@link simulateDesigns} takes any list of designs and a per-simulation callback; the adaptive rule's
 * simulation (lib/plan/adaptive.ts `simulateAdaptive`) draws its evaluations the same way (`simulateBatch`
 * from rng(seed, i)) and reveals their runs round by round (see docs/planning.md).
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { parseOptions } from "../core/options.ts";
import { rng } from "../stats/rng.ts";
import { asResolved, type Assumptions, type ResolvedAssumptions, variantIndex } from "./assumptions.ts";
import {
  type CheckedQuestion,
  checkQuestion,
  type Question,
  questionTruth,
  questionVariants,
  type Side,
} from "./questions.ts";
import { type Answer, decide } from "./decide.ts";
import { type Design, type SimBatch, simulateBatch } from "./simulate.ts";

/** Options of {@link planPower}. */
export const PlanOptions = z.strictObject({
  /** Task counts of the grid. Default [10, 20, 40]. */
  tasks: z.array(z.number().int().min(2)).min(1).readonly().optional(),
  /** Epochs (runs per task and variant) of the grid. Default [1, 2, 4]. */
  epochs: z.array(z.number().int().positive()).min(1).readonly().optional(),
  /** Simulated evaluations per design. Default 200 (MCSE ≤ 3.5 points). */
  sims: z.number().int().positive().optional(),
  /** Seed: simulation i draws from rng(seed, i). Default 1. */
  seed: z.number().int().optional(),
  /** Power a design must reach to be recommended. Default 0.8. */
  targetPower: z.number().gt(0).lt(1).optional(),
  /**
   * Bootstrap replicates of each simulated analysis (`fast` mode). Default 200. Fewer replicates make the
   * interval's ends noisier and the answer a little more often decisive: at 100 replicates power came out
   * ~1.5 points above that at 1000 (docs/planning.md), at 200 under 1 point.
   */
  replicates: z.number().int().min(20).optional(),
  /** `fast` (default) or `full` (public analysis functions at their default replicates; slow). */
  analysis: z.enum(["fast", "full"]).optional(),
});
/** Options of {@link planPower}. */
export type PlanOptions = z.input<typeof PlanOptions>;

/** Power of one design. */
export interface DesignPower {
  tasks: number;
  epochs: number;
  /** Runs of the design: tasks × epochs × variants. */
  runs: number;
  /** runs × cost per run (summed over variants). */
  cost: number;
  /** P(decisive and correct). */
  power: number;
  /** Monte Carlo SE of `power`: sqrt(p(1 − p) / sims). */
  mcse: number;
  /** P(decisive) whatever the answer. */
  decisive: number;
  /** P(decisive and wrong). */
  wrong: number;
  sims: number;
}

/** Result of {@link planPower}. */
export interface PowerPlan {
  question: CheckedQuestion;
  /** True value under the assumptions (gap as a fraction, horizon in minutes) and its side. */
  truth: { value: number; side: Side };
  rows: DesignPower[];
  /** The cheapest design whose power reaches the target (ties: fewer runs, then fewer tasks); null if none. */
  recommended: DesignPower | null;
  targetPower: number;
  costUnit: string;
  sims: number;
  seed: number;
  replicates: number;
  analysis: "fast" | "full";
  /** Wall-clock seconds spent. */
  seconds: number;
}

/**
 * Run `each(batch, sim)` for `sims` simulated evaluations, each drawn at the largest of `designs` from
 * rng(seed, sim). The shared loop of the planner and the validation.
 */
export function simulateDesigns(
  a: ResolvedAssumptions,
  variants: readonly number[],
  designs: readonly Design[],
  sims: number,
  seed: number,
  each: (batch: SimBatch, sim: number) => void,
): void {
  const maxTasks = Math.max(...designs.map((d) => d.tasks));
  const maxEpochs = Math.max(...designs.map((d) => d.epochs));
  for (let i = 0; i < sims; i++) each(simulateBatch(a, variants, maxTasks, maxEpochs, rng(seed, i)), i);
}

/** The seed of simulation i's bootstrap (distinct per simulation, reproducible). */
export function analysisSeed(seed: number, sim: number): number {
  return ((seed * 1_000_003) ^ (sim * 7919 + 17)) | 0;
}

/** Cheapest design reaching `target` (ties: fewer runs, then fewer tasks), or null. */
export function recommend(rows: readonly DesignPower[], target: number): DesignPower | null {
  const ok = rows.filter((r) => r.power >= target);
  ok.sort((x, y) => x.cost - y.cost || x.runs - y.runs || x.tasks - y.tasks);
  return ok[0] ?? null;
}

/**
 * Estimate the power of every design of the grid for `question` under `assumptions`.
 * @throws OptionsError on a bad option, assumption or question; Error when the question names a variant
 *   without a curve, or a cost per run is missing for one.
 */
export function planPower(
  assumptions: Assumptions | ResolvedAssumptions,
  question: Question,
  options: PlanOptions = {},
): PowerPlan {
  const t0 = performance.now();
  const o = parseOptions(PlanOptions, options, "planPower");
  const a = asResolved(assumptions, "planPower assumptions");
  const q = checkQuestion(question, "planPower question");
  const names = questionVariants(q);
  const variants = names.map((n) => variantIndex(a, n));
  const perRun = variants.reduce((s, v) => s + a.costPerRun[v], 0);
  if (!Number.isFinite(perRun)) {
    throw new Error(
      `no cost per run for variant(s) ${
        names.filter((_, k) => !(a.costPerRun[variants[k]] >= 0)).join(", ")
      }`,
    );
  }
  const tasks = [...(o.tasks ?? [10, 20, 40])].sort((x, y) => x - y);
  const epochs = [...(o.epochs ?? [1, 2, 4])].sort((x, y) => x - y);
  const designs = tasks.flatMap((t) => epochs.map((e) => ({ tasks: t, epochs: e })));
  const sims = o.sims ?? 200, seed = o.seed ?? 1, replicates = o.replicates ?? 200;
  const analysis = o.analysis ?? "fast";
  const truth = questionTruth(a, q);
  const decisive = new Float64Array(designs.length), correct = new Float64Array(designs.length);
  simulateDesigns(a, variants, designs, sims, seed, (batch, i) => {
    designs.forEach((d, k) => {
      const ans: Answer = decide(q, batch, d, { analysis, replicates, seed: analysisSeed(seed, i) });
      if (ans.side === null) return;
      decisive[k]++;
      if (ans.side === truth.side) correct[k]++;
    });
  });
  const rows = designs.map((d, k): DesignPower => {
    const p = correct[k] / sims;
    return {
      tasks: d.tasks,
      epochs: d.epochs,
      runs: d.tasks * d.epochs * variants.length,
      cost: d.tasks * d.epochs * perRun,
      power: p,
      mcse: Math.sqrt(p * (1 - p) / sims),
      decisive: decisive[k] / sims,
      wrong: (decisive[k] - correct[k]) / sims,
      sims,
    };
  });
  const targetPower = o.targetPower ?? 0.8;
  return {
    question: q,
    truth,
    rows,
    recommended: recommend(rows, targetPower),
    targetPower,
    costUnit: a.costUnit,
    sims,
    seed,
    replicates,
    analysis,
    seconds: (performance.now() - t0) / 1000,
  };
}
