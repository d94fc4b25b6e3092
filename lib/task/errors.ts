/**
 * Errors of the task standard. Each names the family, the task (when one is concerned) and the field
 * or hook, so a bad task is reported precisely while the rest of the suite still loads and runs.
 *
 * @module
 */

/** A family or task that failed to load or validate. */
export class TaskLoadError extends Error {
  constructor(
    /** Family directory name (or family name). */
    readonly family: string,
    /** Task name, when the problem is in one task. */
    readonly task: string | undefined,
    /** Dotted path of the offending field, e.g. `tasks.easy.humanMinutes`. */
    readonly field: string | undefined,
    /** What was wrong. */
    readonly reason: string,
  ) {
    super(
      `${family}${task ? `/${task}` : ""}${field ? ` (${field})` : ""}: ${reason}`,
    );
    this.name = "TaskLoadError";
  }
}

/** A hook (setup, score, …) that threw, timed out or returned an invalid value. */
export class TaskHookError extends Error {
  constructor(
    readonly taskId: string,
    readonly hook: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${taskId}: ${hook} failed: ${reason}`, options);
    this.name = "TaskHookError";
  }
}
