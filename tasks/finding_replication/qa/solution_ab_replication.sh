# Reference solution (evalkit QA convention): runs as the agent; the last stdout line is the submission.
# Drops the sync job's copies (a user's rows at a second site), the outage window of the site where arm A
# vanished, and each user's first week (novelty), then averages the within-site differences by user share.
set -e
/usr/bin/python3 - <<'PY'
import json
import numpy as np
rows = [line.split(",") for line in open("/home/agent/ab/events.csv").read().split("\n")[1:] if line]
user = np.array([int(r[1][1:]) for r in rows])
sites = sorted({r[2] for r in rows})
site = np.array([sites.index(r[2]) for r in rows])
arm = np.array([r[3] == "B" for r in rows], dtype=int)
ts = np.array([int(r[4]) for r in rows])
conv = np.array([int(r[5]) for r in rows], dtype=float)
day = ts // 86400
# 1. duplicates: a user's rows at any site other than the site of their earliest event
order = np.lexsort((ts, user))
first_row = order[np.r_[True, user[order][1:] != user[order][:-1]]]
home = np.full(user.max() + 1, -1)
home[user[first_row]] = site[first_row]
keep = site == home[user]
# 2. outage: (site, day) cells where one arm logged nothing although the site had traffic
for s in range(len(sites)):
    for d in range(day.max() + 1):
        cell = keep & (site == s) & (day == d)
        if cell.sum() > 50 and min((arm[cell] == 0).sum(), (arm[cell] == 1).sum()) == 0:
            keep &= ~((site == s) & (day == d))
# 3. novelty: days since the user's first session
first_day = np.full(user.max() + 1, 10**9)
np.minimum.at(first_day, user[keep], day[keep])
late = keep & (day - first_day[user] >= 7)
# 4. within-site differences, weighted by each site's share of users
users_per_site = np.array([len(np.unique(user[keep & (site == s)])) for s in range(len(sites))])
w = users_per_site / users_per_site.sum()
est, var = 0.0, 0.0
for s in range(len(sites)):
    a, b = conv[late & (site == s) & (arm == 0)], conv[late & (site == s) & (arm == 1)]
    est += w[s] * (b.mean() - a.mean())
    var += w[s] ** 2 * (a.var() / len(a) + b.var() / len(b))
se = var ** 0.5
report = {
    "effect": est, "ci_low": est - 1.96 * se, "ci_high": est + 1.96 * se, "claim_replicates": False,
    "issues": ["duplicate_users", "logging_outage", "simpsons_paradox", "novelty_effect"],
}
json.dump(report, open("/home/agent/report.json", "w"), indent=1)
print(report)
PY
echo /home/agent/report.json
