"""Data generators of finding_replication (private: copied to root-only /root, never to the agent).

Each generator takes the task's fixed seed and returns (files, truth): files maps a path under /home/agent to
its text, truth is the JSON-able ground truth the scorer compares with. Everything is numpy and fast (< 0.3 s).
"""

import numpy as np

# ---------------------------------------------------------------------------------------------------------
# ab_replication: a multi-site A/B test log with four traps (see the private notes in docs/tasks).

AB_SITES = ["north", "south", "east", "west"]
AB_USER_SHARE = [0.30, 0.25, 0.25, 0.20]
AB_BASE = [0.04, 0.07, 0.11, 0.16]  # per-session conversion of arm A, by site
AB_P_B = [0.25, 0.40, 0.60, 0.75]  # allocation to B, by site (Simpson's paradox with the base rates)
AB_TAU = -0.010  # lasting effect of B
AB_NOVELTY = 0.060  # extra effect of B on a user's first days, decaying with time constant AB_DECAY days
AB_DECAY = 1.5
AB_DAYS = 28
AB_OUTAGE = (2, 17, 22)  # site index, first day, last day + 1: arm A not logged; a sale lifts conversion
AB_SALE = 0.10
AB_CUTOFF = 7  # the truth is the site-weighted effect on sessions >= 7 days after a user's first session
AB_CODES_TRUE = ["duplicate_users", "logging_outage", "simpsons_paradox", "novelty_effect"]
AB_CODES_FALSE = ["bot_traffic", "timestamp_corruption", "missing_outcomes", "arm_switching"]


def _site_weighted(site, arm, y, keep, weights):
    """Site-weighted difference B - A of mean y over rows in keep, and its standard error."""
    est, var = 0.0, 0.0
    for s, w in enumerate(weights):
        a = y[keep & (site == s) & (arm == 0)]
        b = y[keep & (site == s) & (arm == 1)]
        est += w * (b.mean() - a.mean())
        var += w * w * (b.var() / len(b) + a.var() / len(a))
    return est, var**0.5


def ab_replication(seed):
    rng = np.random.default_rng(seed)
    n_users = 13000
    site = rng.choice(4, size=n_users, p=AB_USER_SHARE)
    arm = (rng.random(n_users) < np.take(AB_P_B, site)).astype(np.int64)
    first = rng.integers(0, 14, size=n_users)
    # sessions: the first day, then each later day with probability 0.33
    days = np.arange(AB_DAYS)
    active = (days[None, :] > first[:, None]) & (rng.random((n_users, AB_DAYS)) < 0.33)
    active[np.arange(n_users), first] = True
    uid, day = np.nonzero(active)
    s_site, s_arm = site[uid], arm[uid]
    since = day - first[uid]
    o_site, o_lo, o_hi = AB_OUTAGE
    in_outage = (s_site == o_site) & (day >= o_lo) & (day < o_hi)
    p = np.take(AB_BASE, s_site) + s_arm * (AB_TAU + AB_NOVELTY * np.exp(-since / AB_DECAY))
    p = p + AB_SALE * in_outage
    conv = (rng.random(len(uid)) < p).astype(np.int64)
    ts = day * 86400 + rng.integers(0, 86400, size=len(uid))
    # truth: the site-weighted effect on the clean log, sessions at least AB_CUTOFF days after the first
    keep = since >= AB_CUTOFF
    effect, se = _site_weighted(s_site, s_arm, conv, keep, AB_USER_SHARE)
    # the mess: the outage drops arm A's sessions; a sync job re-logs B users who converted under another site
    logged = ~(in_outage & (s_arm == 0))
    converter = np.zeros(n_users, dtype=bool)
    converter[uid[conv == 1]] = True
    dup_user = (arm == 1) & (rng.random(n_users) < np.where(converter, 0.30, 0.03))
    dup = logged & dup_user[uid]
    other = (s_site + rng.integers(1, 4, size=n_users)[uid]) % 4
    rows_site = np.concatenate([s_site[logged], other[dup]])
    rows = [np.concatenate([v[logged], v[dup]]) for v in (uid, s_arm, ts, conv)]
    # originals by time, the sync job's copies logged 0-3 hours later
    rows_ts = rows[2].copy()
    n_orig = int(logged.sum())
    rows_ts[n_orig:] += rng.integers(0, 3 * 3600, size=len(rows_ts) - n_orig)
    order = np.lexsort((np.arange(len(rows_ts)), rows_ts))
    lines = ["event_id,user_id,site,arm,timestamp,converted"]
    names = np.array(AB_SITES)[rows_site[order]]
    arms = np.array(["A", "B"])[rows[1][order]]
    for i, (u, s, a, t, c) in enumerate(zip(rows[0][order], names, arms, rows[2][order], rows[3][order])):
        lines.append(f"{i + 1},u{u:05d},{s},{a},{t},{c}")
    # the "paper": the naive pooled difference over the whole log
    all_arm, all_conv = rows[1], rows[3]
    pa, pb = all_conv[all_arm == 0].mean(), all_conv[all_arm == 1].mean()
    naive = pb - pa
    nse = (pa * (1 - pa) / (all_arm == 0).sum() + pb * (1 - pb) / (all_arm == 1).sum()) ** 0.5
    paper = AB_PAPER.format(
        n=len(all_arm), pa=100 * pa, pb=100 * pb, lift=100 * naive, lo=100 * (naive - 1.96 * nse),
        hi=100 * (naive + 1.96 * nse),
    )
    files = {"ab/events.csv": "\n".join(lines) + "\n", "ab/paper.md": paper}
    truth = {
        "effect": effect, "se": se, "replicates": False, "issues": AB_CODES_TRUE,
        "codes": AB_CODES_TRUE + AB_CODES_FALSE, "claim": [naive, naive - 1.96 * nse, naive + 1.96 * nse],
    }
    return files, truth


