/**
 * Simulation: runs per hour of one runner process as Docker engines are added, up to 50 — a discrete-event
 * model with simulated task durations (no model, no engine), seeded, so the limit of one runner process is
 * known before buying machines.
 *
 *   deno run -A bench/pool_simulation.ts [--engines 1,2,5,10,20,30,40,50] [--capacity 8]
 *     [--median-min 20] [--sigma 1] [--actions-per-min 1.5] [--cpu-cell-ms 30] [--cpu-action-ms 6]
 *     [--hours 6] [--seed 1]
 *
 * The model. Every engine has `--capacity` slots and the grid never runs out of cells, so a slot that
 * frees takes the next cell at once. A cell's agent time is log-normal (median `--median-min` minutes,
 * log-sd `--sigma`, cut at 8 × the median); it takes `--actions-per-min` × minutes actions (at least one).
 * The runner is **one CPU** (a Deno process runs its JavaScript on one thread): each cell needs
 * `--cpu-cell-ms` of it at start and end together (sandbox create and close through the engine API,
 * setup, scoring, log lines) and `--cpu-action-ms` per action (the model call's request and response, the
 * exec through the engine API, the log lines). Between its CPU needs a cell waits on the model and the
 * engine, which take no runner CPU. CPU requests are served first come, first served; a cell whose request
 * finds the CPU busy waits, which stretches its wall time — the runner's saturation. Defaults come from
 * bench/pool_overhead.ts (runner CPU of a docker sandbox lifecycle and of one exec) and the runner
 * benchmark in docs/runner.md; pass your own measurements.
 *
 * Printed per engine count: slots, runs/hour simulated, runs/hour if the runner were free (slots / mean
 * duration), runner CPU utilisation, and the mean stretch of a cell's wall time by waiting for the runner.
 *
 * @module
 */
import { rng } from "../lib/stats/rng.ts";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    engines: { type: "string", default: "1,2,5,10,20,30,40,50" },
    capacity: { type: "string", default: "8" },
    "median-min": { type: "string", default: "20" },
    sigma: { type: "string", default: "1" },
    "actions-per-min": { type: "string", default: "1.5" },
    "cpu-cell-ms": { type: "string", default: "30" },
    "cpu-action-ms": { type: "string", default: "6" },
    hours: { type: "string", default: "6" },
    seed: { type: "string", default: "1" },
    json: { type: "boolean", default: false },
  },
});

/** Parameters of one simulation. */
export interface SimulationParams {
  engines: number;
  capacity: number;
  medianMin: number;
  sigma: number;
  actionsPerMin: number;
  cpuCellMs: number;
  cpuActionMs: number;
  hours: number;
  seed: number;
}

/** What one simulation measured. */
export interface SimulationResult {
  engines: number;
  slots: number;
  runsPerHour: number;
  idealRunsPerHour: number;
  cpuUtilisation: number;
  /** Mean (wall time of a cell) / (its agent time + its own CPU), minus 1. */
  meanStretch: number;
}

/** A binary min-heap of events by time. */
class Heap {
  private times: number[] = [];
  private items: number[] = [];
  get size(): number {
    return this.times.length;
  }
  push(time: number, item: number): void {
    const t = this.times, it = this.items;
    let i = t.length;
    t.push(time);
    it.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (t[p] <= t[i]) break;
      [t[p], t[i]] = [t[i], t[p]];
      [it[p], it[i]] = [it[i], it[p]];
      i = p;
    }
  }
  pop(): [number, number] {
    const t = this.times, it = this.items;
    const top: [number, number] = [t[0], it[0]];
    const lastT = t.pop()!, lastI = it.pop()!;
    if (t.length > 0) {
      t[0] = lastT;
      it[0] = lastI;
      let i = 0;
      while (true) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < t.length && t[l] < t[m]) m = l;
        if (r < t.length && t[r] < t[m]) m = r;
        if (m === i) break;
        [t[m], t[i]] = [t[i], t[m]];
        [it[m], it[i]] = [it[i], it[m]];
        i = m;
      }
    }
    return top;
  }
}

