import assert from "node:assert/strict";
import { makeResampler, rng } from "../../lib/stats/mod.ts";

/** A small design: 3 families (2, 1, 3 tasks), 2 agents, uneven runs per (task, agent). */
function design() {
  const family: string[] = [], task: string[] = [], group: string[] = [];
  const tasks: [string, string][] = [["f1", "t1"], ["f1", "t2"], ["f2", "t3"], ["f3", "t4"], ["f3", "t5"], [
    "f3",
    "t6",
  ]];
  tasks.forEach(([f, t], k) => {
    for (const [g, runs] of [["A", 1 + (k % 3)], ["B", 2 + (k % 2)]] as const) {
      for (let r = 0; r < runs; r++) {
        family.push(f);
        task.push(t);
        group.push(g);
      }
    }
  });
  return { family, task, group };
}

/** Copies of each task implied by a replicate: Σ counts over a (task, agent) cell / cell size. */
function taskCopies(keys: ReturnType<typeof design>, counts: Uint32Array, agent: string) {
  const sum = new Map<string, number>(), size = new Map<string, number>();
  keys.task.forEach((t, i) => {
    if (keys.group[i] !== agent) return;
    sum.set(t, (sum.get(t) ?? 0) + counts[i]);
    size.set(t, (size.get(t) ?? 0) + 1);
  });
  return new Map([...sum].map(([t, s]) => [t, s / size.get(t)!]));
}

Deno.test("resampler reports its structure", () => {
  const r = makeResampler(design());
  assert.equal(r.size, design().task.length);
  assert.deepEqual(r.counts, { families: 3, tasks: 6, cells: 12 });
});

Deno.test("no level resampled: every row once", () => {
  const r = makeResampler(design(), { family: false, task: false, run: false });
  assert.ok(r(rng(1)).every((c) => c === 1));
});

Deno.test("runs level only: each (task, agent) cell keeps its size and draws only its own rows", () => {
  const keys = design();
  const r = makeResampler(keys, { family: false, task: false, run: true });
  let sawDuplicate = false;
  for (let s = 0; s < 50; s++) {
    const counts = r(rng(s));
    const cell = new Map<string, { size: number; sum: number }>();
    keys.task.forEach((t, i) => {
      const k = `${t}|${keys.group[i]}`;
      const c = cell.get(k) ?? { size: 0, sum: 0 };
      c.size++;
      c.sum += counts[i];
      cell.set(k, c);
      if (counts[i] > 1) sawDuplicate = true;
    });
    for (const [k, c] of cell) assert.equal(c.sum, c.size, `cell ${k}`);
  }
  assert.ok(sawDuplicate, "a run drawn twice must count twice");
});

Deno.test("family level only: rows of a family share one multiplicity and families are drawn F times", () => {
  const keys = design();
  const r = makeResampler(keys, { family: true, task: false, run: false });
  for (let s = 0; s < 50; s++) {
    const counts = r(rng(s));
    const perFamily = new Map<string, Set<number>>();
    keys.family.forEach((f, i) => perFamily.set(f, (perFamily.get(f) ?? new Set()).add(counts[i])));
    let draws = 0;
    for (const [f, set] of perFamily) {
      assert.equal(set.size, 1, `family ${f} rows differ in multiplicity`);
      draws += [...set][0];
    }
    assert.equal(draws, 3);
  }
});

Deno.test("full hierarchy: task copies per family add up, and both agents see the same task copies (paired)", () => {
  const keys = design();
  const r = makeResampler(keys);
  const tasksOf: Record<string, string[]> = { f1: ["t1", "t2"], f2: ["t3"], f3: ["t4", "t5", "t6"] };
  for (let s = 0; s < 200; s++) {
    const counts = r(rng(s));
    const a = taskCopies(keys, counts, "A"), b = taskCopies(keys, counts, "B");
    for (const [t, c] of a) {
      assert.ok(Number.isInteger(c), `task ${t} copies ${c} not an integer`);
      assert.equal(c, b.get(t), `agents see different copies of ${t}`);
    }
    // Σ_t copies(t) over a family = (family draws) × (tasks in family); family draws sum to 3.
    let familyDraws = 0;
    for (const [f, ts] of Object.entries(tasksOf)) {
      const copies = ts.reduce((sum, t) => sum + a.get(t)!, 0);
      assert.equal(copies % ts.length, 0, `family ${f}`);
      familyDraws += copies / ts.length;
    }
    assert.equal(familyDraws, 3);
  }
});

Deno.test("every row's expected multiplicity is 1 (the bootstrap is unbiased for totals)", () => {
  const keys = design();
  const r = makeResampler(keys);
  const B = 20000;
  const mean = new Float64Array(keys.task.length);
  const buf = new Uint32Array(keys.task.length);
  for (let s = 0; s < B; s++) {
    r(rng(9, s), buf);
    for (let i = 0; i < buf.length; i++) mean[i] += buf[i] / B;
  }
  for (let i = 0; i < mean.length; i++) {
    assert.ok(Math.abs(mean[i] - 1) < 0.06, `row ${i}: mean multiplicity ${mean[i]}`);
  }
});

Deno.test("a task listed under two families is an error naming it", () => {
  assert.throws(
    () => makeResampler({ family: ["a", "b"], task: ["t", "t"], group: ["x", "x"] }),
    /task "t" appears in two families/,
  );
});
