/**
 * `deno task eval --until-settled` (lib/cli/until_settled.ts): the question spec, an end-to-end run in this
 * process with the offline simulated model on the fixture tasks, a resume after a halt mid-round, and a
 * resume after SIGTERM to the command. Each run's log must hold one round note per round, a final note, and
 * no cell ended twice.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { inProcess } from "./_in_process.ts";
import { main as evalMain } from "../../lib/cli/eval.ts";
import { parseQuestionSpec, runUntilSettled, type SettleOptions } from "../../lib/cli/until_settled.ts";
import { FIXTURE_TASKS } from "../agent/harness.ts";
import { loadSuite } from "../../lib/task/loader.ts";
import { loadVariants } from "../../lib/agent/variant.ts";
import { createSandboxDriver } from "../../lib/sandbox/mod.ts";
import { createModel } from "../../lib/model/registry.ts";
import { silentProgress } from "../../lib/run/progress.ts";
import type { EvalOptions } from "../../lib/run/runner.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const EVAL_CLI = new URL("../../lib/cli/eval.ts", import.meta.url).pathname;

Deno.test("question spec: gap, horizon and verdict, and errors naming the problem", () => {
  assert.deepEqual(parseQuestionSpec("gap:allTools,basic,delta=0.1"), {
    question: "gap",
    a: "allTools",
    b: "basic",
    delta: 0.1,
  });
  assert.deepEqual(parseQuestionSpec("horizon:allTools,above=480"), {
    question: "horizon",
    agent: "allTools",
    threshold: 480,
    direction: "above",
  });
  assert.deepEqual(parseQuestionSpec("verdict:allTools,value=8,unit=hours,confidence=0.95"), {
    question: "verdict",
    agent: "allTools",
    value: 8,
    unit: "hours",
    confidence: 0.95,
  });
  assert.throws(() => parseQuestionSpec("power:x"), /expected gap:…, horizon:… or verdict:…/);
  assert.throws(() => parseQuestionSpec("gap:a"), /gap needs two variants/);
  assert.throws(() => parseQuestionSpec("horizon:a"), /exactly one of above=<minutes>, below=<minutes>/);
  assert.throws(() => parseQuestionSpec("horizon:a,above=x"), /above=x is not a number/);
  assert.throws(() => parseQuestionSpec("gap:a,b,above=3"), /gap takes no above=/);
});

interface Note {
  type: string;
  cell: string;
  data: { kind: string; round?: number; cells?: Array<{ task: string; variant: string; epoch: number }> };
}

/** The log's adaptive notes and ended cells; asserts no cell ended twice and each round noted once. */
async function readLog(dir: string) {
  const files = [...Deno.readDirSync(dir)].filter((f) => f.name.endsWith(".jsonl"));
  assert.equal(files.length, 1);
  const events = (await Deno.readTextFile(join(dir, files[0].name))).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  const notes = events.filter((e) => e.type === "note" && e.cell === "until-settled") as Note[];
  const starts = new Map(events.filter((e) => e.type === "cell_start").map((e) => [e.run_id, e]));
  const ends = events.filter((e) => e.type === "cell_end");
  const ended = ends.map((e) => e.cell as string);
  assert.equal(new Set(ended).size, ended.length, "no cell ran twice");
  const rounds = notes.filter((n) => n.data.kind === "round").map((n) => n.data.round);
  assert.deepEqual(rounds, rounds.map((_, i) => i + 1), "one note per round, in order");
  const endedKeys = new Set(ends.map((e) => {
    const s = starts.get(e.run_id);
    return `${s.task_id}|${s.variant}|${s.epoch}`;
  }));
  return { notes, ended, endedKeys, finals: notes.filter((n) => n.data.kind === "final") };
}

const ARGS = (dir: string, question: string, extra: string[] = []) => [
  "--tasks-dir",
  FIXTURE_TASKS,
  "--variants",
  "basic,chat",
  "--model",
  "simulated/30",
  "--epochs",
  "3",
  "--progress",
  "none",
  "--log",
  dir,
  "--until-settled",
  question,
  ...extra,
];

