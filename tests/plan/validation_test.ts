// Light simulate-then-recover check (bench/plan_validation.ts is the full one): planned power (planner's
// generator, fast analysis, small bootstrap) against realised power (evaluations drawn by the simulated
// model, analysed by the public functions at default replicates). Simulated data throughout.
import { planPower } from "../../lib/plan/power.ts";
import { realisedPower, simulatorAssumptions } from "../../lib/plan/validate.ts";
import { assert } from "./_assert.ts";

const SIM = { horizonMinutes: 30, slope: 0.9, taskNoiseSd: 1 };
const MINUTES = [1, 2, 4, 8, 15, 30, 60, 120, 240, 480, 960];

/** 3 SEs of the difference of two independent proportions at the worst case p = 0.5. */
function tolerance(nPlanned: number, nRealised: number): number {
  return 3 * Math.sqrt(0.25 / nPlanned + 0.25 / nRealised);
}

Deno.test("horizon question: planned power matches realised power within 3 MCSE", () => {
  const design = { tasks: 20, epochs: 2 };
  const q = { question: "horizon", agent: "allTools", threshold: 30 } as const;
  const A = simulatorAssumptions(SIM, ["allTools"], MINUTES, 3);
  const planned = planPower(A, q, { tasks: [20], epochs: [2], sims: 400, seed: 11 }).rows[0];
  const realised = realisedPower(SIM, ["allTools"], MINUTES, 3, q, design, 200, 77);
  const tol = tolerance(400, 200); // 0.13
  assert(
    Math.abs(planned.power - realised.power) <= tol,
    `planned ${planned.power} realised ${realised.power}`,
  );
});

Deno.test("gap question: planned power matches realised power within 3 MCSE", () => {
  const design = { tasks: 40, epochs: 2 };
  const q = { question: "gap", a: "allTools", b: "basic" } as const;
  const A = simulatorAssumptions(SIM, ["allTools", "basic"], MINUTES, 3);
  const planned = planPower(A, q, { tasks: [40], epochs: [2], sims: 400, seed: 12 }).rows[0];
  const realised = realisedPower(SIM, ["allTools", "basic"], MINUTES, 3, q, design, 80, 78);
  const tol = tolerance(400, 80); // 0.18
  assert(
    Math.abs(planned.power - realised.power) <= tol,
    `planned ${planned.power} realised ${realised.power}`,
  );
});
