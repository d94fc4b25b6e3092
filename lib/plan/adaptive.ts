/**
 * Adaptive allocation (`deno task eval --until-settled`), the pure part: given the runs so far, is the
 * question settled at this look (the stopping rule of lib/plan/stopping.ts applied through the question's
 * own analysis), and which task × variant cells get one more epoch next, each with the reason it was chosen.
 *
 * Allocation rule (deterministic given the runs and the seed; a task's own outcomes enter its priority only
 * through the pooled fit of the current look):
 * - `horizon`, `verdict`: priority = p̂(x)(1 − p̂(x)) / (1 + epochs so far), p̂ the agent's current fitted
 *   success curve at the task's log2 length x — the Fisher information of one run about the curve near the
 *   current p50 estimate, shared over the task's runs so far: tasks whose length is nearest the current
 *   horizon estimate and least sampled come first. Before any fit (no runs, or all runs with one outcome),
 *   the curve is centred on the question's cut-off with slope −0.9 per doubling.
 * - `gap`: tasks with the fewest paired epochs first (new tasks add the between-task information the paired
 *   bootstrap resamples), then the largest predicted disagreement p̂_a(1 − p̂_b) + p̂_b(1 − p̂_a) between the
 *   two variants' current fitted curves at the task's length; both variants of a task are run together.
 * - ties: a seeded hash of the task id.
 *
 * @module
 */
import { agentHorizons } from "../stats/agent_horizons.ts";
import type { RunColumns } from "../stats/run_columns.ts";
import { rng } from "../stats/rng.ts";
import { type Answer, decideColumns } from "./decide.ts";
import {
  type CheckedQuestion,
  checkQuestion,
  cutoff,
  type Question,
  questionTruth,
  questionVariants,
} from "./questions.ts";
import { lookAlpha, nominalAlpha, questionAtLook, type Spending } from "./stopping.ts";
import { asResolved, type Assumptions, type ResolvedAssumptions, variantIndex } from "./assumptions.ts";
import { batchColumns, type SimBatch, simulateBatch } from "./simulate.ts";
import { analysisSeed } from "./power.ts";

/** A task that can be allocated. */
export interface CandidateTask {
  id: string;
  /** Skilled-human minutes. */
  minutes: number;
}

/** A variant's current fitted curve: P(success) = σ(intercept + slope · log2 minutes). */
export interface CurrentCurve {
  intercept: number;
  slope: number;
}

/** One allocated task: one more epoch of each of `variants` on `task`. */
export interface Pick {
  task: string;
  variants: string[];
  /** Epochs of the task (per variant, the fewest) before this round. */
  epochsBefore: number;
  /** Why it was chosen. */
  reason: string;
  /** Its priority under the rule (larger first). */
  priority: number;
}

/** Options of {@link allocate}. */
export interface AllocateOptions {
  /** Cells (task × variant runs) this round; a gap pick takes two. */
  roundSize: number;
  /** The most epochs a task × variant may get. */
  maxEpochs: number;
  /** Runs still allowed by the budget (default: no limit). */
  budgetLeft?: number;
  /** Seed of the tie-break. */
  seed: number;
}

const DEFAULT_SLOPE = -0.9;

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

function tieBreak(seed: number, id: string): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return rng(h >>> 0)();
}

function fmtMin(m: number): string {
  return m >= 119.5 ? `${Math.round(m / 6) / 10} h` : `${Math.round(m * 10) / 10} min`;
}

/**
 * The current fitted curve of each question variant (METR's fit: `agentHorizons`, inverse-sqrt weights), or
 * null for a variant without runs or with a degenerate fit.
 */
export function currentCurves(q: CheckedQuestion, cols: RunColumns | null): Map<string, CurrentCurve | null> {
  const out = new Map<string, CurrentCurve | null>();
  const names = questionVariants(q);
  for (const n of names) out.set(n, null);
  if (!cols || cols.n === 0) return out;
  const present = names.filter((n) => cols.agent.names.includes(n));
  if (present.length === 0) return out;
  for (const h of agentHorizons(cols, { agents: present, successProbabilities: [0.5] })) {
    if (h.degenerate || !Number.isFinite(h.intercept) || !Number.isFinite(h.coefficient)) continue;
    // A non-negative slope would put the p50 nowhere meaningful: clip to a decreasing curve.
    out.set(h.agent, { intercept: h.intercept, slope: Math.min(h.coefficient, -0.05) });
  }
  return out;
}

