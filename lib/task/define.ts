/**
 * `defineTaskFamily(...)`: how a task family is written in TypeScript.
 *
 * Semantics follow METR's Task Standard: the agent starts with the instructions only, runs as the
 * unprivileged `agent` user and submits one string; `setup` (METR's `start`) and scoring run as root.
 * Hooks run on the host and act on the sandbox through {@link TaskContext.sandbox}, so scoring code and
 * private assets never enter the sandbox unless a hook copies them into root-only `/root`.
 *
 * The agent under test is an adversary that reads this code. Privileged work goes through
 * {@link TaskContext.root} (clean environment, root-only cwd, isolated Python), files the agent made are read
 * with {@link TaskContext.readAgentFile} (as the agent, capped, no symlinks), and a score never trusts
 * sandbox state the agent could have forged (compare with values computed on the host). Families declare
 * the obvious ways to cheat in {@link TaskFamilyHooks.cheats}; QA checks each scores 0. See
 * docs/task-standard.md, "Rules for hook authors".
 *
 * @example
 * ```ts
 * export default defineTaskFamily({
 *   name: "hello", version: "1.0.0", standardVersion: "1.0.0",
 *   tasks: { main: { instructions: "Submit the word hello.", humanMinutes: 1, humanSource: "estimate",
 *     domain: "general_reasoning", quality: "working_implementation",
 *     summary: "Submit a fixed word.", detail: "A smoke test: ..." } },
 *   score: (_ctx, submission) => submission.trim() === "hello" ? 1 : 0,
 *   solution: () => Promise.resolve("hello"),
 * });
 * ```
 * @module
 */
import type { ImageRecipe, Sandbox } from "../sandbox/types.ts";
import type { AgentReadOptions, RootRunner } from "./privileged.ts";
import type { TaskLoadError, TaskLoadWarning } from "./errors.ts";
import type { MetrTaskManifestInput, TaskManifestInput } from "./schema.ts";

/** What every hook receives. */
export interface TaskContext {
  /** `family/task`. */
  readonly taskId: string;
  /** The family name. */
  readonly family: string;
  /** The task's name within the family. */
  readonly taskName: string;
  /** The task's `data` from the manifest. */
  readonly data: Readonly<Record<string, unknown>>;
  /**
   * The running sandbox. `exec(…, { user: "root" })` runs with whatever PATH, cwd and module path it is
   * given: for privileged work use {@link TaskContext.root}; to read the agent's files use
   * {@link TaskContext.readAgentFile}.
   */
  readonly sandbox: Sandbox;
  /**
   * Root commands that cannot be made to run agent code: a clean environment (PATH, HOME=/root, LANG,
   * PYTHONDONTWRITEBYTECODE=1, PYTHONNOUSERSITE=1 and explicit extras only), a cwd that must be under
   * `/root` (default a root-only work directory), and `python(source)` on Debian's `/usr/bin/python3 -I -B`
   * from a root-only script file, so no agent-writable directory is on `sys.path`. See lib/task/privileged.ts.
   */
  readonly root: RootRunner;
  /**
   * Read a file the agent made, as the agent (a link to a root-only file fails), refusing symlinks,
   * devices and FIFOs, capped (default 16 MiB; beyond it an error naming the path and the cap).
   */
  readAgentFile(path: string, options?: AgentReadOptions): Promise<string>;
  /** Absolute host path of the family directory. */
  readonly familyDir: string;
  /** Absolute host path of a file in the family directory. */
  asset(relativePath: string): string;
}

/** A score in [0,1], or `null` when the submission needs manual scoring. */
export type Score = number | null;

/** Result of an intermediate score (METR's IntermediateScoreInfo). */
export interface IntermediateScore {
  /** The score so far in [0, 1], or null when it cannot be scored mid-run. */
  score: number | null;
  /** Free-form details for the log (METR's `message`), e.g. which tests pass. */
  message?: unknown;
}

/** What a family's self-tests said for one task. */
export interface FamilyTestOutcome {
  /** The test files run (relative to the family directory). */
  files: string[];
  /** `passed`: all selected tests passed; `failed`: some failed or errored; `none`: no test applies here. */
  status: "passed" | "failed" | "none";
  /** The test runner's exit code. */
  exitCode: number;
  /** The last lines of its output. */
  outputTail: string;
}

