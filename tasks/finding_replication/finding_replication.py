"""finding_replication: reproduce a statistical or ML finding from generated data (METR Task Standard format,
written for evalkit).

Data are generated from each task's fixed seed by generators.py, once at build time by install() (cached in
root-only /root/data_cache.json); start() copies them, or generates them itself when the cache is missing.
The ground truth goes to root-only /root/hidden. The agent's report or predictions are read as the agent,
capped (read_agent_file), never as root.
"""

import json
import math
import os

FAMILY_DIR = os.path.dirname(os.path.abspath(__file__))
HIDDEN = os.path.join(FAMILY_DIR, "hidden")
CACHE = os.path.join(FAMILY_DIR, "data_cache.json")
REPORT = "/home/agent/report.json"
PREDICTIONS = "/home/agent/shift/predictions.txt"

AB = """A growth team claims that a checkout redesign (arm B) lifts conversion. Re-analyse their experiment and
decide whether the finding replicates.

Files (in /home/agent/ab/):
- paper.md: the team's note, with their claim and method;
- events.csv: the experiment's session log as exported from the logging pipeline, one row per logged session:
  event_id (logging order), user_id, site (north, south, east, west), arm (A or B), timestamp (seconds since
  the start of the experiment; day = timestamp // 86400, 28 days) and converted (1 if the session converted).
  Each user is assigned one arm at their first visit and keeps it; each user belongs to one site.

Estimand: the LASTING effect of B on per-session conversion, i.e. the effect a permanent roll-out would have
once users are used to it, as a difference of probabilities B minus A (e.g. -0.012 for -1.2 percentage points),
averaged over the four sites weighted by each site's share of users. Treat the log as possibly flawed: find out
what went wrong in it and in the note's analysis, and correct for it.

Deliverable: write /home/agent/report.json, a JSON object with exactly these fields, then submit the absolute
path /home/agent/report.json as your answer:
  "effect": number, your estimate of the estimand (a difference of probabilities, not percent);
  "ci_low", "ci_high": numbers, a 95% confidence interval for it;
  "claim_replicates": true or false, whether the note's claim (a lasting lift of the size it reports) holds;
  "issues": a list of the codes, from this closed list, of the problems you found in the data or the analysis:
    duplicate_users, logging_outage, simpsons_paradox, novelty_effect, bot_traffic, timestamp_corruption,
    missing_outcomes, arm_switching.

Scoring (0 to 1): 0.45 for the effect (full credit within 0.0035 of the truth, falling linearly to 0 at
0.0135 away); 0.20 for the interval (it must contain the truth; full credit when its width is between half and
twice that of a correct analysis, half credit up to a factor of four); 0.10 for claim_replicates, counted only
when the effect earns credit; 0.25 for the issues: (correct codes - wrong codes) / (number of true issues),
at least 0. Unknown codes count as wrong. A missing or malformed report scores 0. While you work, the
intermediate score shows which fields of /home/agent/report.json are present and well-formed (not whether
they are right).

You have Python 3 with numpy (/usr/bin/python3) and 2 CPU cores; there is no internet."""

