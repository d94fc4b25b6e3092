/**
 * Quality levels from evidence: `qa --record-quality` in both sandboxes makes a task `qa_passed` (with the
 * date and the QA runs as evidence), a successful baseline makes it `baselined`, and a later QA failure takes
 * it back down. The QA runs are real (a fast bundled task); the docker half is skipped without an engine.
 */
import { assert, assertEquals } from "../util/assert.ts";
import { evidenceLevels, type QaEvidence } from "../../lib/baseline/quality.ts";
import type { HumanAttempt } from "../../lib/baseline/summary.ts";
import { testDrivers } from "../util/drivers.ts";
import { cli } from "../cli/_run.ts";
import { LogWriter } from "../../lib/run/log_writer.ts";
import { baselineRunEvents } from "../../lib/baseline/record.ts";
import { type JournalEntry, replayJournal } from "../../lib/baseline/journal.ts";

const TASK = "password_recovery/plain";

const qa = (sandbox: "local" | "docker", date: string, passed: boolean, complete = true): QaEvidence => ({
  task: TASK,
  sandbox,
  date,
  passed,
  complete,
  evidence: "qa",
});

Deno.test("evidenceLevels: QA in both sandboxes, complete, latest wins; a successful baseline ranks above", () => {
  const declared = new Map([[TASK, "working_implementation"]]);
  const level = (evidence: QaEvidence[], attempts: HumanAttempt[] = []) =>
    evidenceLevels(declared, evidence, attempts).get(TASK)!;
  assertEquals(level([]).level, "working_implementation");
  assertEquals(level([qa("local", "2026-01-01", true)]).level, "working_implementation");
  const both = level([qa("local", "2026-01-01", true), qa("docker", "2026-01-03", true)]);
  assertEquals([both.level, both.date], ["qa_passed", "2026-01-03"]);
  assertEquals(
    level([qa("local", "2026-01-01", true), qa("docker", "2026-01-03", true, false)]).level,
    "working_implementation",
  );
  const demoted = level([
    qa("local", "2026-01-01", true),
    qa("docker", "2026-01-03", true),
    qa("local", "2026-02-01", false),
  ]);
  assertEquals(demoted.level, "working_implementation");
  const attempt: HumanAttempt = {
    task_id: TASK,
    task_family: "password_recovery",
    baseliner: "p-1",
    run_id: "b-20260105-00000000",
    score: 1,
    success: true,
    minutes: 4,
    origin: "log",
    completed_at: Date.UTC(2026, 0, 5),
  };
  const baselined = level([], [attempt]);
  assertEquals([baselined.level, baselined.date], ["baselined", "2026-01-05"]);
  assert(baselined.evidence!.includes("b-20260105-00000000"));
  assertEquals(level([], [{ ...attempt, success: false }]).level, "working_implementation");
});

Deno.test("qa --record-quality and a baseline raise the level deno task tasks shows", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-quality-" });
  try {
    const env = { EVALKIT_QUALITY_FILE: `${dir}/quality.jsonl`, EVALKIT_BASELINE_DIR: `${dir}/baselines` };
    const drivers = await testDrivers();
    for (const { name, driver } of drivers) {
      if (!driver) continue;
      const r = await cli("qa", ["--tasks", TASK, "--sandbox", name, "--record-quality"], env);
      assertEquals(r.code, 0, r.stderr);
    }
    const ledger = (await Deno.readTextFile(`${dir}/quality.jsonl`)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assertEquals(ledger.length, drivers.filter((d) => d.driver).length);
    assert(ledger.every((e) => e.task === TASK && e.passed && e.complete), JSON.stringify(ledger));
    const show = async () => {
      const r = await cli("tasks", ["--json", "--tasks", TASK], env);
      assertEquals(r.code, 0, r.stderr);
      return JSON.parse(r.stdout)[0].qualityEvidence;
    };
    const afterQa = await show();
    const bothRan = drivers.every((d) => d.driver);
    assertEquals(afterQa.level, bothRan ? "qa_passed" : "working_implementation");
    if (bothRan) assertEquals(afterQa.date, new Date().toISOString().slice(0, 10));

    // A successful baseline of the task.
    await Deno.mkdir(`${dir}/baselines`);
    const t0 = Date.now() - 600_000;
    const entries: JournalEntry[] = [
      {
        kind: "begin",
        t: t0,
        baseline_id: "b-20261127-0000abcd",
        task_id: TASK,
        task_family: "password_recovery",
        baseliner: "p-1",
        sandbox: "local",
        tasks_dir: "tasks",
        log: "x",
        human_minutes: 3,
        human_source: "estimate",
      },
      { kind: "session", t: t0 + 1000, resumed: false },
      { kind: "submit", t: t0 + 241_000, submission: "pw", from_file: false, score: 1 },
    ];
    const writer = LogWriter.open(`${dir}/baselines/baselines.jsonl`);
    for (const e of baselineRunEvents(replayJournal(entries), entries)) writer.write(e);
    writer.close();
    const afterBaseline = await show();
    assertEquals(afterBaseline.level, "baselined");
    assert(afterBaseline.evidence.includes("b-20261127-0000abcd"));
    const table = await cli("tasks", ["--tasks", TASK], env);
    assert(
      /password_recovery\/plain\s+cybersecurity\s+4\s+baseline\s+\S+\s+baselined/.test(table.stdout),
      table.stdout,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
