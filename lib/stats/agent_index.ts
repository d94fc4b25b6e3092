/**
 * Per-agent index of rows and tasks, and the aggregation kernel that makes bootstrap fits cheap:
 * all runs of a task share x = log2(minutes), and the log-loss is linear in y, so an agent's fit on its
 * runs equals a fit on one point per task with weight W = Σ m·w and outcome Σ m·w·y / W (m = the row's
 * bootstrap multiplicity). ~80 points per fit instead of ~800 rows.
 *
 * @module
 */
import type { RunColumns } from "./run_columns.ts";

/** Rows and tasks of one agent. */
export interface AgentRows {
  /** The agent, as a value of the agent column. */
  agent: string;
  /** Row indices (into the RunColumns) with a score. */
  rows: Uint32Array;
  /** For each of those rows, its task's index into `taskX`. */
  localTask: Uint32Array;
  /** x of each of the agent's tasks. */
  taskX: Float64Array;
}

/** Index every agent's scored rows by task. */
export function indexAgents(cols: RunColumns): AgentRows[] {
  const G = cols.agent.names.length;
  const rowsOf: number[][] = Array.from({ length: G }, () => []);
  for (let i = 0; i < cols.n; i++) if (!Number.isNaN(cols.score[i])) rowsOf[cols.agent.codes[i]].push(i);
  return rowsOf.map((rows, g) => {
    const local = new Map<number, number>();
    const taskX: number[] = [];
    const localTask = new Uint32Array(rows.length);
    rows.forEach((r, k) => {
      const t = cols.task.codes[r];
      let l = local.get(t);
      if (l === undefined) {
        l = taskX.length;
        local.set(t, l);
        taskX.push(cols.x[r]);
      }
      localTask[k] = l;
    });
    return {
      agent: cols.agent.names[g],
      rows: Uint32Array.from(rows),
      localTask,
      taskX: Float64Array.from(taskX),
    };
  });
}

/**
 * Aggregate one agent's rows into per-task weight `outW` and mean outcome `outY` (both length taskX),
 * with optional multiplicities. Returns whether the drawn rows hold at least two distinct scores (METR's
 * rule for fitting a replicate at all).
 */
export function aggregateAgent(
  a: AgentRows,
  score: Float64Array,
  weight: Float64Array,
  counts: Uint32Array | null,
  outW: Float64Array,
  outY: Float64Array,
): boolean {
  outW.fill(0);
  outY.fill(0);
  let lo = Infinity, hi = -Infinity;
  const { rows, localTask } = a;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    const m = counts ? counts[r] : 1;
    if (m === 0) continue;
    const y = score[r];
    const wm = weight[r] * m;
    const l = localTask[k];
    outW[l] += wm;
    outY[l] += wm * y;
    if (y < lo) lo = y;
    if (y > hi) hi = y;
  }
  for (let l = 0; l < outW.length; l++) outY[l] = outW[l] > 0 ? outY[l] / outW[l] : 0;
  return hi > lo;
}
