import { assertAlmostEquals, assertEquals } from "./_assert.ts";
import { rng } from "../../lib/stats/rng.ts";
import { resolveAssumptions } from "../../lib/plan/assumptions.ts";
import { designColumns, designRows, simulateBatch } from "../../lib/plan/simulate.ts";
import { trueSuccessRate } from "../../lib/plan/truth.ts";

const A = resolveAssumptions({
  curves: { a: { p50Minutes: 30, slope: -0.9 }, b: { p50Minutes: 60, slope: -0.9 } },
  taskMinutes: [2, 8, 30, 120, 480],
  taskSd: 0.8,
  familySd: 0.4,
  variantTaskSd: 0.3,
  tasksPerFamily: 4,
});

Deno.test("a batch depends only on the generator; smaller designs are nested in larger ones", () => {
  const b1 = simulateBatch(A, [0, 1], 20, 3, rng(5, 2));
  const b2 = simulateBatch(A, [0, 1], 20, 3, rng(5, 2));
  assertEquals(b1.outcome, b2.outcome);
  const big = designColumns(b1, { tasks: 20, epochs: 3 });
  const small = designColumns(b1, { tasks: 10, epochs: 2 });
  assertEquals(big.n, 20 * 2 * 3);
  assertEquals(small.n, 10 * 2 * 2);
  // Row (task t, variant v, epoch e) of the small design equals the same run of the big one.
  for (let t = 0; t < 10; t++) {
    for (let v = 0; v < 2; v++) {
      for (let e = 0; e < 2; e++) {
        assertEquals(small.score[(t * 2 + v) * 2 + e], big.score[(t * 2 + v) * 3 + e]);
      }
    }
  }
  assertEquals(small.family.names.length, 3); // 10 tasks, 4 per family
  const rows = designRows(b1, { tasks: 10, epochs: 2 });
  assertEquals(rows.length, 40);
  assertEquals(rows[0].human_source, "simulated");
});

Deno.test("simulated success rates match the assumed population rates", () => {
  let s0 = 0, s1 = 0, n = 0;
  for (let i = 0; i < 60; i++) {
    const b = simulateBatch(A, [0, 1], 50, 2, rng(9, i));
    for (let t = 0; t < 50; t++) {
      for (let e = 0; e < 2; e++) {
        s0 += b.outcome[(t * 2) * 2 + e];
        s1 += b.outcome[(t * 2 + 1) * 2 + e];
        n++;
      }
    }
  }
  // 6000 runs per variant, but correlated within tasks and families: SE ≈ 0.01.
  assertAlmostEquals(s0 / n, trueSuccessRate(A, 0), 0.035);
  assertAlmostEquals(s1 / n, trueSuccessRate(A, 1), 0.035);
});
