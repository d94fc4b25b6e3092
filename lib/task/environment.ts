/**
 * The life of one task environment, in METR's order: create the sandbox (network only if the task is
 * permitted it), run the family's `setup` as root, hand the agent its instructions (also written to
 * `/home/agent/instructions.txt`, as METR's workbench does), then score one submission string
 * privileged, and destroy everything.
 *
 * Every hook call is guarded: a throwing hook, a hook that outlives its timeout, or a score outside
 * [0,1] becomes a {@link TaskHookError} naming the task and hook.
 *
 * @module
 */
import { join } from "../util/path.ts";
import { AGENT_HOME, type Sandbox, type SandboxDriver } from "../sandbox/types.ts";
import type { FamilyTestOutcome, IntermediateScore, Score, TaskContext } from "./define.ts";
import { TaskHookError } from "./errors.ts";
import type { LoadedTask } from "./loader.ts";
import { createAgentReader, createRootRunner } from "./privileged.ts";

/** Where the agent finds its instructions (METR workbench convention). */
export const INSTRUCTIONS_PATH = `${AGENT_HOME}/instructions.txt`;
/** Where an agent may leave its submission (METR workbench convention). */
export const SUBMISSION_PATH = `${AGENT_HOME}/submission.txt`;

/**
 * The submission an agent left in {@link SUBMISSION_PATH}, read the one way every caller (runner, workbench,
 * QA) reads it: as the agent, refusing a link or special file, capped at 16 MiB. Rejects when it cannot be read.
 */
export function readSubmissionFile(sandbox: Sandbox): Promise<string> {
  return sandbox.readTextFile(SUBMISSION_PATH);
}

/** Timeouts of the privileged hooks, in ms. */
export interface HookTimeouts {
  /** Timeout of `setup`, in ms (default 300 000 = 5 min). */
  setup: number;
  /** Timeout of `score` and `intermediateScore`, in ms (default 300 000). */
  score: number;
  /** Timeout of `solution`, `wrongAttempt` and each cheat, in ms (default 300 000). */
  solution: number;
  /** Timeout of `teardown`, in ms (default 60 000). */
  teardown: number;
  /** Timeout of the family's self-tests, in ms (default 1 800 000 = 30 min). */
  familyTests: number;
}

/** Defaults: generous, because some tasks compile or train in setup/scoring. */
export const DEFAULT_HOOK_TIMEOUTS: HookTimeouts = {
  setup: 300_000,
  score: 300_000,
  solution: 300_000,
  teardown: 60_000,
  familyTests: 1_800_000,
};

/** A started task environment. */
export interface TaskEnvironment {
  /** The task this environment runs. */
  readonly task: LoadedTask;
  /** The running sandbox the agent works in. */
  readonly sandbox: Sandbox;
  /** The instructions, exactly as the agent receives them. */
  readonly instructions: string;
  /** The context the hooks receive (also usable by callers that run hooks themselves). */
  readonly context: TaskContext;
  /** Score a submission (privileged). Resolves to a number in [0,1] or null (manual scoring). */
  score(submission: string): Promise<Score>;
  /** Intermediate score, when the family defines one. */
  intermediateScore(): Promise<IntermediateScore>;
  /** Run the reference solution as the agent; resolves to its submission. */
  runSolution(): Promise<string>;
  /** Run the plausible wrong attempt as the agent; resolves to its submission. */
  runWrongAttempt(): Promise<string>;
  /** Names of the cheating attempts the family declares (`TaskFamilyHooks.cheats`), sorted. */
  readonly cheatNames: readonly string[];
  /**
   * Run one declared cheating attempt as the agent (guarded like `solution`, hook name `cheat:<name>`);
   * resolves to its submission. QA scores it and requires 0.
   */
  runCheat(name: string): Promise<string>;
  /** Run the family's own self-tests for this task (guarded, hook name `familyTests`). */
  runFamilyTests(): Promise<FamilyTestOutcome>;
  /** True when the family has self-tests. */
  readonly hasFamilyTests: boolean;
  /** Tear down and close the sandbox. Idempotent; never throws (teardown errors are returned). */
  destroy(): Promise<TaskHookError | undefined>;
}

