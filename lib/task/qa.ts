/**
 * Task QA: for every task, in fresh environments of the chosen sandbox,
 * 1. an untouched environment with an empty submission scores exactly 0,
 * 2. the reference solution (run as the agent) scores at least 0.9,
 * 3. a plausible wrong attempt scores strictly below the reference,
 * 4. the agent user cannot read the family directory, root's home, or any copy of a private file
 *    (solutions, hidden tests, scoring assets) anywhere it can read.
 * One task's failure never stops the others; each failure carries its reason.
 *
 * @module
 */
import type { SandboxDriver } from "../sandbox/types.ts";
import { type StartOptions, startTaskEnvironment, type TaskEnvironment } from "./environment.ts";
import type { LoadedTask } from "./loader.ts";
import { join } from "../util/path.ts";
import { sha256Hex } from "../util/hash.ts";

/** Minimum reference-solution score. */
export const REFERENCE_MIN_SCORE = 0.9;

/** One task's QA outcome. */
export interface QaResult {
  taskId: string;
  bucket: string;
  humanMinutes: number;
  emptyScore: number | null;
  referenceScore: number | null;
  wrongScore: number | null;
  privacyOk: boolean | null;
  passed: boolean;
  reasons: string[];
  durationMs: number;
}

/** Options of {@link qaTask} / {@link qaSuite}. */
export interface QaOptions extends StartOptions {
  /** Tasks checked at once. Default 2. */
  concurrency?: number;
  /** Called after each task. */
  onResult?: (result: QaResult) => void;
}

/** QA every task; results come back in input order. */
export async function qaSuite(
  tasks: LoadedTask[],
  driver: SandboxDriver,
  options: QaOptions = {},
): Promise<QaResult[]> {
  const results: QaResult[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const index = next++;
      results[index] = await qaTask(tasks[index], driver, options);
      options.onResult?.(results[index]);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 2, tasks.length)) }, worker),
  );
  return results;
}

/** QA one task in three fresh environments. */
export async function qaTask(
  task: LoadedTask,
  driver: SandboxDriver,
  options: QaOptions = {},
): Promise<QaResult> {
  const started = performance.now();
  const reasons: string[] = [];
  const result: QaResult = {
    taskId: task.id,
    bucket: task.bucket.id,
    humanMinutes: task.manifest.humanMinutes,
    emptyScore: null,
    referenceScore: null,
    wrongScore: null,
    privacyOk: null,
    passed: false,
    reasons,
    durationMs: 0,
  };

  await withEnvironment(task, driver, options, reasons, "empty", async (env) => {
    const privacy = await checkPrivacy(env);
    result.privacyOk = privacy.length === 0;
    reasons.push(...privacy);
    result.emptyScore = await env.score("");
    if (result.emptyScore !== 0) reasons.push(`empty submission scored ${result.emptyScore}, expected 0`);
  });
  await withEnvironment(task, driver, options, reasons, "reference", async (env) => {
    const submission = await env.runSolution();
    result.referenceScore = await env.score(submission);
    if (result.referenceScore === null || result.referenceScore < REFERENCE_MIN_SCORE) {
      reasons.push(`reference solution scored ${result.referenceScore}, expected >= ${REFERENCE_MIN_SCORE}`);
    }
  });
  await withEnvironment(task, driver, options, reasons, "wrong attempt", async (env) => {
    const submission = await env.runWrongAttempt();
    result.wrongScore = await env.score(submission);
    if (result.wrongScore === null) reasons.push("wrong attempt got no score (manual scoring)");
    else if (result.referenceScore !== null && result.wrongScore >= result.referenceScore) {
      reasons.push(
        `wrong attempt scored ${result.wrongScore}, not below the reference ${result.referenceScore}`,
      );
    }
  });
  result.passed = reasons.length === 0;
  result.durationMs = performance.now() - started;
  return result;
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
