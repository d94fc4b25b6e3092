/**
 * Simulated evaluations drawn from the assumptions: one *batch* per simulated evaluation at the largest
 * design of a grid (most tasks × most epochs), from which every smaller design takes its first tasks and
 * first epochs. Smaller designs are therefore nested in larger ones within a simulation (common random
 * numbers): the power curve over designs is smooth and differences between designs carry less Monte
 * Carlo noise than independent draws would.
 *
 * Draw order is fixed (lengths, family effects, task effects, variant-task effects, then one uniform per
 * run in task → variant → epoch order), so a batch depends only on the assumptions, the variants, the
 * maximum sizes and the generator.
 *
 * @module
 */
import type { Rng } from "../stats/rng.ts";
import type { RunColumns } from "../stats/run_columns.ts";
import { taskWeights } from "../stats/task_weights.ts";
import type { Encoded } from "../stats/encode.ts";
import type { ResolvedAssumptions } from "./assumptions.ts";
import { normalDraw } from "./normal_grid.ts";

/** A design: how many tasks, and how many runs (epochs) per task and variant. */
export interface Design {
  tasks: number;
  epochs: number;
}

/** One simulated evaluation at the largest design. */
export interface SimBatch {
  /** Variant names (the question's), in order. */
  variants: string[];
  maxTasks: number;
  maxEpochs: number;
  tasksPerFamily: number;
  /** Minutes per task. */
  minutes: Float64Array;
  /** 0/1 outcome per run, index (task · V + variant) · maxEpochs + epoch. */
  outcome: Uint8Array;
}

/**
 * Draw one simulated evaluation.
 * @param variants indexes into `a.variants` (the question's variants)
 */
export function simulateBatch(
  a: ResolvedAssumptions,
  variants: readonly number[],
  maxTasks: number,
  maxEpochs: number,
  r: Rng,
): SimBatch {
  const V = variants.length, T = maxTasks, E = maxEpochs, L = a.taskMinutes.length;
  const minutes = new Float64Array(T);
  for (let t = 0; t < T; t++) minutes[t] = a.taskMinutes[r.int(L)];
  const k = a.tasksPerFamily;
  const F = Math.ceil(T / k);
  const family = new Float64Array(F);
  for (let f = 0; f < F; f++) family[f] = a.familySd * normalDraw(r);
  const task = new Float64Array(T);
  for (let t = 0; t < T; t++) task[t] = a.taskSd * normalDraw(r);
  const cell = new Float64Array(T * V);
  for (let c = 0; c < T * V; c++) cell[c] = a.variantTaskSd * normalDraw(r);
  const outcome = new Uint8Array(T * V * E);
  for (let t = 0; t < T; t++) {
    const x = Math.log2(minutes[t]);
    for (let v = 0; v < V; v++) {
      const g = variants[v];
      const eta = a.intercept[g] + a.slope[g] * x + family[Math.floor(t / k)] + task[t] + cell[t * V + v];
      for (let e = 0; e < E; e++) {
        const z = a.runSd > 0 ? eta + a.runSd * normalDraw(r) : eta;
        outcome[(t * V + v) * E + e] = r() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
      }
    }
  }
  return {
    variants: variants.map((g) => a.variants[g]),
    maxTasks: T,
    maxEpochs: E,
    tasksPerFamily: k,
    minutes,
    outcome,
  };
}

function encoded(codes: Uint32Array, names: string[]): Encoded {
  return { codes, names };
}

/**
 * The runs of `design` (the batch's first tasks and epochs) as the typed columns every lib/stats
 * statistic takes; weights computed by METR's rule ({@link taskWeights}). Rows: task → variant → epoch.
 */
export function designColumns(b: SimBatch, d: Design): RunColumns {
  return batchColumns(b, d.tasks, () => d.epochs);
}

/**
 * The runs of the batch's first `tasks` tasks with `epochsOf(t)` first epochs of every variant of task t, as
 * typed columns with METR's weights (rows: task → variant → epoch). Tasks with no runs are left out of the
 * rows; the task and family names cover all `tasks`.
 */
export function batchColumns(b: SimBatch, tasks: number, epochsOf: (task: number) => number): RunColumns {
  const V = b.variants.length;
  let n = 0;
  for (let t = 0; t < tasks; t++) n += epochsOf(t) * V;
  const agent = new Uint32Array(n), task = new Uint32Array(n), family = new Uint32Array(n);
  const minutes = new Float64Array(n), x = new Float64Array(n), score = new Float64Array(n);
  let i = 0;
  for (let t = 0; t < tasks; t++) {
    const lx = Math.log2(b.minutes[t]), epochs = epochsOf(t);
    for (let v = 0; v < V; v++) {
      for (let e = 0; e < epochs; e++, i++) {
        agent[i] = v;
        task[i] = t;
        family[i] = Math.floor(t / b.tasksPerFamily);
        minutes[i] = b.minutes[t];
        x[i] = lx;
        score[i] = b.outcome[(t * V + v) * b.maxEpochs + e];
      }
    }
  }
  const w = taskWeights({ agent, task, family });
  const taskNames = Array.from({ length: tasks }, (_, t) => `sim/t${t}`);
  const familyNames = Array.from({ length: Math.ceil(tasks / b.tasksPerFamily) }, (_, f) => `sim/f${f}`);
  return {
    n,
    agent: encoded(agent, [...b.variants]),
    task: encoded(task, taskNames),
    family: encoded(family, familyNames),
    minutes,
    x,
    score,
    equalWeight: w.equal,
    invsqrtWeight: w.invsqrt,
  };
}

/**
 * The runs of `design` as row objects in the toolkit's run schema (what a run log's runs table holds),
 * for the analysis functions that take an arquero table. `model` is `simulated-plan` and every row says
 * `human_source: "simulated"`: these are simulated data, not measurements.
 */
export function designRows(b: SimBatch, d: Design): Record<string, unknown>[] {
  const V = b.variants.length;
  const rows: Record<string, unknown>[] = [];
  for (let t = 0; t < d.tasks; t++) {
    const f = Math.floor(t / b.tasksPerFamily);
    for (let v = 0; v < V; v++) {
      for (let e = 0; e < d.epochs; e++) {
        const s = b.outcome[(t * V + v) * b.maxEpochs + e];
        rows.push({
          run_id: `sim-${t}-${v}-${e}`,
          task_id: `sim_f${f}/t${t}`,
          task_family: `sim_f${f}`,
          alias: b.variants[v],
          variant: b.variants[v],
          model: "simulated-plan",
          epoch: e,
          score: s,
          score_binarized: s,
          human_minutes: b.minutes[t],
          human_source: "simulated",
        });
      }
    }
  }
  return rows;
}
