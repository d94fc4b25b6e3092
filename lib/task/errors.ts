/**
 * Errors of the task standard. Each names the family, the task (when one is concerned) and the field
 * or hook, so a bad task is reported precisely while the rest of the suite still loads and runs.
 *
 * @module
 */

/**
 * A name as it can be printed: quoted with JSON escapes when it holds control characters or starts or ends
 * with whitespace (a bad task name must not write to the terminal), as is otherwise.
 */
export function printableName(name: string): string {
  // deno-lint-ignore no-control-regex
  return /[\u0000-\u001f\u007f-\u009f]|^\s|\s$/.test(name) || name === "" ? JSON.stringify(name) : name;
}

/** A family or task that failed to load or validate. */
export class TaskLoadError extends Error {
  /** An error whose message reads `family/task (field): reason`. */
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
      `${printableName(family)}${task !== undefined ? `/${printableName(task)}` : ""}${
        field ? ` (${field})` : ""
      }: ${reason}`,
    );
    this.name = "TaskLoadError";
  }
}

/**
 * Something worth telling about a family or task that still loaded: a METR manifest field that does not map
 * to evalkit's metadata, a `--task-meta` row naming no loaded task. Printed, never fatal.
 */
export class TaskLoadWarning {
  /** `family/task (field): reason`, like {@link TaskLoadError}'s message. */
  readonly message: string;
  /** A warning; its `message` reads `family/task (field): reason`. */
  constructor(
    /** Family name (or the `--task-meta` file, for a table row). */
    readonly family: string,
    /** Task name, when one task is concerned. */
    readonly task: string | undefined,
    /** The field concerned, e.g. `manifest.yaml tasks.main.meta.expertise`. */
    readonly field: string | undefined,
    /** What is worth knowing. */
    readonly reason: string,
  ) {
    this.message = `${family}${task !== undefined ? `/${printableName(task)}` : ""}${
      field ? ` (${field})` : ""
    }: ${reason}`;
  }

  /** The warning's {@link TaskLoadWarning.message}. */
  toString(): string {
    return this.message;
  }
}

/** A hook (setup, score, …) that threw, timed out or returned an invalid value. */
export class TaskHookError extends Error {
  /**
   * An error whose message reads `<taskId>: <hook> failed: <reason>`; `options.cause` keeps the original
   * error.
   */
  constructor(
    /** Full id of the task whose hook failed. */
    readonly taskId: string,
    /**
     * The hook: `setup`, `score`, `intermediateScore`, `solution`, `wrongAttempt`, `teardown`, `familyTests`
     * or `cheat:<name>`.
     */
    readonly hook: string,
    /** What went wrong (the error thrown, the timeout, or the invalid value). */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${taskId}: ${hook} failed: ${reason}`, options);
    this.name = "TaskHookError";
  }
}
