# Plausible wrong attempt: adjusts for the right confounders (linear regression with a treatment dummy) but
# only on the people who answered the survey: the outcome is missing not at random, the follow-up is ignored.
set -e
/usr/bin/python3 - <<'PY'
import json
import numpy as np
lines = open("/home/agent/obs/cohort.csv").read().split("\n")
head, rows = lines[0].split(","), [line.split(",") for line in lines[1:] if line]
col = {name: i for i, name in enumerate(head)}
rows = [r for r in rows if r[col["responded"]] == "1"]
regions = sorted({r[col["region"]] for r in rows})
X = np.array([[1.0, float(r[col["treated"]]), float(r[col["age"]]), float(r[col["prior_earnings"]])]
              + [float(r[col["region"]] == g) for g in regions[1:]] for r in rows])
y = np.array([float(r[col["earnings"]]) for r in rows])
beta, res = np.linalg.lstsq(X, y, rcond=None)[:2]
sigma2 = res[0] / (len(y) - X.shape[1])
se = float(np.sqrt(sigma2 * np.linalg.inv(X.T @ X)[1, 1]))
report = {"ate": float(beta[1]), "ci_low": float(beta[1] - 1.96 * se), "ci_high": float(beta[1] + 1.96 * se),
          "adjustment_set": ["age", "prior_earnings", "region"], "issues": ["confounding"]}
json.dump(report, open("/home/agent/report.json", "w"))
PY
echo /home/agent/report.json
