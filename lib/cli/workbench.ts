/**
 * The workbench, like METR's: start a task environment, run commands or an agent in it, score a
 * submission, export files, destroy it.
 *
 * ```
 * deno task workbench start <task-id> [--sandbox local|docker]     # prints the environment id
 * deno task workbench list
 * deno task workbench exec <env> [--root] -- <command…>
 * deno task workbench agent <env> <agent-dir> "<command>"          # runs as agent in /home/agent/scaffolding
 * deno task workbench score <env> [--submission <text>]            # default: /home/agent/submission.txt
 * deno task workbench score <env> --intermediate                   # METR intermediate_score of the state now
 * deno task workbench export <env> <find -path pattern> [--out <new dir>]  # matched as the agent
 * deno task workbench destroy <env>
 * deno task workbench run <task-id> --cmd "<command>" [--sandbox …] # start, run, score, destroy
 * deno task workbench baseline <task-id> --baseliner <id> [--sandbox …] [--log <file>]  # a person's attempt
 * deno task workbench baseline --resume <baseline-id>             # continue one (lib/cli/baseline.ts)
 * ```
 *
 * A started environment is held by a small detached process that owns the sandbox (so the local
 * bubblewrap sandbox outlives the `start` command) and answers requests on a Unix socket; its state
 * file lives in `runs/workbench/<env>.json`.
 *
 * The agent's files are never trusted: `score` reads the submission as the agent, refusing links and
 * special files, capped (see `Sandbox.readFile`); `export` matches paths as the agent, archives them inside
 * the sandbox without following links, and unpacks the archive with our own tar reader into a fresh folder
 * (regular files and directories only; everything else is listed as skipped, with why). Commands that
 * create sandboxes (`start`, `run`) first sweep what killed runs left behind.
 * @module
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { z } from "../deps/zod.ts";
import { BaseSandbox } from "../sandbox/base.ts";
import { createSandboxDriver } from "../sandbox/mod.ts";
import { sweepLeftovers } from "../run/leftovers.ts";
import { SandboxDriverName } from "../sandbox/types.ts";
import {
  readSubmissionFile,
  startTaskEnvironment,
  SUBMISSION_PATH,
  type TaskEnvironment,
} from "../task/environment.ts";
import { DEFAULT_TASKS_DIR, loadSuite } from "../task/loader.ts";
import { safeTaskId } from "../task/schema.ts";
import { join, PROJECT_ROOT } from "../util/path.ts";
import { CliExit, withExitCode } from "./args.ts";
import { baseline } from "./baseline.ts";

const USAGE = `usage: deno task workbench <command> …
  start <task-id> [--sandbox local|docker]            start an environment; prints its id
  list                                                the environments started
  exec <env> [--root] -- <command…>                   run a command (as agent, or root)
  agent <env> <agent-dir> "<command>"                 copy <agent-dir> in and run the command as agent
  score <env> [--submission <text>] [--intermediate]  score (default: /home/agent/submission.txt)
  export <env> <find -path pattern> [--out <new dir>] copy matching files out, as the agent sees them
  destroy <env>                                       destroy the environment
  run <task-id> --cmd "<command>" [--sandbox …]       start, run, score, destroy
  baseline <task-id> --baseliner <id> [--sandbox …] [--log <file>]   a person's recorded attempt (docs/baselines.md)
  baseline --resume <baseline-id>                     continue an interrupted baseline
  --dir <tasks dir>                                   task families directory (default: the bundled tasks/)
  -h, --help                                          this text`;

/** Where environments' state files and sockets live (read at each call: tests set the variable). */
function stateDir(): string {
  return Deno.env.get("EVALKIT_WORKBENCH_DIR") ?? join(PROJECT_ROOT, "runs", "workbench");
}