/** Options of {@link startTaskEnvironment}. */
export interface StartOptions {
  /** Hook timeouts in ms, overriding {@link DEFAULT_HOOK_TIMEOUTS} per hook. */
  timeouts?: Partial<HookTimeouts>;
  /** Progress lines of a task image build (the first start of a METR family version builds its image). */
  log?: (line: string) => void;
}

/**
 * Builds (or finds cached) the task images of the families of `tasks` for `driver`, once per family, before
 * any environment starts, so a long first build shows its progress up front instead of inside the first
 * cell. Resolves to the families whose build failed, each with its error; their tasks then fail at start
 * with the same error.
 */
export async function prepareTaskImages(
  tasks: readonly LoadedTask[],
  driver: SandboxDriver,
  log?: (line: string) => void,
): Promise<{ family: string; error: Error }[]> {
  const failed: { family: string; error: Error }[] = [];
  const seen = new Set<string>();
  for (const task of tasks) {
    const family = task.family;
    const recipe = family.definition.image;
    if (!recipe || seen.has(family.name)) continue;
    seen.add(family.name);
    try {
      await driver.buildImage({ ...recipe, log });
    } catch (error) {
      failed.push({ family: family.name, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  return failed;
}

/** Create the sandbox, run setup, write the instructions. Closes the sandbox if setup fails. */
export async function startTaskEnvironment(
  task: LoadedTask,
  driver: SandboxDriver,
  options: StartOptions = {},
): Promise<TaskEnvironment> {
  const timeouts = { ...DEFAULT_HOOK_TIMEOUTS, ...options.timeouts };
  const { manifest, family } = task;
  // METR's build step: the family's image (base, files, install()) is built once per version and driver.
  const recipe = family.definition.image;
  const image = recipe ? await driver.buildImage({ ...recipe, log: options.log }) : undefined;
  const sandbox = await driver.create({
    image,
    network: (manifest.permissions as string[]).includes("full_internet"),
    packages: family.header.packages,
    label: task.id,
    cpus: manifest.resources.cpus,
    memoryGb: manifest.resources.memoryGb,
    diskGb: manifest.resources.diskGb,
    maxProcesses: manifest.resources.maxProcesses,
  });
  const definition = family.definition;
  const context: TaskContext = Object.freeze({
    taskId: task.id,
    family: family.name,
    taskName: task.name,
    data: manifest.data,
    sandbox,
    root: createRootRunner(task.id, sandbox),
    readAgentFile: createAgentReader(sandbox),
    familyDir: family.dir,
    asset: (relativePath: string) => join(family.dir, relativePath),
  });
  const cheats = definition.cheats ?? {};
  const keepOutOfRange = family.format === "metr-python";
  try {
    if (definition.setup) {
      await guard(task.id, "setup", timeouts.setup, () => definition.setup!(context));
    }
    await sandbox.writeFile(INSTRUCTIONS_PATH, manifest.instructions + "\n", { owner: "agent", mode: 0o644 });
  } catch (error) {
    await sandbox.close().catch(() => {});
    throw error;
  }

  let destroyed: Promise<TaskHookError | undefined> | undefined;
  return {
    task,
    sandbox,
    instructions: manifest.instructions,
    context,
    async score(submission: string): Promise<Score> {
      if (!definition.score) {
        if (definition.intermediateScore) {
          const result = await guard(
            task.id,
            "intermediateScore",
            timeouts.score,
            () => definition.intermediateScore!(context),
          );
          return validateScore(task.id, "intermediateScore", result.score, keepOutOfRange);
        }
        return null; // METR: no score method means manual scoring.
      }
      const value = await guard(
        task.id,
        "score",
        timeouts.score,
        () => Promise.resolve(definition.score!(context, submission)),
      );
      return validateScore(task.id, "score", value, keepOutOfRange);
    },
    async intermediateScore(): Promise<IntermediateScore> {
      if (!definition.intermediateScore) {
        throw new TaskHookError(task.id, "intermediateScore", "this family defines no intermediate scoring");
      }
      const result = await guard(
        task.id,
        "intermediateScore",
        timeouts.score,
        () => definition.intermediateScore!(context),
      );
      return { ...result, score: validateScore(task.id, "intermediateScore", result.score, keepOutOfRange) };
    },
    runSolution(): Promise<string> {
      if (!definition.solution) {
        return Promise.reject(new TaskHookError(task.id, "solution", "no reference solution defined"));
      }
      return guard(task.id, "solution", timeouts.solution, () => definition.solution!(context)).then((s) =>
        validateSubmission(task.id, "solution", s)
      );
    },
    runWrongAttempt(): Promise<string> {
      if (!definition.wrongAttempt) {
        return Promise.reject(new TaskHookError(task.id, "wrongAttempt", "no wrong attempt defined"));
      }
      return guard(task.id, "wrongAttempt", timeouts.solution, () => definition.wrongAttempt!(context)).then((
        s,
      ) => validateSubmission(task.id, "wrongAttempt", s));
    },
    hasFamilyTests: definition.familyTests !== undefined,
    runFamilyTests(): Promise<FamilyTestOutcome> {
      if (!definition.familyTests) {
        return Promise.reject(new TaskHookError(task.id, "familyTests", "this family has no self-tests"));
      }
      return guard(task.id, "familyTests", timeouts.familyTests, () => definition.familyTests!(context));
    },
    cheatNames: Object.keys(cheats).sort(),
    runCheat(name: string): Promise<string> {
      const cheat = Object.hasOwn(cheats, name) ? cheats[name] : undefined;
      const hook = `cheat:${name}`;
      if (typeof cheat !== "function") {
        const known = Object.keys(cheats).sort().join(", ") || "none";
        return Promise.reject(new TaskHookError(task.id, hook, `no such cheat (declared: ${known})`));
      }
      return guard(task.id, hook, timeouts.solution, () => cheat(context)).then((s) =>
        validateSubmission(task.id, hook, s)
      );
    },
    destroy(): Promise<TaskHookError | undefined> {
      destroyed ??= (async () => {
        let failure: TaskHookError | undefined;
        if (definition.teardown) {
          try {
            await guard(task.id, "teardown", timeouts.teardown, () => definition.teardown!(context));
          } catch (error) {
            failure = error instanceof TaskHookError
              ? error
              : new TaskHookError(task.id, "teardown", String(error));
          }
        }
        await sandbox.close();
        return failure;
      })();
      return destroyed;
    },
  };
}

/** Check a hook's score: a finite number in [0,1], or null. */
export function validateScore(taskId: string, hook: string, value: unknown, keepOutOfRange = false): Score {
  if (value === null || value === undefined) return null;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TaskHookError(
      taskId,
      hook,
      `returned ${JSON.stringify(value) ?? String(value)}, not a number in [0,1]`,
    );
  }
  if (!keepOutOfRange && (value < 0 || value > 1)) {
    throw new TaskHookError(taskId, hook, `returned ${value}, outside [0,1]`);
  }
  return value;
}

/**
 * True for a score outside [0, 1]. METR's standard asks for [0, 1] but its drivers keep what a family
 * returns, so for METR-format families such a score is kept and flagged (a note on the run, a QA failure);
 * TypeScript families never produce one (their scores outside [0, 1] are hook errors).
 */
export function scoreOutOfRange(score: Score): boolean {
  return score !== null && (score < 0 || score > 1);
}

function validateSubmission(taskId: string, hook: string, value: unknown): string {
  if (typeof value !== "string") {
    throw new TaskHookError(taskId, hook, `must resolve to the submission string, got ${typeof value}`);
  }
  return value;
}

/** Run a hook with a timeout; wrap anything it throws in a TaskHookError naming the task and hook. */
export async function guard<T>(
  taskId: string,
  hook: string,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TaskHookError(taskId, hook, `timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(run), timeout]);
  } catch (error) {
    if (error instanceof TaskHookError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new TaskHookError(taskId, hook, `threw: ${message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}
