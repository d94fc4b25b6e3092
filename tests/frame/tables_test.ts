import assert from "node:assert/strict";
import * as aq from "../../lib/deps/arquero.ts";
import {
  events,
  inStableOrder,
  readMetrRuns,
  runRows,
  runRowsFromEvents,
  runRowsToTable,
  runs,
  tasks,
  unionRuns,
} from "../../lib/frame/mod.ts";
import { FIXTURE_TASKS, runScripted } from "../agent/harness.ts";
import { cellEnd, cellStart } from "../util/log_events.ts";
import { join, METR_DATA_DIR } from "../../lib/util/path.ts";
import { cli } from "../cli/_run.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test("runRowsFromEvents: the last finished attempt of a cell wins; columns follow METR's names", () => {
  const rows = runRowsFromEvents([
    cellStart("a", "1"),
    cellEnd("a", "1", "error", null),
    cellStart("b", "2"),
    cellEnd("b", "2", "limit", 0.4),
    cellStart("a", "3"),
    cellEnd("a", "3", "ok", 0.75),
    cellStart("c", "4"), // never ended: not a run
  ]);
  assert.equal(rows.length, 2);
  const a = rows.find((r) => r.cell_id === "a")!;
  assert.equal(a.run_id, "3");
  assert.equal(a.attempts, 2);
  assert.equal(a.score, 0.75);
  assert.equal(a.score_binarized, 1);
  assert.equal(a.alias, "openai/x · chat");
  assert.equal(a.total_tokens, 15);
  assert.equal(a.dollar_equivalent, 0.5);
  assert.equal(a.fatal_error_from, null);
  const b = rows.find((r) => r.cell_id === "b")!;
  assert.equal(b.limit, "tokens");
  assert.equal(b.score_binarized, 0);
  const strict = runRowsFromEvents([cellStart("a", "1"), cellEnd("a", "1", "ok", 0.75)], {
    successThreshold: 0.8,
  });
  assert.equal(strict[0].score_binarized, 0);
});

Deno.test("runRowsFromEvents: a task's own success threshold binarizes its runs; an explicit one overrides all", () => {
  const strictTask = { ...cellStart("a", "1"), success_threshold: 0.95 };
  const events = [
    strictTask,
    cellEnd("a", "1", "ok", 0.9),
    cellStart("b", "2"),
    cellEnd("b", "2", "ok", 0.9),
  ];
  const rows = runRowsFromEvents(events);
  // 0.9 is below task a's 0.95 (a failure) and above the default 0.5 for b, whose log records no threshold.
  assert.equal(rows.find((r) => r.cell_id === "a")!.score_binarized, 0);
  assert.equal(rows.find((r) => r.cell_id === "b")!.score_binarized, 1);
  const overridden = runRowsFromEvents(events, { successThreshold: 0.85 });
  assert.deepEqual(overridden.map((r) => r.score_binarized), [1, 1]);
});

Deno.test("runs(), events() and tasks() of a real eval log", opts, async () => {
  const { logDir } = await runScripted({
    variants: "basic,chat",
    model: "simulated/30",
    tasks: "trivial/*",
    epochs: 3,
  });
  const { table, issues } = await runs(logDir);
  assert.equal(issues.length, 0);
  assert.equal(table.numRows(), 2 * 4 * 3);
  for (
    const c of [
      "task_id",
      "task_family",
      "alias",
      "score",
      "score_binarized",
      "human_minutes",
      "human_source",
    ]
  ) assert.ok(table.columnNames().includes(c), c);
  // METR weights, checked independently: within an agent each task's runs share 1/#tasks.
  const rows = table.objects() as Array<Record<string, number | string>>;
  for (const alias of new Set(rows.map((r) => r.alias))) {
    const mine = rows.filter((r) => r.alias === alias);
    const total = mine.reduce((s, r) => s + (r.equal_task_weight as number), 0);
    assert.ok(Math.abs(total - 1) < 1e-9);
    for (const r of mine) assert.ok(Math.abs((r.equal_task_weight as number) - 1 / (4 * 3)) < 1e-12);
  }
  // The columnar fast path equals the row path.
  assert.deepEqual(table.objects(), runRowsToTable((await runRows(logDir)).rows).objects());
  // events(): one row per valid line, counted independently from the raw file.
  const ev = (await events(logDir)).table;
  const [file] = [...Deno.readDirSync(logDir)].map((e) => `${logDir}/${e.name}`);
  const lines = Deno.readTextFileSync(file).trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(ev.numRows(), lines.length);
  const calls = lines.filter((l) => l.type === "model_call");
  assert.equal(
    (ev.objects() as Array<{ type: string }>).filter((e) => e.type === "model_call").length,
    calls.length,
  );
  const sumTokens = (Array.from(table.array("input_tokens")) as number[]).reduce((s, v) => s + v, 0);
  assert.equal(
    sumTokens,
    calls.reduce((s, l) => s + l.input_tokens, 0),
    "cell totals equal the sum of calls",
  );
  const t = await tasks(FIXTURE_TASKS);
  assert.deepEqual(t.array("task_id"), [
    "trivial/one_minute",
    "trivial/ten_minutes",
    "trivial/one_hour",
    "trivial/four_hours",
  ]);
  assert.deepEqual(t.array("human_minutes"), [1, 10, 60, 240]);
});

