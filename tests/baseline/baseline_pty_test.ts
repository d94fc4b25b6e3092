/**
 * A scripted person baselines a bundled task through a real pty, in each available sandbox: the test runs
 * `workbench baseline` under util-linux `script` (so the command sees a terminal, as a person's would) and
 * types keystrokes with delays: commands, `note`, `pause`, a wait, `resume`, `submit`. Checked: the working
 * time excludes the pause (tolerances, not speed), the transcript has the commands and their output, the
 * score equals the task scorer's for the same submission, and the run is in the log and the runs table with
 * alias = the baseliner. Then `kill -9` of a baseline mid-way and `--resume`: the time so far is kept and the
 * baseline completes.
 */
import { assert, assertEquals } from "../util/assert.ts";
import { testDrivers } from "../util/drivers.ts";
import { loadSuite } from "../../lib/task/loader.ts";
import { startTaskEnvironment } from "../../lib/task/environment.ts";
import type { SandboxDriver } from "../../lib/sandbox/types.ts";
import { parseJournal, replayJournal } from "../../lib/baseline/journal.ts";
import { runRows } from "../../lib/frame/tables.ts";
import { cleanup, journalOf, Person, ROOT, sleep } from "./_pty.ts";

const TASK = "password_recovery/plain";

/** Pids of `pid`'s descendants (this test's own processes only). */
async function descendants(pid: number): Promise<number[]> {
  const out = await new Deno.Command("pgrep", { args: ["-P", String(pid)], stdout: "piped" }).output();
  const kids = new TextDecoder().decode(out.stdout).split("\n").filter(Boolean).map(Number);
  const all = [...kids];
  for (const k of kids) all.push(...await descendants(k));
  return all;
}

/** The task scorer's score of `submission`, in a fresh environment of the same driver. */
async function scorerScore(driver: SandboxDriver, submission: string): Promise<number | null> {
  const suite = await loadSuite(`${ROOT}tasks`);
  const task = suite.tasks.find((t) => t.id === TASK)!;
  const env = await startTaskEnvironment(task, driver);
  try {
    return await env.score(submission);
  } finally {
    await env.destroy();
  }
}

