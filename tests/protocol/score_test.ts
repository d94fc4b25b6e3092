import assert from "node:assert/strict";
import { from } from "arquero";
import { bucketScores, bucketScoresTable } from "../../lib/measure/score.ts";
import { levelToMinutes, minutesToLevel } from "../../lib/measure/level.ts";
import { assignBuckets, bucketIndex } from "../../lib/measure/buckets.ts";
import { InsufficientDataError, MissingColumnError } from "../../lib/measure/errors.ts";
import { DEFAULT_BUCKETS } from "../../lib/task/buckets.ts";
import { rng } from "../../lib/stats/mod.ts";

const row = (agent: string, task: string, family: string, minutes: number, score: number) => ({
  run_id: `${agent}-${task}-${Math.random()}`,
  alias: agent,
  task_id: task,
  task_family: family,
  human_minutes: minutes,
  score,
});

Deno.test("bucket score: runs averaged per task, tasks equal within a bucket, buckets summed (hand computation)", () => {
  const t = from([
    // few_minutes [0,4): task a (2 runs: 1, 0 → 0.5), task b (1 run: 1) → bucket = (0.5 + 1)/2 = 0.75
    row("A", "a", "f1", 2, 1),
    row("A", "a", "f1", 2, 0),
    row("A", "b", "f2", 3, 1),
    // several_minutes [4,16): task c (3 runs 1,1,0 → 2/3) → bucket = 2/3
    row("A", "c", "f2", 10, 1),
    row("A", "c", "f2", 10, 1),
    row("A", "c", "f2", 10, 0),
    // few_hours: task d score 0.25 (continuous)
    row("A", "d", "f3", 100, 0.25),
  ]);
  const [s] = bucketScores(t);
  const byId = Object.fromEntries(s.buckets.map((b) => [b.bucket, b]));
  assert.equal(byId.few_minutes.score, 0.75);
  assert.ok(Math.abs(byId.several_minutes.score! - 2 / 3) < 1e-12);
  assert.equal(byId.under_an_hour.score, null);
  assert.equal(byId.few_hours.score, 0.25);
  assert.equal(byId.few_minutes.tasks, 2);
  assert.equal(byId.several_minutes.runs, 3);
  assert.ok(Math.abs(s.level - (0.75 + 2 / 3 + 0.25)) < 1e-12);
  assert.equal(s.coveredBuckets, 3);
  assert.ok(Math.abs(s.horizonHours - levelToMinutes(s.level) / 60) < 1e-12);
  assert.equal(bucketScoresTable([s]).numRows(), DEFAULT_BUCKETS.length);
});

Deno.test("bucket score: invsqrt down-weights large families within a bucket", () => {
  // One bucket; family big has 4 tasks scoring 0, family small has 1 task scoring 1.
  const rows = [0, 1, 2, 3].map((k) => row("A", `big${k}`, "big", 2, 0));
  rows.push(row("A", "small", "small", 2, 1));
  const t = from(rows);
  const equal = bucketScores(t)[0].buckets[0].score!;
  const inv = bucketScores(t, { weighting: "invsqrt" })[0].buckets[0].score!;
  assert.ok(Math.abs(equal - 1 / 5) < 1e-12);
  // weights: big tasks 1/2 each (total 2), small 1 → 1/3.
  assert.ok(Math.abs(inv - 1 / 3) < 1e-12);
});

/**
 * Property (METR's FAQ): adding tasks to one bucket leaves the expected score of an agent whose success
 * depends only on the bucket unchanged. Checked exactly (expected scores as continuous outcomes) over random
 * suites, and by simulation (binary outcomes, many replications) against the analytic expectation Σ p_b.
 */
