/** Test helpers: seeded simulated runs tables in the toolkit's run schema. */
import { from } from "arquero";
import type { ColumnTable } from "arquero";
import { rng } from "../../lib/stats/mod.ts";

/** One simulated task. */
export interface SimTask {
  task_id: string;
  task_family: string;
  human_minutes: number;
}

/** Tasks spread over log-time: `perFamily` tasks in each of `families` families, minutes from `lo` to `hi`. */
export function simTasks(families: number, perFamily: number, lo = 1, hi = 2000, seed = 1): SimTask[] {
  const r = rng(seed);
  const out: SimTask[] = [];
  for (let f = 0; f < families; f++) {
    for (let k = 0; k < perFamily; k++) {
      out.push({
        task_id: `fam${f}/t${k}`,
        task_family: `fam${f}`,
        human_minutes: lo * (hi / lo) ** r(),
      });
    }
  }
  return out;
}

/** Success probability of a logistic agent with p50 horizon `h50` minutes and slope `b` per doubling. */
export function logisticP(minutes: number, h50: number, b = -0.8): number {
  return 1 / (1 + Math.exp(-b * (Math.log2(minutes) - Math.log2(h50))));
}

/** Runs of agents on tasks: `p(agent, task)` gives the success probability; binary scores. */
export function simRuns(
  tasks: readonly SimTask[],
  agents: readonly string[],
  p: (agent: string, task: SimTask, epoch: number) => number,
  epochs: number,
  seed = 2,
  extra: (agent: string, task: SimTask, epoch: number) => Record<string, unknown> = () => ({}),
): ColumnTable {
  const r = rng(seed);
  const rows: Record<string, unknown>[] = [];
  for (const agent of agents) {
    for (const task of tasks) {
      for (let e = 0; e < epochs; e++) {
        const s = r() < p(agent, task, e) ? 1 : 0;
        rows.push({
          run_id: `${agent}|${task.task_id}|${e}`,
          ...task,
          alias: agent,
          variant: agent,
          epoch: e,
          score: s,
          score_binarized: s,
          ...extra(agent, task, e),
        });
      }
    }
  }
  return from(rows);
}
