/**
 * The shapes of a loaded suite — tasks, families, the suite — as types only, so that modules which read a
 * suite (task tables, summaries) need not import the loader, which reaches the sandbox drivers.
 *
 * @module
 */
import type { Bucket } from "./buckets.ts";
import type { TaskFamily } from "./define.ts";
import type { TaskLoadError, TaskLoadWarning } from "./errors.ts";
import type { FamilyHeader, LoadedTaskManifest } from "./schema.ts";

/** A validated task, ready to run. */
export interface LoadedTask {
  /** `family/task`: what people see. */
  readonly id: string;
  /** {@link safeTaskId} of the id: for file names, run directories, container names and image tags. */
  readonly safeId: string;
  /** The task's name within its family (the key in the family's `tasks`). */
  readonly name: string;
  /** The family the task belongs to. */
  readonly family: LoadedFamily;
  /** Validated manifest, task-times table applied. Metadata may be unknown (METR-format families). */
  readonly manifest: LoadedTaskManifest;
  /** The difficulty bucket; undefined when the task has no human minutes. */
  readonly bucket: Bucket | undefined;
}

/** A validated family and its valid tasks. */
export interface LoadedFamily {
  /** The family name (equal to its directory name, snake_case). */
  readonly name: string;
  /** Absolute host path. */
  readonly dir: string;
  /** `typescript` or `metr-python`. */
  readonly format: "typescript" | "metr-python";
  /** The family's validated header fields (name, version, standard version, packages, …). */
  readonly header: FamilyHeader;
  /** The family definition as written (hooks included), from `family.ts` or the METR Python bridge. */
  readonly definition: TaskFamily;
  /** The family's tasks that passed validation (invalid ones are in `Suite.errors`). */
  readonly tasks: LoadedTask[];
}

/** Everything found under a tasks directory. */
export interface Suite {
  /** The tasks directory that was scanned (absolute host path). */
  readonly dir: string;
  /** Every family that loaded. */
  readonly families: LoadedFamily[];
  /** Every valid task of every family. */
  readonly tasks: LoadedTask[];
  /**
   * Families and tasks that failed to load, each error naming the family, task and field; the rest still
   * load.
   */
  readonly errors: TaskLoadError[];
  /** Notes that stopped nothing: METR fields that map to nothing, task-times rows naming no loaded task. */
  readonly warnings: TaskLoadWarning[];
}
