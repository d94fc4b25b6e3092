/**
 * Simulate-then-recover validation of adaptive allocation (`eval --until-settled`, docs/planning.md): on the
 * same simulated evaluations, the adaptive rule (rounds, stopping at the first settled look under the
 * O'Brien–Fleming guard) against the full grid decided once at the nominal level. The truth is the
 * simulated model's (lib/model/simulated.ts: 30-minute horizon for basic, 60 for allTools, slope 0.9 per
 * doubling, task difficulty SD 1 log2-minute), stated as planner assumptions by `simulatorAssumptions`.
 * Simulated data throughout.
 *
 * `--extra-epochs N` lets the adaptive rule give a task × variant up to N more epochs than the full grid
 * it is compared with, within a run budget `--max-factor` × the grid's (the inflated maximum of a
 * group-sequential design; the grid's runs and the saving are still counted against the grid).
 *
 *   deno run -A bench/adaptive_validation.ts [--sims 200] [--spending obf|pocock|none] [--extra-epochs 1 --max-factor 1.17] [--case horizon]
 */
import { parseArgs } from "node:util";
import { simulateAdaptive } from "../lib/plan/adaptive.ts";
import type { Question } from "../lib/plan/questions.ts";
import type { Spending } from "../lib/plan/stopping.ts";
import { simulatorAssumptions } from "../lib/plan/validate.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    sims: { type: "string" },
    spending: { type: "string", multiple: true },
    "extra-epochs": { type: "string" },
    "max-factor": { type: "string" },
    case: { type: "string", multiple: true },
  },
});
const EXTRA_EPOCHS = Number(values["extra-epochs"] ?? 0);
const MAX_FACTOR = Number(values["max-factor"] ?? 1);
const CASES = values.case ?? [];
const SIMS = Number(values.sims ?? 200);
const SPENDING = (values.spending ?? ["obf", "none"]) as Spending[];

const SIM = { horizonMinutes: 30, slope: 0.9, taskNoiseSd: 1 };
const MINUTES = [1, 2, 4, 8, 15, 30, 60, 120, 240, 480, 960];

const cases: { label: string; scaffolds: string[]; question: Question; tasks: number; epochs: number }[] = [
  {
    label: "horizon allTools > 30 min (true 60)",
    scaffolds: ["allTools"],
    question: { question: "horizon", agent: "allTools", threshold: 30 },
    tasks: 40,
    epochs: 3,
  },
  {
    label: "horizon allTools vs 60 min (true 60: at the cut-off)",
    scaffolds: ["allTools"],
    question: { question: "horizon", agent: "allTools", threshold: 60 },
    tasks: 40,
    epochs: 3,
  },
  {
    label: "verdict allTools p50 >= 1 h, P >= 0.9 (true 60: at the cut-off)",
    scaffolds: ["allTools"],
    question: { question: "verdict", agent: "allTools", value: 1, unit: "hours" },
    tasks: 40,
    epochs: 3,
  },
  {
    label: "gap allTools − basic > 0 (true 9 points)",
    scaffolds: ["allTools", "basic"],
    question: { question: "gap", a: "allTools", b: "basic" },
    tasks: 40,
    epochs: 2,
  },
  {
    label: "gap plain − basic > 0 (true 0: at the cut-off)",
    scaffolds: ["plain", "basic"],
    question: { question: "gap", a: "plain", b: "basic" },
    tasks: 40,
    epochs: 2,
  },
];

const pct = (x: number) => (100 * x).toFixed(1);
const se = (p: number) => (100 * Math.sqrt(p * (1 - p) / SIMS)).toFixed(1);
console.log(
  `${SIMS} simulated evaluations per case; round size 20 cells; adaptive maximum ${MAX_FACTOR} × the grid's runs ` +
    `(up to ${EXTRA_EPOCHS} more epochs per cell); looks = rounds to that maximum`,
);
console.log(
  "| case | rule | looks | correct: adaptive / full | adaptive − full (paired) | wrong: adaptive / full | false crossed (nominal) | runs: adaptive / full | saving |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
const t0 = performance.now();
for (const c of cases.filter((c) => CASES.length === 0 || CASES.some((k) => c.label.startsWith(k)))) {
  const A = simulatorAssumptions(SIM, c.scaffolds, MINUTES, 3);
  for (const spending of SPENDING) {
    const r = simulateAdaptive(A, c.question, {
      tasks: c.tasks,
      maxEpochs: c.epochs + EXTRA_EPOCHS,
      fullEpochs: c.epochs,
      budgetRuns: Math.round(MAX_FACTOR * c.tasks * c.epochs * c.scaffolds.length),
      roundSize: 20,
      sims: SIMS,
      spending,
      seed: 7,
    });
    const fc = r.truth.side === "above"
      ? "—"
      : `${pct(r.adaptive.above)} ± ${se(r.adaptive.above)} / ${pct(r.full.above)} (${pct(r.nominalAlpha)})`;
    console.log(
      `| ${c.label} | ${spending} | ${r.looks} | ${pct(r.adaptive.correct)} ± ${se(r.adaptive.correct)} / ${
        pct(r.full.correct)
      } ± ${se(r.full.correct)} | ${r.correctDifference.estimate >= 0 ? "+" : ""}${
        pct(r.correctDifference.estimate)
      } ± ${pct(r.correctDifference.mcse)} | ${pct(r.adaptive.wrong)} / ${pct(r.full.wrong)} | ${fc} | ${
        r.adaptive.runs.toFixed(1)
      } / ${r.full.runs} | ${pct(r.saving)}% |`,
    );
  }
}
console.log(`(${((performance.now() - t0) / 1000).toFixed(0)} s)`);
