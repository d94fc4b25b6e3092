/**
 * METR's per-run task weights, for tables that lack them.
 *
 * - equal: 1 / (runs of that task by that agent), normalised so each agent's weights sum to 1;
 * - invsqrt: equal / sqrt(number of tasks of that family the agent ran), normalised per agent.
 *
 * (The family size counted per agent reproduces the weights in METR's public runs file to 1e-6.)
 *
 * @module
 */
import { encodeKeys } from "./encode.ts";

/** Equal and inverse-sqrt-family task weights, one per row. */
export interface TaskWeights {
  /**
   * 1 / (runs of the row's task by its agent), normalised so each agent's weights sum to 1
   * (`equal_task_weight`).
   */
  equal: Float64Array;
  /**
   * The equal weight divided by √(tasks of the row's family the agent ran), normalised per agent
   * (`invsqrt_task_weight`).
   */
  invsqrt: Float64Array;
}

/** Compute both weight columns from per-row agent, task and family keys. */
export function taskWeights(
  keys: { agent: ArrayLike<unknown>; task: ArrayLike<unknown>; family: ArrayLike<unknown> },
): TaskWeights {
  const n = keys.agent.length;
  const agent = encodeKeys(keys.agent).codes;
  const task = encodeKeys(keys.task).codes;
  const family = encodeKeys(keys.family).codes;
  const runs = new Map<string, number>();
  const famTasks = new Map<string, Set<number>>();
  for (let i = 0; i < n; i++) {
    const k = `${agent[i]}|${task[i]}`;
    runs.set(k, (runs.get(k) ?? 0) + 1);
    const fk = `${agent[i]}|${family[i]}`;
    let s = famTasks.get(fk);
    if (!s) famTasks.set(fk, s = new Set());
    s.add(task[i]);
  }
  const equal = new Float64Array(n), invsqrt = new Float64Array(n);
  const sumE = new Map<number, number>(), sumI = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const e = 1 / runs.get(`${agent[i]}|${task[i]}`)!;
    const v = e / Math.sqrt(famTasks.get(`${agent[i]}|${family[i]}`)!.size);
    equal[i] = e;
    invsqrt[i] = v;
    sumE.set(agent[i], (sumE.get(agent[i]) ?? 0) + e);
    sumI.set(agent[i], (sumI.get(agent[i]) ?? 0) + v);
  }
  for (let i = 0; i < n; i++) {
    equal[i] /= sumE.get(agent[i])!;
    invsqrt[i] /= sumI.get(agent[i])!;
  }
  return { equal, invsqrt };
}