const EnvState = z.object({
  envId: z.string(),
  taskId: z.string(),
  sandbox: SandboxDriverName,
  pid: z.number(),
  socket: z.string(),
  startedAt: z.string(),
  instructions: z.string(),
});
type EnvState = z.infer<typeof EnvState>;

const Request = z.discriminatedUnion("op", [
  z.object({ op: z.literal("exec"), command: z.array(z.string()).min(1), root: z.boolean().default(false) }),
  z.object({ op: z.literal("agent"), agentDir: z.string(), command: z.string() }),
  z.object({
    op: z.literal("score"),
    submission: z.string().optional(),
    intermediate: z.boolean().default(false),
  }),
  z.object({ op: z.literal("export"), pattern: z.string(), out: z.string() }),
  z.object({ op: z.literal("destroy") }),
  z.object({ op: z.literal("shell"), term: z.string().regex(/^[A-Za-z0-9_.+-]{1,64}$/) }),
]);
type Request = z.infer<typeof Request>;

/** A sandbox that can open an interactive shell for a person (both built-in drivers). */
interface InteractiveSandbox {
  interactiveShell(
    env: Record<string, string>,
  ): { command: string; args: string[]; env: Record<string, string> };
}

/** What an export reply lists as skipped (names already escaped by the reader). */
const ExportSkipped = z.array(z.object({ path: z.string(), reason: z.string() }));

function fail(message: string): never {
  throw new CliExit(2, `error: ${message}`);
}

async function readState(envId: string): Promise<EnvState> {
  const file = join(stateDir(), `${envId}.json`);
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch {
    fail(`no environment "${envId}" (no ${file}); see \`deno task workbench list\``);
  }
  try {
    return EnvState.parse(JSON.parse(text));
  } catch (error) {
    fail(`state file ${file} is unreadable (${(error as Error).message.split("\n")[0]}); remove it`);
  }
}

async function send(envId: string, request: Request): Promise<Record<string, unknown>> {
  const state = await readState(envId);
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path: state.socket });
  } catch {
    fail(
      `environment "${envId}" is not answering (holder pid ${state.pid} gone?); remove ${stateDir()}/${envId}.json`,
    );
  }
  await conn.write(new TextEncoder().encode(JSON.stringify(request) + "\n"));
  const text = await new Response(conn.readable).text();
  const reply = JSON.parse(text) as Record<string, unknown>;
  if (reply.error) fail(String(reply.error));
  return reply;
}

/**
 * The detached holder: owns one environment, serves requests until destroyed; returns its exit code. It is
 * always a process of its own (`start` spawns `workbench.ts __hold …`), so its SIGTERM/SIGINT handlers
 * destroy the environment and exit that process.
 */
