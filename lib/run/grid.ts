/**
 * Grid expansion: tasks × variants × models × epochs → cells, each with a stable id and seed.
 *
 * @module
 */
import type { Variant } from "../agent/variant.ts";
import { sha256Hex, stableStringify } from "../agent/variant.ts";

/** What a cell needs to know about its task (a subset of the loaded task). */
export interface CellTask {
  /** Full task id, `family/task`. */
  id: string;
  /** The task's family name. */
  family: string;
  /** Null when the task has no human minutes (a METR-format family without metadata). */
  humanMinutes: number | null;
  /**
   * Where `humanMinutes` came from (`estimate`, `qa`, `baseline`); null when the task has no human minutes.
   */
  humanSource: string | null;
  /** The task's own success threshold (see `TaskMetadata.successThreshold`); null or absent: the default. */
  successThreshold?: number | null;
}

/** One cell of the grid. */
export interface GridCell {
  /** Hash of (task id, variant hash, model, epoch): stable across runs of the same grid. */
  id: string;
  /** The task the cell runs. */
  task: CellTask;
  /** The agent variant (scaffold and its arguments) the cell runs. */
  variant: Variant;
  /** The model name, e.g. `simulated/30` or `openai/gpt-4o`. */
  model: string;
  /** 0-based. */
  epoch: number;
  /** 31-bit seed derived from the eval seed and the cell id. */
  seed: number;
}

/** The id of a cell: the first 16 hex digits of SHA-256 over its identity. */
export async function cellId(
  taskId: string,
  variantHash: string,
  model: string,
  epoch: number,
): Promise<string> {
  return (await sha256Hex(stableStringify([taskId, variantHash, model, epoch]))).slice(0, 16);
}

/** A 31-bit seed derived from the eval seed and a cell id. */
export async function cellSeed(evalSeed: number, id: string): Promise<number> {
  const hex = await sha256Hex(`${evalSeed}:${id}`);
  return parseInt(hex.slice(0, 8), 16) & 0x7fffffff;
}

/** Expand the grid in a fixed order (task, then variant, then model, then epoch). */
export async function expandGrid(
  tasks: CellTask[],
  variants: Variant[],
  models: string[],
  epochs: number,
  evalSeed: number,
): Promise<GridCell[]> {
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new Error(`epochs must be a positive integer, got ${epochs}`);
  }
  const cells: GridCell[] = [];
  const seen = new Set<string>();
  for (const task of tasks) {
    for (const variant of variants) {
      for (const model of models) {
        for (let epoch = 0; epoch < epochs; epoch++) {
          const id = await cellId(task.id, variant.hash, model, epoch);
          if (seen.has(id)) continue; // the same task/variant config listed twice
          seen.add(id);
          cells.push({ id, task, variant, model, epoch, seed: await cellSeed(evalSeed, id) });
        }
      }
    }
  }
  return cells;
}

/**
 * The eval id of a grid: a stable hash of what defines it (tasks, variant hashes, models, epochs, seed,
 * sandbox), so re-running the same command resumes.
 */
export async function evalIdOf(spec: {
  tasks: string[];
  variantHashes: string[];
  models: string[];
  epochs: number;
  seed: number;
  /** Sandbox driver name: the same grid in another sandbox is another eval. */
  sandbox?: string;
}): Promise<string> {
  const canonical = {
    tasks: [...spec.tasks].sort(),
    variants: [...spec.variantHashes].sort(),
    models: [...spec.models].sort(),
    epochs: spec.epochs,
    seed: spec.seed,
    sandbox: spec.sandbox ?? null,
  };
  return `eval-${(await sha256Hex(stableStringify(canonical))).slice(0, 12)}`;
}