/**
 * Choose the next round's cells. `epochs(task, variant)` = runs of that cell so far. Returns the picks in
 * priority order (each one more epoch of its variants), at most `roundSize` cells and `budgetLeft` runs.
 */
export function allocate(
  q: CheckedQuestion,
  tasks: readonly CandidateTask[],
  epochs: (task: string, variant: string) => number,
  curves: Map<string, CurrentCurve | null>,
  o: AllocateOptions,
): Pick[] {
  const variants = questionVariants(q);
  const V = variants.length;
  const cellsLeft = Math.min(o.roundSize, o.budgetLeft ?? Infinity);
  const picks = Math.floor(cellsLeft / V);
  if (picks < 1) return [];
  const scored: Array<Pick & { tie: number }> = [];
  if (q.question === "gap") {
    const ca = curves.get(q.a) ?? null, cb = curves.get(q.b) ?? null;
    for (const t of tasks) {
      const n = Math.min(...variants.map((v) => epochs(t.id, v)));
      if (n >= o.maxEpochs) continue;
      const x = Math.log2(t.minutes);
      const pa = ca ? sigmoid(ca.intercept + ca.slope * x) : null;
      const pb = cb ? sigmoid(cb.intercept + cb.slope * x) : null;
      const dis = pa !== null && pb !== null ? pa * (1 - pb) + pb * (1 - pa) : 0.5;
      scored.push({
        task: t.id,
        variants,
        epochsBefore: n,
        priority: -n + dis / 2, // fewest paired epochs first (dis/2 ≤ 0.5 < 1), then disagreement
        reason:
          `${n} paired epoch(s) so far; predicted disagreement ${dis.toFixed(2)} at ${fmtMin(t.minutes)}` +
          (pa === null || pb === null ? " (no fit yet)" : ""),
        tie: tieBreak(o.seed, t.id),
      });
    }
  } else {
    const agent = q.agent;
    const c = curves.get(agent) ?? null;
    const slope = c ? Math.max(-3, Math.min(c.slope, -0.3)) : DEFAULT_SLOPE;
    const lo = Math.min(...tasks.map((t) => t.minutes)), hi = Math.max(...tasks.map((t) => t.minutes));
    const p50 = c ? 2 ** (-c.intercept / c.slope) : cutoff(q);
    const centre = Math.log2(Math.min(hi, Math.max(lo, p50)));
    for (const t of tasks) {
      const n = epochs(t.id, agent);
      if (n >= o.maxEpochs) continue;
      const p = sigmoid(slope * (Math.log2(t.minutes) - centre));
      const info = p * (1 - p);
      scored.push({
        task: t.id,
        variants,
        epochsBefore: n,
        priority: info / (1 + n),
        reason: `${fmtMin(t.minutes)}: predicted P(success) ${p.toFixed(2)} around the ${
          c ? `current p50 estimate ${fmtMin(p50)}` : `cut-off ${fmtMin(p50)} (no fit yet)`
        }; ${n} epoch(s) so far`,
        tie: tieBreak(o.seed, t.id),
      });
    }
  }
  scored.sort((x, y) => y.priority - x.priority || x.tie - y.tie);
  return scored.slice(0, picks).map(({ tie: _, ...p }) => p);
}

/** The decision at one look. */
export interface LookDecision {
  /** 1-based look (= rounds run so far). */
  look: number;
  looks: number;
  /** Per-side level of this look, and the question's nominal one. */
  alpha: number;
  nominalAlpha: number;
  /** The analysis at this look's level (interval or verdict). */
  answer: Answer;
  /** Decisive at this look's level. */
  settled: boolean;
}

