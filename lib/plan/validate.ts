/**
 * Simulate-then-recover validation: evaluations drawn by the toolkit's *simulated model* (its own
 * success formula and seeded task difficulties, lib/model/simulated.ts — not the planner's generator)
 * at known true horizons and gaps, analysed by the public analysis functions at their default replicate
 * counts. The share of them giving a decisive, correct answer is the realised power, to be compared with
 * the planner's power for the same design ({@link simulatorAssumptions} states the same truth as
 * assumptions).
 *
 * @module
 */
import { from } from "../deps/arquero.ts";
import {
  simulatedCellProbability,
  simulatedScaffoldShift,
  type SimulatorOptionsInput,
} from "../model/simulated.ts";
import { seededUniform } from "../model/random.ts";
import { elicitationGap } from "../elicitation/gap.ts";
import { bootstrapHorizons } from "../stats/bootstrap_horizons.ts";
import { estimateMetrics } from "../measure/estimates.ts";
import { verdicts } from "../protocol/verdict.ts";
import type { Assumptions } from "./assumptions.ts";
import {
  type CheckedQuestion,
  checkQuestion,
  crossedIsAbove,
  cutoff,
  type Question,
  questionTruth,
  verdictThreshold,
} from "./questions.ts";
import { resolveAssumptions } from "./assumptions.ts";
import type { Design } from "./simulate.ts";

/** The simulated model's truth as planner assumptions (shared task difficulty → `taskSd` = slope · taskNoiseSd). */
export function simulatorAssumptions(
  sim: SimulatorOptionsInput,
  scaffolds: readonly string[],
  taskMinutes: readonly number[],
  tasksPerFamily = 1,
): Assumptions {
  const slope = sim.slope ?? 0.9, h = sim.horizonMinutes ?? 30;
  return {
    curves: Object.fromEntries(
      scaffolds.map((s) => [s, { p50Minutes: h * 2 ** simulatedScaffoldShift(s, sim), slope: -slope }]),
    ),
    taskMinutes: [...taskMinutes],
    taskSd: slope * (sim.taskNoiseSd ?? 0.5),
    tasksPerFamily,
    source: "the simulated model (lib/model/simulated.ts)",
  };
}

/**
 * One evaluation drawn by the simulated model: `design.tasks` fresh tasks (ids keyed by `key`, so their
 * seeded difficulties are new), lengths drawn from `taskMinutes`, `design.epochs` runs per task and
 * scaffold. Rows in the run schema; `model` names the simulator.
 */
export function simulatorRuns(
  sim: SimulatorOptionsInput,
  scaffolds: readonly string[],
  taskMinutes: readonly number[],
  tasksPerFamily: number,
  design: Design,
  key: string,
): Record<string, unknown>[] {
  const u = seededUniform("plan-validation", key);
  const rows: Record<string, unknown>[] = [];
  for (let t = 0; t < design.tasks; t++) {
    const minutes = taskMinutes[Math.floor(u() * taskMinutes.length)];
    const family = `val_f${Math.floor(t / tasksPerFamily)}`;
    const taskId = `${family}/${key}-t${t}`;
    for (const scaffold of scaffolds) {
      const p = simulatedCellProbability({ taskId, humanMinutes: minutes, scaffold }, sim);
      for (let e = 0; e < design.epochs; e++) {
        const s = u() < p ? 1 : 0;
        rows.push({
          run_id: `${taskId}-${scaffold}-${e}`,
          task_id: taskId,
          task_family: family,
          alias: scaffold,
          variant: scaffold,
          model: "simulated",
          epoch: e,
          score: s,
          score_binarized: s,
          human_minutes: minutes,
          human_source: "simulated",
        });
      }
    }
  }
  return rows;
}

/** Realised power of one design. */
export interface Realised {
  tasks: number;
  epochs: number;
  evaluations: number;
  power: number;
  mcse: number;
  decisive: number;
  wrong: number;
  seconds: number;
}

/** The side a public analysis function decides on one table (null = undecided). */
export function analyseTable(q: CheckedQuestion, rows: Record<string, unknown>[], seed: number) {
  const c = cutoff(q);
  const side = (lo: number | null, hi: number | null) =>
    lo !== null && lo > c ? "above" : hi !== null && hi < c ? "below" : null;
  if (q.question === "gap") {
    const g = elicitationGap(from(rows), {
      baseline: q.b,
      variants: [q.a],
      agentColumn: "variant",
      interval: q.interval ?? 0.8,
      seed,
      replicates: 0,
    });
    return g.successRate ? side(g.successRate.lower, g.successRate.upper) : null;
  }
  if (q.question === "horizon") {
    const w = q.interval ?? 0.8;
    const r = bootstrapHorizons(from(rows), {
      agents: [q.agent],
      seed,
      interval: [(1 - w) / 2, (1 + w) / 2],
    });
    const { low, high } = r.summary[0].intervals.p50;
    return side(Number.isNaN(low) ? null : low, Number.isNaN(high) ? null : high);
  }
  const est = estimateMetrics(from(rows), { seed });
  const [row] = verdicts(est, [verdictThreshold(q, "validation")], { confidence: q.confidence ?? 0.9 });
  const above = crossedIsAbove(q);
  return row.verdict === "crossed"
    ? (above ? "above" : "below")
    : row.verdict === "not_crossed"
    ? (above ? "below" : "above")
    : null;
}

/**
 * Realised power: `evaluations` evaluations of `design` drawn by the simulated model (keys
 * `${seed}-${i}`), each analysed by the question's public analysis function at its default replicates.
 */
export function realisedPower(
  sim: SimulatorOptionsInput,
  scaffolds: readonly string[],
  taskMinutes: readonly number[],
  tasksPerFamily: number,
  question: Question,
  design: Design,
  evaluations: number,
  seed: number,
): Realised {
  const t0 = performance.now();
  const q = checkQuestion(question, "realisedPower question");
  const truth = questionTruth(
    resolveAssumptions(simulatorAssumptions(sim, scaffolds, taskMinutes, tasksPerFamily)),
    q,
  );
  let decisive = 0, correct = 0;
  for (let i = 0; i < evaluations; i++) {
    const rows = simulatorRuns(sim, scaffolds, taskMinutes, tasksPerFamily, design, `${seed}-${i}`);
    const s = analyseTable(q, rows, seed * 7919 + i);
    if (s === null) continue;
    decisive++;
    if (s === truth.side) correct++;
  }
  const p = correct / evaluations;
  return {
    ...design,
    evaluations,
    power: p,
    mcse: Math.sqrt(p * (1 - p) / evaluations),
    decisive: decisive / evaluations,
    wrong: (decisive - correct) / evaluations,
    seconds: (performance.now() - t0) / 1000,
  };
}
