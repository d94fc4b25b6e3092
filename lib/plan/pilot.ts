/**
 * Assumptions estimated from a pilot: the runs table of a small evaluation (a run log's `runs`, or METR's
 * runs file, both via lib/frame).
 *
 * - **Curves**: each variant's logistic fit by {@link agentHorizons} — the fit the horizon analysis uses
 *   (METR's inverse-sqrt family weights, L2 0.01) — then de-attenuated for the random effects: a fit that
 *   ignores task effects of total SD σ estimates the *population-averaged* curve, whose coefficients are
 *   about 1/√(1 + 0.346 σ²) of the task-level ones (Zeger, Liang & Albert 1988); the simulation draws
 *   task-level curves, so the fitted intercept and slope are multiplied back by √(1 + 0.346 σ²).
 * - **Random-effect SDs** by the method of moments on the task-level residuals r = ȳ − p̂ (mean outcome of a
 *   (variant, task) cell over its n runs minus the fitted probability), moved to the logit scale by the
 *   delta method (a logit effect u moves p by ≈ p(1 − p)·u). With w = p̂(1 − p̂):
 *   - total variance σ² ≈ Σ (r² − w/n) / Σ w² over cells (the binomial part w/n removed);
 *   - shared by the variants on a task (family + task): Σ r·r′ / Σ w·w′ over pairs of cells of the same
 *     task and different variants;
 *   - family: the same over pairs of cells of different tasks of one family;
 *   - task = shared − family, variant-task = total − shared (each floored at 0). With one variant the
 *     shared part cannot be told from the variant-task part and all of it goes to `taskSd`.
 *   These are rough (tens of tasks give SDs good to perhaps ±30%); the docs show how power moves with them.
 * - **Task lengths**: the pilot's tasks' human minutes; **tasks per family**: the pilot's mean.
 * - **Cost per run**: the mean of `dollar_equivalent`, `total_tokens` or `duration_s`/60 per variant.
 *
 * @module
 */
import { z } from "../deps/zod.ts";
import { parseOptions } from "../core/options.ts";
import { agentHorizons } from "../stats/agent_horizons.ts";
import { runColumns, type TableLike } from "../stats/run_columns.ts";
import type { Assumptions, Curve } from "./assumptions.ts";

/** Options of {@link assumptionsFromPilot}. */
export const PilotOptions = z.strictObject({
  /** Column naming the variants. Default `variant` when it has values, else `alias`. */
  agentColumn: z.string().optional(),
  /** Only these variants (default: all). */
  variants: z.array(z.string()).readonly().optional(),
  /** Outcome column. Default `score`. */
  scoreColumn: z.string().optional(),
  /** Cost of a run: `dollars` (dollar_equivalent), `tokens` (total_tokens), `minutes` (duration_s/60) or `runs`. Default `runs`. */
  cost: z.enum(["dollars", "tokens", "minutes", "runs"]).optional(),
  /** Where the pilot came from (a file name), recorded as the assumptions' `source`. */
  source: z.string().optional(),
});
/** Options of {@link assumptionsFromPilot}. */
export type PilotOptions = z.input<typeof PilotOptions>;

/** Assumptions from a pilot, with what they were estimated from. */
export interface PilotEstimate {
  assumptions: Assumptions & { curves: Record<string, Curve> };
  /** The fits as the analysis reports them (population-averaged), before de-attenuation. */
  fitted: Record<string, { intercept: number; slope: number; p50Minutes: number }>;
  /** Variance components on the logit scale before flooring at 0 (negative = the moment came out below 0). */
  moments: { total: number; shared: number; family: number };
  tasks: number;
  families: number;
  runs: number;
  /** Mean runs per (variant, task). */
  epochs: number;
}

const COST_COLUMNS = { dollars: "dollar_equivalent", tokens: "total_tokens", minutes: "duration_s" } as const;

/**
 * Estimate assumptions from a pilot's runs table.
 * @throws OptionsError on a bad option; Error naming a missing column, an unknown variant, or a variant
 *   whose curve cannot be fitted (all runs failed or all succeeded).
 */
