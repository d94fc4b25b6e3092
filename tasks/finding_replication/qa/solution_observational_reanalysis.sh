# Reference solution (evalkit QA convention): runs as the agent; the last stdout line is the submission.
# g-computation with arm-specific outcome models on the back-door set {age, prior_earnings, region} (never the
# collider satisfaction), fitted on responders plus the random follow-up of non-responders weighted by the
# inverse follow-up rate (the outcome is missing not at random), averaged over the whole cohort; bootstrap CI.
set -e
/usr/bin/python3 - <<'PY'
import json
import numpy as np
lines = open("/home/agent/obs/cohort.csv").read().split("\n")
head, rows = lines[0].split(","), [line.split(",") for line in lines[1:] if line]
col = {name: i for i, name in enumerate(head)}
age = np.array([float(r[col["age"]]) for r in rows])
prior = np.array([float(r[col["prior_earnings"]]) for r in rows])
regions = sorted({r[col["region"]] for r in rows})
region = np.array([regions.index(r[col["region"]]) for r in rows])
t = np.array([int(r[col["treated"]]) for r in rows])
resp = np.array([r[col["responded"]] == "1" for r in rows])
chased = np.array([r[col["followed_up"]] == "1" for r in rows])
y = np.array([float(r[col["earnings"]]) if r[col["earnings"]] else np.nan for r in rows])
obs = resp | chased
rate = chased.sum() / (~resp).sum()  # share of non-responders followed up (at random)
w = np.where(resp, 1.0, 1.0 / rate) * obs
a = (age - 42) / 12
X = np.c_[np.ones(len(t)), a, a**2, a**3, prior, np.log(prior), prior * a, np.eye(4)[region][:, 1:]]

def ate(idx):
    out = np.zeros(len(t))
    pred = {}
    for arm in (0, 1):
        m = idx[(t[idx] == arm) & obs[idx]]
        sw = np.sqrt(w[m])
        beta = np.linalg.lstsq(X[m] * sw[:, None], y[m] * sw, rcond=None)[0]
        pred[arm] = X[idx] @ beta
    return float(np.mean(pred[1] - pred[0]))

everyone = np.arange(len(t))
est = ate(everyone)
rng = np.random.default_rng(0)
boots = [ate(rng.integers(0, len(t), len(t))) for _ in range(80)]
lo, hi = np.percentile(boots, [2.5, 97.5])
report = {
    "ate": est, "ci_low": float(lo), "ci_high": float(hi), "adjustment_set": ["age", "prior_earnings", "region"],
    "issues": ["confounding", "collider_bias", "outcome_mnar", "effect_heterogeneity"],
}
json.dump(report, open("/home/agent/report.json", "w"), indent=1)
print(report)
PY
echo /home/agent/report.json
