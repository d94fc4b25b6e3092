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
  readonly name: string;
  readonly family: LoadedFamily;
  /** Validated manifest, task-times table applied. Metadata may be unknown (METR-format families). */
  readonly manifest: LoadedTaskManifest;
  /** The difficulty bucket; undefined when the task has no human minutes. */
  readonly bucket: Bucket | undefined;
}

/** A validated family and its valid tasks. */
export interface LoadedFamily {
  readonly name: string;
  /** Absolute host path. */
  readonly dir: string;
  /** `typescript` or `metr-python`. */
  readonly format: "typescript" | "metr-python";
  readonly header: FamilyHeader;
  readonly definition: TaskFamily;
  readonly tasks: LoadedTask[];
}

/** Everything found under a tasks directory. */
export interface Suite {
  readonly dir: string;
  readonly families: LoadedFamily[];
  readonly tasks: LoadedTask[];
  readonly errors: TaskLoadError[];
  /** Notes that stopped nothing: METR fields that map to nothing, task-times rows naming no loaded task. */
  readonly warnings: TaskLoadWarning[];
}
