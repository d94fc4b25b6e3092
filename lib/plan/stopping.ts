/**
 * The optional-stopping guard of adaptive allocation: a group-sequential rule over a fixed maximum number of
 * looks K (the maximum number of rounds, fixed in advance).
 *
 * A question's analysis answers `above` or `below` when its interval excludes the cut-off; each side's
 * nominal error is α = (1 − interval) / 2 (gap, horizon), or α = 1 − confidence (verdict). Looking after
 * every round and stopping at the first decisive answer lets that error accumulate over the looks. Here look
 * k is decided at a stricter per-side level α_k, from boundaries c_k on the z scale:
 *
 * - `obf` (default): O'Brien–Fleming, c_k = C·√(K/k): very strict early looks, α_K close to α;
 * - `pocock`: c_k = C at every look;
 * - `none`: α at every look (no guard: to show what the guard prevents, never for a real evaluation).
 *
 * C is calibrated so that a z statistic observed at equally spaced information fractions k/K (the
 * canonical joint distribution of a sequentially updated estimate: a Brownian motion) crosses a boundary at
 * some look with probability α under the null — by simulation of 200,000 paths with a fixed seed, so the
 * levels are reproducible. α_k = 1 − Φ(c_k). The rounds of `--until-settled` add a fixed number of runs, so
 * looks are about equally spaced in runs; the realised error rates under the real analysis are reported
 * from simulation (docs/planning.md). Stopping before look K (budget spent, nothing left to run) leaves the
 * remaining error unspent: conservative.
 *
 * @module
 */
import { normalCdf } from "../stats/normal.ts";
import { rng } from "../stats/rng.ts";
import { normalDraw } from "./normal_grid.ts";
import type { CheckedQuestion } from "./questions.ts";

/** The boundary shape over the looks. */
export type Spending = "obf" | "pocock" | "none";

/** The nominal per-side error of a question: (1 − interval) / 2, or 1 − confidence for a verdict. */
export function nominalAlpha(q: CheckedQuestion): number {
  return q.question === "verdict" ? 1 - (q.confidence ?? 0.9) : (1 - (q.interval ?? 0.8)) / 2;
}

const PATHS = 200_000;
const cache = new Map<string, number>();

/**
 * The calibrated constant C of the boundaries (see the module note): the (1 − α) quantile over simulated
 * Brownian paths of max_k S_k/√K (`obf`) or max_k S_k/√k (`pocock`), S_k the sum of k standard normals.
 */
export function boundaryConstant(alpha: number, looks: number, spending: Exclude<Spending, "none">): number {
  const key = `${alpha}:${looks}:${spending}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const r = rng(20_261_127, looks);
  const m = new Float64Array(PATHS);
  for (let i = 0; i < PATHS; i++) {
    let s = 0, best = -Infinity;
    for (let k = 1; k <= looks; k++) {
      s += normalDraw(r);
      const z = spending === "obf" ? s / Math.sqrt(looks) : s / Math.sqrt(k);
      if (z > best) best = z;
    }
    m[i] = best;
  }
  m.sort();
  const c = m[Math.min(PATHS - 1, Math.ceil((1 - alpha) * PATHS) - 1)];
  cache.set(key, c);
  return c;
}

/** The per-side level α_k of look `k` (1-based) of `looks`. */
export function lookAlpha(alpha: number, k: number, looks: number, spending: Spending): number {
  if (spending === "none") return alpha;
  if (!(k >= 1 && k <= looks)) throw new Error(`look ${k} is outside 1..${looks}`);
  const c = boundaryConstant(alpha, looks, spending);
  return 1 - normalCdf(spending === "obf" ? c * Math.sqrt(looks / k) : c);
}

/**
 * The question as decided at look `k`: its interval widened (or its confidence raised) so that each side's
 * error is the look's α_k. Deciding it with `decide`/`decideColumns` is the stopping rule.
 */
export function questionAtLook(
  q: CheckedQuestion,
  k: number,
  looks: number,
  spending: Spending,
): CheckedQuestion {
  const a = lookAlpha(nominalAlpha(q), k, looks, spending);
  // Keep the level strictly inside (0, 1): an increment can underflow at the first of many looks.
  const ak = Math.min(0.499, Math.max(a, 1e-9));
  if (q.question === "verdict") return { ...q, confidence: Math.max(1 - ak, 0.5000001) };
  return { ...q, interval: 1 - 2 * ak };
}