Deno.test(
  "eval --until-settled runs rounds in-process, notes each, stops, and a rerun runs nothing",
  opts,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "evalkit-settle-" });
    try {
      const args = ARGS(dir, "horizon:basic,above=5", ["--round-size", "2", "--max-rounds", "4", "--json"]);
      const r = await inProcess(evalMain, args);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.signalListeners, []);
      const summary = JSON.parse(r.stdout);
      const log = await readLog(dir);
      assert.equal(log.finals.length, 1);
      const rounds = log.notes.filter((n) => n.data.kind === "round");
      assert.equal(summary.settle.rounds, rounds.length);
      assert.ok(["settled", "max-rounds", "budget"].includes(summary.settle.outcome));
      // Only the question's variant ran, 2 cells a round, each round's cells ended.
      assert.equal(log.ended.length, 2 * rounds.length);
      for (const n of rounds) {
        assert.equal(n.data.cells!.length, 2);
        for (const c of n.data.cells!) {
          assert.equal(c.variant, "basic");
          assert.ok(log.endedKeys.has(`${c.task}|${c.variant}|${c.epoch}`));
        }
      }
      assert.ok(summary.agents.every((a: { alias: string }) => a.alias.endsWith("basic")));
      // The same command again: settled (or stopped) already, nothing runs, no new note.
      const again = await inProcess(evalMain, args);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(JSON.parse(again.stdout).ran, 0);
      assert.equal((await readLog(dir)).notes.length, log.notes.length);
      // Flag errors.
      const bad = await inProcess(evalMain, ARGS(dir, "gap:basic,bestOfN"));
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /variant "bestOfN" is not among --variants/);
      const orphan = await inProcess(evalMain, ["--model", "simulated/30", "--round-size", "2"]);
      assert.equal(orphan.code, 2);
      assert.match(orphan.stderr, /--round-size needs --until-settled/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "a halt mid-round, then the same call: the round is finished, not redone, and goes on",
  opts,
  async () => {
    const dir = await Deno.makeTempDir({ prefix: "evalkit-settle-halt-" });
    const driver = await createSandboxDriver("local");
    try {
      const suite = await loadSuite(FIXTURE_TASKS);
      const base: EvalOptions = {
        tasks: suite.tasks,
        variants: await loadVariants("basic,chat"),
        models: ["simulated/30"],
        epochs: 2,
        driver,
        resolveModel: (n) => createModel(n),
        logDir: dir,
        concurrency: 1,
      };
      // A gap question at the true gap of these scaffolds is not settled by 16 runs: every round runs.
      const settle: SettleOptions = {
        question: parseQuestionSpec("gap:chat,basic"),
        maxRounds: 4,
        roundSize: 4,
        budgetRuns: 16,
        spending: "obf",
        replicates: 200,
      };
      const halt = new AbortController();
      let done = 0;
      const first = await runUntilSettled({
        ...base,
        halt: halt.signal,
        progress: {
          ...silentProgress,
          cellDone() {
            if (++done === 5) halt.abort(); // the first cell of round 2
          },
        },
      }, settle);
      assert.equal(first.settle.outcome, "running");
      const mid = await readLog(dir);
      assert.equal(mid.finals.length, 0);
      assert.equal(mid.notes.length, 2, "round 1 and round 2 noted");
      assert.ok(
        mid.ended.length >= 4 && mid.ended.length < 8,
        `halted mid-round (${mid.ended.length} ended)`,
      );
      const round2 = mid.notes[1].data.cells!;

      const second = await runUntilSettled(base, settle);
      assert.notEqual(second.settle.outcome, "running");
      const end = await readLog(dir);
      assert.equal(end.finals.length, 1);
      // Round 2 is the one recorded before the halt, finished by the resume.
      assert.deepEqual(end.notes[1].data.cells, round2);
      for (const c of round2) assert.ok(end.endedKeys.has(`${c.task}|${c.variant}|${c.epoch}`));
      const rounds = end.notes.filter((n) => n.data.kind === "round");
      assert.equal(end.ended.length, rounds.reduce((s, n) => s + n.data.cells!.length, 0));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("SIGTERM to eval --until-settled mid-round, then the same command resumes", opts, async () => {
  const dir = await Deno.makeTempDir({ prefix: "evalkit-settle-term-" });
  try {
    const args = [
      "run",
      "-A",
      EVAL_CLI,
      ...ARGS(dir, "gap:chat,basic", ["--round-size", "2", "--epochs", "2"]),
    ];
    args.splice(args.indexOf("--progress"), 2, "--concurrency", "1", "--progress", "none");
    const child = new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "null" }).spawn();
    // Wait for round 2's note, then stop the command.
    let text = "";
    for (let i = 0; i < 600 && !text.includes('"run_id":"round-2"'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      for (const f of Deno.readDirSync(dir)) {
        if (f.name.endsWith(".jsonl")) text = await Deno.readTextFile(join(dir, f.name));
      }
    }
    assert.ok(text.includes('"run_id":"round-2"'), "round 2 started");
    child.kill("SIGTERM");
    const status = await child.status;
    assert.equal(status.code, 143);
    const mid = await readLog(dir);
    assert.equal(mid.finals.length, 0);
    const out = await new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const end = await readLog(dir);
    assert.equal(end.finals.length, 1);
    const rounds = end.notes.filter((n) => n.data.kind === "round");
    assert.equal(end.ended.length, rounds.reduce((s, n) => s + n.data.cells!.length, 0));
    assert.match(new TextDecoder().decode(out.stdout), /^until settled: gap "chat" − "basic"/m);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
