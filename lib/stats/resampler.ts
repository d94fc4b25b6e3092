/**
 * The hierarchical bootstrap resampler: task family → task → runs within (task, group).
 *
 * One replicate is a vector of multiplicities, one per input row: how many times that row was drawn.
 * Every bootstrap statistic (horizons, bucket rates, success-rate differences, …) is then computed by
 * weighting rows with those counts — no table is ever copied per replicate.
 *
 * The structure follows METR's description: draw families with replacement; within each drawn family copy,
 * draw its tasks with replacement; within each drawn task copy and each group (agent) that ran it, draw that
 * group's runs of the task with replacement. A unit drawn twice counts twice. The family and task draws are
 * shared by all groups, so any two agents are compared on the same resampled tasks (paired by construction).
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { encodeKeys } from "./encode.ts";
import type { Rng } from "./rng.ts";

/** Per-row keys defining the hierarchy. `group` is usually the agent (alias). */
export interface ResamplerKeys {
  /**
   * Task family of each row (METR's `task_family`); the top level of the resampling. A task must belong to
   * one family only.
   */
  family: ArrayLike<unknown>;
  /** Task id of each row (`task_id`); drawn with replacement within each drawn family. */
  task: ArrayLike<unknown>;
  /**
   * Group of each row, usually the agent alias: runs are redrawn within each (task, group) cell, while family
   * and task draws are shared by all groups.
   */
  group: ArrayLike<unknown>;
}

/** Which levels are resampled (a level not resampled is taken once, as observed). All true by default. */
export const ResamplerLevelsSchema = z.strictObject({
  family: z.boolean().optional(),
  task: z.boolean().optional(),
  run: z.boolean().optional(),
});
/** Which levels are resampled. */
export type ResamplerLevels = z.input<typeof ResamplerLevelsSchema>;

/** One replicate's multiplicity per row. `into` lets a caller reuse a buffer (it is zeroed first). */
export type Resampler = ((rng: Rng, into?: Uint32Array) => Uint32Array) & {
  /** Number of rows. */
  readonly size: number;
  /** Number of families, tasks, and (task, group) cells. */
  readonly counts: { families: number; tasks: number; cells: number };
};

/**
 * Build a resampler for rows with the given keys.
 *
 * @throws Error naming the task if one task id appears under two families.
 */
export function makeResampler(keys: ResamplerKeys, levels: ResamplerLevels = {}): Resampler {
  const n = keys.task.length;
  if (keys.family.length !== n || keys.group.length !== n) {
    throw new RangeError(
      `makeResampler: key columns differ in length (${keys.family.length}, ${n}, ${keys.group.length})`,
    );
  }
  const fam = encodeKeys(keys.family);
  const task = encodeKeys(keys.task);
  const group = encodeKeys(keys.group);
  const resampleFamilies = levels.family ?? true;
  const resampleTasks = levels.task ?? true;
  const resampleRuns = levels.run ?? true;

  // Family of each task (checked consistent).
  const familyOfTask = new Int32Array(task.names.length).fill(-1);
  for (let i = 0; i < n; i++) {
    const t = task.codes[i], f = fam.codes[i];
    if (familyOfTask[t] === -1) familyOfTask[t] = f;
    else if (familyOfTask[t] !== f) {
      throw new Error(
        `makeResampler: task "${task.names[t]}" appears in two families ("${
          fam.names[familyOfTask[t]]
        }" and "${fam.names[f]}")`,
      );
    }
  }
  const tasksOfFamily = csr(fam.names.length, task.names.length, (t) => familyOfTask[t]);

  // Cells (task, group) and their rows.
  const cellIndex = new Map<number, number>();
  const cellOfRow = new Uint32Array(n);
  const cellTask: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = task.codes[i] * group.names.length + group.codes[i];
    let c = cellIndex.get(key);
    if (c === undefined) {
      c = cellTask.length;
      cellIndex.set(key, c);
      cellTask.push(task.codes[i]);
    }
    cellOfRow[i] = c;
  }
  const rowsOfCell = csr(cellTask.length, n, (i) => cellOfRow[i]);
  const cellsOfTask = csr(task.names.length, cellTask.length, (c) => cellTask[c]);

  const F = fam.names.length;
  const resample = ((r: Rng, into?: Uint32Array): Uint32Array => {
    const counts = into ?? new Uint32Array(n);
    if (into) counts.fill(0);
    for (let k = 0; k < F; k++) {
      const f = resampleFamilies ? r.int(F) : k;
      const t0 = tasksOfFamily.start[f], nt = tasksOfFamily.start[f + 1] - t0;
      for (let j = 0; j < nt; j++) {
        const t = tasksOfFamily.items[t0 + (resampleTasks ? r.int(nt) : j)];
        for (let ci = cellsOfTask.start[t]; ci < cellsOfTask.start[t + 1]; ci++) {
          const c = cellsOfTask.items[ci];
          const r0 = rowsOfCell.start[c], m = rowsOfCell.start[c + 1] - r0;
          if (resampleRuns) {
            for (let i = 0; i < m; i++) counts[rowsOfCell.items[r0 + r.int(m)]]++;
          } else {
            for (let i = 0; i < m; i++) counts[rowsOfCell.items[r0 + i]]++;
          }
        }
      }
    }
    return counts;
  }) as Resampler;
  Object.defineProperty(resample, "size", { value: n });
  Object.defineProperty(resample, "counts", {
    value: { families: F, tasks: task.names.length, cells: cellTask.length },
  });
  return resample;
}

/** Compressed sparse rows: items 0..m-1 grouped by bucket(item) ∈ [0, k). */
function csr(
  k: number,
  m: number,
  bucket: (item: number) => number,
): { start: Uint32Array; items: Uint32Array } {
  const start = new Uint32Array(k + 1);
  for (let i = 0; i < m; i++) start[bucket(i) + 1]++;
  for (let b = 0; b < k; b++) start[b + 1] += start[b];
  const fill = start.slice(0, k);
  const items = new Uint32Array(m);
  for (let i = 0; i < m; i++) items[fill[bucket(i)]++] = i;
  return { start, items };
}
