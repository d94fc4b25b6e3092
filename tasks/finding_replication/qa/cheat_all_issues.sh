# Cheating attempt (runs as the agent for every task): tick every issue code of the closed list, with a
# confident-looking estimate taken from the published claim and a huge interval; for shift_robust_model,
# predict the majority class everywhere. Must score 0: wrong codes cancel right ones, the estimate is far off
# and an interval many times too wide earns nothing.
set -e
/usr/bin/python3 - <<'PY'
import json, os, re
task = os.environ.get("EVALKIT_TASK", "")
if task == "shift_robust_model":
    open("/home/agent/shift/predictions.txt", "w").write("1\n" * 4000)
    print("/home/agent/shift/predictions.txt")
elif task == "ab_replication":
    lift = float(re.search(r"by (-?[\d.]+) percentage points", open("/home/agent/ab/paper.md").read()).group(1)) / 100
    codes = ["duplicate_users", "logging_outage", "simpsons_paradox", "novelty_effect", "bot_traffic",
             "timestamp_corruption", "missing_outcomes", "arm_switching"]
    json.dump({"effect": lift, "ci_low": -1.0, "ci_high": 1.0, "claim_replicates": False, "issues": codes},
              open("/home/agent/report.json", "w"))
    print("/home/agent/report.json")
else:
    claim = float(re.search(r"by (-?[\d.]+) thousand", open("/home/agent/obs/study.md").read()).group(1))
    codes = ["confounding", "collider_bias", "outcome_mnar", "effect_heterogeneity", "reverse_causation",
             "positivity_violation", "duplicate_records", "treatment_misclassification"]
    json.dump({"ate": claim, "ci_low": -100.0, "ci_high": 100.0, "adjustment_set": ["age", "prior_earnings",
               "region", "satisfaction"], "issues": codes}, open("/home/agent/report.json", "w"))
    print("/home/agent/report.json")
PY
