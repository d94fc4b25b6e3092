// Shared helpers for the statistics tests (not a test file itself).
import { parseMetrRuns } from "../../lib/frame/metr.ts";
import type { MetrRuns } from "../../lib/frame/metr.ts";
import { join, METR_DATA_DIR } from "../../lib/util/path.ts";

export const METR_RUNS = join(METR_DATA_DIR, "all_runs_2025-01.jsonl");
export const METR_RELEASE_DATES = join(METR_DATA_DIR, "release_dates_2025-01.yaml");

let cached: MetrRuns | null = null;
/** METR's public runs file, loaded once. Tests that need it are skipped where it is absent. */
export function metrRuns(): MetrRuns {
  cached ??= parseMetrRuns(Deno.readTextFileSync(METR_RUNS), METR_RUNS);
  return cached;
}

export const haveMetr = (() => {
  try {
    Deno.statSync(METR_RUNS);
    return true;
  } catch {
    return false;
  }
})();

/** Assert |a − b| ≤ tol·max(1, |b|). */
export function near(a: number, b: number, tol: number, what = ""): void {
  if (!(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)))) {
    throw new Error(`${what} expected ${b}, got ${a} (tol ${tol})`);
  }
}
