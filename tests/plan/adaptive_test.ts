/**
 * Adaptive allocation (lib/plan/adaptive.ts, lib/plan/stopping.ts): the boundaries, the allocation rule,
 * and a light simulate-then-recover check of the stopping rule (bench/adaptive_validation.ts is the full one).
 */
import { assert, assertEquals } from "./_assert.ts";
import { normalQuantile } from "../../lib/stats/normal.ts";
import { allocate, type CurrentCurve, simulateAdaptive } from "../../lib/plan/adaptive.ts";
import { boundaryConstant, lookAlpha, questionAtLook } from "../../lib/plan/stopping.ts";
import { checkQuestion } from "../../lib/plan/questions.ts";
import { simulatorAssumptions } from "../../lib/plan/validate.ts";

Deno.test("stopping: O'Brien–Fleming and Pocock constants match the published tables", () => {
  // One-sided α = 0.025, 4 equally spaced looks: OBF C = 2.024, Pocock C = 2.361 (Jennison & Turnbull,
  // Tables 2.3 and 2.1, two-sided 0.05).
  assert(Math.abs(boundaryConstant(0.025, 4, "obf") - 2.024) < 0.02, `${boundaryConstant(0.025, 4, "obf")}`);
  assert(Math.abs(boundaryConstant(0.025, 4, "pocock") - 2.361) < 0.02);
  // One look: the fixed-sample quantile.
  assert(Math.abs(boundaryConstant(0.1, 1, "obf") - normalQuantile(0.9)) < 0.01);
});

Deno.test("stopping: OBF levels rise over the looks and stay below α; Pocock is flat; none is α", () => {
  const obf = [1, 2, 3, 4, 5, 6].map((k) => lookAlpha(0.1, k, 6, "obf"));
  for (let k = 1; k < 6; k++) assert(obf[k] > obf[k - 1]);
  assert(obf[5] < 0.1 && obf[0] < 0.001);
  const poc = [1, 2, 3].map((k) => lookAlpha(0.1, k, 3, "pocock"));
  assertEquals(poc[0], poc[2]);
  assertEquals(lookAlpha(0.1, 2, 3, "none"), 0.1);
  const q = checkQuestion({ question: "horizon", agent: "a", threshold: 60 });
  const qk = questionAtLook(q, 6, 6, "obf");
  assert(qk.question === "horizon" && Math.abs(qk.interval! - (1 - 2 * obf[5])) < 1e-12);
  const v = questionAtLook(checkQuestion({ question: "verdict", agent: "a", value: 1 }), 1, 4, "pocock");
  assert(v.question === "verdict" && v.confidence! > 0.9);
});

const TASKS = [1, 4, 15, 30, 60, 120, 480, 960].map((m) => ({ id: `f/t${m}`, minutes: m }));

Deno.test("allocate (horizon): tasks nearest the current p50 and least sampled, with reasons", () => {
  const q = checkQuestion({ question: "horizon", agent: "a", threshold: 30 });
  // Current curve with p50 = 120 minutes.
  const curve: CurrentCurve = { intercept: 0.9 * Math.log2(120), slope: -0.9 };
  const epochs = (t: string) => t === "f/t120" ? 2 : 0;
  const picks = allocate(q, TASKS, epochs, new Map([["a", curve]]), { roundSize: 3, maxEpochs: 3, seed: 1 });
  assertEquals(picks.length, 3);
  // Information p(1 − p) / (1 + epochs): 60 min (one doubling from the p50) first, then 30 and 480 (two
  // doublings either side, a tie broken by the seeded hash); 120 min, at the p50 but with 2 epochs, after.
  assertEquals(picks[0].task, "f/t60");
  assertEquals(picks.slice(1).map((p) => p.task).sort(), ["f/t30", "f/t480"]);
  const four = allocate(q, TASKS, epochs, new Map([["a", curve]]), { roundSize: 4, maxEpochs: 3, seed: 1 });
  assertEquals(four[3].task, "f/t120");
  assert(/2 epoch\(s\) so far/.test(four[3].reason));
  assert(picks.every((p) => /current p50 estimate 2 h/.test(p.reason)), picks[0].reason);
  // Deterministic; full cells and the budget are respected.
  assertEquals(
    allocate(q, TASKS, epochs, new Map([["a", curve]]), { roundSize: 3, maxEpochs: 3, seed: 1 }),
    picks,
  );
  const full = allocate(q, TASKS, () => 3, new Map([["a", curve]]), { roundSize: 3, maxEpochs: 3, seed: 1 });
  assertEquals(full, []);
  assertEquals(
    allocate(q, TASKS, epochs, new Map(), { roundSize: 5, maxEpochs: 3, budgetLeft: 2, seed: 1 }).length,
    2,
  );
  // No fit yet: centred on the cut-off.
  const first = allocate(q, TASKS, () => 0, new Map(), { roundSize: 1, maxEpochs: 1, seed: 1 });
  assertEquals(first[0].task, "f/t30");
  assert(/no fit yet/.test(first[0].reason));
});

