import { from } from "../../lib/deps/arquero.ts";
import { rng } from "../../lib/stats/rng.ts";
import { assumptionsFromPilot } from "../../lib/plan/pilot.ts";
import { resolveAssumptions } from "../../lib/plan/assumptions.ts";
import { designRows, simulateBatch } from "../../lib/plan/simulate.ts";
import { assert, assertAlmostEquals, assertEquals, assertThrows } from "./_assert.ts";

// A large simulated pilot (simulated data, known truth): 240 tasks × 4 epochs × 2 variants.
const TRUE = resolveAssumptions({
  curves: { basic: { p50Minutes: 30, slope: -0.8 }, tools: { p50Minutes: 90, slope: -0.8 } },
  taskMinutes: [1, 2, 4, 8, 15, 30, 60, 120, 240, 480, 960],
  taskSd: 1,
  familySd: 0.6,
  tasksPerFamily: 4,
});
const pilot = from(designRows(simulateBatch(TRUE, [0, 1], 240, 4, rng(3, 0)), { tasks: 240, epochs: 4 }));

Deno.test("the pilot estimate recovers curves and random-effect SDs of a simulated pilot", () => {
  const est = assumptionsFromPilot(pilot);
  assertEquals(est.tasks, 240);
  assertEquals(est.assumptions.tasksPerFamily, 4);
  assertEquals(est.epochs, 4);
  const a = resolveAssumptions(est.assumptions);
  const b = a.variants.indexOf("basic"), t = a.variants.indexOf("tools");
  // p50 horizons within a factor 1.5 (log2 error < 0.6), slopes within 25% (de-attenuated).
  assertAlmostEquals(Math.log2(2 ** (-a.intercept[b] / a.slope[b])), Math.log2(30), 0.6);
  assertAlmostEquals(Math.log2(2 ** (-a.intercept[t] / a.slope[t])), Math.log2(90), 0.6);
  assertAlmostEquals(a.slope[b], -0.8, 0.2);
  // Total logit SD √(1 + 0.36) ≈ 1.17, shared by both variants; method of moments is rough.
  const total = Math.hypot(a.taskSd, a.familySd, a.variantTaskSd);
  assertAlmostEquals(total, Math.hypot(1, 0.6), 0.35);
  assert(a.variantTaskSd < 0.5, `variantTaskSd ${a.variantTaskSd}`);
});

Deno.test("pilot errors name the problem", () => {
  assertThrows(() => assumptionsFromPilot(pilot, { agentColumn: "nope" }), Error, '"nope"');
  assertThrows(() => assumptionsFromPilot(pilot, { cost: "dollars" }), Error, "dollar_equivalent");
  assertThrows(() => assumptionsFromPilot(pilot, { variants: ["x"] }), Error, "x");
});
