import assert from "node:assert/strict";
import { crossFittedGap } from "../../lib/elicitation/crossfit.ts";
import { elicitationGap, type GapOptions } from "../../lib/elicitation/gap.ts";
import { gapVsEffortPoints } from "../../lib/elicitation/effort.ts";
import { OptionsError } from "../../lib/core/options.ts";
import { rng } from "../../lib/stats/mod.ts";
import { simRuns, simTasks } from "../protocol/_sim.ts";

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Variants v0..v{k-1} plus "base"; task difficulty θ_t; variant effect on the logit. */
function world(k: number, effect: (v: string) => number, seed: number, noise = 1, families = 30, epochs = 3) {
  const tasks = simTasks(families, 2, 1, 500, seed);
  const r = rng(seed + 100);
  // Difficulty: longer tasks are harder (slope −0.8 per doubling around 30 min) plus task noise.
  const theta = new Map(
    tasks.map((t) => [t.task_id, -0.8 * (Math.log2(t.human_minutes) - Math.log2(30)) + noise * (r() - 0.5)]),
  );
  const variants = ["base", ...Array.from({ length: k }, (_, i) => `v${i}`)];
  const table = simRuns(
    tasks,
    variants,
    (v, t) => sigmoid(theta.get(t.task_id)! + effect(v)),
    epochs,
    seed + 200,
    (v) => ({
      total_tokens: v === "base" ? 1000 : 2000,
    }),
  );
  return Object.assign(table, { thetas: [...theta.values()] });
}

Deno.test("simulate-then-recover: with no true gap, best-of-8 is optimistic and cross-fitting is not", () => {
  let naive = 0, cross = 0;
  const seeds = [1, 2, 3, 4, 5, 6];
  for (const s of seeds) {
    const t = world(8, () => 0, s);
    const r = crossFittedGap(t, { baseline: "base", replicates: 0, seed: s });
    naive += r.naiveGap!;
    cross += r.gap!;
    assert.ok(Math.abs(r.optimism! - (r.naiveGap! - r.gap!)) < 1e-12);
  }
  naive /= seeds.length;
  cross /= seeds.length;
  assert.ok(naive > 0.03, `naive best-of-8 gap ${naive} should be clearly positive`);
  assert.ok(Math.abs(cross) < 0.02, `cross-fitted gap ${cross} should be near 0`);
  assert.ok(naive - cross > 0.025);
});

Deno.test("simulate-then-recover: one truly better variant — cross-fitting recovers its gap and picks it", () => {
  const seeds = [11, 12, 13, 14];
  let cross = 0, truth = 0;
  for (const s of seeds) {
    const t = world(6, (v) => (v === "v3" ? 1.0 : 0), s);
    const r = crossFittedGap(t, { baseline: "base", replicates: 0, seed: s });
    cross += r.gap!;
    // Truth: mean over tasks of σ(θ+1) − σ(θ) for this world's θ (independent of the runs' noise).
    truth += t.thetas.reduce((a, th) => a + sigmoid(th + 1) - sigmoid(th), 0) / t.thetas.length;
    assert.ok(r.chosen.v3 >= 0.7 * 2 * r.repeats, `v3 chosen ${r.chosen.v3} of ${2 * r.repeats}`);
  }
  cross /= seeds.length;
  truth /= seeds.length;
  assert.ok(Math.abs(cross - truth) < 0.04, `cross-fitted ${cross} vs truth ${truth}`);
});

