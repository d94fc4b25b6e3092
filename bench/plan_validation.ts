/**
 * Simulate-then-recover validation of the planner (docs/planning.md): planned power (lib/plan planPower,
 * fast path, its own generator) against realised power (fresh evaluations drawn by the simulated model
 * at known true horizons and gaps, analysed by elicitationGap / bootstrapHorizons at their default
 * replicate counts), per design. Simulated data throughout.
 *
 *   deno run -A bench/plan_validation.ts [--realised 400] [--planned 1000]
 */
import { parseArgs } from "node:util";
import { planPower } from "../lib/plan/power.ts";
import type { Question } from "../lib/plan/questions.ts";
import { realisedPower, simulatorAssumptions } from "../lib/plan/validate.ts";
import type { Design } from "../lib/plan/simulate.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: { realised: { type: "string" }, planned: { type: "string" } },
});
const REALISED = Number(values.realised ?? 400), PLANNED = Number(values.planned ?? 1000);

/** The truth: the simulated model at a 30-minute horizon (basic) and 60 minutes (allTools, shift +1). */
const SIM = { horizonMinutes: 30, slope: 0.9, taskNoiseSd: 1 };
const MINUTES = [1, 2, 4, 8, 15, 30, 60, 120, 240, 480, 960];
const PER_FAMILY = 3;

const cases: { label: string; scaffolds: string[]; question: Question; designs: Design[] }[] = [
  {
    label: "gap allTools − basic, excludes 0",
    scaffolds: ["allTools", "basic"],
    question: { question: "gap", a: "allTools", b: "basic" },
    designs: [{ tasks: 20, epochs: 2 }, { tasks: 40, epochs: 2 }, { tasks: 80, epochs: 1 }],
  },
  {
    label: "gap, true gap 0 (false decisive rate)",
    scaffolds: ["plain", "basic"],
    question: { question: "gap", a: "plain", b: "basic" },
    designs: [{ tasks: 40, epochs: 2 }],
  },
  {
    label: "horizon allTools above 30 min",
    scaffolds: ["allTools"],
    question: { question: "horizon", agent: "allTools", threshold: 30 },
    designs: [{ tasks: 10, epochs: 2 }, { tasks: 20, epochs: 2 }, { tasks: 40, epochs: 2 }],
  },
  {
    label: "verdict allTools p50 >= 30 min, P >= 0.9",
    scaffolds: ["allTools"],
    question: { question: "verdict", agent: "allTools", value: 30 },
    designs: [{ tasks: 20, epochs: 2 }],
  },
];

const out: Record<string, unknown>[] = [];
for (const c of cases) {
  const A = simulatorAssumptions(SIM, c.scaffolds, MINUTES, PER_FAMILY);
  for (const d of c.designs) {
    const plan = planPower(A, c.question, { tasks: [d.tasks], epochs: [d.epochs], sims: PLANNED, seed: 1 });
    const p = plan.rows[0];
    const r = realisedPower(SIM, c.scaffolds, MINUTES, PER_FAMILY, c.question, d, REALISED, 2026);
    const se = Math.sqrt(p.mcse ** 2 + r.mcse ** 2);
    const row = {
      case: c.label,
      design: `${d.tasks}×${d.epochs}`,
      truth: plan.truth.value,
      planned: p.power,
      planned_mcse: p.mcse,
      planned_wrong: p.wrong,
      realised: r.power,
      realised_mcse: r.mcse,
      realised_wrong: r.wrong,
      diff_points: 100 * (p.power - r.power),
      diff_se_points: 100 * se,
      within_5: Math.abs(p.power - r.power) <= 0.05,
      planned_s: plan.seconds,
      realised_s: r.seconds,
    };
    out.push(row);
    console.log(
      `${c.label.padEnd(40)} ${row.design.padEnd(6)} planned ${(100 * p.power).toFixed(1)} ± ${
        (100 * p.mcse).toFixed(1)
      } (wrong ${(100 * p.wrong).toFixed(1)})  realised ${(100 * r.power).toFixed(1)} ± ${
        (100 * r.mcse).toFixed(1)
      } (wrong ${(100 * r.wrong).toFixed(1)})  diff ${row.diff_points.toFixed(1)} ± ${
        row.diff_se_points.toFixed(1)
      } points  ${row.within_5 ? "ok" : "OUTSIDE ±5"}  [${plan.seconds.toFixed(1)} s / ${
        r.seconds.toFixed(1)
      } s]`,
    );
  }
}
const bad = out.filter((r) => !r.within_5).length;
console.log(
  `\n${
    out.length - bad
  } of ${out.length} designs within ±5 points (planned N=${PLANNED}, realised N=${REALISED}).`,
);
if (Deno.args.includes("--json")) console.log(JSON.stringify(out));
