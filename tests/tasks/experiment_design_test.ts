/** Pure helpers of the experiment_design family: scoring rules and the planted causal truth. */
import assert from "node:assert/strict";
import {
  confoundedRows,
  estimateScore,
  f1,
  parseEstimate,
  parseTreatmentList,
  screeningParams,
  TRUE_ATE,
} from "../../tasks/experiment_design/family.ts";

/** Least squares by normal equations and Gauss–Jordan elimination (independent of the family code). */
function ols(X: number[][], y: number[]): number[] {
  const p = X[0].length;
  const A = Array.from({ length: p }, (_, i) => {
    const row = Array.from({ length: p + 1 }, () => 0);
    for (let n = 0; n < X.length; n++) {
      for (let j = 0; j < p; j++) row[j] += X[n][i] * X[n][j];
      row[p] += X[n][i] * y[n];
    }
    return row;
  });
  for (let c = 0; c < p; c++) {
    let pivot = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(A[r][c]) > Math.abs(A[pivot][c])) pivot = r;
    [A[c], A[pivot]] = [A[pivot], A[c]];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = A[r][c] / A[c][c];
      for (let k = c; k <= p; k++) A[r][k] -= f * A[c][k];
    }
  }
  return A.map((row, i) => row[p] / row[i]);
}

Deno.test("f1 matches precision/recall by hand", () => {
  assert.equal(f1([1, 2, 3], [1, 2, 3]), 1);
  assert.equal(f1([], [1, 2]), 0);
  assert.equal(f1([4], [1, 2]), 0);
  // claimed {1,2,5}, truth {1,2,3,4}: precision 2/3, recall 1/2 → F1 = 4/7
  assert.ok(Math.abs(f1([1, 2, 5], [1, 2, 3, 4]) - 4 / 7) < 1e-12);
});

Deno.test("submissions parse strictly", () => {
  assert.deepEqual(parseTreatmentList(" 3, 7 ,12\n"), [3, 7, 12]);
  assert.deepEqual(parseTreatmentList("3 3 4"), [3, 4]);
  assert.equal(parseTreatmentList("3, 21"), null);
  assert.equal(parseTreatmentList("three"), null);
  assert.deepEqual(parseTreatmentList(""), []);
  assert.equal(parseEstimate(" 1.25\n"), 1.25);
  assert.equal(parseEstimate("-.5"), -0.5);
  assert.equal(parseEstimate("about 1.2"), null);
  assert.equal(parseEstimate(""), null);
});

Deno.test("estimate score: 1 within 0.05, linear to 0 at 0.5", () => {
  assert.equal(estimateScore(TRUE_ATE + 0.04), 1);
  assert.equal(estimateScore(TRUE_ATE - 0.5), 0);
  assert.ok(Math.abs(estimateScore(TRUE_ATE + 0.275) - 0.5) < 1e-12);
});

Deno.test("screening truth: six distinct treatments with effects of 0.5 to 0.9 in magnitude, seeded", () => {
  const a = screeningParams(7103), b = screeningParams(7103), c = screeningParams(7104);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.effects, c.effects);
  const effects = Object.entries(a.effects);
  assert.equal(effects.length, 6);
  for (const [k, v] of effects) {
    assert.ok(Number(k) >= 1 && Number(k) <= 20);
    assert.ok(Math.abs(v) >= 0.5 && Math.abs(v) <= 0.9, `effect ${v}`);
  }
});

Deno.test("confounded: the planted effect is recovered by the right adjustment and missed by the wrong ones", () => {
  const rows = confoundedRows(1, 40_000, false);
  const y = rows.map((r) => r[1]);
  const fit = (cols: (r: number[]) => number[]) => ols(rows.map((r) => [1, r[0], ...cols(r)]), y)[1];
  // columns: t, y, x1=collider, x2=confounder a, x3=mediator, x4=instrument, x5=confounder b (also squared)
  const right = fit((r) => [r[3], r[6], r[6] * r[6]]);
  const everything = fit((r) => [r[2], r[3], r[4], r[5], r[6]]);
  const naive = fit(() => []);
  assert.ok(Math.abs(right - TRUE_ATE) < 0.05, `right adjustment gave ${right}`);
  assert.ok(Math.abs(everything - TRUE_ATE) > 0.5, `adjusting for everything gave ${everything}`);
  assert.ok(Math.abs(naive - TRUE_ATE) > 0.5, `naive gave ${naive}`);
  // In a large randomised sample the difference in means recovers the effect.
  const trial = confoundedRows(2, 40_000, true);
  const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  const diff = mean(trial.filter((r) => r[0] === 1).map((r) => r[1])) -
    mean(trial.filter((r) => r[0] === 0).map((r) => r[1]));
  assert.ok(Math.abs(diff - TRUE_ATE) < 0.1, `trial difference ${diff}`);
});
