/**
 * `deno task workbench baseline` — a person's recorded attempt at a task (a human baseline), in the same
 * environment an agent gets and written to the same event log as agent runs. See docs/baselines.md.
 *
 * ```
 * deno task workbench baseline <task-id> --baseliner <pseudonym> [--sandbox local|docker] [--log <file>]
 * deno task workbench baseline --resume <baseline-id>
 * ```
 *
 * The environment is started by the workbench's own start path (a detached holder process owns it), the
 * person gets `bash` as the agent user inside it in a real pty (lib/baseline/shell.ts), and everything is
 * journalled (lib/baseline/journal.ts) under `runs/baselines/journals/` (or `$EVALKIT_BASELINE_DIR`), so an
 * interrupted baseline (Ctrl-C is passed to the shell; `quit`, a lost terminal, `kill -9`) is resumed with
 * its working time so far. On `submit` the answer is scored by the task's scorer (the workbench `score`
 * request), the run is appended to the log (default `runs/baselines/baselines.jsonl`) and the environment is
 * destroyed.
 * @module
 */
import { parseArgs } from "node:util";
import { DEFAULT_TASKS_DIR, loadSuite } from "../task/loader.ts";
import { SandboxDriverName } from "../sandbox/types.ts";
import { baselineDir } from "../baseline/times.ts";
import { join } from "../util/path.ts";
import { LogWriter } from "../run/log_writer.ts";
import {
  BaselineId,
  BaselinerId,
  Journal,
  journalPath,
  newBaselineId,
  replayJournal,
} from "../baseline/journal.ts";
import { META_HELP, runShellSession, type SessionEnd, type ShellCommand } from "../baseline/shell.ts";
import { baselineRunEvents } from "../baseline/record.ts";
import { CliExit } from "./args.ts";

/** What the baseline command needs from the workbench (its start path and its holder requests). */
export interface BaselineDeps {
  /** Starts an environment as `workbench start` does. */
  start(
    taskId: string,
    sandbox: SandboxDriverName,
    dir: string,
  ): Promise<{ envId: string; instructions: string }>;
  /** Sends a request to an environment's holder; throws when it does not answer or fails. */
  send(envId: string, request: Record<string, unknown>): Promise<Record<string, unknown>>;
}

const USAGE =
  `usage: deno task workbench baseline <task-id> --baseliner <pseudonym> [--sandbox local|docker] [--log <file>]
       deno task workbench baseline --resume <baseline-id>
  --dir <tasks dir>   task families directory (default: the bundled tasks/)
see docs/baselines.md`;

function fail(message: string): never {
  throw new CliExit(2, `error: ${message}`);
}

const minutes = (ms: number) => (ms / 60_000).toFixed(1);

/** Runs `workbench baseline …`; returns the exit code. */
export async function baseline(args: string[], deps: BaselineDeps): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        baseliner: { type: "string" },
        sandbox: { type: "string", default: "local" },
        log: { type: "string" },
        dir: { type: "string", default: DEFAULT_TASKS_DIR },
        resume: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message.split("\n")[0]}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const journals = join(baselineDir(), "journals");
  if (values.resume !== undefined) {
    if (positionals.length) fail("--resume takes no task (the journal names it)");
    const id = BaselineId.safeParse(values.resume);
    if (!id.success) fail(`--resume: ${id.error.issues[0].message}`);
    const path = journalPath(journals, id.data);
    const journal = await Journal.open(path).catch((e: Error) =>
      fail(`no baseline ${id.data} (${e.message})`)
    );
    return await resume(journal, deps);
  }
  const taskId = positionals[0] ?? fail(`a task id is needed\n${USAGE}`);
  const baseliner = BaselinerId.safeParse(values.baseliner ?? "");
  if (!baseliner.success) fail(`--baseliner: ${baseliner.error.issues[0].message}`);
  const sandbox = SandboxDriverName.safeParse(values.sandbox);
  if (!sandbox.success) fail(`--sandbox must be local or docker, got "${values.sandbox}"`);
  const suite = await loadSuite(values.dir).catch((e: Error) => fail(`--dir: ${e.message}`));
  const task = suite.tasks.find((t) => t.id === taskId) ?? fail(`no task "${taskId}" (see deno task tasks)`);
  const log = values.log ?? join(baselineDir(), "baselines.jsonl");
  const id = newBaselineId();
  await Deno.mkdir(journals, { recursive: true, mode: 0o700 });
  const journal = Journal.create(journalPath(journals, id));
  journal.append({
    kind: "begin",
    baseline_id: id,
    task_id: task.id,
    task_family: task.family.name,
    baseliner: baseliner.data,
    sandbox: sandbox.data,
    tasks_dir: values.dir,
    log,
    human_minutes: task.manifest.humanMinutes ?? null,
    human_source: task.manifest.humanSource ?? null,
    success_threshold: task.manifest.successThreshold ?? null,
  });
  console.log(
    `baseline ${id}: ${task.id} by ${baseliner.data} (${sandbox.data} sandbox); starting the environment…`,
  );
  const env = await deps.start(task.id, sandbox.data, values.dir);
  journal.append({ kind: "env", env_id: env.envId, replaces: null });
  return await session(journal, env, deps);
}

