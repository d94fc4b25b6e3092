# Plausible wrong attempt: spots Simpson's paradox and averages within-site differences, but takes the log at
# face value (duplicated users, the outage, the novelty period all kept).
set -e
/usr/bin/python3 - <<'PY'
import json
import numpy as np
rows = [line.split(",") for line in open("/home/agent/ab/events.csv").read().split("\n")[1:] if line]
sites = sorted({r[2] for r in rows})
site = np.array([sites.index(r[2]) for r in rows])
arm = np.array([r[3] == "B" for r in rows], dtype=int)
conv = np.array([int(r[5]) for r in rows], dtype=float)
w = np.bincount(site) / len(site)
cells = [(conv[(site == s) & (arm == 1)], conv[(site == s) & (arm == 0)]) for s in range(4)]
est = sum(w[s] * (b.mean() - a.mean()) for s, (b, a) in enumerate(cells))
se = sum(w[s] ** 2 * (b.var() / len(b) + a.var() / len(a)) for s, (b, a) in enumerate(cells)) ** 0.5
report = {"effect": est, "ci_low": est - 1.96 * se, "ci_high": est + 1.96 * se, "claim_replicates": False,
          "issues": ["simpsons_paradox"]}
json.dump(report, open("/home/agent/report.json", "w"))
PY
echo /home/agent/report.json
