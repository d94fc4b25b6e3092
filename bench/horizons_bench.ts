/**
 * In-process timings of the time-horizon pipeline on METR's public runs file (7,063 runs, 11 agents).
 * Whole-process wall time and peak memory (the 1.6 s / 300 MB target) are measured by
 * bench/horizons_bench.sh. Run: `deno bench -A bench/horizons_bench.ts` (set EVALKIT_METR_RUNS to use
 * another file).
 */
import { parseMetrRuns } from "../lib/frame/metr.ts";
import { join, METR_DATA_DIR } from "../lib/util/path.ts";
import { agentHorizons, bootstrapHorizons } from "../lib/stats/mod.ts";

const path = Deno.env.get("EVALKIT_METR_RUNS") ?? join(METR_DATA_DIR, "all_runs_2025-01.jsonl");
const text = await Deno.readTextFile(path).catch(() => null);

if (text) {
  const runs = parseMetrRuns(text, path);

  Deno.bench("parse + validate runs.jsonl (zod per line) → rows, table, columns", { group: "load" }, () => {
    parseMetrRuns(text, path);
  });

  Deno.bench("point estimates, 11 agents (invsqrt, reg 0.01)", { group: "fit" }, () => {
    agentHorizons(runs.columns, { weights: "invsqrt", regularization: 0.01 });
  });

  Deno.bench("hierarchical bootstrap, 500 replicates × 11 agents", { group: "bootstrap", n: 10 }, () => {
    bootstrapHorizons(runs.columns, { replicates: 500, seed: 0, weights: "invsqrt", regularization: 0.01 });
  });
} else {
  console.warn(`horizons_bench: ${path} not found; nothing to benchmark`);
}
