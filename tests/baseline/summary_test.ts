/**
 * Baseline-derived task times against an independent computation: runs written the way `workbench
 * baseline` writes them (from journals), METR-style human rows, and the `deno task baselines` CLI over a log.
 * The geometric means are worked out by hand here (e.g. √(4·9) = 6), not with the module's own helpers.
 */
import { assert, assertAlmostEquals, assertEquals } from "../util/assert.ts";
import { type JournalEntry, replayJournal } from "../../lib/baseline/journal.ts";
import { baselineRunEvents } from "../../lib/baseline/record.ts";
import {
  baselineTaskMetaCsv,
  humanAttemptsFromEvents,
  humanAttemptsFromMetr,
  summarizeBaselines,
} from "../../lib/baseline/summary.ts";
import { LogWriter } from "../../lib/run/log_writer.ts";
import { parseTaskMeta } from "../../lib/task/task_meta.ts";
import { runRowsFromEvents } from "../../lib/frame/runs_from_log.ts";
import { cli } from "../cli/_run.ts";
import { writeRunLog } from "../util/run_log.ts";
import { readRunsLog } from "../../lib/notebook/grid.ts";

const MIN = 60_000;

/** A journal of one baseline: `work` working minutes, split by a `pause` of `pause` minutes. */
function journal(
  id: string,
  task: string,
  baseliner: string,
  work: number,
  score: number | null,
  pause = 0,
): JournalEntry[] {
  const t0 = 1_700_000_000_000;
  const half = (work / 2) * MIN;
  return [
    {
      kind: "begin",
      t: t0,
      baseline_id: id,
      task_id: task,
      task_family: task.split("/")[0],
      baseliner,
      sandbox: "local",
      tasks_dir: "tasks",
      log: "x.jsonl",
      human_minutes: 8,
      human_source: "estimate",
    },
    { kind: "env", t: t0 + 1000, env_id: "e1", replaces: null },
    { kind: "session", t: t0 + 2000, resumed: false },
    { kind: "action", t: t0 + 3000, index: 0, command: "ls", exact: true },
    { kind: "observation", t: t0 + 4000, index: 0, output: "check" },
    { kind: "pause", t: t0 + 2000 + half },
    { kind: "resume", t: t0 + 2000 + half + pause * MIN },
    score === null
      ? { kind: "abandon", t: t0 + 2000 + 2 * half + pause * MIN }
      : { kind: "submit", t: t0 + 2000 + 2 * half + pause * MIN, submission: "x", from_file: false, score },
  ];
}

function run(id: string, task: string, baseliner: string, work: number, score: number | null, pause = 0) {
  const entries = journal(id, task, baseliner, work, score, pause);
  return baselineRunEvents(replayJournal(entries), entries);
}

Deno.test("journal replay: working time is wall time minus pauses; an open session counts to its last line", () => {
  const entries = journal("b-1", "esolang/hello", "a", 10, 1, 30);
  const s = replayJournal(entries);
  assertEquals(s.workingMs, 10 * MIN);
  assertEquals(s.pausedMs, 30 * MIN);
  // A crash: a session, a tick 40 s in, nothing after (kill -9) — then a resumed session of 20 s.
  const t = entries[0].t;
  const crashed: JournalEntry[] = [
    entries[0],
    { kind: "session", t: t + 1000, resumed: false },
    { kind: "tick", t: t + 41_000 },
    { kind: "session", t: t + 500_000, resumed: true },
    { kind: "submit", t: t + 520_000, submission: "a", from_file: false, score: 1 },
  ];
  const c = replayJournal(crashed);
  assertEquals(c.workingMs, 40_000 + 20_000);
  assertEquals(c.sessions, 2);
});

