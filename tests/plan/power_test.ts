import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { OptionsError } from "../../lib/core/options.ts";
import { type DesignPower, planPower, recommend } from "../../lib/plan/power.ts";
import type { Assumptions } from "../../lib/plan/assumptions.ts";

const A: Assumptions = {
  curves: { basic: { p50Minutes: 30, slope: -0.9 }, tools: { p50Minutes: 90, slope: -0.9 } },
  taskMinutes: [1, 2, 4, 8, 15, 30, 60, 120, 240, 480, 960],
  taskSd: 0.9,
  tasksPerFamily: 3,
};

Deno.test("power increases with tasks (nested designs, common random numbers)", () => {
  const p = planPower(A, { question: "horizon", agent: "tools", threshold: 30 }, {
    tasks: [8, 16, 32, 64],
    epochs: [1],
    sims: 150,
  });
  const power = p.rows.map((r) => r.power);
  for (let k = 1; k < power.length; k++) assert(power[k] >= power[k - 1] - 2 * p.rows[k].mcse, `${power}`);
  assert(power[3] - power[0] > 0.3, `${power}`);
  assertEquals(p.truth.side, "above");
});

Deno.test("true gap 0: the false decisive rate is at or below the interval's nominal 20% (+ MCSE)", () => {
  const nul: Assumptions = { ...A, curves: { a: A.curves.basic, b: A.curves.basic } };
  const p = planPower(nul, { question: "gap", a: "a", b: "b" }, { tasks: [20], epochs: [2], sims: 300 });
  assertEquals(p.truth.side, "at");
  const r = p.rows[0];
  assertEquals(r.power, 0); // nothing decisive can be correct
  const mcse = Math.sqrt(0.2 * 0.8 / r.sims);
  assert(r.wrong <= 0.2 + 2 * mcse, `false decisive rate ${r.wrong}`);
});

Deno.test("the recommendation is the cheapest design meeting the target", () => {
  const row = (tasks: number, epochs: number, cost: number, power: number): DesignPower => ({
    tasks,
    epochs,
    runs: tasks * epochs,
    cost,
    power,
    mcse: 0,
    decisive: power,
    wrong: 0,
    sims: 1,
  });
  const rows = [row(10, 4, 40, 0.85), row(20, 1, 20, 0.79), row(20, 2, 40, 0.9), row(40, 1, 40, 0.95)];
  assertEquals(recommend(rows, 0.8), rows[0]); // 40 cost ties: fewer runs tie, fewer tasks first
  assertEquals(recommend(rows, 0.99), null);
  const p = planPower({ ...A, costPerRun: { basic: 1, tools: 3 } }, {
    question: "gap",
    a: "tools",
    b: "basic",
  }, { tasks: [10, 40], epochs: [1, 2], sims: 60 });
  const ok = p.rows.filter((r) => r.power >= p.targetPower);
  if (p.recommended) {
    assertEquals(p.recommended.cost, Math.min(...ok.map((r) => r.cost)));
    assertEquals(p.recommended.cost, p.recommended.tasks * p.recommended.epochs * 4);
  } else assertEquals(ok.length, 0);
});

Deno.test("planPower checks its options, question and variants", () => {
  assertThrows(
    () => planPower(A, { question: "horizon", agent: "tools", threshold: 30 }, { sim: 3 } as never),
    OptionsError,
    "sims",
  );
  assertThrows(
    () => planPower(A, { question: "horizon", agent: "nobody", threshold: 30 }),
    Error,
    "known: basic, tools",
  );
  assertThrows(
    () => planPower(A, { question: "horizon", agent: "tools", threshold: -1 }),
    OptionsError,
    "threshold",
  );
});
