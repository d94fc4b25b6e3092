/**
 * Task QA: for every task, in fresh environments of the chosen sandbox,
 * 1. an untouched environment with an empty submission scores exactly 0,
 * 2. the reference solution (run as the agent) scores at least 0.9,
 * 3. a plausible wrong attempt scores strictly below the reference,
 * 4. the agent user cannot read the family directory, root's home, or any copy of a private file
 *    (solutions, hidden tests, scoring assets) anywhere it can read,
 * 5. the cheat battery (lib/task/cheats.ts): every generic cheat and every cheat the family declares, each
 *    in its own fresh environment, scores at the floor and leaves the host untouched.
 * One task's failure never stops the others; each failure carries its reason. The base checks of a task
 * and each of its cheats are separate jobs shared by `concurrency` workers.
 *
 * @module
 */
import type { SandboxDriver } from "../sandbox/types.ts";
import type { FamilyTestOutcome } from "./define.ts";
import {
  scoreOutOfRange,
  type StartOptions,
  startTaskEnvironment,
  type TaskEnvironment,
} from "./environment.ts";
import type { LoadedTask } from "./loader.ts";
import { join } from "../util/path.ts";
import { DEFAULT_SUCCESS_THRESHOLD } from "../core/run_outcome.ts";
import { sha256Hex } from "../util/hash.ts";
import {
  cheatMatches,
  cheatNamesFor,
  type CheatOptions,
  type CheatResult,
  runCheat,
  sweepHostCanaries,
} from "./cheats.ts";

/** Minimum reference-solution score. */
export const REFERENCE_MIN_SCORE = 0.9;

/** One task's QA outcome. */
export interface QaResult {
  /** Full task id, `family/task`. */
  taskId: string;
  /** Bucket id, or `unknown` for a task without human minutes. */
  bucket: string;
  /** Null when the task has no human minutes. */
  humanMinutes: number | null;
  /** False when only cheats were run (see {@link QaOptions.base}); the scores below are then null. */
  baseChecked: boolean;
  /**
   * Score of an empty submission in an untouched environment (must be 0); null when not checked or manual.
   */
  emptyScore: number | null;
  /** Score of the reference solution (must be ≥ {@link REFERENCE_MIN_SCORE}); null when not checked. */
  referenceScore: number | null;
  /** Score of the plausible wrong attempt (must be below the reference); null when not checked. */
  wrongScore: number | null;
  /**
   * True when the agent user could read no private file, family file or root's home; null when not checked.
   */
  privacyOk: boolean | null;
  /** The family's self-tests for this task (METR `*_test.py`), when they ran. */
  familyTests: FamilyTestOutcome | null;
  /** The cheat battery's outcomes, generic cheats first (empty when the battery was not run). */
  cheats: CheatResult[];
  /** True when every check that ran passed (a skipped cheat counts as passed). */
  passed: boolean;
  /** Every failure: base checks as they are, cheats as `cheat <name>: <reason>`. */
  reasons: string[];
  /** Sum of the time spent on this task's jobs. */
  durationMs: number;
}

/** Options of {@link qaTask} / {@link qaSuite}. */
export interface QaOptions extends StartOptions, CheatOptions {
  /** Jobs (one task's base checks, or one cheat) run at once. Default 2. */
  concurrency?: number;
  /** Run the base checks (empty, reference, wrong attempt, privacy). Default true. */
  base?: boolean;
  /**
   * Run the family's own self-tests (METR families' `*_test.py`) in a fresh environment per task. Default
   * false; always on for a METR family that has self-tests but no `qa/solution_<task>.sh`, where they stand
   * in for the reference and wrong-attempt checks.
   */
  familyTests?: boolean;
  /** Run the cheat battery. Default true. */
  cheats?: boolean;
  /** Run only the cheats these select (a generic name, `family:<name>` or a family cheat's bare name). */
  onlyCheats?: string[];
  /**
   * Once every job is done, search the host's /tmp, /root and /work for any canary of the battery
   * (one `find`, a few seconds). Default true when a cheat ran.
   */
  hostSweep?: boolean;
  /** Called after each task (all its jobs done). */
  onResult?: (result: QaResult) => void;
  /** Called after each cheat. */
  onCheat?: (taskId: string, result: CheatResult) => void;
}