/** The hooks of a family. All run privileged; only `solution`/`wrongAttempt` act as the agent. */
export interface TaskFamilyHooks {
  /** METR's `start`: prepare the environment (copy assets, start root-owned services). */
  setup?(ctx: TaskContext): Promise<void>;
  /** Score one submission string. Must return a number in [0,1] or null. */
  score?(ctx: TaskContext, submission: string): Score | Promise<Score>;
  /** Score the current state mid-run (no submission). */
  intermediateScore?(ctx: TaskContext): Promise<IntermediateScore>;
  /**
   * The reference solution, for QA and the simulated model: acts in the sandbox as the agent user
   * (`ctx.sandbox.exec(cmd)`) and resolves to the submission string. Never visible to the agent.
   */
  solution?(ctx: TaskContext): Promise<string>;
  /** A plausible wrong attempt (QA: must score below the reference; simulated failures use it). */
  wrongAttempt?(ctx: TaskContext): Promise<string>;
  /** Clean up anything outside the sandbox. */
  teardown?(ctx: TaskContext): Promise<void>;
  /**
   * The family's own self-tests (METR families: their `*_test.py` pytest files), run as root in a started
   * environment for this task. QA runs them with `--family-tests`.
   */
  familyTests?(ctx: TaskContext): Promise<FamilyTestOutcome>;
  /**
   * Named cheating attempts: each acts in the sandbox **as the agent** (like {@link solution}) the way an
   * adversarial agent that read this family's code would try to score without doing the task (edit the
   * visible tests, submit a value computed without the environment's secret, plant a module where root code
   * might import it, …) and resolves to its submission. QA runs each in a fresh environment and requires a
   * score of 0. A cheat never uses host-side knowledge the agent could not have (hidden tests, seeds, the
   * reference solution) except to build a submission that must still score 0.
   */
  cheats?: Readonly<Record<string, (ctx: TaskContext) => Promise<string>>>;
}

/** A family as written in `tasks/<family>/family.ts`: every task gives all six metadata fields. */
export interface TaskFamilyDefinition extends TaskFamilyHooks {
  /** Family name: must equal the directory name (snake_case). */
  name: string;
  /** The family's version, semver (e.g. `1.0.0`). */
  version: string;
  /** Version of the Task Standard the family is written to (e.g. `"1.0.0"`). */
  standardVersion: string;
  /** Debian packages the tasks need inside the sandbox (e.g. `["python3"]`); unused when `image` is set. */
  packages?: string[];
  /**
   * A task image built before any of the family's sandboxes start (METR's build step: base, family files,
   * `install()` with network), cached by its key; when set, sandboxes start from it and `packages` is unused.
   */
  image?: Omit<ImageRecipe, "log">;
  /** The tasks by name, each with instructions and its six metadata fields (see docs/task-standard.md). */
  tasks: Record<string, TaskManifestInput>;
}

/**
 * A METR-format family as the Python bridge builds it: task metadata may be unknown
 * ({@link MetrTaskManifestInput}), task names are METR's, and problems found while building it can ride
 * along for the loader to report.
 */
export interface MetrTaskFamilyDefinition extends Omit<TaskFamilyDefinition, "tasks"> {
  /**
   * The tasks by METR's task names; metadata may be unknown (filled in from a task-times table when given).
   */
  tasks: Record<string, MetrTaskManifestInput>;
  /**
   * Tasks the bridge could not build (each error names the family, task and field): the loader reports them
   * next to its own, and the family's other tasks still load.
   */
  loadErrors?: readonly TaskLoadError[];
  /** Notes about tasks that did load (e.g. a METR meta field that maps to nothing); the loader passes them on. */
  loadWarnings?: readonly TaskLoadWarning[];
}

/** Brand that marks an object as made by {@link defineTaskFamily}. */
export const TASK_FAMILY_BRAND: unique symbol = Symbol.for("evalkit.taskFamily");

/**
 * A family definition, branded. Validation happens in the loader so one bad task spares the rest; the loader
 * holds TypeScript families (`family.ts`) to all six metadata fields whatever function made them.
 */
export type TaskFamily = (TaskFamilyDefinition | MetrTaskFamilyDefinition) & {
  readonly [TASK_FAMILY_BRAND]: true;
};

/** Declare a task family. The loader validates it (family header, then each task on its own). */
export function defineTaskFamily(definition: TaskFamilyDefinition): TaskFamily {
  return Object.freeze({ ...definition, [TASK_FAMILY_BRAND]: true as const });
}

/** Declare a METR-format family (the Python bridge's entry): like {@link defineTaskFamily}, metadata optional. */
export function defineMetrTaskFamily(definition: MetrTaskFamilyDefinition): TaskFamily {
  return Object.freeze({ ...definition, [TASK_FAMILY_BRAND]: true as const });
}

/** True when `value` was made by {@link defineTaskFamily}. */
export function isTaskFamily(value: unknown): value is TaskFamily {
  return typeof value === "object" && value !== null &&
    (value as Record<symbol, unknown>)[TASK_FAMILY_BRAND] === true;
}
