import assert from "node:assert/strict";
import { fitLogistic, horizonMinutes, logit, sigmoid, splitFractional } from "../../lib/stats/mod.ts";
import { near } from "./_helpers.ts";

Deno.test("unpenalised fit on two x values recovers the closed-form logits", () => {
  // At x=0 success rate 0.8 (weighted), at x=1 success rate 0.25 → a = logit(0.8), b = logit(0.25) − logit(0.8).
  const x = [0, 0, 0, 1, 1];
  const y = [1, 0, 1, 1, 0];
  const w = [2, 1, 2, 1, 3]; // x=0: 4 of 5 succeed; x=1: 1 of 4 succeeds
  const fit = fitLogistic(x, y, w, { regularization: 0 });
  assert.ok(fit.converged);
  near(fit.intercept, logit(0.8), 1e-9, "intercept");
  near(fit.coefficient, logit(0.25) - logit(0.8), 1e-9, "coefficient");
});

Deno.test("penalised fit satisfies the optimality conditions of C·Σw·logloss + ½b² (intercept free)", () => {
  const x: number[] = [], y: number[] = [], w: number[] = [];
  for (let i = 0; i < 60; i++) {
    x.push(i / 6);
    y.push(((i * 7919) % 13) / 12); // fractional scores in [0,1]
    w.push(0.5 + (i % 5) / 10);
  }
  for (const reg of [0.01, 0.1, 1, 10]) {
    const fit = fitLogistic(x, y, w, { regularization: reg });
    let g0 = 0, g1 = 0;
    for (let i = 0; i < x.length; i++) {
      const r = w[i] * (sigmoid(fit.intercept + fit.coefficient * x[i]) - y[i]);
      g0 += r;
      g1 += r * x[i];
    }
    // ∂/∂a: Σ w (p − y) = 0 ; ∂/∂b: C Σ w (p − y) x + b = 0 with C = 1/reg.
    near(g0, 0, 1e-9, `reg ${reg} d/da`);
    near(g1 / reg + fit.coefficient, 0, 1e-8, `reg ${reg} d/db`);
  }
});

Deno.test("stronger regularization shrinks the slope towards 0", () => {
  const x = [0, 1, 2, 3, 4, 5], y = [1, 1, 1, 0, 1, 0];
  const b = [0, 0.01, 1, 100].map((r) =>
    Math.abs(fitLogistic(x, y, null, { regularization: r }).coefficient)
  );
  for (let i = 1; i < b.length; i++) assert.ok(b[i] < b[i - 1], `|b| must shrink: ${b}`);
});

Deno.test("fractional outcomes give the same fit as METR's split into weighted 0/1 rows", () => {
  const x = [0, 1, 2, 3, 4, 5, 6], y = [1, 0.9, 0.5, 0.7, 0.2, 0, 0.05], w = [1, 2, 1, 1, 3, 1, 2];
  const direct = fitLogistic(x, y, w, { regularization: 0.1 });
  const s = splitFractional(x, y, w);
  assert.equal(s.x.length, 7 + 5); // five fractional rows split in two
  assert.ok(s.y.every((v) => v === 0 || v === 1));
  const split = fitLogistic(s.x, s.y, s.w, { regularization: 0.1 });
  near(direct.intercept, split.intercept, 1e-10);
  near(direct.coefficient, split.coefficient, 1e-10);
});

Deno.test("warm start reaches the same optimum in fewer iterations", () => {
  const x = Array.from({ length: 40 }, (_, i) => i / 4), y = x.map((v, i) => (v + (i % 3) < 6 ? 1 : 0));
  const cold = fitLogistic(x, y, null, { regularization: 0.01 });
  const warm = fitLogistic(x, y, null, {
    regularization: 0.01,
    init: { intercept: cold.intercept + 0.1, coefficient: cold.coefficient },
  });
  near(warm.intercept, cold.intercept, 1e-9);
  near(warm.coefficient, cold.coefficient, 1e-9);
  assert.ok(warm.iterations <= cold.iterations);
});

Deno.test("all-fail and all-success data are reported as degenerate with METR's conventions", () => {
  const fail = fitLogistic([1, 2, 3], [0, 0, 0], null);
  assert.equal(fail.degenerate, "all-fail");
  assert.equal(fail.coefficient, -Infinity);
  assert.equal(horizonMinutes(fail), 0);
  const ok = fitLogistic([1, 2, 3], [1, 1, 1], null);
  assert.equal(ok.degenerate, "all-success");
  assert.equal(horizonMinutes(ok), Infinity);
  // weight 0 on the only success → effectively all-fail
  assert.equal(fitLogistic([1, 2], [1, 0], [0, 1]).degenerate, "all-fail");
});

Deno.test("bad inputs are rejected with the index and the problem", () => {
  assert.throws(() => fitLogistic([1, 2], [0, 1.5], null), /y\[1\] = 1.5/);
  assert.throws(() => fitLogistic([1, NaN], [0, 1], null), /x\[1\]/);
  assert.throws(() => fitLogistic([1, 2], [0, 1], [1, -1]), /w\[1\]/);
  assert.throws(() => fitLogistic([1, 2], [0], null), /equal lengths/);
});

Deno.test("horizonMinutes inverts the fitted curve at any success probability", () => {
  const fit = { intercept: 2, coefficient: -0.5 };
  near(horizonMinutes(fit, 0.5), 16, 1e-12); // 2^((0 − 2)/−0.5)
  for (const q of [0.2, 0.5, 0.8, 0.95]) {
    const h = horizonMinutes(fit, q);
    near(sigmoid(fit.intercept + fit.coefficient * Math.log2(h)), q, 1e-12, `q=${q}`);
  }
  assert.throws(() => horizonMinutes(fit, 1), /success probability/);
});
