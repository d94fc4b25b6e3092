/**
 * The Inspect importer on the real logs in ../shared/data/inspect (written by Inspect itself: `.eval` and
 * `.json`, format versions 2 and 3), Inspect's value-to-float rules, transcripts, and the commands that read
 * Inspect logs (`runs --inspect`, `horizons --runs <dir> --task-meta`, `protocol`, readAnyRuns).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  INSPECT_TABLE_COLUMNS,
  isInspectLog,
  readInspectRuns,
  readInspectTranscript,
  valueToFloat,
} from "../../lib/frame/inspect/mod.ts";
import { readAnyRuns } from "../../lib/frame/read_any.ts";
import { cli } from "../cli/_run.ts";
import { header, sample, writeEvalLog } from "../fixtures/inspect/make.ts";

const DATA = new URL("../../../shared/data/inspect/", import.meta.url).pathname;
const haveData = await Deno.stat(join(DATA, "log_read_sample.eval")).then(() => true, () => false);
if (!haveData) console.warn(`inspect_import_test: ${DATA} not found; the real-log tests are skipped`);
const real = { ignore: !haveData, sanitizeOps: false, sanitizeResources: false };
const opts = { sanitizeOps: false, sanitizeResources: false };

type Row = Record<string, unknown>;
async function rowsOf(file: string): Promise<{ rows: Row[]; notes: string[] }> {
  const r = await readInspectRuns(join(DATA, file));
  return { rows: r.table.objects() as Row[], notes: r.notes };
}

Deno.test(
  "real .eval v2: log_read_sample.eval maps model, task, score C=1, tokens and times",
  real,
  async () => {
    const { rows, notes } = await rowsOf("log_read_sample.eval");
    assert.deepEqual(notes, []);
    assert.equal(rows.length, 1);
    const r = rows[0];
    assert.equal(r.run_id, "C3pqnFnsCUx6ZpmsRU9Ape/1/1");
    assert.equal(r.task_id, "popularity/1");
    assert.equal(r.task_family, "popularity");
    assert.equal(r.model, "ollama/gemma3");
    assert.match(String(r.alias), /^ollama\/gemma3 · system_message\+generate#[0-9a-f]{8}$/);
    assert.equal(r.scorer, "match");
    assert.equal(r.score, 1);
    assert.equal(r.score_binarized, 1);
    assert.equal(r.input_tokens, 66);
    assert.equal(r.output_tokens, 3);
    assert.equal(r.total_tokens, 69);
    assert.equal(r.duration_s, 0.413);
    assert.equal(r.working_time_s, 0.3);
    assert.equal(r.epoch, 1);
    assert.equal(r.human_minutes, null);
    assert.equal(r.log_status, "success");
    assert.deepEqual(Object.keys(r), [...INSPECT_TABLE_COLUMNS]);
  },
);

Deno.test(
  "real .json v2: the same sample written as JSON reads alike (model, score, tokens)",
  real,
  async () => {
    const { rows } = await rowsOf("log_read_sample.json");
    assert.equal(rows.length, 1);
    assert.equal(rows[0].model, "ollama/gemma3");
    assert.equal(rows[0].task_id, "popularity/1");
    assert.equal(rows[0].score, 1);
    assert.equal(rows[0].total_tokens, 69);
    assert.equal(rows[0].duration_s, 2.113);
  },
);

Deno.test(
  "real .eval with _journal and 2 epochs: log_streaming.eval has 4 runs with per-epoch scores",
  real,
  async () => {
    const { rows } = await rowsOf("log_streaming.eval");
    assert.equal(rows.length, 4);
    const by = Object.fromEntries(rows.map((r) => [`${r.sample_id}#${r.epoch}`, r]));
    assert.deepEqual(Object.keys(by).sort(), ["1#1", "1#2", "2#1", "2#2"]);
    assert.equal(by["1#1"].score, 0);
    assert.equal(by["1#2"].score, 1);
    assert.equal(by["2#1"].total_tokens, 62);
    assert.equal(rows[0].model, "azureai/Meta-Llama-3-1-405B-Instruct-jqf");
    assert.equal(new Set(rows.map((r) => r.task_id)).size, 2);
  },
);

Deno.test(
  "real .eval v3: log_message_deduplication.eval counts 5 tool calls and a numeric 0.0 score",
  real,
  async () => {
    const { rows, notes } = await rowsOf("log_message_deduplication.eval");
    assert.deepEqual(notes, []);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].inspect_task, "inspect_test_utils/guess_number");
    assert.equal(rows[0].task_family, "inspect_test_utils_guess_number");
    assert.equal(rows[0].task_id, "inspect_test_utils_guess_number/0");
    assert.equal(rows[0].model, "hardcoded/hardcoded");
    assert.equal(rows[0].actions, 5);
    assert.equal(rows[0].scorer, "closeness_log");
    assert.equal(rows[0].score, 0);
  },
);

Deno.test("real .eval: mmlu's agent label is the solver with its arguments", real, async () => {
  const { rows } = await rowsOf("mmlu-summary-choices.eval");
  assert.equal(rows[0].alias, "openai/gpt-4o · multiple_choice(cot=false,max_tokens=5)");
  assert.equal(rows[0].variant, "multiple_choice(cot=false,max_tokens=5)");
  assert.equal(rows[0].total_tokens, 156);
  assert.equal(rows[0].score, 0);
});

Deno.test(
  "real folder: every log loads; the duplicate eval and the unscored sample are noted",
  real,
  async () => {
    const r = await readInspectRuns(DATA);
    assert.equal(r.files, 11);
    assert.equal(r.samples, 13);
    assert.equal(r.table.numRows(), 13);
    assert.equal(r.notes.length, 2, r.notes.join("\n"));
    assert.match(
      r.notes.find((n) => n.includes("log_formats.json"))!,
      /already read from .*log_formats\.eval/,
    );
    assert.match(
      r.notes.find((n) => n.includes("log_tool_call_error.json"))!,
      /1 sample kept with no scores/,
    );
    const models = new Set(r.table.array("model") as string[]);
    for (
      const m of [
        "ollama/gemma3",
        "ollama/llama3.1",
        "openai/gpt-4o",
        "openai/gpt-4o-mini",
        "hardcoded/hardcoded",
      ]
    ) {
      assert.ok(models.has(m), m);
    }
    const ids = r.table.array("run_id") as string[];
    assert.equal(new Set(ids).size, ids.length);
    // METR task weights are filled in.
    assert.ok((r.table.array("invsqrt_task_weight") as number[]).every((w) => w > 0));
  },
);

Deno.test("isInspectLog tells logs by content, not extension", real, async () => {
  assert.equal(await isInspectLog(join(DATA, "log_formats.eval")), true);
  assert.equal(await isInspectLog(join(DATA, "log_images.json")), true);
  assert.equal(await isInspectLog(join(DATA, "README.md")), false);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.copyFile(join(DATA, "log_formats.eval"), join(dir, "renamed.bin"));
    assert.equal(await isInspectLog(join(dir, "renamed.bin")), true);
    await Deno.writeTextFile(join(dir, "other.json"), JSON.stringify({ version: 1, name: "not a log" }));
    assert.equal(await isInspectLog(join(dir, "other.json")), false);
    assert.equal(await isInspectLog(join(dir, "missing.eval")), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test(
  "transcript of the real v3 log: messages, 5 bash calls with outputs, the score and the end",
  real,
  async () => {
    const events = await readInspectTranscript(
      join(DATA, "log_message_deduplication.eval"),
      "gsM63GyMBKgA3p4sHAMAfG/0/1",
    );
    const count = (t: string) => events.filter((e) => e.type === t).length;
    assert.equal(count("message"), 1);
    assert.equal(count("model_call"), 6);
    assert.equal(count("action"), 5);
    assert.equal(count("observation"), 5);
    const action = events.find((e) => e.type === "action")!;
    assert.equal(action.tool, "bash");
    assert.deepEqual(action.args, { cmd: "ls" });
    assert.match(events.find((e) => e.type === "observation")!.output!, /^bin\nboot\n/);
    const call = events.find((e) => e.type === "model_call" && e.tool_calls?.length)!;
    assert.deepEqual(call.tool_calls![0], { id: "hardcoded_0", name: "bash", arguments: { cmd: "ls" } });
    const end = events.at(-1)!;
    assert.equal(end.type, "cell_end");
    assert.equal(end.status, "ok");
    assert.equal(end.actions, 5);
    assert.equal(end.score, 0);
    // From the folder too (the viewer passes the folder it imported).
    const again = await readInspectTranscript(DATA, "gsM63GyMBKgA3p4sHAMAfG/0/1");
    assert.equal(again.length, events.length);
    await assert.rejects(
      () => readInspectTranscript(DATA, "nope/1/1"),
      /no Inspect sample for run nope\/1\/1/,
    );
  },
);

Deno.test(
  "transcript: model calls carry the token usage of the model event that produced them",
  real,
  async () => {
    const events = await readInspectTranscript(
      join(DATA, "log_read_sample.eval"),
      "C3pqnFnsCUx6ZpmsRU9Ape/1/1",
    );
    assert.deepEqual(events.map((e) => e.type), ["message", "message", "model_call", "score", "cell_end"]);
    assert.equal(events[0].role, "system");
    const call = events[2];
    assert.equal(call.content, "Yes\n");
    assert.equal(call.input_tokens, 66);
    assert.equal(call.output_tokens, 3);
    assert.ok(Number(call.duration_ms) > 0);
    assert.equal(events[3].score, 1);
    assert.equal(events[3].value, "C");
    assert.equal(events[3].submission, "Yes");
  },
);

Deno.test("transcript of tool errors: every tool message is an observation with is_error", real, async () => {
  const events = await readInspectTranscript(join(DATA, "log_tool_call_error.json"), ".../1/4");
  const obs = events.filter((e) => e.type === "observation");
  assert.equal(obs.length, 11);
  assert.ok(obs.every((e) => e.is_error && e.tool === "bash"));
  assert.match(obs[10].output!, /too long to be displayed/);
});

Deno.test("valueToFloat follows Inspect's value_to_float", () => {
  const table: [unknown, number | null][] = [
    ["C", 1],
    ["I", 0],
    ["P", 0.5],
    ["N", 0],
    [true, 1],
    [false, 0],
    [0.25, 0.25],
    [3, 3],
    ["yes", 1],
    ["Yes", 1],
    ["TRUE", 1],
    ["no", 0],
    ["False", 0],
    ["0.75", 0.75],
    ["12", 12],
    ["c", null], // Inspect compares C/I/P/N exactly
    ["-1", null], // not digits and dots
    ["1.2.3", null],
    ["maybe", null],
    [null, null],
    [[1, 2], null],
    [{ a: 1 }, null],
  ];
  for (const [value, expected] of table) {
    assert.equal(valueToFloat(value).value, expected, JSON.stringify(value));
  }
});

Deno.test(
  "readAnyRuns and the CLI read a folder of Inspect logs; horizons with --task-meta prints horizons",
  opts,
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const logs = join(dir, "logs");
      await Deno.mkdir(join(logs, "nested"), { recursive: true });
      // Two agents, 6 tasks of 1–64 minutes: the stronger agent solves more of the long ones.
      const minutes = [1, 2, 4, 8, 16, 32, 64, 128];
      for (const [model, skill] of [["openai/strong", 40], ["openai/weak", 6]] as const) {
        const samples = [];
        for (let i = 0; i < minutes.length; i++) {
          for (let epoch = 1; epoch <= 3; epoch++) {
            const ok = minutes[i] < skill * (epoch === 2 ? 2 : epoch === 3 ? 0.5 : 1);
            samples.push(sample({ id: `t${i}`, epoch, scores: { includes: ok ? "C" : "I" }, toolCalls: 1 }));
          }
        }
        const file = join(
          model.endsWith("strong") ? logs : join(logs, "nested"),
          `${model.split("/")[1]}.eval`,
        );
        await writeEvalLog(file, { header: header({ evalId: `ev-${model}`, task: "toy", model }), samples });
      }
      await Deno.writeTextFile(join(logs, "notes.txt"), "not a log");
      const times = join(dir, "times.csv");
      await Deno.writeTextFile(
        times,
        "task,human_minutes,human_source\n" + minutes.map((m, i) => `toy/t${i},${m},baseline`).join("\n") +
          "\n",
      );

      const any = await readAnyRuns(logs);
      assert.equal(any.kind, "inspect");
      assert.equal(any.table.numRows(), 48);
      assert.deepEqual(any.sources.models, ["openai/strong", "openai/weak"]);

      const h = await cli("horizons", [
        "--runs",
        logs,
        "--task-meta",
        times,
        "--bootstrap",
        "0",
        "--format",
        "json",
      ]);
      assert.equal(h.code, 0, h.stderr);
      assert.match(h.stderr, /--task-meta gave human minutes to 48 runs of 8 tasks/);
      const out = JSON.parse(h.stdout);
      const rows = (Array.isArray(out) ? out : out.agents ?? out.horizons) as Record<string, unknown>[];
      const p50 = (agent: string) => Number(rows.find((r) => String(r.agent).startsWith(agent))!.p50);
      assert.ok(p50("openai/strong") > p50("openai/weak"), h.stdout);
      assert.ok(p50("openai/weak") > 1 && p50("openai/strong") < 128, h.stdout);

      const r = await cli("runs", ["--inspect", logs, "--format", "jsonl"]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim().split("\n").length, 48);
      assert.match(r.stderr, /read 48 samples from 2 Inspect log file\(s\)/);

      const p = await cli("protocol", ["--runs", logs, "--task-meta", times, "--format", "json"]);
      assert.equal(p.code, 0, p.stderr);
      const report = JSON.parse(p.stdout);
      assert.equal(report.input.kind, "inspect");
      assert.equal(report.runs, 48);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test(
  "horizons, protocol and runs read Inspect logs with --scorer and --minutes-key; with other input those " +
    "options are a usage error",
  opts,
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const logs = join(dir, "logs");
      await Deno.mkdir(logs);
      // One agent, 8 tasks of 1–128 minutes kept under a metadata key of the log's own choosing. The first
      // scorer fails every sample; the second (a judge) passes the tasks under 20 minutes.
      const minutes = [1, 2, 4, 8, 16, 32, 64, 128];
      const samples = minutes.flatMap((m, i) =>
        [1, 2].map((epoch) => {
          const s = sample({ id: `t${i}`, epoch, scores: { includes: "I", judge: m < 20 ? 1 : 0 } });
          s.metadata = { est_minutes: m };
          return s;
        })
      );
      await writeEvalLog(join(logs, "a.eval"), {
        header: header({
          evalId: "ev-judge",
          task: "toy",
          model: "openai/agent",
          scorers: ["includes", "judge"],
        }),
        samples,
      });
      const horizons = (...extra: string[]) =>
        cli("horizons", ["--runs", logs, "--bootstrap", "0", "--format", "json", ...extra]);
      const average = (stdout: string) => {
        const rows = JSON.parse(stdout) as Record<string, unknown>[]; // one row per agent
        assert.equal(rows.length, 1, stdout);
        return Number(rows[0].average);
      };

      // Without the key no run has human minutes: nothing to fit.
      const plain = await horizons();
      assert.equal(plain.code, 0, plain.stderr);
      assert.deepEqual(JSON.parse(plain.stdout), []);
      assert.match(plain.stderr, /left out 8 tasks without human minutes \(16 runs\)/);

      const judged = await horizons("--scorer", "judge", "--minutes-key", "est_minutes");
      assert.equal(judged.code, 0, judged.stderr);
      assert.ok(Math.abs(average(judged.stdout) - 10 / 16) < 1e-9, judged.stdout);
      const first = await horizons("--minutes-key", "est_minutes");
      assert.equal(first.code, 0, first.stderr);
      assert.equal(average(first.stdout), 0, "the default scorer is the log's first");

      // A mistyped scorer: an error, with the importer's note saying which scorers the logs have.
      for (
        const [command, flag] of [["horizons", "--runs"], ["protocol", "--runs"], ["runs", "--inspect"]]
      ) {
        const unknown = await cli(command, [
          flag,
          logs,
          "--scorer",
          "nope",
          "--minutes-key",
          "est_minutes",
        ]);
        assert.equal(unknown.code, 1, `${command}: ${unknown.stderr}`);
        assert.match(unknown.stderr, /no score from scorer nope \(has includes, judge\)/, command);
        assert.match(unknown.stderr, /--scorer nope: no sample has a score from it/, command);
        assert.equal(unknown.stdout, "", command);
      }

      const p = await cli("protocol", [
        "--runs",
        logs,
        "--scorer",
        "judge",
        "--minutes-key",
        "est_minutes",
        "--format",
        "json",
        "--replicates",
        "0",
      ]);
      assert.equal(p.code, 0, p.stderr);
      const report = JSON.parse(p.stdout);
      assert.equal(report.input.kind, "inspect");
      assert.equal(report.runs, 16);

      const r = await cli("runs", ["--inspect", logs, "--scorer", "judge", "--format", "jsonl"]);
      assert.equal(r.code, 0, r.stderr);
      const scores = r.stdout.trim().split("\n").map((line) => JSON.parse(line).score);
      assert.equal(scores.filter((s) => s === 1).length, 10);

      // Not Inspect logs: the options would be ignored, so they are refused, naming the input.
      const metr = join(dir, "runs.jsonl");
      await Deno.writeTextFile(
        metr,
        JSON.stringify({ task_id: "toy/t0", alias: "a", score_binarized: 1, human_minutes: 1 }) + "\n",
      );
      for (
        const [command, args] of [
          ["horizons", ["--runs", metr, "--scorer", "judge"]],
          ["protocol", ["--runs", metr, "--minutes-key", "est_minutes"]],
          ["runs", ["--metr", metr, "--score-key", "f1"]],
        ] as const
      ) {
        const out = await cli(command, [...args]);
        assert.equal(out.code, 2, `${command}: ${out.stderr}`);
        assert.match(
          out.stderr,
          /--(scorer|minutes-key|score-key) applies to Inspect logs only; --(runs|metr) \S*runs\.jsonl/,
        );
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);