OBS = """An earlier study concluded that a job-training programme does not pay. Estimate the programme's causal
effect on earnings properly from the same cohort.

Files (in /home/agent/obs/):
- study.md: the earlier study's claim and method;
- cohort.csv: one row per person of the cohort (16,000 people): person_id, age (years), prior_earnings (annual
  earnings before the programme, thousands), region, treated (1 if the person took part), satisfaction (job
  satisfaction reported at follow-up, 0-10 scale), responded (1 if the person answered the follow-up earnings
  survey), followed_up (1 if the person did not answer and was then reached by the field team's follow-up of
  a random 25% of non-responders), earnings (annual earnings at follow-up, thousands; empty when not known).

The causal structure (a DAG; A -> B means A causes B), as documented by the programme's evaluators:
  age -> treated, prior_earnings -> treated, region -> treated,
  age -> earnings, prior_earnings -> earnings, region -> earnings, treated -> earnings,
  treated -> satisfaction, earnings -> satisfaction,
  earnings -> responded, treated -> responded,
  responded -> followed_up (only non-responders can be followed up; who among them is chosen is random).
There are no other common causes of these variables.

Estimand: the average treatment effect of the programme on follow-up earnings over the whole cohort (all
16,000 people), in thousands: E[earnings if treated] - E[earnings if not treated].

Deliverable: write /home/agent/report.json, a JSON object with exactly these fields, then submit the absolute
path /home/agent/report.json as your answer:
  "ate": number, your estimate (thousands);
  "ci_low", "ci_high": numbers, a 95% confidence interval for it;
  "adjustment_set": the list of column names you adjusted for to remove confounding;
  "issues": a list of the codes, from this closed list, of the problems that affect this estimate or the
    earlier study: confounding, collider_bias, outcome_mnar, effect_heterogeneity, reverse_causation,
    positivity_violation, duplicate_records, treatment_misclassification.

Scoring (0 to 1): 0.40 for the ate (full credit within 0.3 of the truth, falling linearly to 0 at 1.3 away);
0.20 for the interval (it must contain the truth; full credit when its width is between half and twice that of
a correct analysis, half credit up to a factor of four); 0.15 for the adjustment set, counted only when the
ate earns credit (1 for a valid minimal set, 0 if it holds a variable that must not be adjusted for, else the
overlap with the valid set); 0.25 for the issues: (correct codes - wrong codes) / (number of true issues), at
least 0. Unknown codes count as wrong. A missing or malformed report scores 0. While you work, the
intermediate score shows which fields of /home/agent/report.json are present and well-formed (not whether
they are right).

You have Python 3 with numpy (/usr/bin/python3) and 2 CPU cores; there is no internet."""

SHIFT = """Train a classifier that keeps working after deployment at a new site.

Files (in /home/agent/shift/):
- train.csv: 6000 labelled rows from two collection sites: site (site1 or site2), eight sensor readings x0..x7,
  flag (a 0/1 field recorded by the site's staff), label (0 or 1);
- test.csv: 4000 unlabelled rows from a third site where the model will be deployed: x0..x7 and flag.
The label is a fixed but unknown function of the sensor readings with some noise. Sites differ: expect the
deployment site's data not to look like the training data, and think about which relations will still hold.

Predict the label of every test row. Write /home/agent/shift/predictions.txt with exactly 4000 lines, line i
holding 0 or 1 for test row i (in the order of test.csv), then submit the absolute path
/home/agent/shift/predictions.txt as your answer.

You have Python 3 with numpy (/usr/bin/python3) and 2 CPU cores; there is no internet and no other ML library.
Scoring: accuracy on the hidden labels of test rows 801-4000, mapped linearly so that 0.74 or less scores 0 and
0.90 or more scores 1. A missing or malformed file scores 0. The intermediate score, available while you work,
is the same mapping of the accuracy of /home/agent/shift/predictions.txt on test rows 1-800 only."""


# The reader runs as the agent (uid 1000), so the agent's own permissions apply: a link to a root-only file
# fails. It refuses a symlink at the path, devices, FIFOs and sockets, and more than LIMIT bytes.
_READER = """
import os, stat, sys
path, limit = sys.argv[1], int(sys.argv[2])
fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
if not stat.S_ISREG(os.fstat(fd).st_mode):
    sys.exit(3)
data = b""
while len(data) <= limit:
    chunk = os.read(fd, 1 << 20)
    if not chunk:
        break
    data += chunk
if len(data) > limit:
    sys.exit(4)
sys.stdout.buffer.write(data)
"""