export function assumptionsFromPilot(table: TableLike, options: PilotOptions = {}): PilotEstimate {
  const o = parseOptions(PilotOptions, options, "assumptionsFromPilot");
  const names = table.columnNames();
  const hasVariant = names.includes("variant") &&
    Array.from(table.array("variant")).some((v) => v !== null && v !== undefined && v !== "");
  const agentColumn = o.agentColumn ?? (hasVariant ? "variant" : "alias");
  if (!names.includes(agentColumn)) throw new Error(`pilot runs table has no column "${agentColumn}"`);
  const cols = runColumns(table, { agentColumn, scoreColumn: o.scoreColumn });
  const fits = agentHorizons(cols, { agents: o.variants ? [...o.variants] : undefined });
  for (const f of fits) {
    if (f.degenerate || !(f.coefficient < 0)) {
      throw new Error(
        `pilot: variant "${f.agent}" has no usable success curve (${
          f.degenerate ? `its runs are ${f.degenerate}` : "success does not fall with task length"
        }); give its curve by hand (--assume)`,
      );
    }
  }
  const vIndex = new Map(fits.map((f, k) => [cols.agent.names.indexOf(f.agent), k]));
  // Cells (variant, task): sum of outcomes and runs.
  const T = cols.task.names.length, V = fits.length;
  const sum = new Float64Array(V * T), sumSq = new Float64Array(V * T), n = new Float64Array(V * T);
  const familyOfTask = new Int32Array(T).fill(-1), minutesOfTask = new Float64Array(T);
  let runs = 0;
  for (let i = 0; i < cols.n; i++) {
    const v = vIndex.get(cols.agent.codes[i]);
    if (v === undefined || Number.isNaN(cols.score[i])) continue;
    const t = cols.task.codes[i];
    sum[v * T + t] += cols.score[i];
    sumSq[v * T + t] += cols.score[i] ** 2;
    n[v * T + t]++;
    familyOfTask[t] = cols.family.codes[i];
    minutesOfTask[t] = cols.minutes[i];
    runs++;
  }
  const r = new Float64Array(V * T), w = new Float64Array(V * T), eta = new Float64Array(V * T);
  let num = 0, den = 0, cells = 0;
  const totalCells: number[] = [];
  for (let v = 0; v < V; v++) {
    for (let t = 0; t < T; t++) {
      const c = v * T + t;
      if (n[c] === 0) continue;
      eta[c] = fits[v].intercept + fits[v].coefficient * Math.log2(minutesOfTask[t]);
      const p = 1 / (1 + Math.exp(-eta[c]));
      const mean = sum[c] / n[c];
      r[c] = mean - p;
      w[c] = p * (1 - p);
      // Sampling noise of the cell mean: the within-cell variance / n (unbiased for n ≥ 2, and right for
      // scores that are not 0/1), else the fitted binomial variance.
      const within = n[c] >= 2 ? (sumSq[c] - n[c] * mean * mean) / (n[c] - 1) : w[c];
      num += r[c] * r[c] - within / n[c];
      den += w[c] * w[c];
      totalCells.push(c);
      cells++;
    }
  }
  const total = den > 0 ? num / den : 0;
  let sNum = 0, sDen = 0, fNum = 0, fDen = 0;
  const sharedPairs: number[] = [];
  for (let t = 0; t < T; t++) {
    for (let v = 0; v < V; v++) {
      const c = v * T + t;
      if (n[c] === 0) continue;
      for (let v2 = v + 1; v2 < V; v2++) {
        const c2 = v2 * T + t;
        if (n[c2] === 0) continue;
        sNum += r[c] * r[c2];
        sDen += w[c] * w[c2];
        sharedPairs.push(c, c2);
      }
      for (let t2 = t + 1; t2 < T; t2++) {
        if (familyOfTask[t2] !== familyOfTask[t]) continue;
        for (let v2 = 0; v2 < V; v2++) {
          const c2 = v2 * T + t2;
          if (n[c2] === 0) continue;
          fNum += r[c] * r[c2];
          fDen += w[c] * w[c2];
        }
      }
    }
  }
  const family = fDen > 0 ? fNum / fDen : 0;
  const shared = sDen > 0 ? sNum / sDen : total;
  // The delta method understates large effects (a logit shift moves p less than p(1 − p)·u far from 0.5):
  // solve exactly for the SD whose logistic-normal (co)variances give the same sums, then split it in the
  // delta method's proportions.
  const totalExact = total > 0 ? matchSd(eta, totalCells, null, num) ** 2 : 0;
  const sharedExact = sharedPairs.length > 0
    ? (shared > 0 ? matchSd(eta, [], sharedPairs, sNum) ** 2 : 0)
    : totalExact;
  const scale = total > 0 ? totalExact / total : 1;
  const familyVar = Math.min(Math.max(0, family * (shared > 0 ? sharedExact / shared : scale)), sharedExact);
  const sharedVar = Math.max(familyVar, sharedExact);
  const totalVar = Math.max(sharedVar, totalExact);
  const sd = (x: number) => Math.sqrt(Math.max(0, x));
  const k = Math.sqrt(1 + 0.346 * totalVar);
  const curves: Record<string, Curve> = {};
  const fitted: PilotEstimate["fitted"] = {};
  for (const f of fits) {
    curves[f.agent] = { intercept: f.intercept * k, slope: f.coefficient * k };
    fitted[f.agent] = { intercept: f.intercept, slope: f.coefficient, p50Minutes: f.horizons.p50 };
  }
  const usedTasks = Array.from({ length: T }, (_, t) => t).filter((t) => familyOfTask[t] >= 0);
  const families = new Set(usedTasks.map((t) => familyOfTask[t])).size;
  const costPerRun = costFromPilot(table, agentColumn, fits.map((f) => f.agent), o.cost ?? "runs");
  return {
    assumptions: {
      curves,
      taskMinutes: usedTasks.map((t) => minutesOfTask[t]),
      taskSd: sd(sharedVar - familyVar),
      variantTaskSd: sd(totalVar - sharedVar),
      familySd: sd(familyVar),
      tasksPerFamily: Math.max(1, Math.round(usedTasks.length / Math.max(1, families))),
      runSd: 0,
      ...(costPerRun ? { costPerRun: costPerRun.values, costUnit: costPerRun.unit } : {}),
      ...(o.source ? { source: o.source } : {}),
    },
    fitted,
    moments: { total, shared, family },
    tasks: usedTasks.length,
    families,
    runs,
    epochs: cells > 0 ? runs / cells : 0,
  };
}