async function alive(envId: string, deps: BaselineDeps): Promise<boolean> {
  try {
    const reply = await deps.send(envId, { op: "exec", command: ["true"], root: false });
    return reply.exitCode === 0;
  } catch {
    return false;
  }
}

async function resume(journal: Journal, deps: BaselineDeps): Promise<number> {
  const state = replayJournal(journal.entries);
  const b = state.begin;
  if (state.done) {
    fail(`baseline ${b.baseline_id} is finished (run ${state.done.run_id} in ${state.done.log})`);
  }
  console.log(
    `baseline ${b.baseline_id}: ${b.task_id} by ${b.baseliner}; ${
      minutes(state.workingMs)
    } working minutes so far` +
      ` (${state.sessions} session${state.sessions === 1 ? "" : "s"})`,
  );
  if (state.submit || state.abandoned) {
    // Interrupted between the submission and the log: only the record is left to write.
    return await finish(journal, state.envId, deps);
  }
  let env: { envId: string; instructions: string };
  if (state.envId && await alive(state.envId, deps)) {
    const instructions = await deps.send(state.envId, {
      op: "exec",
      command: ["cat", "/home/agent/instructions.txt"],
      root: true,
    }).then((r) => String(r.stdout ?? ""), () => "");
    env = { envId: state.envId, instructions };
    console.log(`environment ${env.envId} is still running: its files are as you left them`);
  } else {
    console.log(
      `environment ${state.envId ?? "(none)"} is gone: starting a fresh one (files from before are lost; ` +
        "time, commands and notes are kept)",
    );
    const sandbox = SandboxDriverName.parse(b.sandbox);
    env = await deps.start(b.task_id, sandbox, b.tasks_dir);
    journal.append({ kind: "env", env_id: env.envId, replaces: state.envId });
  }
  return await session(journal, env, deps);
}

async function session(
  journal: Journal,
  env: { envId: string; instructions: string },
  deps: BaselineDeps,
): Promise<number> {
  const b = replayJournal(journal.entries).begin;
  console.log(`\n===== instructions =====\n${env.instructions.trim()}\n========================\n`);
  console.log(META_HELP);
  console.log(
    `\nthe clock is running. If you are interrupted: deno task workbench baseline --resume ${b.baseline_id}\n`,
  );
  const term = /^[A-Za-z0-9_.+-]{1,64}$/.test(Deno.env.get("TERM") ?? "") ? Deno.env.get("TERM")! : "xterm";
  const reply = await deps.send(env.envId, { op: "shell", term });
  const raw = reply.shell as { command: string; args: string[]; env: Record<string, string> };
  // Local: the command needs nothing from the host environment. Docker: the engine client needs the host's
  // settings (DOCKER_HOST, its config); nothing of it reaches the container, whose environment `exec -e` sets.
  const shell: ShellCommand = { ...raw, clearEnv: reply.driver === "local" };
  const state = replayJournal(journal.entries);
  const how: SessionEnd = await runShellSession({
    shell,
    journal,
    nextIndex: state.nextIndex,
    score: async (submission) => {
      const r = await deps.send(env.envId, { op: "score", submission, intermediate: false });
      return { score: r.score === null ? null : Number(r.score), submission: String(r.submission ?? "") };
    },
  });
  if (how === "submitted" || how === "abandoned") return await finish(journal, env.envId, deps);
  const now = replayJournal(journal.entries);
  console.log(
    `\nbaseline ${b.baseline_id} interrupted (${how.replace("_", " ")}); ${
      minutes(now.workingMs)
    } working minutes ` +
      `so far, kept. The environment ${env.envId} is left running.\n` +
      `continue: deno task workbench baseline --resume ${b.baseline_id}`,
  );
  journal.close();
  return how === "signal" ? 130 : 0;
}

async function finish(journal: Journal, envId: string | null, deps: BaselineDeps): Promise<number> {
  const state = replayJournal(journal.entries);
  const b = state.begin;
  const events = baselineRunEvents(state, journal.entries);
  const writer = LogWriter.open(b.log, { fsync: true });
  try {
    for (const e of events) writer.write(e);
  } finally {
    writer.close();
  }
  journal.append({ kind: "done", run_id: b.baseline_id, log: b.log });
  journal.close();
  if (envId) await deps.send(envId, { op: "destroy" }).catch(() => {});
  const score = state.submit ? state.submit.score : null;
  console.log(
    `\nbaseline ${b.baseline_id} finished: ${
      state.submit ? `score ${score ?? "(manual scoring)"}` : "abandoned"
    }, ` +
      `${minutes(state.workingMs)} working minutes (${
        minutes(state.pausedMs)
      } paused, ${state.sessions} session${state.sessions === 1 ? "" : "s"}); run written to ${b.log}`,
  );
  return 0;
}