Deno.test("property: adding tasks to one bucket leaves the expected score unchanged", () => {
  const r = rng(42);
  const pOf = [0.95, 0.85, 0.6, 0.3, 0.1, 0.02, 0.0];
  const minutesIn = (b: number) => {
    const lo = Math.max(DEFAULT_BUCKETS[b].minMinutes, 0.5);
    const hi = Number.isFinite(DEFAULT_BUCKETS[b].maxMinutes) ? DEFAULT_BUCKETS[b].maxMinutes : lo * 4;
    return lo + (hi - lo) * r() * 0.999;
  };
  for (let trial = 0; trial < 25; trial++) {
    const nTasks = DEFAULT_BUCKETS.map(() => 1 + Math.floor(r() * 6));
    const extraBucket = Math.floor(r() * 6);
    const extra = 1 + Math.floor(r() * 30);
    const build = (added: number) => {
      const rows = [];
      for (let b = 0; b < 6; b++) {
        const n = nTasks[b] + (b === extraBucket ? added : 0);
        for (let k = 0; k < n; k++) {
          const fam = `f${b}_${k % 3}`;
          const runs = 1 + Math.floor(r() * 4);
          const m = minutesIn(b);
          for (let e = 0; e < runs; e++) rows.push(row("A", `b${b}_t${k}`, fam, m, pOf[b]));
        }
      }
      return from(rows);
    };
    for (const weighting of ["equal", "invsqrt"] as const) {
      const before = bucketScores(build(0), { weighting })[0].level;
      const after = bucketScores(build(extra), { weighting })[0].level;
      const expected = pOf.slice(0, 6).reduce((a, p) => a + p, 0);
      assert.ok(Math.abs(before - expected) < 1e-9, `trial ${trial} ${weighting}: ${before} vs ${expected}`);
      assert.ok(Math.abs(after - before) < 1e-9, `trial ${trial} ${weighting}: ${after} vs ${before}`);
    }
  }
  // Simulation with binary outcomes: the mean level over replications matches Σ p_b with and without
  // 40 extra (systematically easy) tasks in the first bucket.
  const sim = (added: number, seed: number) => {
    const s = rng(seed);
    let total = 0;
    const reps = 400;
    for (let rep = 0; rep < reps; rep++) {
      const rows = [];
      for (let b = 0; b < 5; b++) {
        const n = 3 + (b === 0 ? added : 0);
        for (let k = 0; k < n; k++) {
          const m = DEFAULT_BUCKETS[b].minMinutes + 1;
          rows.push(row("A", `b${b}_t${k}`, `f${b}`, m, s() < pOf[b] ? 1 : 0));
        }
      }
      total += bucketScores(from(rows))[0].level;
    }
    return total / reps;
  };
  const expected = pOf.slice(0, 5).reduce((a, p) => a + p, 0);
  const without = sim(0, 7), withExtra = sim(40, 8);
  assert.ok(Math.abs(without - expected) < 0.06, `${without} vs ${expected}`);
  assert.ok(Math.abs(withExtra - expected) < 0.06, `${withExtra} vs ${expected}`);
});

Deno.test("level ↔ horizon mapping: whole levels at bucket boundaries, log-interpolated inside", () => {
  assert.equal(levelToMinutes(0), 0);
  assert.ok(Math.abs(levelToMinutes(1) - 4) < 1e-9);
  assert.ok(Math.abs(levelToMinutes(3) - 64) < 1e-9);
  assert.ok(Math.abs(levelToMinutes(3.5) - 128) < 1e-9); // geometric midpoint of [64, 256)
  assert.ok(Math.abs(levelToMinutes(0.5) - 2) < 1e-9); // floor 1 minute: midpoint of [1, 4) is 2
  assert.ok(Math.abs(levelToMinutes(7) - 3840 * 4) < 1e-6); // open last bucket: previous ratio 4
  for (const m of [1.5, 7, 100, 500, 2000, 5000]) {
    assert.ok(Math.abs(levelToMinutes(minutesToLevel(m)) - m) < 1e-6);
  }
  assert.throws(() => levelToMinutes(NaN), RangeError);
});

Deno.test("assignBuckets labels rows and bucketIndex rejects out-of-scheme minutes", () => {
  const t = assignBuckets(from([{ human_minutes: 3 }, { human_minutes: 100 }, { human_minutes: -1 }]));
  assert.deepEqual(t.array("bucket"), ["few_minutes", "few_hours", null]);
  assert.equal(bucketIndex(Number.NaN), -1);
});

Deno.test("bad input: a missing column is named; no scored run says so", () => {
  const t = from([{ task_id: "a", task_family: "f", alias: "A", human_minutes: 3 }]);
  assert.throws(
    () => bucketScores(t),
    (e: unknown) => e instanceof MissingColumnError && e.column === "score" && /"score"/.test(e.message),
  );
  const empty = from([{ task_id: "a", task_family: "f", alias: "A", human_minutes: 3, score: null }]);
  assert.throws(
    () => bucketScores(empty),
    (e: unknown) => e instanceof InsufficientDataError && /too little data/.test(e.message),
  );
});
