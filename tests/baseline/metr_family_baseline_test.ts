/**
 * A scripted person baselines a task of a METR-format (Python, Task Standard) family through a real pty, in
 * each available sandbox: `workbench baseline no_version/main --dir <suite>` on a suite holding a copy of
 * the fixture family tests/fixtures/metr_families/no_version (no evalkit metadata, no `standard_version`;
 * `TaskFamily.score` is 1.0 for the submission "done", else 0.0). The person reads the instructions file,
 * writes the answer to the submission file and types `submit`. Checked: the score in the baseline log is the
 * family's own `TaskFamily.score` of that submission (run with the host's python3, outside the toolkit), and
 * the run record — in the log and in the runs table — has alias = the baseliner id, model `human`, the METR
 * task id and working minutes > 0.
 */
import { assert, assertEquals } from "../util/assert.ts";
import { testDrivers } from "../util/drivers.ts";
import { parseJournal, replayJournal } from "../../lib/baseline/journal.ts";
import { humanAttemptsFromEvents } from "../../lib/baseline/summary.ts";
import { runRows } from "../../lib/frame/tables.ts";
import { cleanup, journalOf, Person, ROOT } from "./_pty.ts";

const FAMILY = "no_version";
const TASK = `${FAMILY}/main`;
const FIXTURE = `${ROOT}tests/fixtures/metr_families/${FAMILY}`;
const ANSWER = "done";

/** `TaskFamily.score(t, submission)` of the fixture family, run by the host's python3 (not the toolkit). */
async function familyScore(submission: string): Promise<number | null> {
  const code = [
    "import json, sys",
    "sys.path.insert(0, sys.argv[1])",
    "from no_version import TaskFamily",
    "print(json.dumps(TaskFamily.score(TaskFamily.get_tasks()['main'], sys.argv[2])))",
  ].join("\n");
  const out = await new Deno.Command("python3", {
    args: ["-B", "-c", code, FIXTURE, submission],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** A tasks directory holding only a copy of the fixture family (so only its image is built). */
async function suiteWithFamily(dir: string): Promise<string> {
  const suite = `${dir}/suite`;
  await Deno.mkdir(`${suite}/${FAMILY}`, { recursive: true });
  for await (const e of Deno.readDir(FIXTURE)) {
    if (e.isFile) await Deno.copyFile(`${FIXTURE}/${e.name}`, `${suite}/${FAMILY}/${e.name}`);
  }
  return suite;
}

for (const { name, driver } of await testDrivers()) {
  Deno.test({
    name: `baseline (${name}): a scripted person baselines a METR-format family's task and submits`,
    ignore: !driver,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      const dir = await Deno.makeTempDir({ prefix: "evalkit-metr-baseline-" });
      const env = { EVALKIT_WORKBENCH_DIR: `${dir}/wb`, EVALKIT_BASELINE_DIR: dir };
      try {
        const suite = await suiteWithFamily(dir);
        const person = new Person([TASK, "--baseliner", "m-03", "--sandbox", name, "--dir", suite], env);
        await person.waitFor(/agent@\S*:~\$ $/m);
        assert(person.screen.includes("Submit the word: done"), person.screen);
        await person.type("cat instructions.txt; echo read-$((20+1))");
        await person.waitFor(/read-21/);
        await person.type(`printf ${ANSWER} > submission.txt; echo wrote-$(cat submission.txt)`);
        await person.waitFor(/wrote-done/);
        await person.type("submit");
        await person.waitFor(/finished: score/);
        const status = await person.done();
        assertEquals(status.code, 0, person.screen);

        const { text } = await journalOf(dir);
        const state = replayJournal(parseJournal(text).entries);
        assert(state.submit !== null && state.done !== null, "submitted and finished");
        assert(state.workingMs > 0, `working ${state.workingMs} ms`);

        // The run in the baseline log.
        const log = (await Deno.readTextFile(`${dir}/baselines.jsonl`)).trim().split("\n").map((l) =>
          JSON.parse(l)
        );
        const start = log.find((e) => e.type === "cell_start");
        assertEquals(start.task_id, TASK);
        assertEquals(start.task_family, FAMILY);
        assertEquals(start.model, "human");
        assertEquals(start.args.baseliner, "m-03");
        const actions = log.filter((e) => e.type === "action").map((e) => e.args.command);
        assertEquals(actions, [
          "cat instructions.txt; echo read-$((20+1))",
          `printf ${ANSWER} > submission.txt; echo wrote-$(cat submission.txt)`,
        ]);
        const outputs = log.filter((e) => e.type === "observation").map((e) => e.output as string);
        assert(outputs[0].includes("Submit the word: done") && outputs[0].includes("read-21"), outputs[0]);
        const score = log.find((e) => e.type === "score");
        assert(score.submitted, JSON.stringify(score));
        assertEquals(score.submission, ANSWER);
        assertEquals(score.score, await familyScore(ANSWER));
        assertEquals(score.score, 1);
        const end = log.find((e) => e.type === "cell_end");
        assertEquals(end.score, 1);
        assert(end.agent_s > 0, `agent_s ${end.agent_s}`);
        assert(Math.abs(end.agent_s * 1000 - state.workingMs) < 1, "agent_s is the working time");
        // As `deno task baselines` reads it: one successful attempt by the baseliner, working minutes > 0.
        const attempts = humanAttemptsFromEvents(log);
        assertEquals(attempts.length, 1);
        assertEquals(attempts[0].task_id, TASK);
        assertEquals(attempts[0].baseliner, "m-03");
        assert(attempts[0].success, JSON.stringify(attempts[0]));
        assert(attempts[0].minutes > 0, `working minutes ${attempts[0].minutes}`);

        // The runs table.
        const { rows } = await runRows(`${dir}/baselines.jsonl`);
        assertEquals(rows.length, 1);
        assertEquals(rows[0].alias, "m-03");
        assertEquals(rows[0].model, "human");
        assertEquals(rows[0].task_id, TASK);
        assertEquals(rows[0].score, 1);
        assert(rows[0].duration_s !== null && rows[0].duration_s > 0, `duration_s ${rows[0].duration_s}`);
        // The environment was destroyed.
        const left = [...Deno.readDirSync(`${dir}/wb`)].filter((e) => e.name.endsWith(".json"));
        assertEquals(left.length, 0);
      } finally {
        await cleanup(dir);
      }
    },
  });
}
