#!/usr/bin/python3
"""Cross-check evalkit's time-horizon point estimates against scikit-learn.

Fits every agent of a METR runs.jsonl with scikit-learn's LogisticRegression (lbfgs, C = 1/regularization,
sample weights, fractional scores split into weighted 0/1 rows: METR's recipe) and compares coefficient,
intercept and p50 with `deno task horizons --bootstrap 0 --format json` on the same file.

Needs Debian's python3-sklearn, python3-pandas (apt-get install -y python3-sklearn python3-pandas).
Run with Debian's interpreter:

    /usr/bin/python3 scripts/crosscheck_sklearn.py [--runs FILE] [--weights invsqrt] [--regularization 0.01]
        [--score score] [--tol 1e-4] [--max-rel 0.005]

Prints a Markdown table and exits 1 if any relative difference exceeds --max-rel.
"""
import argparse
import json
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression

ap = argparse.ArgumentParser()
ap.add_argument("--runs", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "data", "metr", "all_runs_2025-01.jsonl"))
ap.add_argument("--weights", default="invsqrt", choices=["invsqrt", "equal", "none"])
ap.add_argument("--regularization", type=float, default=0.01)
ap.add_argument("--score", default="score")
ap.add_argument("--tol", type=float, default=1e-10, help="tolerance of the reference fit (tight by default)")
ap.add_argument("--max-rel", type=float, default=0.005)
args = ap.parse_args()

df = pd.read_json(args.runs, lines=True)
wcol = {"invsqrt": "invsqrt_task_weight", "equal": "equal_task_weight", "none": None}[args.weights]


def design(d):
    x = np.log2(d["human_minutes"].to_numpy())
    y = np.clip(d[args.score].to_numpy(dtype=float), 0, 1)
    w = d[wcol].to_numpy() if wcol else np.ones(len(d))
    frac = (y > 0) & (y < 1)
    xs = np.concatenate([x[~frac], x[frac], x[frac]])
    ys = np.concatenate([y[~frac], np.zeros(frac.sum()), np.ones(frac.sum())])
    ws = np.concatenate([w[~frac], (1 - y[frac]) * w[frac], y[frac] * w[frac]])
    return xs, ys, ws


def sk_fit(d, tol):
    xs, ys, ws = design(d)
    if len(np.unique(ys[ws > 0])) < 2:
        return -math.inf, -math.inf, 0.0
    m = LogisticRegression(C=1 / args.regularization, tol=tol, max_iter=10000)
    m.fit(xs.reshape(-1, 1), ys, sample_weight=ws)
    a, b = float(m.intercept_[0]), float(m.coef_[0][0])
    return b, a, 2 ** ((0 - a) / b)


def objective(d, a, b):
    """C·Σ w·logloss + ½ b², scikit-learn's objective."""
    xs, ys, ws = design(d)
    z = a + b * xs
    return (1 / args.regularization) * np.sum(ws * (np.logaddexp(0, z) - ys * z)) + 0.5 * b * b


cmd = ["deno", "run", "-A", "lib/cli/horizons.ts", "--runs", args.runs, "--weights", args.weights,
       "--regularization", str(args.regularization), "--score", args.score, "--bootstrap", "0", "--format", "json"]
ours = {r["agent"]: r for r in json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)}


def num(v):
    return float(v) if not isinstance(v, str) else float(v.replace("Infinity", "inf"))


def rel(a, b):
    if a == b:
        return 0.0
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return abs(a - b) / max(abs(b), 1e-300)


print(f"runs={args.runs} weights={args.weights} regularization={args.regularization} score={args.score}\n")
print("Reference: scikit-learn LogisticRegression(lbfgs) at tol=%g. Last two columns: the same with "
      "scikit-learn's default tol=1e-4 (as METR's pipeline runs it), and the objective at that solution minus "
      "the objective at evalkit's (positive = evalkit's point is lower, i.e. closer to the optimum).\n" % args.tol)
print("| agent | coefficient (sklearn) | coefficient (evalkit) | intercept (sklearn) | intercept (evalkit) "
      "| p50 min (sklearn) | p50 min (evalkit) | max rel. diff | max rel. diff vs tol=1e-4 | objective gap vs tol=1e-4 |")
print("|---|---|---|---|---|---|---|---|---|---|")
worst = worst_default = 0.0
for agent, d in df.groupby("alias", sort=True):
    b, a, p50 = sk_fit(d, args.tol)
    b4, a4, p504 = sk_fit(d, 1e-4)
    o = ours[agent]
    ob, oa, op = num(o["coefficient"]), num(o["intercept"]), num(o["p50"])
    r = max(rel(ob, b), rel(oa, a), rel(op, p50))
    r4 = max(rel(ob, b4), rel(oa, a4), rel(op, p504))
    gap = objective(d, a4, b4) - objective(d, oa, ob) if math.isfinite(ob) else 0.0
    worst = max(worst, r)
    worst_default = max(worst_default, r4)
    print(f"| {agent} | {b:.6g} | {ob:.6g} | {a:.6g} | {oa:.6g} | {p50:.6g} | {op:.6g} | {r:.1e} | {r4:.1e} | {gap:.1e} |")
print(f"\nworst relative difference: {worst:.2e} (limit {args.max_rel}); against tol=1e-4 fits: {worst_default:.2e}")
sys.exit(0 if worst <= args.max_rel else 1)