async function hold(envId: string, taskId: string, sandbox: SandboxDriverName, dir: string): Promise<number> {
  await Deno.mkdir(stateDir(), { recursive: true });
  const socket = join(stateDir(), `${envId}.sock`);
  const stateFile = join(stateDir(), `${envId}.json`);
  const errorFile = join(stateDir(), `${envId}.error`);
  let env: TaskEnvironment;
  try {
    const suite = await loadSuite(dir);
    const task = suite.tasks.find((t) => t.id === taskId);
    if (!task) throw new Error(`no task "${taskId}" (see deno task tasks)`);
    env = await startTaskEnvironment(task, await createSandboxDriver(sandbox));
  } catch (error) {
    await Deno.writeTextFile(errorFile, error instanceof Error ? error.message : String(error));
    return 1;
  }
  const listener = Deno.listen({ transport: "unix", path: socket });
  const cleanup = async () => {
    await env.destroy();
    await Deno.remove(stateFile).catch(() => {});
    await Deno.remove(socket).catch(() => {});
  };
  const onSignal = async () => {
    await cleanup();
    Deno.exit(0); // the holder process is asked to stop: its environment is gone, so is it
  };
  for (const signal of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(signal, onSignal);
  try {
    const state: EnvState = {
      envId,
      taskId,
      sandbox,
      pid: Deno.pid,
      socket,
      startedAt: new Date().toISOString(),
      instructions: env.instructions,
    };
    await Deno.writeTextFile(stateFile, JSON.stringify(state, null, 2));
    for await (const conn of listener) {
      const line = (await readLine(conn)) ?? "";
      let reply: Record<string, unknown>;
      let destroy = false;
      try {
        const request = Request.parse(JSON.parse(line));
        destroy = request.op === "destroy";
        reply = await handle(env, request);
      } catch (error) {
        reply = { error: error instanceof Error ? error.message : String(error) };
      }
      await conn.write(new TextEncoder().encode(JSON.stringify(reply)));
      conn.close();
      if (destroy) {
        listener.close();
        await cleanup();
        return 0;
      }
    }
    return 0;
  } finally {
    for (const signal of ["SIGTERM", "SIGINT"] as const) Deno.removeSignalListener(signal, onSignal);
  }
}

async function readLine(conn: Deno.Conn): Promise<string | undefined> {
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(65536);
  let text = "";
  while (!text.includes("\n")) {
    const n = await conn.read(buffer);
    if (n === null) break;
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
  return text.split("\n")[0];
}

async function handle(env: TaskEnvironment, request: Request): Promise<Record<string, unknown>> {
  switch (request.op) {
    case "exec": {
      const result = await env.sandbox.exec(request.command, { user: request.root ? "root" : "agent" });
      return { ...result };
    }
    case "agent": {
      await env.sandbox.copyIn(request.agentDir, "/home/agent/scaffolding", { owner: "agent" });
      const result = await env.sandbox.exec(["bash", "-c", request.command], {
        user: "agent",
        cwd: "/home/agent/scaffolding",
        timeoutMs: 24 * 3600_000,
      });
      return { ...result };
    }
    case "score": {
      if (request.intermediate) {
        // METR's intermediate scoring: score the current state, no submission; logged for aggregate_scores.
        const result = await env.intermediateScore();
        return { score: result.score, message: result.message ?? null, intermediate: true };
      }
      let submission = request.submission;
      if (submission === undefined) {
        // METR: with intermediate scoring the submission is always the empty string.
        const intermediate = env.task.family.definition.intermediateScore !== undefined;
        submission = await readSubmissionFile(env.sandbox).catch((error: Error) => {
          if (intermediate && error.message.includes("No such file")) return "";
          throw new Error(`no --submission given and ${SUBMISSION_PATH} cannot be read: ${error.message}`);
        });
      }
      return { score: await env.score(submission), submission };
    }
    case "export": {
      if (!(env.sandbox instanceof BaseSandbox)) {
        throw new Error(`export needs one of evalkit's sandbox drivers, not ${env.sandbox.driver}`);
      }
      const report = await env.sandbox.copyOutMatching("/home/agent", request.pattern, request.out);
      return { exported: report.files, bytes: report.bytes, skipped: report.skipped, out: request.out };
    }
    case "destroy":
      return { destroyed: true };
    case "shell": {
      // The host command that enters the sandbox as the agent, for a person's baseline (lib/cli/baseline.ts).
      // Both drivers (LocalSandbox, DockerSandbox) have `interactiveShell`; checked by shape so that the
      // docker client library is loaded only when a docker sandbox is used.
      const sandbox = env.sandbox as Partial<InteractiveSandbox> & { driver: string };
      if (typeof sandbox.interactiveShell !== "function") {
        throw new Error(`an interactive shell needs one of evalkit's sandbox drivers, not ${sandbox.driver}`);
      }
      return { shell: sandbox.interactiveShell({ TERM: request.term }), driver: sandbox.driver };
    }
  }
}

async function start(taskId: string, sandbox: SandboxDriverName, dir: string): Promise<EnvState> {
  // A file and socket name: the task id as a safe token (METR names may hold capitals, dots, pluses).
  const envId = `${safeTaskId(taskId)}-${crypto.randomUUID().slice(0, 8)}`;
  await Deno.mkdir(stateDir(), { recursive: true });
  const child = new Deno.Command("setsid", {
    args: [Deno.execPath(), "run", "-A", import.meta.filename!, "__hold", envId, taskId, sandbox, dir],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  const stateFile = join(stateDir(), `${envId}.json`);
  const errorFile = join(stateDir(), `${envId}.error`);
  for (let waited = 0; waited < 600_000; waited += 200) {
    try {
      return EnvState.parse(JSON.parse(await Deno.readTextFile(stateFile)));
    } catch { /* not ready yet */ }
    try {
      const message = await Deno.readTextFile(errorFile);
      await Deno.remove(errorFile);
      fail(`could not start ${taskId}: ${message}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  fail(`timed out starting ${taskId}`);
}

/** Prints a command's output; returns its exit code (that of the workbench command). */
function printExec(reply: Record<string, unknown>): number {
  if (reply.stdout) Deno.stdout.writeSync(new TextEncoder().encode(String(reply.stdout)));
  if (reply.stderr) Deno.stderr.writeSync(new TextEncoder().encode(String(reply.stderr)));
  if (reply.timedOut) console.error("[timed out]");
  return Number(reply.exitCode ?? 1);
}

/**
 * Run `deno task workbench` with `args` (the command and its arguments); returns the exit code: 0 done, 1 a
 * sandbox that cannot start, 2 a usage error or an environment that does not answer; `exec` and `agent`
 * return the command's own exit code.
 */
export function main(args: string[]): Promise<number> {
  return withExitCode(() => workbench(args));
}

async function workbench(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === "baseline") {
    return await baseline(rest, {
      start: async (taskId, sandbox, dir) => {
        await sweepLeftovers();
        return await start(taskId, sandbox, dir);
      },
      send: (envId, request) => send(envId, Request.parse(request)),
    });
  }
  if (command === "--help" || command === "-h" || command === "help") {
    console.log(USAGE);
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        sandbox: { type: "string", default: "local" },
        dir: { type: "string", default: DEFAULT_TASKS_DIR },
        root: { type: "boolean", default: false },
        submission: { type: "string" },
        intermediate: { type: "boolean", default: false },
        out: { type: "string" },
        cmd: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    fail(`${(e as Error).message.split("\n")[0]} (see lib/cli/workbench.ts for usage)`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const sandbox = SandboxDriverName.safeParse(values.sandbox);
  if (!sandbox.success) fail(`--sandbox must be local or docker, got "${values.sandbox}"`);
  switch (command) {
    case "__hold":
      return await hold(
        positionals[0],
        positionals[1],
        SandboxDriverName.parse(positionals[2]),
        positionals[3],
      );
    case "start": {
      if (!positionals[0]) fail("usage: workbench start <task-id> [--sandbox local|docker]");
      await sweepLeftovers();
      const state = await start(positionals[0], sandbox.data, values.dir);
      console.log(`environment ${state.envId} started (${state.sandbox}) for ${state.taskId}\n`);
      console.log(state.instructions);
      console.log(`\nnext: deno task workbench exec ${state.envId} -- ls -la`);
      break;
    }
    case "list": {
      const rows: EnvState[] = [];
      try {
        for await (const entry of Deno.readDir(stateDir())) {
          if (!entry.name.endsWith(".json")) continue;
          const file = join(stateDir(), entry.name);
          try {
            rows.push(EnvState.parse(JSON.parse(await Deno.readTextFile(file))));
          } catch (error) {
            console.error(
              `warning: skipping unreadable state file ${file}: ${(error as Error).message.split("\n")[0]}`,
            );
          }
        }
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
      for (const r of rows) {
        console.log(`${r.envId}\t${r.taskId}\t${r.sandbox}\tpid ${r.pid}\t${r.startedAt}`);
      }
      if (rows.length === 0) console.log("no environments");
      break;
    }
    case "exec":
      if (positionals.length < 2) fail("usage: workbench exec <env> [--root] -- <command…>");
      return printExec(
        await send(positionals[0], { op: "exec", command: positionals.slice(1), root: values.root }),
      );
    case "agent":
      if (positionals.length < 3) fail('usage: workbench agent <env> <agent-dir> "<command>"');
      return printExec(
        await send(positionals[0], { op: "agent", agentDir: positionals[1], command: positionals[2] }),
      );
    case "score": {
      if (!positionals[0]) fail("usage: workbench score <env> [--submission <text>] [--intermediate]");
      if (values.intermediate && values.submission !== undefined) {
        fail("--intermediate scores the environment's current state: it takes no --submission");
      }
      const reply = await send(positionals[0], {
        op: "score",
        submission: values.submission,
        intermediate: values.intermediate,
      });
      if (values.intermediate) {
        const message = reply.message === null || reply.message === undefined
          ? ""
          : ` (${JSON.stringify(reply.message)})`;
        console.log(
          reply.score === null
            ? `Intermediate score: none${message}.`
            : `Intermediate score: ${reply.score}${message}`,
        );
      } else {
        console.log(
          reply.score === null ? "Task needs manual scoring." : `Task scored. Score: ${reply.score}`,
        );
      }
      break;
    }
    case "export": {
      if (positionals.length < 2) fail("usage: workbench export <env> <pattern> [--out <new dir>]");
      const stamp = new Date().toISOString().replace(/[:.]/g, "-");
      const out = resolve(values.out ?? join(stateDir(), positionals[0], `export-${stamp}`));
      if (await Deno.lstat(out).then(() => true, () => false)) {
        fail(`--out ${out} already exists; export writes only into a new folder`);
      }
      const reply = await send(positionals[0], { op: "export", pattern: positionals[1], out });
      const skipped = ExportSkipped.parse(reply.skipped ?? []);
      for (const entry of skipped) console.error(`skipped ${entry.path}: ${entry.reason}`);
      console.log(
        `exported ${reply.exported} files to ${reply.out}` +
          (skipped.length ? ` (${skipped.length} skipped)` : ""),
      );
      break;
    }
    case "destroy":
      if (!positionals[0]) fail("usage: workbench destroy <env>");
      await send(positionals[0], { op: "destroy" });
      console.log(`environment ${positionals[0]} destroyed`);
      break;
    case "run": {
      if (!positionals[0] || !values.cmd) {
        fail('usage: workbench run <task-id> --cmd "<command>" [--sandbox …]');
      }
      const suite = await loadSuite(values.dir).catch((e: Error) => fail(`--dir: ${e.message}`));
      const task = suite.tasks.find((t) => t.id === positionals[0]) ?? fail(`no task "${positionals[0]}"`);
      await sweepLeftovers();
      const driver = await createSandboxDriver(sandbox.data).catch((e: Error) => {
        throw new CliExit(1, `error: ${e.message}`);
      });
      const env = await startTaskEnvironment(task, driver).catch((e: Error) => {
        throw new CliExit(1, `error: could not start ${task.id}: ${e.message}`);
      });
      try {
        const result = await env.sandbox.exec(["bash", "-c", values.cmd], { user: "agent" });
        console.log(result.stdout + result.stderr);
        const submission = await readSubmissionFile(env.sandbox).catch((error: Error) => {
          console.error(`warning: scoring an empty submission: ${error.message}`);
          return "";
        });
        const score = await env.score(submission);
        console.log(score === null ? "Task needs manual scoring." : `Task scored. Score: ${score}`);
      } finally {
        await env.destroy();
      }
      break;
    }
    default:
      fail(
        "usage: workbench start|list|exec|agent|score|export|destroy|run … (see deno task workbench --help)",
      );
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