Deno.test(
  "runs CLI: csv/json/jsonl output; a truncated last line is reported and skipped",
  opts,
  async () => {
    const { logDir } = await runScripted({ variants: "chat", model: "simulated/30", tasks: "trivial/*" });
    const [file] = [...Deno.readDirSync(logDir)].map((e) => `${logDir}/${e.name}`);
    await Deno.writeTextFile(file, '{"type":"cell_end","t":17', { append: true });
    const runs = (...args: string[]) => cli("runs", args);
    const json = await runs("--log", logDir, "--format", "json");
    assert.equal(json.code, 0);
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.length, 4);
    assert.match(json.stderr, new RegExp(`warning: skipped ${file}:\\d+: truncated last line`));
    const csv = await runs("--log", logDir, "--format", "csv");
    const [header, ...body] = csv.stdout.trim().split("\n");
    assert.ok(
      header.startsWith("run_id,task_id,task_family,alias,model,score,score_binarized,human_minutes"),
    );
    assert.equal(body.length, 4);
    const jsonl = await runs("--log", logDir, "--format", "jsonl");
    const objs = jsonl.stdout.trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(
      objs.map((o) => o.task_id).sort(),
      parsed.map((o: { task_id: string }) => o.task_id).sort(),
    );
    const bad = await runs("--log", logDir, "--format", "xml");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--format must be csv, json or jsonl/);
  },
);

Deno.test("runs CLI: METR runs.jsonl in, same rows out", opts, async () => {
  const source = join(METR_DATA_DIR, "all_runs_2025-01.jsonl");
  const head = (await Deno.readTextFile(source)).split("\n").slice(0, 50).join("\n") + "\n";
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/in.jsonl`, head);
  const out = await cli("runs", ["--metr", `${dir}/in.jsonl`, "--format", "jsonl"]);
  assert.equal(out.code, 0, out.stderr);
  const back = out.stdout.trim().split("\n").map((l) => JSON.parse(l));
  const orig = head.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(back.length, orig.length);
  for (let i = 0; i < orig.length; i++) {
    assert.equal(back[i].task_id, orig[i].task_id);
    assert.equal(back[i].score_binarized, orig[i].score_binarized);
    assert.equal(back[i].alias, orig[i].alias);
    assert.equal(back[i].human_minutes, orig[i].human_minutes);
  }
});

Deno.test(
  "unionRuns stacks METR's runs and this toolkit's runs with the union of columns",
  opts,
  async () => {
    const metr = await readMetrRuns(join(METR_DATA_DIR, "all_runs_2025-01.jsonl"));
    const head = metr.table.slice(0, 10);
    const { logDir } = await runScripted({ variants: "chat", model: "simulated/30", tasks: "trivial/*" });
    const ours = (await runs(logDir)).table;
    const both = unionRuns(head, ours);
    assert.equal(both.numRows(), 14);
    assert.deepEqual(both.array("task_id").slice(0, 10), head.array("task_id"));
    assert.ok(both.columnNames().includes("cell_id"));
    assert.equal(both.array("cell_id")[0], null, "METR rows have no cell id");
    assert.equal(both.array("cell_id")[13], ours.array("cell_id")[3]);
    assert.deepEqual(both.array("alias").slice(10), ours.array("alias"));
  },
);

Deno.test("inStableOrder: the same runs finishing in another order give bit-identical rates", () => {
  // 43 successes of 80 runs of one agent over 40 tasks × 2 epochs, in two completion orders.
  const rows = Array.from({ length: 80 }, (_, i) => ({
    run_id: `r${String(i).padStart(2, "0")}`,
    task_id: `fam/t${String(i % 40).padStart(2, "0")}`,
    alias: "agent",
    epoch: i < 40 ? 0 : 1,
    score_binarized: i < 43 ? 1 : 0,
  }));
  const shuffled = (seed: number) => {
    const out = [...rows];
    let state = seed;
    for (let i = out.length - 1; i > 0; i--) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      const j = state % (i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return aq.from(out);
  };
  const rate = (table: aq.ColumnTable) =>
    table.rollup({ success: aq.op.mean("score_binarized") }).get("success", 0) as number;
  // Completion order matters to op.mean: some of these orders give different bits.
  const plain = new Set(Array.from({ length: 20 }, (_, seed) => rate(shuffled(seed + 1))));
  assert.ok(plain.size > 1, `the completion orders all gave ${[...plain]}`);
  const stable = new Set(Array.from({ length: 20 }, (_, seed) => rate(inStableOrder(shuffled(seed + 1)))));
  assert.equal(stable.size, 1, `stable order gave ${[...stable]}`);
  // Rows are kept, physically in the new order (column access agrees with objects()).
  const sorted = inStableOrder(shuffled(7));
  assert.equal(sorted.numRows(), 80);
  const objects = sorted.objects() as { task_id: string; epoch: number; run_id: string }[];
  const ids = objects.map((r) => `${r.task_id}/${r.epoch}`);
  assert.deepEqual(ids, [...ids].sort());
  assert.deepEqual(Array.from(sorted.column("run_id")!, String), objects.map((r) => r.run_id));
  // A table without any of the keys is returned as it is.
  const bare = aq.table({ x: [3, 1, 2] });
  assert.equal(inStableOrder(bare), bare);
});
