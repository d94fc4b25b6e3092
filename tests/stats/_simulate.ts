// Simulated runs from known logistic parameters, with task families and repeated runs (test helper).
import { rng } from "../../lib/stats/mod.ts";

export interface SimAgent {
  alias: string;
  intercept: number;
  coefficient: number;
}

/**
 * `families` families of 1–4 tasks, task lengths log-uniform over [1, 960] minutes, `runs` Bernoulli runs per
 * (task, agent) with P = σ(a + b·log2 minutes).
 */
export function simulateRuns(
  seed: number,
  agents: SimAgent[],
  families = 30,
  runs = 4,
): Record<string, unknown>[] {
  const r = rng(seed);
  const rows: Record<string, unknown>[] = [];
  for (let f = 0; f < families; f++) {
    const nTasks = 1 + r.int(4);
    for (let t = 0; t < nTasks; t++) {
      const minutes = 2 ** (r() * Math.log2(960));
      for (const a of agents) {
        const p = 1 / (1 + Math.exp(-(a.intercept + a.coefficient * Math.log2(minutes))));
        for (let k = 0; k < runs; k++) {
          rows.push({
            run_id: `${a.alias}-${f}-${t}-${k}`,
            task_id: `fam${f}/task${t}`,
            task_family: `fam${f}`,
            alias: a.alias,
            score: r() < p ? 1 : 0,
            human_minutes: minutes,
          });
        }
      }
    }
  }
  return rows;
}