/** 41-point normal quadrature on ±5 SD (nodes z, weights summing to 1). */
const NODES = Array.from({ length: 41 }, (_, i) => -5 + i / 4);
const WEIGHTS = (() => {
  const raw = NODES.map((z) => Math.exp(-0.5 * z * z));
  const s = raw.reduce((a, b) => a + b, 0);
  return raw.map((x) => x / s);
})();

/**
 * The SD σ at which the logistic-normal model reproduces `target`: for `cells`, Σ Var(sigmoid(k·η + σZ));
 * for `pairs` (flattened c, c′), Σ Cov(sigmoid(k·η + σZ), sigmoid(k·η′ + σZ)) with Z shared; η the fitted
 * (population-averaged) logits, k = √(1 + 0.346 σ²) their de-attenuation. Bisection on [0, 6].
 */
function matchSd(eta: Float64Array, cells: number[], pairs: number[] | null, target: number): number {
  const model = (sd: number) => {
    const k = Math.sqrt(1 + 0.346 * sd * sd);
    const moments = (e: number) => {
      let m = 0;
      const vals = NODES.map((z, j) => {
        const p = 1 / (1 + Math.exp(-(k * e + sd * z)));
        m += WEIGHTS[j] * p;
        return p;
      });
      return { m, vals };
    };
    let s = 0;
    if (pairs) {
      for (let i = 0; i < pairs.length; i += 2) {
        const a = moments(eta[pairs[i]]), b = moments(eta[pairs[i + 1]]);
        for (let j = 0; j < NODES.length; j++) s += WEIGHTS[j] * (a.vals[j] - a.m) * (b.vals[j] - b.m);
      }
    } else {
      for (const c of cells) {
        const a = moments(eta[c]);
        for (let j = 0; j < NODES.length; j++) s += WEIGHTS[j] * (a.vals[j] - a.m) ** 2;
      }
    }
    return s;
  };
  let lo = 0, hi = 6;
  if (model(hi) < target) return hi;
  for (let it = 0; it < 30; it++) {
    const mid = (lo + hi) / 2;
    if (model(mid) < target) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

function costFromPilot(
  table: TableLike,
  agentColumn: string,
  variants: string[],
  kind: "dollars" | "tokens" | "minutes" | "runs",
): { values: Record<string, number>; unit: string } | null {
  if (kind === "runs") return null;
  const name = COST_COLUMNS[kind];
  if (!table.columnNames().includes(name)) {
    throw new Error(`pilot runs table has no column "${name}" for the ${kind} cost of a run`);
  }
  const agent = table.array(agentColumn), value = table.array(name);
  const values: Record<string, number> = {};
  for (const v of variants) {
    let s = 0, k = 0;
    for (let i = 0; i < agent.length; i++) {
      const x = Number(value[i]);
      if (String(agent[i]) === v && value[i] !== null && Number.isFinite(x)) {
        s += kind === "minutes" ? x / 60 : x;
        k++;
      }
    }
    if (k === 0) throw new Error(`pilot: no ${name} values for variant "${v}" (cost ${kind})`);
    values[v] = s / k;
  }
  return { values, unit: kind };
}
