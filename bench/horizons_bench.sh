#!/bin/sh
# Whole-process wall time and peak RSS of `horizons` on METR's public runs file: load + validate the file,
# fit 11 agents, 500 hierarchical-bootstrap replicates (invsqrt weights, regularization 0.01), print CSV.
# Usage: bench/horizons_bench.sh [runs.jsonl] [repeats]
set -eu
cd "$(dirname "$0")/.."
RUNS=${1:-../shared/data/metr/all_runs_2025-01.jsonl}
N=${2:-5}
deno cache lib/cli/horizons.ts >/dev/null 2>&1 || true
deno run -A lib/cli/horizons.ts --runs "$RUNS" --bootstrap 10 >/dev/null # warm the module cache
echo "load average before: $(cut -d" " -f1-3 /proc/loadavg) (2 cores; other work on the machine inflates wall time, user+sys do not)"
i=0
while [ "$i" -lt "$N" ]; do
  i=$((i + 1))
  /usr/bin/time -f "run $i: wall %e s, user %U s, sys %S s, peak RSS %M KB" \
    deno run -A lib/cli/horizons.ts --runs "$RUNS" --weights invsqrt --regularization 0.01 --bootstrap 500 --seed "$i" \
    >/dev/null
done
echo "load average after: $(cut -d" " -f1-3 /proc/loadavg)"