for (const { name, driver } of await testDrivers()) {
  Deno.test({
    name: `baseline (${name}): a scripted person through a pty — commands, note, pause, resume, submit`,
    ignore: !driver,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "evalkit-baseline-" });
      const env = { EVALKIT_WORKBENCH_DIR: `${dir}/wb`, EVALKIT_BASELINE_DIR: dir };
      try {
        const person = new Person([TASK, "--baseliner", "p-07", "--sandbox", name], env);
        await person.waitFor(/agent@\S*:~\$ $/m);
        await person.type("ls");
        await person.waitFor(/instructions\.txt/);
        await person.type("echo marker-$((6*7))");
        await person.waitFor(/marker-42/);
        await person.type("note trying strings on the binary");
        await person.waitFor(/note recorded/);
        await person.type("pause");
        await person.waitFor(/paused: the clock is stopped/);
        await sleep(3000);
        await person.type("resume");
        await person.waitFor(/resumed/);
        await person.type(
          `for w in $(strings -n 4 check); do echo "$w" | ./check | grep -q granted && printf %s "$w" > submission.txt; done; echo found-$(cat submission.txt)`,
        );
        await person.waitFor(/found-[a-z0-9]{4,}/);
        await person.type("submit");
        await person.waitFor(/finished: score/);
        const status = await person.done();
        assertEquals(status.code, 0, person.screen);

        const { text } = await journalOf(dir);
        const { entries } = parseJournal(text);
        const state = replayJournal(entries);
        // Working time = (submit − session start) − (resume − pause), from the journal's own times.
        const at = (kind: string) => entries.find((e) => e.kind === kind)!.t;
        const expected = (at("submit") - at("session")) - (at("resume") - at("pause"));
        assert(Math.abs(state.workingMs - expected) <= 1, `${state.workingMs} vs ${expected}`);
        assert(at("resume") - at("pause") >= 2900, "the pause lasted about 3 s");
        assert(state.pausedMs >= 2900, `paused ${state.pausedMs}`);
        assert(state.workingMs < at("submit") - at("session") - 2900, "the pause is excluded");

        // The run in the log: transcript, submission, score and working time.
        const log = (await Deno.readTextFile(`${dir}/baselines.jsonl`)).trim().split("\n").map((l) =>
          JSON.parse(l)
        );
        const actions = log.filter((e) => e.type === "action").map((e) => e.args.command);
        assertEquals(actions[0], "ls");
        assertEquals(actions[1], "echo marker-$((6*7))");
        assert(
          !actions.includes("pause") && !actions.includes("submit"),
          "meta-commands are not shell commands",
        );
        const outputs = log.filter((e) => e.type === "observation").map((e) => e.output as string);
        assert(outputs[0].includes("instructions.txt") && outputs[0].includes("check"), outputs[0]);
        assert(outputs[1].includes("marker-42"), outputs[1]);
        assert(log.some((e) => e.type === "note" && e.message === "trying strings on the binary"));
        const score = log.find((e) => e.type === "score");
        assert(score.submitted && score.submission.length >= 4, JSON.stringify(score));
        assertEquals(score.score, await scorerScore(driver!, score.submission));
        assertEquals(score.score, 1);
        const end = log.find((e) => e.type === "cell_end");
        assert(Math.abs(end.agent_s * 1000 - state.workingMs) < 1, "agent_s is the working time");

        // The runs table.
        const { rows } = await runRows(`${dir}/baselines.jsonl`);
        assertEquals(rows.length, 1);
        assertEquals(rows[0].alias, "p-07");
        assertEquals(rows[0].model, "human");
        assertEquals(rows[0].variant, "human");
        assertEquals(rows[0].task_id, TASK);
        assertEquals(rows[0].score, 1);
        // The environment was destroyed.
        const left = [...Deno.readDirSync(`${dir}/wb`)].filter((e) => e.name.endsWith(".json"));
        assertEquals(left.length, 0);
      } finally {
        await cleanup(dir);
      }
    },
  });

  Deno.test({
    name: `baseline (${name}): kill -9 mid-baseline, then --resume keeps the time so far and completes`,
    ignore: !driver,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "evalkit-baseline-" });
      const env = { EVALKIT_WORKBENCH_DIR: `${dir}/wb`, EVALKIT_BASELINE_DIR: dir };
      try {
        const first = new Person([TASK, "--baseliner", "p-08", "--sandbox", name], env);
        await first.waitFor(/agent@\S*:~\$ $/m);
        await first.type("echo before-$((2+3)) > notes.txt; echo written-$((4*4))");
        await first.waitFor(/written-16/);
        await sleep(6000); // past a heartbeat
        const pids = await descendants(first.child.pid);
        const baseline = [];
        for (const pid of pids) {
          // The argument list itself, not a substring: the environment holder (`workbench.ts __hold … <dir>`)
          // names this test's folder, which has "baseline" in its name, and `sh -c` carries the whole line.
          const argv = (await Deno.readTextFile(`/proc/${pid}/cmdline`).catch(() => "")).split("\0");
          const at = argv.findIndex((a) => a.endsWith("lib/cli/workbench.ts"));
          if (at >= 0 && argv[at + 1] === "baseline") baseline.push(pid);
        }
        assertEquals(baseline.length, 1, `the baseline process among ${pids}`);
        Deno.kill(baseline[0], "SIGKILL");
        await first.done();
        const { id, text } = await journalOf(dir);
        const before = replayJournal(parseJournal(text).entries);
        assert(before.workingMs >= 5000, `time so far ${before.workingMs} ms`);
        assertEquals(before.submit, null);

        const second = new Person(["--resume", id], env);
        await second.waitFor(/agent@\S*:~\$ $/m);
        assert(/still running: its files are as you left them/.test(second.screen), second.screen);
        await second.type("cat notes.txt");
        await second.waitFor(/before-5/);
        await second.type("submit not-the-password");
        await second.waitFor(/finished: score/);
        assertEquals((await second.done()).code, 0, second.screen);

        const after = replayJournal(parseJournal((await journalOf(dir)).text).entries);
        assertEquals(after.sessions, 2);
        assert(after.workingMs > before.workingMs, `${after.workingMs} > ${before.workingMs}`);
        assert(after.done !== null, "finished");
        const log = (await Deno.readTextFile(`${dir}/baselines.jsonl`)).trim().split("\n").map((l) =>
          JSON.parse(l)
        );
        const actions = log.filter((e) => e.type === "action").map((e) => e.args.command);
        assertEquals(actions, ["echo before-$((2+3)) > notes.txt; echo written-$((4*4))", "cat notes.txt"]);
        const score = log.find((e) => e.type === "score");
        assertEquals(score.submission, "not-the-password");
        assertEquals(score.score, await scorerScore(driver!, "not-the-password"));
        const end = log.find((e) => e.type === "cell_end");
        assert(Math.abs(end.agent_s * 1000 - after.workingMs) < 1);
        const { rows } = await runRows(`${dir}/baselines.jsonl`);
        assertEquals(rows.length, 1);
        assertEquals(rows[0].alias, "p-08");
        assertEquals(rows[0].score, 0);
      } finally {
        await cleanup(dir);
      }
    },
  });

  Deno.test({
    name: `baseline (${name}): quit, the environment dies, --resume starts a fresh one and keeps the time`,
    ignore: !driver,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "evalkit-baseline-" });
      const env = { EVALKIT_WORKBENCH_DIR: `${dir}/wb`, EVALKIT_BASELINE_DIR: dir };
      try {
        const first = new Person([TASK, "--baseliner", "p-09", "--sandbox", name], env);
        await first.waitFor(/agent@\S*:~\$ $/m);
        await first.type("touch made-before");
        await sleep(1500);
        await first.type("quit");
        await first.waitFor(/continue: deno task workbench baseline --resume/);
        assertEquals((await first.done()).code, 0, first.screen);
        const { id, text } = await journalOf(dir);
        const before = replayJournal(parseJournal(text).entries);
        assert(before.workingMs >= 1400, `time so far ${before.workingMs}`);
        // The environment dies meanwhile.
        const envId = before.envId!;
        const destroyed = await new Deno.Command(Deno.execPath(), {
          args: ["run", "-A", `${ROOT}lib/cli/workbench.ts`, "destroy", envId],
          env,
          stdout: "null",
          stderr: "null",
        }).output();
        assertEquals(destroyed.code, 0);

        const second = new Person(["--resume", id], env);
        await second.waitFor(/agent@\S*:~\$ $/m);
        assert(/is gone: starting a fresh one/.test(second.screen), second.screen);
        await second.type("ls made-before || echo gone-$((3*3))");
        await second.waitFor(/gone-9/);
        await second.type("abandon");
        await second.waitFor(/finished: abandoned/);
        assertEquals((await second.done()).code, 0, second.screen);
        const after = replayJournal(parseJournal((await journalOf(dir)).text).entries);
        assert(after.envId !== envId, "a new environment");
        assert(after.workingMs > before.workingMs);
        const log = (await Deno.readTextFile(`${dir}/baselines.jsonl`)).trim().split("\n").map((l) =>
          JSON.parse(l)
        );
        const score = log.find((e) => e.type === "score");
        assertEquals(score.submitted, false);
        assertEquals(score.score, 0);
      } finally {
        await cleanup(dir);
      }
    },
  });
}
