/**
 * `kill -9` of `deno task eval …` followed at once by the same command: the second run resumes and every
 * cell of the grid ends exactly once (no duplicate `cell_end`, none missing), and no sandbox is left behind.
 * Two ways to kill: the `deno task` launcher alone (its runner child is orphaned and must stop by itself),
 * and the launcher and its runner together, as a process-group kill does (the runner is left a zombie until
 * PID 1 reaps it, and its run directories stay behind for the next start's sweep). And SIGTERM to the
 * runner, which stops it at once the same way. Offline simulated model, local sandbox, a 64-cell grid.
 */
import assert from "node:assert/strict";
import { smallGridArgs } from "../util/small_grid.ts";
import { logFiles, readLogFile } from "../../lib/run/log_reader.ts";
import { processIsAlive, processStat } from "../../lib/sandbox/cleanup.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const ROOT = new URL("../../", import.meta.url).pathname;
const CELLS = 4 * 4 * 4; // tasks × variants × epochs

/** `deno task eval` on the small grid. */
function evalTask(logDir: string, sandboxDir: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: evalArgs(logDir),
    cwd: ROOT,
    env: { EVALKIT_SANDBOX_DIR: sandboxDir, NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

/** The arguments of `deno` for `deno task eval` on the small grid. */
function evalArgs(logDir: string): string[] {
  return ["task", "eval", ...smallGridArgs(logDir)];
}

/** Reads `child`'s stderr until `cells` cells have finished; the rest is drained in the background. */
async function waitForCells(child: Deno.ChildProcess, cells: number): Promise<{ rest: Promise<string> }> {
  new Response(child.stdout).text().catch(() => ""); // drained, never closed early
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while ((text.match(/^\[\d+\/\d+\]/gm) ?? []).length < cells) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the eval ended before ${cells} cells finished:\n${text}`);
    text += value;
  }
  const rest = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += value;
    }
  })();
  return { rest }; // wrapped: an async function returning a promise would wait for it
}

/** Pids whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    if (processStat(Number(entry.name))?.ppid === pid) found.push(Number(entry.name));
  }
  return found;
}

/** Processes running lib/cli/eval.ts or `deno task eval`, with their parent (for failure messages). */
function evalProcesses(): { pid: number; ppid?: number; argv: string }[] {
  const found = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const argv = (() => {
      try {
        return Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).replaceAll("\0", " ");
      } catch {
        return "";
      }
    })();
    if (/lib\/cli\/eval\.ts|task eval/.test(argv)) {
      found.push({
        pid: Number(entry.name),
        ppid: processStat(Number(entry.name))?.ppid,
        argv: argv.slice(0, 80),
      });
    }
  }
  return found;
}

/** Every `cell_end` of the log, counted per cell, and the cells started. */
async function cellCounts(logDir: string): Promise<{ ends: Map<string, number>; started: Set<string> }> {
  const [path] = await logFiles(logDir);
  const ends = new Map<string, number>();
  const started = new Set<string>();
  const { issues } = await readLogFile(path, {
    types: ["cell_start", "cell_end"],
    onEvent: (e) => {
      if (e.type === "cell_start") started.add(e.cell);
      else if (e.type === "cell_end") ends.set(e.cell, (ends.get(e.cell) ?? 0) + 1);
    },
  });
  assert.deepEqual(issues, [], "the log has no broken line");
  return { ends, started };
}

/**
 * No thread of `pid` can still run: the process is gone, or every one of its threads is gone or a zombie
 * (a thread id has its own `/proc/<tid>/stat`).
 */
function everyThreadGone(pid: number): boolean {
  let threads: Deno.DirEntry[];
  try {
    threads = [...Deno.readDirSync(`/proc/${pid}/task`)];
  } catch {
    return processStat(pid) === undefined;
  }
  return threads.every((thread) => !processIsAlive(Number(thread.name)));
}

/**
 * The run directories in `sandboxDir`, by sandbox id: the ones being created count too (`.new-<id>`, the
 * owner record already in it, renamed to `<id>` once written), as the sweep removes and reports those.
 */
function leftovers(sandboxDir: string): string[] {
  try {
    return [...Deno.readDirSync(sandboxDir)].map((e) => e.name.replace(/^\.new-/, "")).filter((n) =>
      n.startsWith("evalkit-")
    );
  } catch {
    return [];
  }
}

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return condition();
}

const WAYS = [
  "kill -9 of the deno task launcher",
  "kill -9 of the launcher and its runner",
  "SIGTERM to the runner",
];
for (const how of WAYS) {
  Deno.test(
    `${how} of \`deno task eval\`, then the same command at once: every cell once`,
    opts,
    async () => {
      const logDir = await Deno.makeTempDir({ prefix: "evalkit-kill9-log-" });
      const sandboxDir = await Deno.makeTempDir({ prefix: "evalkit-kill9-sandboxes-" });
      const first = evalTask(logDir, sandboxDir);
      const { rest: firstStderr } = await waitForCells(first, 4);
      const runners = childrenOf(first.pid);
      assert.equal(
        runners.length,
        1,
        `deno task (pid ${first.pid}) runs the eval as one child process: ${JSON.stringify(evalProcesses())}`,
      );
      const [runner] = runners;

      if (how === "SIGTERM to the runner") {
        // The runner stops at once (nothing more logged, sandboxes closed) and exits 143; deno task with it.
        Deno.kill(runner, "SIGTERM");
        assert.equal((await first.status).code, 143);
      } else {
        Deno.kill(first.pid, "SIGKILL");
        // Both at once, as a process-group kill does: the runner is reaped by PID 1 only (a zombie until).
        if (how === "kill -9 of the launcher and its runner") Deno.kill(runner, "SIGKILL");
        assert.equal((await first.status).signal, "SIGKILL");
      }
      // With the runner killed too, the run directories of its cells in flight stay behind. Listed once it is
      // really gone: SIGKILL is delivered when the process next runs, and on a loaded machine it can create
      // one more run directory after kill() returned. Its main thread turns zombie first; a worker thread in
      // the middle of the rename that creates a run directory finishes that call before it dies, so every
      // thread must be gone.
      if (how === "kill -9 of the launcher and its runner") {
        assert.ok(await waitUntil(() => everyThreadGone(runner), 10_000), `runner ${runner} still alive`);
      }
      const left = how === "kill -9 of the launcher and its runner" ? leftovers(sandboxDir) : [];

      // The same command, at once.
      const second = evalTask(logDir, sandboxDir);
      const [status, stdout, stderr] = await Promise.all([
        second.status,
        new Response(second.stdout).text(),
        new Response(second.stderr).text(),
      ]);
      assert.equal(status.code, 0, `the resumed eval failed:\n${stderr}`);
      assert.doesNotMatch(stderr, /being written by another eval/);
      assert.match(stdout, /simulated\/30 · basic/);
      // The start of the second run swept them, saying so (one the dead runner was removing may vanish on
      // its own first), and removed nothing else.
      const removed = [...stderr.matchAll(/local run directory (evalkit-[\w-]+)/g)].map((m) => m[1]);
      for (const id of removed) {
        assert.ok(left.includes(id), `swept ${id}, which the killed runner did not leave`);
      }
      if (left.length > 1) assert.ok(removed.length > 0, `nothing of ${left.join(", ")} swept:\n${stderr}`);
      // A runner that stopped by itself closed its sandboxes, those being created included: nothing to sweep.
      if (how !== "kill -9 of the launcher and its runner") assert.deepEqual(removed, [], stderr);

      const { ends, started } = await cellCounts(logDir);
      assert.equal(started.size, CELLS);
      assert.equal(ends.size, CELLS, "every cell ended");
      const duplicates = [...ends].filter(([, n]) => n !== 1);
      assert.deepEqual(duplicates, [], "no cell ended twice");

      // The first runner is gone (stopped by itself, or killed), and no sandbox is left.
      assert.equal(
        await waitUntil(() => !processIsAlive(runner), 30_000),
        true,
        "the first runner still runs",
      );
      const firstText = await firstStderr;
      if (how === "kill -9 of the deno task launcher") {
        assert.match(firstText, /the launching process \(pid \d+\) died: stopping now/);
      }
      if (how === "SIGTERM to the runner") assert.match(firstText, /terminated \(SIGTERM\): stopping now/);
      assert.deepEqual(leftovers(sandboxDir), [], "sandbox run directories left behind");
      assert.equal(
        await Deno.stat(`${(await logFiles(logDir))[0]}.lock`).then(() => true, () => false),
        false,
      );
      await Deno.remove(logDir, { recursive: true });
      await Deno.remove(sandboxDir, { recursive: true });
    },
  );
}

Deno.test(
  "Ctrl-C in a terminal (SIGINT to the process group of `deno task eval`): one graceful stop, no cell ended by it",
  opts,
  async () => {
    const logDir = await Deno.makeTempDir({ prefix: "evalkit-ctrlc-log-" });
    const sandboxDir = await Deno.makeTempDir({ prefix: "evalkit-ctrlc-sandboxes-" });
    // setsid makes `deno task` the leader of its own process group, like a shell job.
    const first = new Deno.Command("setsid", {
      args: [Deno.execPath(), ...evalArgs(logDir)],
      cwd: ROOT,
      env: { EVALKIT_SANDBOX_DIR: sandboxDir, NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const { rest } = await waitForCells(first, 4);
    // The terminal signals every process of the group: deno task forwards it too, so the runner gets two.
    const kill = await new Deno.Command("kill", { args: ["-INT", "--", `-${first.pid}`] }).output();
    assert.equal(kill.success, true);
    assert.equal((await first.status).code, 130);
    const text = await rest;
    assert.equal((text.match(/interrupted: no new cells are started/g) ?? []).length, 1, text);
    const [path] = await logFiles(logDir);
    const errors: string[] = [];
    await readLogFile(path, {
      types: ["cell_end"],
      onEvent: (e) => {
        if (e.type === "cell_end" && e.status === "error") errors.push(e.error ?? "");
      },
    });
    assert.deepEqual(errors, [], "the Ctrl-C made cells end with an error (sandboxes closed under them)");
    const second = await evalTask(logDir, sandboxDir).output();
    assert.equal(second.code, 0, new TextDecoder().decode(second.stderr));
    const { ends } = await cellCounts(logDir);
    assert.equal(ends.size, CELLS);
    assert.deepEqual([...ends].filter(([, n]) => n !== 1), []);
    assert.deepEqual(leftovers(sandboxDir), []);
    await Deno.remove(logDir, { recursive: true });
    await Deno.remove(sandboxDir, { recursive: true });
  },
);
