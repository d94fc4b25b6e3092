import assert from "node:assert/strict";
import { dodgeLabels, lineEndLabels } from "../../lib/plot/labels.ts";
import { renderPlot } from "../../lib/plot/render.ts";
import { rng } from "../../lib/stats/mod.ts";

/**
 * Independent reference: Dykstra's alternating projections onto each gap constraint and the box, which
 * converges to the Euclidean projection of `v` (sorted) onto their intersection, i.e. the same optimum.
 */
function dykstra(v: number[], gap: number, lo: number, hi: number, iterations = 20_000): number[] {
  const n = v.length;
  let x = [...v];
  const sets = n; // n − 1 gap constraints + 1 box
  const increments = Array.from({ length: sets }, () => new Array(n).fill(0));
  for (let it = 0; it < iterations; it++) {
    for (let s = 0; s < sets; s++) {
      const y = x.map((xi, i) => xi + increments[s][i]);
      const p = [...y];
      if (s < n - 1) {
        const deficit = gap - (p[s + 1] - p[s]);
        if (deficit > 0) {
          p[s] -= deficit / 2;
          p[s + 1] += deficit / 2;
        }
      } else {
        for (let i = 0; i < n; i++) p[i] = Math.min(hi, Math.max(lo, p[i]));
      }
      increments[s] = y.map((yi, i) => yi - p[i]);
      x = p;
    }
  }
  return x;
}

Deno.test("dodgeLabels: the closest non-overlapping positions, checked against Dykstra's projections", () => {
  const r = rng(7);
  for (let trial = 0; trial < 40; trial++) {
    const n = 2 + r.int(6);
    const values = Array.from({ length: n }, () => r() * r());
    const gap = 0.02 + 0.08 * r();
    const got = dodgeLabels(values, gap, [0, 1]);
    const sortedIdx = values.map((_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
    const ref = dykstra(sortedIdx.map((i) => values[i]), gap, 0, 1);
    sortedIdx.forEach((i, k) =>
      assert.ok(Math.abs(got[i] - ref[k]) < 1e-6, `trial ${trial}: ${got[i]} vs ${ref[k]}`)
    );
    for (let k = 1; k < n; k++) assert.ok(got[sortedIdx[k]] - got[sortedIdx[k - 1]] >= gap - 1e-12);
    for (const y of got) assert.ok(y >= -1e-12 && y <= 1 + 1e-12);
  }
});

Deno.test("dodgeLabels: separated labels stay put; ties split evenly; too many spread over the range", () => {
  assert.deepEqual(dodgeLabels([0.1, 0.5, 0.9], 0.05, [0, 1]), [0.1, 0.5, 0.9]);
  const [a, b] = dodgeLabels([0.5, 0.5], 0.1, [0, 1]);
  assert.ok(Math.abs(a - 0.45) < 1e-12 && Math.abs(b - 0.55) < 1e-12);
  assert.deepEqual(dodgeLabels([0.99, 1], 0.1, [0, 1]).map((v) => +v.toFixed(12)), [0.9, 1]);
  assert.deepEqual(dodgeLabels([0.2, 0.1, 0.3], 0.6, [0, 1]), [0.5, 0, 1]);
  assert.deepEqual(dodgeLabels([NaN, 0.5], 0.1, [0, 1]), [NaN, 0.5]);
  assert.throws(() => dodgeLabels([0.5], -1, [0, 1]), /bad gap/);
});

Deno.test("lineEndLabels: one label per series at its first point, in the series' colour, none overlapping", () => {
  const rows = ["a", "b", "c"].flatMap((agent) =>
    [1, 2, 3].map((x) => ({ agent, x, y: 0.5 + (agent === "c" ? 0.001 : 0) + x / 100 }))
  );
  const fig = renderPlot({
    height: 300,
    marginLeft: 60,
    y: { domain: [0, 1] },
    marks: [lineEndLabels(rows, { x: "x", y: "y", z: "agent" }, { minGap: 0.05, domain: [0, 1] })],
  });
  const labels = [
    ...fig.svg.matchAll(/<text fill="[^"]+" transform="translate\([\d.]+,([\d.]+)\)"[^>]*>([abc])<\/text>/g),
  ];
  assert.deepEqual(labels.map((m) => m[2]).sort(), ["a", "b", "c"]);
  const ys = labels.map((m) => Number(m[1])).sort((p, q) => p - q);
  // Inner height 300 − 20 − 30 = 250 px, so a 0.05 gap is 12.5 px.
  for (let k = 1; k < ys.length; k++) assert.ok(ys[k] - ys[k - 1] >= 12.5 - 1e-6, ys.join(","));
  assert.equal(new Set(labels.map((m) => m[0].match(/fill="([^"]+)"/)![1])).size, 3, "one colour per series");
});