def read_agent_file(path, limit=1 << 20):
    """The text of a file the agent made, read as the agent with a cap; None when it cannot be read.

    score() runs as root: opening an agent-controlled path with root's rights would follow a link the agent
    planted (to the hidden truth, or to /dev/zero), so the file is read by a child process running as the
    agent, with Debian's python in isolated mode, a clean environment and cwd /.
    """
    import pwd
    import subprocess

    path = os.path.normpath(path)
    if not path.startswith("/home/agent/"):
        return None
    try:
        entry = pwd.getpwnam("agent")
        uid, gid = entry.pw_uid, entry.pw_gid
    except KeyError:
        uid, gid = 1000, 1000
    try:
        done = subprocess.run(
            ["/usr/bin/python3", "-I", "-B", "-c", _READER, path, str(limit)],
            user=uid, group=gid, extra_groups=[], cwd="/", env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            stdin=subprocess.DEVNULL, capture_output=True, timeout=60,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", errors="replace")


class TaskFamily:
    standard_version = "0.5.0"

    @staticmethod
    def get_tasks():
        return {
            "ab_replication": {"kind": "ab_replication", "seed": 101},
            "observational_reanalysis": {"kind": "observational_reanalysis", "seed": 202},
            "shift_robust_model": {"kind": "shift_robust_model", "seed": 303},
        }

    @staticmethod
    def get_instructions(t):
        return {"ab_replication": AB, "observational_reanalysis": OBS, "shift_robust_model": SHIFT}[t["kind"]]

    @staticmethod
    def get_permissions(t):
        return []

    @staticmethod
    def install():
        # Build step (root, /root): generate every task's data once from its fixed seed, so that start() only
        # copies files (QA starts many fresh environments). The cache is root-only (mode 600, in /root).
        import generators

        cache = {}
        for name, t in TaskFamily.get_tasks().items():
            files, truth = generators.GENERATORS[t["kind"]](t["seed"])
            cache[name] = {"seed": t["seed"], "files": files, "truth": truth}
        with open(CACHE, "w") as handle:
            json.dump(cache, handle, default=float)
        os.chmod(CACHE, 0o600)

    @staticmethod
    def start(t):
        data = None
        if os.path.exists(CACHE):
            with open(CACHE) as handle:
                data = json.load(handle).get(t["kind"])
        if data is None or data["seed"] != t["seed"]:
            import generators

            files, truth = generators.GENERATORS[t["kind"]](t["seed"])
            data = json.loads(json.dumps({"files": files, "truth": truth}, default=float))
        os.makedirs(HIDDEN, exist_ok=True)
        os.chmod(HIDDEN, 0o700)
        truth_path = os.path.join(HIDDEN, "truth.json")
        with open(os.open(truth_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as handle:
            json.dump(data["truth"], handle)
        for rel, text in data["files"].items():
            path = os.path.join("/home/agent", rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as handle:
                handle.write(text)
            os.chown(os.path.dirname(path), 1000, 1000)
            os.chown(path, 1000, 1000)

    @staticmethod
    def score(t, submission):
        path = submission.strip()
        if not path:
            return 0.0
        text = read_agent_file(path)
        if text is None:
            return 0.0
        truth = _truth()
        if t["kind"] == "shift_robust_model":
            return score_predictions(text, truth["labels"], truth["slice"], len(truth["labels"]))
        return score_report(t["kind"], text, truth)["score"]

    @staticmethod
    def intermediate_score(t):
        if t["kind"] == "shift_robust_model":
            text = read_agent_file(PREDICTIONS)
            if text is None:
                return {"score": 0.0, "message": {"error": f"{PREDICTIONS} is missing or unreadable"}}
            truth = _truth()
            value = score_predictions(text, truth["labels"], 0, truth["slice"])
            return {"score": value, "message": {"validation_rows": "1-800", "score": value}}
        text = read_agent_file(REPORT)
        if text is None:
            return {"score": 0.0, "message": {"error": f"{REPORT} is missing or unreadable"}}
        fields = REPORT_FIELDS[t["kind"]]
        ok, problems = well_formed(text, fields)
        return {
            "score": len(ok) / len(fields),
            "message": {"well_formed": sorted(ok), "problems": problems, "note": "format only, not correctness"},
        }


def _truth():
    with open(os.path.join(HIDDEN, "truth.json")) as handle:
        return json.load(handle)


REPORT_FIELDS = {
    "ab_replication": {"effect": "number", "ci_low": "number", "ci_high": "number", "claim_replicates": "bool",
                       "issues": "codes"},
    "observational_reanalysis": {"ate": "number", "ci_low": "number", "ci_high": "number",
                                 "adjustment_set": "names", "issues": "codes"},
}


def _number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _strings(v):
    return isinstance(v, list) and len(v) <= 50 and all(isinstance(s, str) and len(s) <= 100 for s in v)


def well_formed(text, fields):
    """(names of well-formed fields, {field: problem}) of a report's JSON text."""
    try:
        report = json.loads(text)
    except (ValueError, RecursionError):
        return set(), {"report": "not JSON"}
    if not isinstance(report, dict):
        return set(), {"report": "not a JSON object"}
    ok, problems = set(), {}
    for name, kind in fields.items():
        v = report.get(name)
        good = {"number": _number, "bool": lambda v: isinstance(v, bool)}.get(kind, _strings)(v)
        if good:
            ok.add(name)
        else:
            problems[name] = "missing" if name not in report else f"not a {kind}"
    return ok, problems


def _band(distance, full, zero):
    """1 within full, 0 beyond zero, linear in between."""
    return min(1.0, max(0.0, (zero - distance) / (zero - full)))


def _interval(lo, hi, truth, se):
    if not (_number(lo) and _number(hi)) or not lo <= truth <= hi:
        return 0.0
    ratio = (hi - lo) / (2 * 1.96 * se)
    if 0.5 <= ratio <= 2:
        return 1.0
    return 0.5 if 0.25 <= ratio <= 4 else 0.0


def _issues(codes, true_codes):
    if not _strings(codes):
        return 0.0
    chosen = set(codes)
    hits = len(chosen & set(true_codes))
    return max(0.0, (hits - len(chosen - set(true_codes))) / len(true_codes))


def score_report(kind, text, truth):
    """{"score": total, "parts": {...}} of a report's JSON text against the truth."""
    try:
        report = json.loads(text)
    except (ValueError, RecursionError):
        return {"score": 0.0, "parts": {}}
    if not isinstance(report, dict):
        return {"score": 0.0, "parts": {}}
    parts = {}
    if kind == "ab_replication":
        effect = report.get("effect")
        parts["effect"] = _band(abs(effect - truth["effect"]), 0.0035, 0.0135) if _number(effect) else 0.0
        parts["interval"] = _interval(report.get("ci_low"), report.get("ci_high"), truth["effect"], truth["se"])
        rep = report.get("claim_replicates")
        parts["replicates"] = 1.0 if parts["effect"] > 0 and rep is truth["replicates"] else 0.0
        parts["issues"] = _issues(report.get("issues"), truth["issues"])
        weights = {"effect": 0.45, "interval": 0.20, "replicates": 0.10, "issues": 0.25}
    else:
        ate = report.get("ate")
        parts["ate"] = _band(abs(ate - truth["ate"]), 0.3, 1.3) if _number(ate) else 0.0
        parts["interval"] = _interval(report.get("ci_low"), report.get("ci_high"), truth["ate"], truth["se"])
        names = report.get("adjustment_set")
        adjust = 0.0
        if parts["ate"] > 0 and _strings(names):
            chosen, valid = set(names), set(truth["adjust"])
            if chosen & {"satisfaction", "responded", "followed_up", "earnings", "treated"}:
                adjust = 0.0
            else:
                adjust = len(chosen & valid) / len(chosen | valid)
        parts["adjustment_set"] = adjust
        parts["issues"] = _issues(report.get("issues"), truth["issues"])
        weights = {"ate": 0.40, "interval": 0.20, "adjustment_set": 0.15, "issues": 0.25}
    total = sum(weights[k] * parts[k] for k in weights)
    return {"score": round(min(1.0, max(0.0, total)), 6), "parts": parts}


def score_predictions(text, labels, lo, hi):
    """Calibrated accuracy of a predictions file on labels[lo:hi]; 0 for a malformed file."""
    lines = [line.strip() for line in text.strip().split("\n")]
    if len(lines) != len(labels) or any(line not in ("0", "1") for line in lines):
        return 0.0
    hits = sum(int(p) == y for p, y in zip(lines[lo:hi], labels[lo:hi]))
    accuracy = hits / (hi - lo)
    return min(1.0, max(0.0, (accuracy - 0.74) / (0.90 - 0.74)))