Deno.test("baselines summary: geometric mean of successful attempts by hand, spread, author estimate", () => {
  const events = [
    ...run("b-1", "esolang/hello", "alice", 4, 1, 15),
    ...run("b-2", "esolang/hello", "bob", 9, 1),
    ...run("b-3", "esolang/hello", "carol", 30, 0), // failed: not in the time
    ...run("b-4", "esolang/hello", "dan", 12, null), // abandoned
    ...run("b-5", "mystery_function/affine", "alice", 2, 1),
    ...run("b-6", "mystery_function/affine", "bob", 8, 0.8),
    ...run("b-7", "mystery_function/affine", "erin", 32, 1),
  ];
  const attempts = humanAttemptsFromEvents(events);
  assertEquals(attempts.length, 7);
  const rows = summarizeBaselines(
    attempts,
    new Map([["esolang/hello", { minutes: 8, source: "estimate" }]]),
  );
  const hello = rows.find((r) => r.task_id === "esolang/hello")!;
  assertEquals([hello.attempts, hello.successes, hello.baseliners], [4, 2, 4]);
  assertAlmostEquals(hello.baseline_minutes!, 6, 1e-9); // √(4·9)
  assertEquals([hello.min_minutes, hello.max_minutes], [4, 9]);
  // Geometric SD of {4, 9}: exp(sd of {ln 4, ln 9}) with n − 1 = exp(|ln 9 − ln 4| / √2).
  assertAlmostEquals(hello.geo_sd!, Math.exp(Math.abs(Math.log(9) - Math.log(4)) / Math.SQRT2), 1e-9);
  assertEquals(hello.estimate_minutes, 8);
  assertAlmostEquals(hello.ratio!, 6 / 8, 1e-9);
  const affine = rows.find((r) => r.task_id === "mystery_function/affine")!;
  assertAlmostEquals(affine.baseline_minutes!, 8, 1e-9); // ∛(2·8·32) = ∛512
  assertEquals(affine.estimate_minutes, null);

  // The task-times table it writes is one `--task-meta` reads, with source baseline.
  const table = parseTaskMeta(baselineTaskMetaCsv(rows), "baselines.csv");
  assertEquals(table.entries.get("esolang/hello")?.humanMinutes, 6);
  assertEquals(table.entries.get("esolang/hello")?.humanSource, "baseline");

  // In the runs table each baseline is a run of alias = the baseliner, model human.
  const runRows = runRowsFromEvents(events);
  assertEquals(runRows.length, 7);
  assertEquals(new Set(runRows.map((r) => r.alias)), new Set(["alice", "bob", "carol", "dan", "erin"]));
  assert(runRows.every((r) => r.model === "human" && r.variant === "human"));
});

Deno.test("baselines summary: METR's human rows (alias human) are the same kind of record", () => {
  const rows = [
    {
      run_id: 1,
      task_id: "reverse_hash/input6",
      alias: "human",
      score: 1,
      score_binarized: 1,
      started_at: 0,
      completed_at: 20 * MIN,
    },
    {
      run_id: 2,
      task_id: "reverse_hash/input6",
      alias: "human",
      score: 1,
      score_binarized: 1,
      started_at: 0,
      completed_at: 45 * MIN,
    },
    {
      run_id: 3,
      task_id: "reverse_hash/input6",
      alias: "human",
      score: 0,
      score_binarized: 0,
      started_at: 0,
      completed_at: 99 * MIN,
    },
    {
      run_id: 4,
      task_id: "reverse_hash/input6",
      alias: "gpt-4o",
      score: 1,
      score_binarized: 1,
      started_at: 0,
      completed_at: 5 * MIN,
    },
  ];
  const attempts = humanAttemptsFromMetr(rows);
  assertEquals(attempts.length, 3);
  const [s] = summarizeBaselines(attempts);
  assertEquals([s.attempts, s.successes], [3, 2]);
  assertAlmostEquals(s.baseline_minutes!, 30, 1e-9); // √(20·45)
});