AB_PAPER = """# Checkout redesign lifts conversion: evidence from a four-site experiment

*Internal research note, growth analytics team.*

We randomised visitors of our four regional storefronts (north, south, east, west) between the current checkout
(arm A) and the redesigned checkout (arm B) for four weeks. Each visitor keeps the arm assigned at their first
visit. Over {n} logged sessions, the per-session conversion rate was {pa:.2f}% in arm A and {pb:.2f}% in arm B.

**Claim.** The redesign lifts per-session conversion by {lift:.2f} percentage points
(95% CI {lo:.2f} to {hi:.2f}), a lasting improvement that holds across sites, and we recommend rolling it out
to all storefronts.

Method: difference of the pooled per-session conversion rates of the two arms over all logged sessions, with
a normal-approximation interval.
"""

# ---------------------------------------------------------------------------------------------------------
# observational_reanalysis: job-training programme, confounding, a collider, outcomes missing not at random.

OBS_REGIONS = ["coast", "valley", "plains", "hills"]
OBS_CODES_TRUE = ["confounding", "collider_bias", "outcome_mnar", "effect_heterogeneity"]
OBS_CODES_FALSE = ["reverse_causation", "positivity_violation", "duplicate_records", "treatment_misclassification"]
OBS_ADJUST = ["age", "prior_earnings", "region"]
OBS_CHASE = 0.25  # share of non-responders followed up at random
OBS_SE = 0.125  # the reference's bootstrap standard error on the task's seed (sets the interval's width band)


def observational_reanalysis(seed):
    rng = np.random.default_rng(seed)
    n = 16000
    age = rng.uniform(20, 65, n)
    prior = np.exp(rng.normal(3.4, 0.45, n))  # prior annual earnings, thousands
    region = rng.integers(0, 4, n)
    r_eff = np.array([1.5, -1.0, 0.0, -2.0])
    logit = 0.2 - 0.08 * (age - 42) - 1.6 * (np.log(prior) - 3.4) + np.array([0.3, -0.2, 0.0, 0.4])[region]
    ps = np.clip(1 / (1 + np.exp(-logit)), 0.06, 0.94)
    treated = (rng.random(n) < ps).astype(np.int64)
    y0 = 6 + 0.85 * prior + 0.45 * (age - 20) - 0.008 * (age - 20) ** 2 + r_eff[region] + rng.normal(0, 5, n)
    tau = 1.0 + 6.0 * np.exp(-(age - 20) / 8) - 0.03 * (prior - 30)
    y = y0 + treated * tau
    satisfaction = np.round(3 + 1.8 * treated + 0.12 * (y - 35) + rng.normal(0, 1.2, n), 1)
    responded = rng.random(n) < 1 / (1 + np.exp(-(1.2 - (0.02 + 0.14 * treated) * (y - 35))))
    chased = ~responded & (rng.random(n) < OBS_CHASE)
    observed = responded | chased
    lines = ["person_id,age,prior_earnings,region,treated,satisfaction,responded,followed_up,earnings"]
    regions = np.array(OBS_REGIONS)[region]
    for i in range(n):
        e = f"{y[i]:.2f}" if observed[i] else ""
        lines.append(
            f"p{i + 1:05d},{age[i]:.0f},{prior[i]:.2f},{regions[i]},{treated[i]},{satisfaction[i]:.1f},"
            f"{int(responded[i])},{int(chased[i])},{e}",
        )
    # the earlier study: treated vs untreated mean earnings among survey responders, controlling satisfaction
    claim = _obs_claim(treated, satisfaction, y, responded)
    files = {"obs/cohort.csv": "\n".join(lines) + "\n", "obs/study.md": OBS_STUDY.format(claim=claim)}
    # truth: g-computation on the complete cohort (every outcome, no missingness) with the true functional form
    X = np.c_[np.ones(n), age, age**2, np.exp(-(age - 20) / 8), prior, np.eye(4)[region][:, 1:]]
    pred = []
    for arm in (0, 1):
        beta = np.linalg.lstsq(X[treated == arm], y[treated == arm], rcond=None)[0]
        pred.append(X @ beta)
    truth = {
        "ate": float(np.mean(pred[1] - pred[0])), "sample_ate": float(np.mean(tau)), "se": OBS_SE,
        "issues": OBS_CODES_TRUE, "codes": OBS_CODES_TRUE + OBS_CODES_FALSE, "adjust": OBS_ADJUST, "claim": claim,
    }
    return files, truth