/** QA every task; results come back in input order. */
export async function qaSuite(
  tasks: LoadedTask[],
  driver: SandboxDriver,
  options: QaOptions = {},
): Promise<QaResult[]> {
  const states = tasks.map((task) => ({
    result: emptyResult(task),
    pending: 0,
    cheatSlots: [] as (CheatResult | undefined)[],
  }));
  const jobs: { index: number; run: () => Promise<void> }[] = [];
  tasks.forEach((task, index) => {
    const state = states[index];
    if (options.base !== false) {
      jobs.push({ index, run: () => qaBase(task, driver, options, state.result) });
    }
    if (wantsFamilyTests(task, options)) {
      jobs.push({ index, run: () => qaFamilyTests(task, driver, options, state.result) });
    }
    if (options.cheats === false) return;
    let names: string[];
    try {
      names = cheatNamesFor(task);
    } catch (error) {
      state.result.reasons.push(
        `the family's cheats: ${error instanceof Error ? error.message : String(error)}`,
      );
      return;
    }
    if (options.onlyCheats) {
      names = names.filter((n) => options.onlyCheats!.some((selector) => cheatMatches(n, selector)));
    }
    names.forEach((name, slot) => {
      jobs.push({
        index,
        run: async () => {
          const cheat = await runCheat(task, driver, name, options);
          state.cheatSlots[slot] = cheat;
          state.result.durationMs += cheat.durationMs;
          options.onCheat?.(task.id, cheat);
        },
      });
    });
  });
  for (const job of jobs) states[job.index].pending++;

  const finish = (index: number) => {
    const { result, cheatSlots } = states[index];
    result.cheats = cheatSlots.filter((c): c is CheatResult => c !== undefined);
    settle(result);
    options.onResult?.(result);
  };
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      try {
        await job.run();
      } catch (error) {
        states[job.index].result.reasons.push(
          `QA job failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      if (--states[job.index].pending === 0) finish(job.index);
    }
  };
  states.forEach((state, index) => {
    if (state.pending === 0) finish(index);
  });
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 2, jobs.length)) }, worker),
  );

  const results = states.map((s) => s.result);
  const nonces = new Map(results.flatMap((r) => r.cheats.map((c) => [c.nonce, { r, c }] as const)));
  if (nonces.size > 0 && options.hostSweep !== false) {
    try {
      for (const [nonce, paths] of await sweepHostCanaries(nonces.keys())) {
        const { r, c } = nonces.get(nonce)!;
        if (c.status === "skip") c.reasons.length = 0; // the skip reason is not a failure reason
        c.status = "fail";
        c.reasons.push(`the host was touched: canary ${paths.join(", ")} found after the battery`);
        settle(r);
      }
    } catch (error) {
      for (const r of results) {
        r.reasons.push(`host canary sweep failed: ${error instanceof Error ? error.message : String(error)}`);
        settle(r);
      }
    }
  }
  return results;
}

/** QA one task: the base checks in three fresh environments, then the cheat battery (see {@link qaSuite}). */
export async function qaTask(
  task: LoadedTask,
  driver: SandboxDriver,
  options: QaOptions = {},
): Promise<QaResult> {
  const [result] = await qaSuite([task], driver, { ...options, onResult: undefined });
  return result;
}

function emptyResult(task: LoadedTask): QaResult {
  return {
    taskId: task.id,
    bucket: task.bucket?.id ?? "unknown",
    humanMinutes: task.manifest.humanMinutes ?? null,
    baseChecked: false,
    emptyScore: null,
    referenceScore: null,
    wrongScore: null,
    privacyOk: null,
    familyTests: null,
    cheats: [],
    passed: false,
    reasons: [],
    durationMs: 0,
  };
}

/** Recompute `passed` and the cheat reasons of a result from its parts. */
function settle(result: QaResult): void {
  const base = result.reasons.filter((r) => !r.startsWith("cheat "));
  const cheats = result.cheats.filter((c) => c.status === "fail").flatMap((c) =>
    c.reasons.map((reason) => `cheat ${c.cheat}: ${reason}`)
  );
  result.reasons.splice(0, result.reasons.length, ...base, ...cheats);
  result.passed = result.reasons.length === 0;
}

/** The base checks of one task in three fresh environments; fills `result`. */
async function qaBase(
  task: LoadedTask,
  driver: SandboxDriver,
  options: StartOptions,
  result: QaResult,
): Promise<void> {
  const started = performance.now();
  const reasons = result.reasons;
  result.baseChecked = true;

  await withEnvironment(task, driver, options, reasons, "empty", async (env) => {
    const privacy = await checkPrivacy(env);
    result.privacyOk = privacy.length === 0;
    reasons.push(...privacy);
    result.emptyScore = await env.score("");
    if (scoreOutOfRange(result.emptyScore)) {
      reasons.push(`empty submission scored ${result.emptyScore}, outside [0, 1]`);
    }
    // METR's None is manual scoring, not a pass: a METR family may leave an empty submission to a human.
    const manual = result.emptyScore === null && task.family.format === "metr-python";
    if (result.emptyScore !== 0 && !manual) {
      reasons.push(`empty submission scored ${result.emptyScore}, expected 0`);
    }
  });
  if (testsStandIn(task)) {
    // A METR family with self-tests and no reference scripts: its tests are the reference check.
    result.durationMs += performance.now() - started;
    return;
  }
  await withEnvironment(task, driver, options, reasons, "reference", async (env) => {
    const submission = await env.runSolution();
    result.referenceScore = await env.score(submission);
    if (scoreOutOfRange(result.referenceScore)) {
      reasons.push(`reference solution scored ${result.referenceScore}, outside [0, 1]`);
    }
    if (result.referenceScore === null || result.referenceScore < REFERENCE_MIN_SCORE) {
      reasons.push(`reference solution scored ${result.referenceScore}, expected >= ${REFERENCE_MIN_SCORE}`);
    }
  });
  await withEnvironment(task, driver, options, reasons, "wrong attempt", async (env) => {
    const submission = await env.runWrongAttempt();
    result.wrongScore = await env.score(submission);
    if (scoreOutOfRange(result.wrongScore)) {
      reasons.push(`wrong attempt scored ${result.wrongScore}, outside [0, 1]`);
    }
    if (result.wrongScore === null) reasons.push("wrong attempt got no score (manual scoring)");
    else if (result.referenceScore !== null && result.wrongScore >= result.referenceScore) {
      reasons.push(
        `wrong attempt scored ${result.wrongScore}, not below the reference ${result.referenceScore}`,
      );
    }
  });
  reasons.push(...successThresholdReasons(task, result.referenceScore, result.wrongScore));
  result.durationMs += performance.now() - started;
}

/**
 * Where binarized analyses would misread the task: the reference must count as a success and the wrong
 * attempt (what the simulated model runs for a failure) as a failure under the task's success threshold
 * (`successThreshold`, default {@link DEFAULT_SUCCESS_THRESHOLD}). A task with generous partial credit,
 * whose plausible wrong attempt scores above 0.5, declares a threshold near 1.
 */
export function successThresholdReasons(
  task: Pick<LoadedTask, "manifest">,
  reference: number | null,
  wrong: number | null,
): string[] {
  const threshold = task.manifest.successThreshold ?? DEFAULT_SUCCESS_THRESHOLD;
  const declared = task.manifest.successThreshold === undefined ? "default " : "";
  const reasons: string[] = [];
  if (reference !== null && reference < threshold) {
    reasons.push(
      `reference solution scored ${reference}, below the ${declared}success threshold ${threshold}`,
    );
  }
  if (wrong !== null && wrong >= threshold) {
    reasons.push(
      `wrong attempt scored ${wrong}, at or above the ${declared}success threshold ${threshold}: a failed run ` +
        `would count as a success (declare successThreshold above the wrong attempt's score)`,
    );
  }
  return reasons;
}

/** True when a METR family's self-tests replace the reference and wrong-attempt checks of this task. */
function testsStandIn(task: LoadedTask): boolean {
  const definition = task.family.definition;
  return task.family.format === "metr-python" && definition.familyTests !== undefined &&
    definition.solution === undefined;
}

function wantsFamilyTests(task: LoadedTask, options: QaOptions): boolean {
  if (task.family.definition.familyTests === undefined) return false;
  return options.familyTests === true || (options.base !== false && testsStandIn(task));
}

/** Runs the family's self-tests for one task in a fresh environment; a failure is a QA failure. */
async function qaFamilyTests(
  task: LoadedTask,
  driver: SandboxDriver,
  options: StartOptions,
  result: QaResult,
): Promise<void> {
  const started = performance.now();
  await withEnvironment(task, driver, options, result.reasons, "family tests", async (env) => {
    const outcome = await env.runFamilyTests();
    result.familyTests = outcome;
    if (outcome.status === "failed") {
      const tail = outcome.outputTail.split("\n").slice(-5).join(" | ");
      result.reasons.push(
        `family tests (${outcome.files.join(", ")}) failed, exit ${outcome.exitCode}: ${tail}`,
      );
    }
  });
  result.durationMs += performance.now() - started;
}

async function withEnvironment(
  task: LoadedTask,
  driver: SandboxDriver,
  options: StartOptions,
  reasons: string[],
  phase: string,
  body: (env: TaskEnvironment) => Promise<void>,
): Promise<void> {
  let env: TaskEnvironment | undefined;
  try {
    env = await startTaskEnvironment(task, driver, options);
    await body(env);
  } catch (error) {
    reasons.push(`${phase}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    const teardown = await env?.destroy();
    if (teardown) reasons.push(`${phase}: ${teardown.message}`);
  }
}

/** Directories the agent can write to or read that a careless setup might copy private files into. */
const SCANNED_DIRS = ["/home", "/tmp", "/var/tmp", "/opt", "/srv", "/mnt", "/run", "/var/www"];

/**
 * The privacy check: returns the problems found (empty = private).
 * - the family directory (host path) must not be visible to the agent;
 * - `/root` must not be listable by the agent;
 * - no file the agent can read under the scanned directories may have the content of a private file.
 */
export async function checkPrivacy(env: TaskEnvironment): Promise<string[]> {
  const problems: string[] = [];
  const { sandbox, task } = env;
  const familyVisible = await sandbox.exec(["test", "-e", task.family.dir], {
    user: "agent",
    timeoutMs: 10_000,
  });
  if (familyVisible.exitCode === 0) problems.push(`agent can see the family directory ${task.family.dir}`);
  const rootListing = await sandbox.exec(["ls", "/root"], { user: "agent", timeoutMs: 10_000 });
  if (rootListing.exitCode === 0) problems.push("agent can list /root");

  const privateHashes = new Map<string, string>();
  for (const rel of task.manifest.privateFiles) {
    for await (const file of walkFiles(join(task.family.dir, rel))) {
      const bytes = await Deno.readFile(file);
      if (bytes.length < 16) continue; // too small to identify
      privateHashes.set(await sha256Hex(bytes), file);
    }
  }
  if (privateHashes.size === 0) return problems;
  const scan = await sandbox.exec(
    `for d in ${
      SCANNED_DIRS.join(" ")
    }; do [ -d "$d" ] && find "$d" -xdev -type f -readable -size -8M -print0 2>/dev/null; done | xargs -0 -r sha256sum 2>/dev/null`,
    { user: "agent", timeoutMs: 120_000, outputLimitBytes: 8 << 20 },
  );
  for (const line of scan.stdout.split("\n")) {
    const match = /^([0-9a-f]{64})\s+(.*)$/.exec(line);
    if (match && privateHashes.has(match[1])) {
      problems.push(`agent can read ${match[2]}, a copy of private file ${privateHashes.get(match[1])}`);
    }
  }
  return problems;
}

async function* walkFiles(path: string): AsyncGenerator<string> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new Error(`private file ${path} does not exist`);
  }
  if (info.isFile) {
    yield path;
    return;
  }
  for await (const entry of Deno.readDir(path)) {
    yield* walkFiles(join(path, entry.name));
  }
}
