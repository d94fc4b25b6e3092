import assert from "node:assert/strict";
import { normalCdf, normalQuantile, quantile, quantiles, rng } from "../../lib/stats/mod.ts";
import { near } from "./_helpers.ts";

Deno.test("quantile matches numpy's default linear interpolation", () => {
  // numpy.percentile([1,2,3,4], [10, 50, 90]) == [1.3, 2.5, 3.7]
  assert.deepEqual(quantiles([4, 1, 3, 2], [0.1, 0.5, 0.9]).map((v) => +v.toFixed(12)), [1.3, 2.5, 3.7]);
  assert.equal(quantile([5], 0.9), 5);
  assert.ok(Number.isNaN(quantile([], 0.5)));
  assert.equal(quantile([NaN, 1, NaN, 3], 0.5), 2); // NaN ignored
  assert.throws(() => quantile([1], 1.5), /\[0, 1\]/);
});

Deno.test("rng is reproducible, streams differ, ints stay in range and are uniform", () => {
  const a = rng(42), b = rng(42), c = rng(42, 1), d = rng(43);
  const sa = Array.from({ length: 5 }, () => a()), sb = Array.from({ length: 5 }, () => b());
  assert.deepEqual(sa, sb);
  assert.notDeepEqual(sa, Array.from({ length: 5 }, () => c()));
  assert.notDeepEqual(sa, Array.from({ length: 5 }, () => d()));
  const r = rng(7);
  const counts = new Array(10).fill(0);
  for (let i = 0; i < 100000; i++) {
    const k = r.int(10);
    assert.ok(k >= 0 && k < 10);
    counts[k]++;
  }
  // chi-square with 9 df; 99.9% critical value 27.9
  const chi = counts.reduce((s, n) => s + (n - 10000) ** 2 / 10000, 0);
  assert.ok(chi < 27.9, `chi-square ${chi}`);
});

Deno.test("normal quantile agrees with tabulated values and inverts the CDF", () => {
  near(normalQuantile(0.9), 1.2815515655446004, 1e-8);
  near(normalQuantile(0.975), 1.959963984540054, 1e-8);
  near(normalQuantile(0.001), -3.090232306167813, 1e-8);
  for (const p of [0.01, 0.2, 0.5, 0.8, 0.99]) near(normalCdf(normalQuantile(p)), p, 2e-7);
});