/** Runs one simulation (times in seconds). */
export function simulate(p: SimulationParams): SimulationResult {
  const random = rng(p.seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const slots = p.engines * p.capacity;
  const horizon = p.hours * 3600;
  const warmup = Math.min(horizon / 4, p.medianMin * 60 * 2);
  const cellCpu = p.cpuCellMs / 1000, actionCpu = p.cpuActionMs / 1000;
  // Per slot: the running cell's remaining actions, gap between actions, start time, own work.
  const remaining = new Int32Array(slots);
  const gap = new Float64Array(slots);
  const startedAt = new Float64Array(slots);
  const ownTime = new Float64Array(slots);
  // Event item = slot * 2 + kind; kind 0 = the cell asks for CPU, 1 = its CPU work is done.
  const heap = new Heap();
  let cpuFreeAt = 0, cpuBusy = 0, completed = 0, stretchSum = 0, durationSum = 0, durations = 0;
  const startCell = (slot: number, t: number) => {
    const minutes = Math.min(p.medianMin * Math.exp(p.sigma * normal()), p.medianMin * 8);
    const actions = Math.max(1, Math.round(minutes * p.actionsPerMin));
    // CPU needs left: the start, the actions, the end (teardown, scoring, log); the waits fall between.
    remaining[slot] = actions + 2;
    gap[slot] = minutes * 60 / (actions + 1);
    startedAt[slot] = t;
    ownTime[slot] = minutes * 60 + cellCpu + actions * actionCpu;
    durationSum += minutes * 60;
    durations++;
    heap.push(t, slot * 2); // start: create the sandbox, setup
  };
  for (let slot = 0; slot < slots; slot++) startCell(slot, random() * 60); // engines fill within a minute
  while (heap.size > 0) {
    const [t, item] = heap.pop();
    if (t > horizon) break;
    const slot = item >> 1;
    if ((item & 1) === 0) {
      // A CPU request: the start (half the cell's fixed CPU), an action, or the end (the other half).
      const isAction = remaining[slot] > 1 && t > startedAt[slot];
      const need = isAction ? actionCpu : cellCpu / 2;
      const begin = Math.max(t, cpuFreeAt);
      cpuFreeAt = begin + need;
      if (begin >= warmup) cpuBusy += need;
      else if (cpuFreeAt > warmup) cpuBusy += cpuFreeAt - warmup;
      heap.push(cpuFreeAt, slot * 2 + 1);
    } else {
      remaining[slot]--;
      if (remaining[slot] > 0) {
        heap.push(t + gap[slot], slot * 2); // the model and the engine work, then the next CPU need
      } else {
        if (t >= warmup) {
          completed++;
          stretchSum += (t - startedAt[slot]) / ownTime[slot] - 1;
        }
        startCell(slot, t);
      }
    }
  }
  const hours = (horizon - warmup) / 3600;
  const meanDuration = durationSum / durations;
  return {
    engines: p.engines,
    slots,
    runsPerHour: completed / hours,
    idealRunsPerHour: slots * 3600 / meanDuration,
    cpuUtilisation: cpuBusy / (horizon - warmup),
    meanStretch: completed ? stretchSum / completed : 0,
  };
}

if (import.meta.main) {
  const base = {
    capacity: Number(values.capacity),
    medianMin: Number(values["median-min"]),
    sigma: Number(values.sigma),
    actionsPerMin: Number(values["actions-per-min"]),
    cpuCellMs: Number(values["cpu-cell-ms"]),
    cpuActionMs: Number(values["cpu-action-ms"]),
    hours: Number(values.hours),
    seed: Number(values.seed),
  };
  const t0 = performance.now();
  const results = values.engines.split(",").map(Number).map((engines) => simulate({ ...base, engines }));
  if (values.json) {
    console.log(JSON.stringify({ params: base, results }, null, 2));
  } else {
    console.log(
      `median ${base.medianMin} min (log-sd ${base.sigma}), ${base.actionsPerMin} actions/min, runner CPU ` +
        `${base.cpuCellMs} ms per cell + ${base.cpuActionMs} ms per action, ${base.capacity} slots per engine, ` +
        `${base.hours} h simulated, seed ${base.seed}`,
    );
    console.log("| engines | slots | runs/hour | runs/hour, runner free | runner CPU | cell stretch |");
    console.log("| ------: | ----: | --------: | ---------------------: | ---------: | -----------: |");
    for (const r of results) {
      console.log(
        `| ${r.engines} | ${r.slots} | ${r.runsPerHour.toFixed(0)} | ${r.idealRunsPerHour.toFixed(0)} | ${
          (r.cpuUtilisation * 100).toFixed(1)
        }% | ${(r.meanStretch * 100).toFixed(1)}% |`,
      );
    }
    console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
}