Deno.test("allocate (gap): fewest paired epochs first, then predicted disagreement; both variants", () => {
  const q = checkQuestion({ question: "gap", a: "a", b: "b" });
  const curves = new Map<string, CurrentCurve | null>([
    ["a", { intercept: 0.9 * Math.log2(120), slope: -0.9 }],
    ["b", { intercept: 0.9 * Math.log2(30), slope: -0.9 }],
  ]);
  const epochs = (t: string, v: string) => (t === "f/t60" ? 1 : t === "f/t30" && v === "a" ? 1 : 0);
  const picks = allocate(q, TASKS, epochs, curves, { roundSize: 7, maxEpochs: 2, seed: 3 });
  assertEquals(picks.length, 3); // 7 cells = 3 pairs
  assert(picks.every((p) => p.variants.join() === "a,b" && p.epochsBefore === 0));
  assert(!picks.some((p) => p.task === "f/t60"));
  // Among the unsampled, the largest predicted disagreement sits between the two p50s (30 and 120 min).
  assert(["f/t30", "f/t120"].includes(picks[0].task), picks.map((p) => p.task).join());
  assert(/0 paired epoch\(s\) so far; predicted disagreement/.test(picks[0].reason));
});

const SIM = { horizonMinutes: 30, slope: 0.9, taskNoiseSd: 1 };
const MINUTES = [1, 2, 4, 8, 15, 30, 60, 120, 240, 480, 960];

Deno.test("simulated: the false 'crossed' rate of the OBF rule stays ≤ nominal + 3 MCSE at the cut-off", () => {
  const A = simulatorAssumptions(SIM, ["allTools"], MINUTES, 3);
  const sims = 200;
  const r = simulateAdaptive(A, { question: "horizon", agent: "allTools", threshold: 60 }, {
    tasks: 40,
    maxEpochs: 3,
    roundSize: 20,
    sims,
    replicates: 200,
    seed: 11,
  });
  assertEquals(r.truth.side, "at");
  const bound = r.nominalAlpha + 3 * Math.sqrt(r.nominalAlpha * (1 - r.nominalAlpha) / sims);
  assert(r.adaptive.above <= bound, `false crossed ${r.adaptive.above} > ${bound}`);
  assert(r.adaptive.runs < r.full.runs);
});

Deno.test("simulated: the same for a gap question at a true gap of 0", () => {
  const A = simulatorAssumptions(SIM, ["plain", "basic"], MINUTES, 3);
  const sims = 100;
  const r = simulateAdaptive(A, { question: "gap", a: "plain", b: "basic" }, {
    tasks: 30,
    maxEpochs: 2,
    roundSize: 20,
    sims,
    replicates: 200,
    seed: 13,
  });
  assertEquals(r.truth.side, "at");
  const bound = r.nominalAlpha + 3 * Math.sqrt(r.nominalAlpha * (1 - r.nominalAlpha) / sims);
  assert(r.adaptive.above <= bound, `false crossed ${r.adaptive.above} > ${bound}`);
});

Deno.test("simulated: adaptive uses fewer runs than the full grid at similar accuracy", () => {
  const A = simulatorAssumptions(SIM, ["allTools"], MINUTES, 3);
  const sims = 150;
  const r = simulateAdaptive(A, { question: "horizon", agent: "allTools", threshold: 30 }, {
    tasks: 40,
    maxEpochs: 3,
    roundSize: 20,
    sims,
    replicates: 200,
    seed: 5,
  });
  assertEquals(r.truth.side, "above");
  assert(r.saving > 0.15, `saving ${r.saving}`);
  // Similar accuracy: within 3 SEs of the difference at p = 0.5 (both on the same evaluations).
  const tol = 3 * Math.sqrt(0.5 / sims);
  assert(r.adaptive.correct >= r.full.correct - tol, `${r.adaptive.correct} vs ${r.full.correct}`);
  assert(r.adaptive.wrong <= 0.02);
});

Deno.test("simulated: with room for two more epochs on informative tasks and the grid's budget, adaptive is at least as accurate with fewer runs", () => {
  const A = simulatorAssumptions(SIM, ["allTools"], MINUTES, 3);
  const sims = 200;
  const r = simulateAdaptive(A, { question: "horizon", agent: "allTools", threshold: 30 }, {
    tasks: 40,
    maxEpochs: 5,
    fullEpochs: 3,
    budgetRuns: 120,
    roundSize: 20,
    sims,
    replicates: 200,
    seed: 5,
  });
  assertEquals(r.full.runs, 120, "the grid compared with is 40 tasks × 3 epochs");
  assert(r.adaptive.runs <= 120 && r.saving > 0.2, `runs ${r.adaptive.runs}, saving ${r.saving}`);
  assert(r.adaptive.correct >= r.full.correct, `${r.adaptive.correct} vs ${r.full.correct}`);
  assert(r.adaptive.wrong <= 0.02);
  // The paired difference is the difference of the two rates; its MCSE is below the unpaired one.
  assert(Math.abs(r.correctDifference.estimate - (r.adaptive.correct - r.full.correct)) < 1e-12);
  const unpaired = Math.sqrt(
    (r.adaptive.correct * (1 - r.adaptive.correct) + r.full.correct * (1 - r.full.correct)) / sims,
  );
  assert(r.correctDifference.mcse > 0 && r.correctDifference.mcse < unpaired, `${r.correctDifference.mcse}`);
});

Deno.test("simulated: fullEpochs outside [1, maxEpochs] is a RangeError naming it", () => {
  const A = simulatorAssumptions(SIM, ["allTools"], MINUTES, 3);
  const q = { question: "horizon" as const, agent: "allTools", threshold: 30 };
  let error: unknown;
  try {
    simulateAdaptive(A, q, { tasks: 10, maxEpochs: 2, fullEpochs: 3, roundSize: 10, sims: 1 });
  } catch (e) {
    error = e;
  }
  assert(error instanceof RangeError && /fullEpochs/.test(error.message), String(error));
});
