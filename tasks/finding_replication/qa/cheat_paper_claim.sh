# Cheating attempt (runs as the agent for every task): submit the published claim instead of re-analysing —
# the note's lift and interval (ab_replication), the earlier study's estimate with its collider adjustment
# (observational_reanalysis), or the flag as the prediction, the rule the training data suggests
# (shift_robust_model). Must score 0.
set -e
/usr/bin/python3 - <<'PY'
import json, os, re
task = os.environ.get("EVALKIT_TASK", "")
if task == "shift_robust_model":
    rows = open("/home/agent/shift/test.csv").read().split("\n")[1:]
    open("/home/agent/shift/predictions.txt", "w").write("".join(r.split(",")[-1] + "\n" for r in rows if r))
    print("/home/agent/shift/predictions.txt")
elif task == "ab_replication":
    text = open("/home/agent/ab/paper.md").read()
    found = re.search(r"by (-?[\d.]+) percentage points\s*\(95% CI (-?[\d.]+) to (-?[\d.]+)", text)
    lift, lo, hi = (float(v) / 100 for v in found.groups())
    json.dump({"effect": lift, "ci_low": lo, "ci_high": hi, "claim_replicates": True, "issues": []},
              open("/home/agent/report.json", "w"))
    print("/home/agent/report.json")
else:
    claim = float(re.search(r"by (-?[\d.]+) thousand", open("/home/agent/obs/study.md").read()).group(1))
    json.dump({"ate": claim, "ci_low": claim - 0.5, "ci_high": claim + 0.5, "adjustment_set": ["satisfaction"],
               "issues": []}, open("/home/agent/report.json", "w"))
    print("/home/agent/report.json")
PY