Deno.test("cross-fit interval: seeded, contains the estimate; too few families is a null gap with a note, not NaN", () => {
  const t = world(4, (v) => (v === "v1" ? 0.8 : 0), 21);
  const a = crossFittedGap(t, { baseline: "base", replicates: 60, seed: 9 });
  const b = crossFittedGap(t, { baseline: "base", replicates: 60, seed: 9 });
  assert.deepEqual(a, b);
  assert.equal(a.note, null);
  assert.ok(a.lower! < a.gap! && a.gap! < a.upper!);
  const one = t.filter((d: Record<string, unknown>) => d.task_family === "fam0").reify();
  const thin = crossFittedGap(one, { baseline: "base" });
  assert.equal(thin.gap, null);
  assert.equal(thin.optimism, null);
  assert.match(thin.note!, /at least 2 to split/);
  assert.ok(thin.naiveGap !== null && Number.isFinite(thin.naiveGap), "the naive gap is still reported");
  // Splitting one family's tasks instead works.
  assert.ok(Number.isFinite(crossFittedGap(one, { baseline: "base", splitBy: "task", replicates: 0 }).gap!));
  assert.throws(() => crossFittedGap(t, { baseline: "nobody" }), /unknown agent "nobody" \(variant: /);
});

Deno.test("elicitation gap on thin data: one family or one variant gives a result with notes, not a throw", () => {
  const t = world(4, (v) => (v === "v1" ? 0.8 : 0), 22);
  const one = t.filter((d: Record<string, unknown>) => d.task_family === "fam0").reify();
  const g = elicitationGap(one, { baseline: "base", pairedReplicates: 50, replicates: 0 });
  assert.ok(g.best !== null && g.successRate !== null, "the paired gap on all tasks is still estimated");
  assert.equal(g.crossFitted.gap, null);
  assert.ok(g.notes.some((n) => /cross-fitted gap: .*at least 2/.test(n)), g.notes.join("; "));
  const solo = t.filter((d: Record<string, unknown>) => d.variant === "base").reify();
  const s = elicitationGap(solo, { baseline: "base", pairedReplicates: 50, replicates: 0 });
  assert.equal(s.best, null);
  assert.equal(s.successRate, null);
  assert.equal(s.horizon, null);
  assert.match(s.notes[0], /no candidate variant besides the baseline "base"/);
});

Deno.test("one naming: the gap takes an alias for a variant, agentColumn or variantColumn, and refuses unknown options", () => {
  const t = world(3, (v) => (v === "v2" ? 1.2 : 0), 33).derive({
    alias: (d: { variant: string }) => `sim · ${d.variant}`,
  });
  const byVariant = elicitationGap(t, { baseline: "base", pairedReplicates: 50, replicates: 0, seed: 1 });
  const byAlias = elicitationGap(t, { baseline: "sim · base", pairedReplicates: 50, replicates: 0, seed: 1 });
  assert.equal(byAlias.baseline, "base");
  assert.deepEqual(byAlias.successRate, byVariant.successRate);
  const onAlias = elicitationGap(t, {
    baseline: "base",
    agentColumn: "alias",
    pairedReplicates: 50,
    replicates: 0,
  });
  assert.equal(onAlias.baseline, "sim · base");
  assert.equal(onAlias.variantColumn, "alias");
  assert.throws(
    () => elicitationGap(t, { baseline: "base", sed: 3 } as unknown as GapOptions),
    (e: unknown) =>
      e instanceof OptionsError && /unknown option "sed" \(did you mean "seed"\?\)/.test(e.message),
  );
  assert.throws(
    () => elicitationGap(t, { baseline: "base", replicates: "10" } as unknown as GapOptions),
    (e: unknown) => e instanceof OptionsError && /elicitationGap: option "replicates"/.test(e.message),
  );
});

Deno.test("elicitation gap: paired intervals on success rate and p50 horizon; the best variant found", () => {
  const t = world(3, (v) => (v === "v2" ? 1.2 : v === "v1" ? 0.3 : 0), 31);
  const g = elicitationGap(t, { baseline: "base", pairedReplicates: 300, replicates: 40, seed: 2 });
  assert.equal(g.best, "v2");
  assert.equal(g.variantColumn, "variant");
  assert.equal(g.sharedTasks, 60);
  // Independent success rates: task-equal means of the two variants.
  const rows = t.objects() as { variant: string; task_id: string; score: number }[];
  const rate = (v: string) => {
    const m = new Map<string, number[]>();
    for (const r of rows) if (r.variant === v) m.set(r.task_id, [...(m.get(r.task_id) ?? []), r.score]);
    return [...m.values()].reduce((a, s) => a + s.reduce((x, y) => x + y, 0) / s.length, 0) / m.size;
  };
  assert.ok(g.successRate && g.horizon);
  assert.ok(Math.abs(g.successRate.baseline - rate("base")) < 1e-12);
  assert.ok(Math.abs(g.successRate.best - rate("v2")) < 1e-12);
  assert.ok(Math.abs(g.successRate.gap - (rate("v2") - rate("base"))) < 1e-12);
  assert.ok(
    g.successRate.lower! > 0 && g.successRate.lower! < g.successRate.gap &&
      g.successRate.gap < g.successRate.upper!,
  );
  assert.ok(g.successRate.pPositive! > 0.95);
  // Truth: an effect of 1.2 on the logit with slope −0.8 per doubling shifts the horizon by 1.5 doublings.
  assert.ok(g.horizon.lower! < 1.5 && 1.5 < g.horizon.upper!, `${g.horizon.lower}..${g.horizon.upper}`);
  assert.ok(Math.abs(g.horizon.gap! - 1.5) < 0.6, String(g.horizon.gap));
  assert.ok(Math.abs(g.horizon.ratio! - g.horizon.best / g.horizon.baseline) < 1e-9);
  assert.equal(g.standings.length, 3);
});

Deno.test("gap vs effort: the naive gap grows with variants tried under the null; cross-fitted stays near 0", () => {
  const pts = gapVsEffortPoints(world(6, () => 0, 41), {
    baseline: "base",
    seed: 3,
    repeats: 6,
    maxSubsets: 20,
  });
  assert.equal(pts.length, 6);
  for (let i = 1; i < pts.length; i++) assert.ok(pts[i].naive_gap! >= pts[i - 1].naive_gap! - 1e-12);
  assert.ok(pts[5].naive_gap! - pts[0].naive_gap! > 0.02);
  assert.ok(Math.abs(pts[5].crossfit_gap!) < 0.05, String(pts[5].crossfit_gap));
  // Tokens: each candidate's runs spent 2000 × 60 tasks × 3 epochs.
  for (const p of pts) assert.equal(p.tokens_spent, p.variants_tried * 2000 * 180);
});

Deno.test("simulate-then-recover: cross-fitted horizon gap ≈ the true shift in doublings, ≈ 0 under the null", () => {
  // Effect 1.2 on the logit with slope −0.8 per doubling = a 1.5-doubling horizon shift (no task noise, so
  // the population curves are exactly logistic in log2 minutes).
  let shifted = 0, nullGap = 0;
  const seeds = [61, 62, 63];
  for (const s of seeds) {
    const better = crossFittedGap(world(4, (v) => (v === "v0" ? 1.2 : 0), s, 0, 80, 6), {
      baseline: "base",
      replicates: 0,
      seed: s,
    });
    assert.ok(better.horizonFolds > 0);
    shifted += better.horizonLog2Gap!;
    nullGap += crossFittedGap(world(4, () => 0, s + 10, 0, 80, 6), {
      baseline: "base",
      replicates: 0,
      seed: s,
    })
      .horizonLog2Gap!;
  }
  shifted /= seeds.length;
  nullGap /= seeds.length;
  assert.ok(Math.abs(shifted - 1.5) < 0.5, `shifted ${shifted}`);
  assert.ok(Math.abs(nullGap) < 0.4, `null ${nullGap}`);
});

Deno.test("simulate-then-recover: the cross-fitted horizon gap's bootstrap interval covers the true shift", () => {
  // Same world as above (true shift 1.5 doublings); the interval comes from the hierarchical bootstrap.
  let covered = 0, nullCovered = 0;
  const seeds = [71, 72, 73, 74];
  for (const s of seeds) {
    const r = crossFittedGap(world(3, (v) => (v === "v0" ? 1.2 : 0), s, 0, 60, 4), {
      baseline: "base",
      replicates: 60,
      repeats: 6,
      seed: s,
    });
    assert.ok(r.horizonReplicates >= 30, `${r.horizonReplicates} replicates with a horizon gap`);
    const [lo, hi] = [r.horizonLog2Lower!, r.horizonLog2Upper!];
    assert.ok(lo < r.horizonLog2Gap! && r.horizonLog2Gap! < hi, `${lo} < ${r.horizonLog2Gap} < ${hi}`);
    assert.ok(hi - lo > 0.05 && hi - lo < 3, `width ${hi - lo}`);
    if (lo < 1.5 && 1.5 < hi) covered++;
    const z = crossFittedGap(world(3, () => 0, s + 10, 0, 60, 4), {
      baseline: "base",
      replicates: 60,
      repeats: 6,
      seed: s,
    });
    if (z.horizonLog2Lower! < 0 && 0 < z.horizonLog2Upper!) nullCovered++;
  }
  // Nominal 80% intervals: at least 3 of 4 worlds cover the truth, in both cases.
  assert.ok(covered >= 3, `true shift covered in ${covered} of ${seeds.length}`);
  assert.ok(nullCovered >= 3, `zero covered in ${nullCovered} of ${seeds.length} null worlds`);
});

Deno.test("cross-fitted horizon interval: null without replicates or without human minutes", () => {
  const t = world(2, () => 0, 5);
  const none = crossFittedGap(t, { baseline: "base", replicates: 0, seed: 1 });
  assert.equal(none.horizonLog2Lower, null);
  assert.equal(none.horizonReplicates, 0);
  const noMinutes = t.derive({ human_minutes: () => null });
  const r = crossFittedGap(noMinutes, { baseline: "base", replicates: 20, seed: 1 });
  assert.equal(r.horizonLog2Gap, null);
  assert.equal(r.horizonLog2Upper, null);
  assert.ok(r.lower !== null, "the success-rate interval is still there");
});
