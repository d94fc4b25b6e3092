import assert from "node:assert/strict";
import { from } from "arquero";
import { LogEvent } from "../../lib/run/events.ts";
import { eventsByRun, type ReviewEvent } from "../../lib/elicitation/events.ts";
import {
  failedRuns,
  suggestFailureTags,
  suggestFromEvents,
  suggestFromRow,
} from "../../lib/elicitation/heuristics.ts";

let clock = 1_700_000_000_000;
const base = (run: string) => ({ t: clock++, cell: `cell-${run}`, run_id: run });
const call = (run: string, content: string, tools: string[] = []) => ({
  type: "model_call",
  ...base(run),
  model: "m",
  purpose: "act",
  n: 1,
  input_tokens: 100,
  output_tokens: 20,
  cost_usd: 0.001,
  duration_ms: 5,
  retries: 0,
  content,
  tool_calls: tools.map((name) => ({ name, arguments: {} })),
});
const action = (run: string, index: number) => ({
  type: "action",
  ...base(run),
  index,
  tool: "bash",
  args: { cmd: "ls" },
});
const obs = (run: string, index: number, output: string, is_error = false) => ({
  type: "observation",
  ...base(run),
  index,
  tool: "bash",
  output,
  is_error,
  duration_ms: 3,
});
const score = (run: string, s: number, submission: string, submitted = true) => ({
  type: "score",
  ...base(run),
  score: s,
  submission,
  submitted,
  duration_ms: 1,
});
const end = (run: string, extra: Record<string, unknown> = {}) => ({
  type: "cell_end",
  ...base(run),
  status: "ok",
  limit: null,
  error: null,
  error_source: null,
  score: 0,
  input_tokens: 500,
  output_tokens: 100,
  cost_usd: 0.01,
  actions: 10,
  model_calls: 10,
  duration_s: 30,
  agent_s: 25,
  started_at: clock - 30000,
  completed_at: clock,
  ...extra,
});

/** Builds a run's events, checking each against the runner's real log schema first. */
function run(id: string, events: Record<string, unknown>[]): ReviewEvent[] {
  for (const e of events) {
    const parsed = LogEvent.safeParse(e);
    assert.ok(parsed.success, `fixture event is not a valid log event: ${JSON.stringify(e)}`);
  }
  return eventsByRun(events).runs.get(id)!;
}

const many = (id: string, n: number) =>
  Array.from({ length: n }, (_, i) => [action(id, i), obs(id, i, "ok")]).flat();

Deno.test("heuristics: each spurious signal is recognised from the runner's events", () => {
  const cases: [string, Record<string, unknown>[], string, string][] = [
    [
      "env",
      [...many("env", 4), end("env", { status: "error", error: "sandbox died", error_source: "infra" })],
      "spurious",
      "environment",
    ],
    [
      "ctx",
      [
        ...many("ctx", 4),
        end("ctx", {
          status: "error",
          error: "context_length_exceeded: prompt is too long",
          error_source: "agent",
        }),
      ],
      "spurious",
      "context",
    ],
    [
      "crash",
      [
        ...many("crash", 4),
        end("crash", { status: "error", error: "TypeError in scaffold", error_source: "agent" }),
      ],
      "spurious",
      "agent_error",
    ],
    ["lim", [...many("lim", 30), end("lim", { status: "limit", limit: "tokens" })], "spurious", "limit"],
    [
      "ref",
      [
        call("ref", "I'm sorry, but I can't help with that."),
        score("ref", 0, ""),
        end("ref", { actions: 0 }),
      ],
      "spurious",
      "refusal",
    ],
    [
      "fmt",
      [
        ...Array.from(
          { length: 4 },
          (_, i) => [action("fmt", i), obs("fmt", i, "error: could not parse tool arguments as JSON", true)],
        ).flat(),
        ...many("fmt", 3).map((e) => ({ ...e, index: 9 })),
        score("fmt", 0, "42"),
        end("fmt", { actions: 7 }),
      ],
      "spurious",
      "tool_format",
    ],
    [
      "notes",
      [
        ...[1, 2, 3].map(() => ({ type: "note", ...base("notes"), message: "no action in reply" })),
        ...many("notes", 5),
        score("notes", 0, "7"),
        end("notes", { actions: 5 }),
      ],
      "spurious",
      "tool_format",
    ],
    [
      "quit",
      [
        ...many("quit", 8),
        call("quit", "This is too hard. I give up."),
        score("quit", 0, "I give up"),
        end("quit"),
      ],
      "spurious",
      "gave_up",
    ],
    [
      "early",
      [action("early", 0), obs("early", 0, "ok"), score("early", 0, "42"), end("early", { actions: 1 })],
      "spurious",
      "gave_up",
    ],
    [
      "real",
      [
        ...many("real", 12),
        call("real", "The answer is 41."),
        score("real", 0, "41"),
        end("real", { actions: 12 }),
      ],
      "real",
      "none",
    ],
  ];
  for (const [id, events, category, signal] of cases) {
    const s = suggestFromEvents(id, run(id, events));
    assert.equal(s.category, category, `${id}: ${s.reason}`);
    assert.equal(s.signal, signal, `${id}: ${s.reason}`);
    assert.ok(s.reason.length > 10);
  }
});

Deno.test("heuristics from rows (METR's file): usageLimits → limit trouble, other sources → environment", () => {
  assert.equal(suggestFromRow({ run_id: "a", fatal_error_from: "usageLimits" }).signal, "limit");
  assert.equal(suggestFromRow({ run_id: "b", fatal_error_from: "serverOrTask" }).signal, "environment");
  assert.equal(suggestFromRow({ run_id: "c", fatal_error_from: "agent" }).signal, "agent_error");
  assert.equal(suggestFromRow({ run_id: "d", limit: "time" }).signal, "limit");
  const real = suggestFromRow({ run_id: "e", fatal_error_from: null });
  assert.equal(real.category, "real");
  assert.equal(real.confidence, "low");
});

Deno.test("suggestFailureTags: only failed runs; events win over the row when present", () => {
  const t = from([
    { run_id: "ok", score: 1, score_binarized: 1, fatal_error_from: null },
    { run_id: "f1", score: 0.2, score_binarized: 0, fatal_error_from: "usageLimits" },
    { run_id: "f2", score: 0, score_binarized: null, fatal_error_from: null },
    { run_id: "partial", score: 0.7, score_binarized: 1, fatal_error_from: null },
  ]);
  assert.deepEqual(failedRuns(t), [false, true, true, false]);
  const events = new Map([[
    "f2",
    run("f2", [
      call("f2", "I cannot assist with that request."),
      score("f2", 0, ""),
      end("f2", { actions: 0 }),
    ]),
  ]]);
  const s = suggestFailureTags(t, { events });
  assert.deepEqual(s.map((x) => [x.run_id, x.signal]), [["f1", "limit"], ["f2", "refusal"]]);
  assert.throws(() => suggestFailureTags(from([{ score: 0 }])), /no column "run_id"/);
});

Deno.test("eventsByRun keeps file order and skips events that lack the basic shape", () => {
  const { runs, skipped } = eventsByRun([{ type: "action", run_id: "a", t: 2 }, { type: "x" }, {
    type: "score",
    run_id: "a",
    score: 1,
  }]);
  assert.equal(skipped, 1);
  assert.deepEqual(runs.get("a")!.map((e) => e.type), ["action", "score"]);
});
