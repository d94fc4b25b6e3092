import assert from "node:assert/strict";
import { from } from "arquero";
import { budgetGrid, successAtBudgets, traceEvents, trajectories } from "../../lib/elicitation/budget.ts";
import { eventsByRun } from "../../lib/elicitation/events.ts";
import { InsufficientDataError } from "../../lib/measure/errors.ts";
import { rng } from "../../lib/stats/mod.ts";

Deno.test("budget curve from rows equals an independent count of runs that succeeded within the budget", () => {
  const r = rng(5);
  const rows = [];
  for (let k = 0; k < 200; k++) {
    rows.push({
      run_id: `r${k}`,
      task_id: `t${k % 20}`,
      alias: k % 2 ? "A" : "B",
      score: r() < 0.5 ? 1 : 0,
      total_tokens: Math.floor(1000 + 99000 * r()),
    });
  }
  const t = from(rows);
  const budgets = [5000, 20000, 50000, 100000];
  const curve = successAtBudgets(t, "tokens", { budgets }).objects() as Record<string, number | string>[];
  for (const variant of ["A", "B"]) {
    for (const b of budgets) {
      // Independent: task-equal mean of the per-task share of successful runs with tokens ≤ b.
      const per = new Map<string, number[]>();
      for (const x of rows) {
        if (x.alias === variant) {
          per.set(x.task_id, [...(per.get(x.task_id) ?? []), x.score === 1 && x.total_tokens <= b ? 1 : 0]);
        }
      }
      const expected = [...per.values()].reduce((a, v) => a + v.reduce((p, q) => p + q, 0) / v.length, 0) /
        per.size;
      const got = curve.find((c) => c.variant === variant && c.budget === b)!;
      assert.ok(Math.abs((got.success_rate as number) - expected) < 1e-12);
    }
  }
  // Monotone in the budget; at the largest budget equals the plain success rate.
  const a = curve.filter((c) => c.variant === "A").map((c) => c.success_rate as number);
  for (let i = 1; i < a.length; i++) assert.ok(a[i] >= a[i - 1]);
});

Deno.test("budget curve from METR-style rows uses completed_at − started_at for seconds", () => {
  const t = from([
    { run_id: "a", task_id: "t", alias: "A", score: 1, started_at: 0, completed_at: 30_000 },
    { run_id: "b", task_id: "t", alias: "A", score: 1, started_at: 0, completed_at: 90_000 },
    { run_id: "c", task_id: "t", alias: "A", score: 1, started_at: null, completed_at: null },
  ]);
  const { trajectories: tr, unknownUsage } = trajectories(t, "seconds");
  assert.equal(unknownUsage, 1);
  assert.deepEqual(tr.map((x) => x.total), [30, 90]);
  const c = successAtBudgets(t, "seconds", { budgets: [60] }).objects()[0] as Record<string, number>;
  assert.equal(c.success_rate, 0.5);
  assert.throws(
    () => successAtBudgets(t, "cost"),
    (e: unknown) => e instanceof InsufficientDataError && /cost/.test(e.message),
  );
});

Deno.test("budget curve from events: each trajectory is cut at the budget; intermediate scores count", () => {
  const ev = [
    { type: "model_call", run_id: "x", t: 0, input_tokens: 100, output_tokens: 0 },
    { type: "score", run_id: "x", t: 1, score: 0.4 },
    { type: "model_call", run_id: "x", t: 2, input_tokens: 300, output_tokens: 100 },
    { type: "score", run_id: "x", t: 3, score: 1 },
    { type: "action", run_id: "x", t: 4 },
  ];
  const events = eventsByRun(ev).runs;
  const trace = traceEvents(events.get("x")!, "tokens", 1);
  assert.deepEqual(trace.checkpoints, [{ usage: 100, score: 0.4 }, { usage: 500, score: 1 }]);
  const t = from([{ run_id: "x", task_id: "t", variant: "v", score: 1, total_tokens: 500 }]);
  const c = successAtBudgets(t, "tokens", { budgets: [50, 200, 600], events }).objects() as Record<
    string,
    number
  >[];
  assert.deepEqual(c.map((p) => p.success_rate), [0, 0, 1]);
  assert.deepEqual(c.map((p) => p.mean_score), [0, 0.4, 1]);
  assert.equal(traceEvents(events.get("x")!, "actions", 1).total, 1);
  const grid = budgetGrid(trajectories(t, "tokens", { events }).trajectories, 3);
  assert.deepEqual(grid.map((g) => Math.round(g)), [100, 224, 500]);
});

Deno.test("bad input: every analysis names the missing column", async () => {
  const { MissingColumnError } = await import("../../lib/measure/errors.ts");
  const { elicitationGap } = await import("../../lib/elicitation/gap.ts");
  const { protocolChecks } = await import("../../lib/protocol/checks.ts");
  const { estimateMetrics } = await import("../../lib/measure/estimates.ts");
  const noFamily = from([{ run_id: "a", task_id: "t", alias: "A", score: 1, human_minutes: 3 }]);
  const named = (column: string) => (e: unknown) => e instanceof MissingColumnError && e.column === column;
  assert.throws(() => elicitationGap(noFamily, { baseline: "A" }), named("task_family"));
  assert.throws(() => protocolChecks(noFamily), named("task_family"));
  assert.throws(() => estimateMetrics(noFamily), named("task_family"));
  const noTask = from([{ run_id: "a", alias: "A", score: 1 }]);
  assert.throws(() => successAtBudgets(noTask, "tokens"), named("task_id"));
});