Deno.test("deno task baselines: the CLI over a log agrees with the hand computation", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-baselines-" });
  try {
    const writer = LogWriter.open(`${dir}/baselines.jsonl`);
    for (
      const e of [
        ...run("b-1", "esolang/hello", "alice", 3, 1, 5),
        ...run("b-2", "esolang/hello", "bob", 12, 1),
        ...run("b-3", "esolang/hello", "carol", 50, 0),
      ]
    ) writer.write(e);
    writer.close();
    const r = await cli("baselines", ["--log", dir, "--json", "--write-task-meta", `${dir}/times.csv`]);
    assertEquals(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout);
    assertEquals(rows.length, 1);
    assertEquals(rows[0].task_id, "esolang/hello");
    assertEquals([rows[0].attempts, rows[0].successes], [3, 2]);
    assertAlmostEquals(rows[0].baseline_minutes, 6, 1e-9); // √(3·12)
    assertEquals(rows[0].estimate_minutes, 8); // the bundled task's author estimate
    assertEquals(rows[0].estimate_source, "estimate");
    const times = await Deno.readTextFile(`${dir}/times.csv`);
    assertEquals(times, "task,human_minutes,human_source\nesolang/hello,6,baseline\n");
    // `deno task tasks --task-meta` then shows the baseline minutes, source baseline.
    const tasks = await cli("tasks", [
      "--json",
      "--tasks",
      "esolang/hello",
      "--task-meta",
      `${dir}/times.csv`,
    ]);
    assertEquals(tasks.code, 0, tasks.stderr);
    const [task] = JSON.parse(tasks.stdout);
    assertEquals([task.humanMinutes, task.humanSource], [6, "baseline"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("horizons and protocol --task-times baseline|estimate: baseline minutes replace estimates of baselined tasks", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-baselines-" });
  try {
    // Baselines: esolang/hello took people √(40·90) = 60 minutes (its estimate is 8).
    const writer = LogWriter.open(`${dir}/baselines.jsonl`);
    for (
      const e of [...run("b-1", "esolang/hello", "a", 40, 1), ...run("b-2", "esolang/hello", "b", 90, 1)]
    ) {
      writer.write(e);
    }
    writer.close();
    // An agent's runs: it solves the short tasks and fails the long ones.
    const tasks: [string, number, number][] = [
      ["mystery_function/affine", 3, 1],
      ["password_recovery/plain", 3, 1],
      ["esolang/hello", 8, 1],
      ["messy_data/single_table", 12, 1],
      ["esolang/fibonacci", 30, 0],
      ["library_repair/date_arith", 40, 1],
      ["cpu_training/digits", 90, 0],
      ["esolang/sort_numbers", 100, 0],
    ];
    const lines = tasks.map(([task, minutes, score], i) =>
      JSON.stringify({
        run_id: `r${i}`,
        task_id: task,
        task_family: task.split("/")[0],
        alias: "agent",
        model: "m",
        score,
        score_binarized: score,
        human_minutes: minutes,
        human_source: "estimate",
        started_at: 0,
        completed_at: 1,
      })
    );
    await Deno.writeTextFile(`${dir}/runs.jsonl`, lines.join("\n") + "\n");
    const fit = async (times: string) => {
      const r = await cli("horizons", [
        "--runs",
        `${dir}/runs.jsonl`,
        "--bootstrap",
        "0",
        "--format",
        "json",
        "--task-times",
        times,
        "--baselines",
        dir,
      ]);
      assertEquals(r.code, 0, r.stderr);
      return { rows: JSON.parse(r.stdout), stderr: r.stderr };
    };
    const estimate = await fit("estimate");
    const baseline = await fit("baseline");
    assert(!/baseline minutes/.test(estimate.stderr), estimate.stderr);
    assert(/baseline minutes for 1 task \(esolang\/hello\)/.test(baseline.stderr), baseline.stderr);
    const p50 = (rows: Record<string, unknown>[]) => Number(rows.find((r) => r.agent === "agent")!.p50);
    // A success moved from 8 to 60 minutes: the fitted horizon grows.
    assert(p50(baseline.rows) > p50(estimate.rows), `${p50(baseline.rows)} > ${p50(estimate.rows)}`);

    // The protocol reads the same task times: the success moves to a longer bucket, the level rises.
    const protocol = async (times: string) => {
      const r = await cli("protocol", [
        "--runs",
        `${dir}/runs.jsonl`,
        "--replicates",
        "0",
        "--task-times",
        times,
        "--baselines",
        dir,
      ]);
      assertEquals(r.code, 0, r.stderr);
      return { report: JSON.parse(r.stdout), stderr: r.stderr };
    };
    const pe = await protocol("estimate"), pb = await protocol("baseline");
    assert(/baseline minutes for 1 task \(esolang\/hello\)/.test(pb.stderr), pb.stderr);
    assert(!/baseline minutes/.test(pe.stderr), pe.stderr);
    const level = (r: { bucketScores: { agent: string; level: number }[] }) =>
      r.bucketScores.find((s) => s.agent === "agent")!.level;
    assert(level(pb.report) > level(pe.report), `${level(pb.report)} > ${level(pe.report)}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("notebooks' run logs carry baseline minutes for baselined tasks (EVALKIT_BASELINE_DIR), with a note", async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-baseline-times-" });
  const previous = Deno.env.get("EVALKIT_BASELINE_DIR");
  try {
    await writeRunLog(`${dir}/runs.jsonl`, "openai/gpt-4o");
    const before = await readRunsLog(`${dir}/runs.jsonl`);
    assertEquals(before.taskTimes, null);
    // fam0/task0 is a 1-minute estimate in the log; two people took √(40·90) = 60 minutes.
    Deno.env.set("EVALKIT_BASELINE_DIR", `${dir}/baselines`);
    await Deno.mkdir(`${dir}/baselines`);
    const writer = LogWriter.open(`${dir}/baselines/baselines.jsonl`);
    for (const e of [...run("b-1", "fam0/task0", "a", 40, 1), ...run("b-2", "fam0/task0", "b", 90, 1)]) {
      writer.write(e);
    }
    writer.close();
    const after = await readRunsLog(`${dir}/runs.jsonl`);
    assert(
      /baseline minutes for 1 task \(fam0\/task0\)/.test(after.taskTimes ?? ""),
      String(after.taskTimes),
    );
    const minutesOf = (t: typeof after.table, task: string) =>
      (t.objects() as { task_id: string; human_minutes: number; human_source: string }[])
        .filter((r) => r.task_id === task);
    for (const r of minutesOf(after.table, "fam0/task0")) {
      assertAlmostEquals(r.human_minutes, 60, 1e-9);
      assertEquals(r.human_source, "baseline");
    }
    assertEquals(minutesOf(after.table, "fam1/task1")[0].human_minutes, 4, "other tasks keep their minutes");
    assertEquals(minutesOf(before.table, "fam0/task0")[0].human_minutes, 1);
  } finally {
    if (previous === undefined) Deno.env.delete("EVALKIT_BASELINE_DIR");
    else Deno.env.set("EVALKIT_BASELINE_DIR", previous);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("human attempts: success uses the threshold the baseline recorded, else the task's own, else 0.5; an explicit one overrides", () => {
  const withThreshold = (id: string, task: string, score: number, threshold?: number) => {
    const entries = journal(id, task, "a", 10, score);
    const begin = entries[0] as Extract<JournalEntry, { kind: "begin" }>;
    entries[0] = { ...begin, ...(threshold === undefined ? {} : { success_threshold: threshold }) };
    return baselineRunEvents(replayJournal(entries), entries);
  };
  // sql_engine-like: 0.9 passes most tests but not the task's 0.95; the recorded threshold reaches cell_start.
  const strict = withThreshold("b-strict", "sql/a", 0.9, 0.95);
  assertEquals(strict.find((e) => e.type === "cell_start")?.success_threshold, 0.95);
  // An old log (no recorded threshold): the task's own applies when the caller knows it, else the default.
  const old = withThreshold("b-old", "sql/b", 0.9);
  const plain = withThreshold("b-plain", "other/c", 0.6);
  const events = [...strict, ...old, ...plain];
  const success = (attempts: ReturnType<typeof humanAttemptsFromEvents>) =>
    Object.fromEntries(attempts.map((a) => [a.task_id, a.success]));
  assertEquals(
    success(humanAttemptsFromEvents(events, undefined, (id) => id.startsWith("sql/") ? 0.95 : undefined)),
    {
      "sql/a": false,
      "sql/b": false,
      "other/c": true,
    },
  );
  assertEquals(success(humanAttemptsFromEvents(events)), { "sql/a": false, "sql/b": true, "other/c": true });
  assertEquals(success(humanAttemptsFromEvents(events, 0.5)), {
    "sql/a": true,
    "sql/b": true,
    "other/c": true,
  });
  assertEquals(success(humanAttemptsFromEvents(events, 0.95)), {
    "sql/a": false,
    "sql/b": false,
    "other/c": false,
  });
});