def _obs_claim(treated, satisfaction, y, responded):
    m = responded
    X = np.c_[np.ones(m.sum()), treated[m], satisfaction[m]]
    beta = np.linalg.lstsq(X, y[m], rcond=None)[0]
    return float(beta[1])


OBS_STUDY = """# Does the job-training programme pay? (earlier evaluation)

An earlier evaluation of the same cohort regressed follow-up earnings on programme participation and the
participants' reported satisfaction with their job, among the people who answered the follow-up survey.

**Claim.** Taking part in the programme changes annual earnings by {claim:.2f} thousand, i.e. it does not
pay off, and the programme should be closed.
"""

# ---------------------------------------------------------------------------------------------------------
# shift_robust_model: a classifier trained on two sites, deployed at a third with covariate shift and a
# spurious flag whose relation to the label flips.

SHIFT_N_TRAIN = 6000
SHIFT_N_TEST = 4000
SHIFT_N_SLICE = 800  # the first 800 test rows: intermediate score only; the other 3200: the final score


def _shift_label(x, rng):
    f = 1.2 * x[:, 0] ** 2 - 1.0 + 1.1 * x[:, 1] - 0.8 * x[:, 2] * x[:, 3] + 0.7 * np.sin(2 * x[:, 4]) - 0.5 * x[:, 5]
    return (f + rng.normal(0, 0.35, len(x)) > 0).astype(np.int64)


def shift_robust_model(seed):
    rng = np.random.default_rng(seed)

    def draw(n, centre, spread, flag_agree):
        x = rng.normal(0, 1, (n, 8))
        x[:, 0] = rng.normal(centre, spread, n)
        x[:, 1] = rng.normal(-0.6 * centre, 1.0, n)
        y = _shift_label(x, rng)
        flag = np.where(rng.random(n) < flag_agree, y, 1 - y)
        return x, flag, y

    xa, fa, ya = draw(SHIFT_N_TRAIN // 2, 0.8, 0.7, 0.95)
    xb, fb, yb = draw(SHIFT_N_TRAIN // 2, 0.5, 0.8, 0.80)
    xt, ft, yt = draw(SHIFT_N_TEST, -1.0, 0.7, 0.15)
    head = ",".join(f"x{i}" for i in range(8))
    train = [f"site,{head},flag,label"]
    for name, x, f, y in (("site1", xa, fa, ya), ("site2", xb, fb, yb)):
        for i in range(len(x)):
            train.append(f"{name}," + ",".join(f"{v:.4f}" for v in x[i]) + f",{f[i]},{y[i]}")
    test = [f"{head},flag"]
    for i in range(len(xt)):
        test.append(",".join(f"{v:.4f}" for v in xt[i]) + f",{ft[i]}")
    files = {"shift/train.csv": "\n".join(train) + "\n", "shift/test.csv": "\n".join(test) + "\n"}
    truth = {"labels": [int(v) for v in yt], "slice": SHIFT_N_SLICE}
    return files, truth


GENERATORS = {
    "ab_replication": ab_replication,
    "observational_reanalysis": observational_reanalysis,
    "shift_robust_model": shift_robust_model,
}