/** Options of {@link decideLook}. */
export interface LookOptions {
  looks: number;
  spending: Spending;
  replicates: number;
  seed: number;
}

/**
 * Is the question settled at look `look` of `looks`? The question's analysis (`decideColumns`) at the
 * look's level (see lib/plan/stopping.ts). Its interval is also the estimate to report at the final look.
 */
export function decideLook(q: CheckedQuestion, cols: RunColumns, look: number, o: LookOptions): LookDecision {
  const qk = questionAtLook(q, look, o.looks, o.spending);
  const answer = decideColumns(qk, cols, { replicates: o.replicates, seed: o.seed });
  return {
    look,
    looks: o.looks,
    alpha: lookAlpha(nominalAlpha(q), look, o.looks, o.spending),
    nominalAlpha: nominalAlpha(q),
    answer,
    settled: answer.side !== null,
  };
}

/**
 * The runs of a simulated batch selected per task (`counts[t]` first epochs of every variant of task t),
 * as typed columns with METR's weights; tasks with no runs are left out.
 */
export function selectionColumns(b: SimBatch, counts: ArrayLike<number>): RunColumns {
  return batchColumns(b, b.maxTasks, (t) => counts[t]);
}

/** Options of {@link simulateAdaptive}. */
export interface AdaptiveSimOptions {
  /** Tasks available (the full grid's). */
  tasks: number;
  /** The most epochs a task × variant may get under the adaptive rule. */
  maxEpochs: number;
  /**
   * Epochs per task × variant of the fixed full grid the adaptive rule is compared with (≤ `maxEpochs`).
   * Default `maxEpochs`. Smaller than `maxEpochs` gives the adaptive rule a larger maximum than the grid —
   * the usual inflation of a group-sequential design, which buys back the power its stricter early looks
   * cost while its expected runs stay below the grid's.
   */
  fullEpochs?: number;
  /** Cells per round. */
  roundSize: number;
  /** Maximum rounds = looks. Default: enough rounds to reach the full grid. */
  maxRounds?: number;
  /** Runs allowed. Default: the full grid's. */
  budgetRuns?: number;
  /** Boundary shape. Default `obf`. */
  spending?: Spending;
  /** Bootstrap replicates of each look's analysis. Default 400. */
  replicates?: number;
  /** Simulated evaluations. Default 200. */
  sims?: number;
  /** Seed: evaluation i draws from rng(seed, i). Default 1. */
  seed?: number;
}

/** Rates of one design over the simulated evaluations. */
export interface SimRates {
  /** P(decisive and correct). */
  correct: number;
  /** P(decisive and wrong). */
  wrong: number;
  /** P(answered `above`) — for a question at or below its cut-off, the false "crossed" rate. */
  above: number;
  /** Mean runs used. */
  runs: number;
}

/** Result of {@link simulateAdaptive}. */
export interface AdaptiveSim {
  question: CheckedQuestion;
  truth: { value: number; side: "above" | "below" | "at" };
  sims: number;
  looks: number;
  spending: Spending;
  /** Nominal per-side error. */
  nominalAlpha: number;
  adaptive: SimRates & { meanRounds: number };
  /** The full grid (every task × `fullEpochs`), decided once at the nominal level. */
  full: SimRates;
  /**
   * Adaptive minus full-grid correct rate, paired over the same simulated evaluations, with its Monte Carlo
   * standard error (from the discordant evaluations: one design correct, the other not).
   */
  correctDifference: { estimate: number; mcse: number };
  /** 1 − adaptive runs / full grid runs. */
  saving: number;
  seconds: number;
}

/**
 * Simulate the adaptive design against the full grid on the same simulated evaluations: each evaluation
 * draws every run of the full grid once (lib/plan/simulate), the adaptive rule reveals the runs it allocates
 * round by round and stops at the first settled look; the full grid is decided on all of them.
 */
export function simulateAdaptive(
  assumptions: Assumptions | ResolvedAssumptions,
  question: Question,
  o: AdaptiveSimOptions,
): AdaptiveSim {
  const t0 = performance.now();
  const a = asResolved(assumptions, "simulateAdaptive assumptions");
  const q = checkQuestion(question, "simulateAdaptive question");
  const names = questionVariants(q);
  const variants = names.map((n) => variantIndex(a, n));
  const V = variants.length, T = o.tasks, E = o.maxEpochs, EFull = o.fullEpochs ?? E;
  if (!Number.isInteger(EFull) || EFull < 1 || EFull > E) {
    throw new RangeError(
      `simulateAdaptive: fullEpochs must be an integer in [1, maxEpochs = ${E}], got ${EFull}`,
    );
  }
  const fullRuns = T * EFull * V;
  const budget = o.budgetRuns ?? T * E * V;
  const looks = o.maxRounds ?? Math.ceil(budget / (Math.floor(o.roundSize / V) * V));
  const spending = o.spending ?? "obf", replicates = o.replicates ?? 400;
  const sims = o.sims ?? 200, seed = o.seed ?? 1;
  const truth = questionTruth(a, q);
  const ad = { correct: 0, wrong: 0, above: 0, runs: 0, rounds: 0 };
  const fu = { correct: 0, wrong: 0, above: 0 };
  let onlyAdaptive = 0, onlyFull = 0;
  for (let i = 0; i < sims; i++) {
    const b = simulateBatch(a, variants, T, E, rng(seed, i));
    const aSeed = analysisSeed(seed, i);
    const full = decideColumns(q, selectionColumns(b, new Uint8Array(T).fill(EFull)), {
      replicates,
      seed: aSeed,
    });
    if (full.side !== null) {
      fu[full.side === truth.side ? "correct" : "wrong"]++;
      if (full.side === "above") fu.above++;
    }
    const counts = new Uint8Array(T);
    const tasks = Array.from({ length: T }, (_, t) => ({ id: `sim/t${t}`, minutes: b.minutes[t] }));
    let used = 0, round = 0, side: "above" | "below" | null = null;
    let cols: RunColumns | null = null;
    while (round < looks) {
      const picks = allocate(q, tasks, (id) => counts[Number(id.slice(5))], currentCurves(q, cols), {
        roundSize: o.roundSize,
        maxEpochs: E,
        budgetLeft: budget - used,
        seed: seed + i,
      });
      if (picks.length === 0) break;
      for (const p of picks) counts[Number(p.task.slice(5))]++;
      used += picks.length * V;
      round++;
      cols = selectionColumns(b, counts);
      const look = decideLook(q, cols, round, { looks, spending, replicates, seed: aSeed + round });
      if (look.settled) {
        side = look.answer.side;
        break;
      }
    }
    ad.runs += used;
    ad.rounds += round;
    if (side !== null) {
      ad[side === truth.side ? "correct" : "wrong"]++;
      if (side === "above") ad.above++;
    }
    const adaptiveRight = side !== null && side === truth.side;
    const fullRight = full.side !== null && full.side === truth.side;
    if (adaptiveRight && !fullRight) onlyAdaptive++;
    if (fullRight && !adaptiveRight) onlyFull++;
  }
  const adRuns = ad.runs / sims;
  return {
    question: q,
    truth,
    sims,
    looks,
    spending,
    nominalAlpha: nominalAlpha(q),
    adaptive: {
      correct: ad.correct / sims,
      wrong: ad.wrong / sims,
      above: ad.above / sims,
      runs: adRuns,
      meanRounds: ad.rounds / sims,
    },
    full: { correct: fu.correct / sims, wrong: fu.wrong / sims, above: fu.above / sims, runs: fullRuns },
    correctDifference: pairedDifference(onlyAdaptive, onlyFull, sims),
    saving: 1 - adRuns / fullRuns,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Paired difference of two rates over n evaluations from the discordant counts, with its standard error. */
function pairedDifference(onlyA: number, onlyB: number, n: number): { estimate: number; mcse: number } {
  const estimate = (onlyA - onlyB) / n;
  const variance = ((onlyA + onlyB) / n - estimate * estimate) / n;
  return { estimate, mcse: Math.sqrt(Math.max(0, variance)) };
}
