/**
 * experiment_design: discover hidden structure by experiment and causal reasoning.
 *
 * - `screening`: find which of 20 treatments change a noisy outcome, with a limited sample budget, by
 *   querying a root-owned experiment service on 127.0.0.1.
 * - `confounded`: estimate a planted average causal effect from a large observational dataset with
 *   confounders, a mediator, a collider and an instrument, helped by a small randomised trial.
 *
 * All randomness derives from fixed seeds in each task's `data`, so scoring is reproducible. The truth
 * (effects, the causal effect) is computed on the host and never enters the sandbox except, for
 * `screening`, as a root-only parameter file read by the service.
 *
 * @module
 */
import { defineTaskFamily, type TaskContext } from "../../lib/task/define.ts";
import { TaskHookError } from "../../lib/task/errors.ts";
import { mulberry32 } from "../_shared/random.ts";

/** Standard normal draws from a uniform generator (Box–Muller). */
export function normals(rnd: () => number): () => number {
  return () => {
    const u = 1 - rnd();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
  };
}

// ---------------------------------------------------------------------------------------------------
// screening

/** Parameters of the screening oracle. */
export interface ScreeningParams {
  treatments: number;
  baseline: number;
  sigma: number;
  budget: number;
  port: number;
  noiseSeed: number;
  /** treatment number → effect on the mean outcome (absent = no effect). */
  effects: Record<string, number>;
}

/** The hidden truth of a screening task: which treatments work and by how much. */
export function screeningParams(seed: number): ScreeningParams {
  const rnd = mulberry32(seed);
  const order = Array.from({ length: 20 }, (_, i) => i + 1);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const effects: Record<string, number> = {};
  for (const k of order.slice(0, 6).sort((a, b) => a - b)) {
    const magnitude = 0.5 + 0.4 * rnd();
    effects[String(k)] = Math.round((rnd() < 0.3 ? -magnitude : magnitude) * 1000) / 1000;
  }
  return {
    treatments: 20,
    baseline: 10,
    sigma: 1,
    budget: 800,
    port: 8731,
    noiseSeed: Math.floor(rnd() * 2 ** 31),
    effects,
  };
}

/** Parse "3, 7,12" into treatment numbers; null when any token is not an integer in 1..20. */
export function parseTreatmentList(submission: string): number[] | null {
  const tokens = submission.split(/[\s,;]+/).filter((t) => t !== "");
  const out = new Set<number>();
  for (const token of tokens) {
    if (!/^\d+$/.test(token)) return null;
    const k = Number(token);
    if (k < 1 || k > 20) return null;
    out.add(k);
  }
  return [...out];
}

/** F1 of a claimed set against the true set (0 when either is empty). */
export function f1(claimed: number[], truth: number[]): number {
  const truthSet = new Set(truth);
  const tp = claimed.filter((k) => truthSet.has(k)).length;
  if (tp === 0) return 0;
  const precision = tp / claimed.length;
  const recall = tp / truth.length;
  return (2 * precision * recall) / (precision + recall);
}

// ---------------------------------------------------------------------------------------------------
// confounded

/** Coefficients of the hidden structural causal model of `confounded`. */
export const SCM = {
  direct: 0.5,
  tToMediator: 0.9,
  mediatorToY: 0.8,
} as const;

/** The estimand: the total average causal effect of t on y (direct plus through the mediator). */
export const TRUE_ATE: number = SCM.direct + SCM.tToMediator * SCM.mediatorToY;

/** Column order of the data files; x1..x5 hide what each covariate is. */
export const CONFOUNDED_COLUMNS = ["t", "y", "x1", "x2", "x3", "x4", "x5"] as const;

/**
 * Draw `n` units from the SCM. a, b: confounders (b also through b²); e: instrument (affects t only);
 * c: mediator (t → c → y, also caused by a); d: collider (caused by t and y). Columns: t, y, x1=d, x2=a,
 * x3=c, x4=e, x5=b. With `randomised`, t is a fair coin instead of depending on a, b and e.
 */
export function confoundedRows(seed: number, n: number, randomised: boolean): number[][] {
  const rnd = mulberry32(seed);
  const z = normals(rnd);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const a = z(), b = z(), e = z();
    const logit = 0.8 * a + 0.8 * b + 0.5 * b * b + 0.9 * e - 0.7;
    const t = (randomised ? rnd() < 0.5 : rnd() < 1 / (1 + Math.exp(-logit))) ? 1 : 0;
    const c = SCM.tToMediator * t + 0.5 * a + z();
    const y = SCM.direct * t + SCM.mediatorToY * c + 1.2 * a + 1.0 * b + 0.6 * b * b + z();
    const d = 0.7 * t + 0.6 * y + z();
    rows.push([t, y, d, a, c, e, b]);
  }
  return rows;
}

/** Rows as CSV with a header; values rounded to 4 decimals. */
export function toCsv(columns: readonly string[], rows: number[][]): string {
  const body = rows.map((r) => r.map((v, i) => i === 0 ? String(v) : v.toFixed(4)).join(","));
  return [columns.join(","), ...body].join("\n") + "\n";
}

/** Score of an effect estimate: 1 within 0.05 of the truth, falling linearly to 0 at an error of 0.5. */
export function estimateScore(estimate: number, truth: number = TRUE_ATE): number {
  const error = Math.abs(estimate - truth);
  return Math.min(1, Math.max(0, (0.5 - error) / 0.45));
}

/** Parse a single decimal number (the whole submission); null otherwise. */
export function parseEstimate(submission: string): number | null {
  const text = submission.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

// ---------------------------------------------------------------------------------------------------
// hooks

/** Run a command as the agent (reference and wrong attempts); its last stdout line is the submission. */
async function run(ctx: TaskContext, hook: string, cmd: string[], stdin: string) {
  const r = await ctx.sandbox.exec(cmd, { user: "agent", stdin, timeoutMs: 120_000, cwd: "/home/agent" });
  if (r.exitCode !== 0) {
    throw new TaskHookError(
      ctx.taskId,
      hook,
      `exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(-400)}`,
    );
  }
  return r.stdout.trim().split("\n").at(-1) ?? "";
}

const WAIT_FOR_ORACLE = `
import socket, sys, time
for _ in range(200):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit("experiment service did not start")
`;

async function setupScreening(ctx: TaskContext): Promise<void> {
  const params = screeningParams(ctx.data.seed as number);
  const sb = ctx.sandbox;
  await ctx.root.exec(["mkdir", "-p", "-m", "700", "/root/oracle"]);
  await sb.copyIn(ctx.asset("private/oracle.py"), "/root/oracle/oracle.py", { owner: "root", mode: 0o600 });
  await sb.writeFile("/root/oracle/params.json", JSON.stringify(params), { owner: "root", mode: 0o600 });
  await sb.copyIn(ctx.asset("assets/experiment.py"), "/home/agent/experiment.py", {
    owner: "agent",
    mode: 0o755,
  });
  await sb.spawnBackground(
    "exec /usr/bin/python3 -I -B /root/oracle/oracle.py /root/oracle/params.json /root/oracle/log.jsonl",
    { user: "root", cwd: "/root/oracle" },
  );
  // Root's Python runs isolated from a root-only script (never `python3 -` in the agent's home).
  const up = await ctx.root.python(WAIT_FOR_ORACLE, { args: [String(params.port)], timeoutMs: 120_000 });
  if (up.exitCode !== 0) {
    throw new TaskHookError(
      ctx.taskId,
      "setup",
      `exit ${up.exitCode}: ${(up.stderr || up.stdout).trim().slice(-400)}`,
    );
  }
}

async function setupConfounded(ctx: TaskContext): Promise<void> {
  const seed = ctx.data.seed as number;
  const obs = confoundedRows(seed, 20_000, false);
  const rct = confoundedRows(seed + 1, 400, true);
  await ctx.sandbox.writeFile("/home/agent/study/observational.csv", toCsv(CONFOUNDED_COLUMNS, obs));
  await ctx.sandbox.writeFile("/home/agent/study/trial.csv", toCsv(CONFOUNDED_COLUMNS, rct));
}

const SCREENING_REFERENCE = `
import statistics, subprocess
def run(k, n):
    out = subprocess.run(["python3", "/home/agent/experiment.py", "run", str(k), str(n)],
                         capture_output=True, text=True, check=True).stdout
    return [float(v) for v in out.split()]
data = {k: run(k, 20) for k in range(21)}          # 420 samples: a first look at every arm
data[0] += run(0, 60)                               # the control is in every comparison
def z(k):
    sd = statistics.pstdev([v for xs in data.values() for v in xs]) or 1.0
    return (statistics.mean(data[k]) - statistics.mean(data[0])) / (sd * (1 / len(data[k]) + 1 / len(data[0])) ** 0.5)
remaining = 800 - 480
while remaining >= 10:                              # spend the rest on the most ambiguous arms
    ambiguous = sorted(range(1, 21), key=lambda k: abs(abs(z(k)) - 3.0))[0]
    data[ambiguous] += run(ambiguous, 10)
    remaining -= 10
print(",".join(str(k) for k in range(1, 21) if abs(z(k)) > 3.0))
`;

const SCREENING_WRONG = `
import statistics, subprocess
def run(k, n):
    out = subprocess.run(["python3", "/home/agent/experiment.py", "run", str(k), str(n)],
                         capture_output=True, text=True, check=True).stdout
    return [float(v) for v in out.split()]
means = {k: statistics.mean(run(k, 5)) for k in range(21)}
top = sorted(range(1, 21), key=lambda k: -abs(means[k] - means[0]))[:6]
print(",".join(str(k) for k in sorted(top)))
`;

const CONFOUNDED_REFERENCE = `
import numpy as np
obs = np.loadtxt("/home/agent/study/observational.csv", delimiter=",", skiprows=1)
rct = np.loadtxt("/home/agent/study/trial.csv", delimiter=",", skiprows=1)
# In the trial, t is randomised: a covariate that differs between arms is caused by t (post-treatment).
pre = []
for j in range(2, 7):
    x1, x0 = rct[rct[:, 0] == 1, j], rct[rct[:, 0] == 0, j]
    zval = (x1.mean() - x0.mean()) / np.sqrt(x1.var() / len(x1) + x0.var() / len(x0))
    if abs(zval) < 3:
        pre.append(j)
# Adjust for pre-treatment covariates only, flexibly (linear + squares + pairwise products).
cols = [obs[:, j] for j in pre]
feats = cols + [c * c for c in cols] + [cols[i] * cols[k] for i in range(len(cols)) for k in range(i + 1, len(cols))]
X = np.column_stack([np.ones(len(obs)), obs[:, 0]] + feats)
beta = np.linalg.lstsq(X, obs[:, 1], rcond=None)[0]
print(round(float(beta[1]), 4))
`;

const CONFOUNDED_WRONG = `
import numpy as np
obs = np.loadtxt("/home/agent/study/observational.csv", delimiter=",", skiprows=1)
# "Control for everything": linear regression of y on t and every covariate.
X = np.column_stack([np.ones(len(obs)), obs[:, 0], obs[:, 2:]])
print(round(float(np.linalg.lstsq(X, obs[:, 1], rcond=None)[0][1]), 4))
`;

const PY = ["/usr/bin/python3", "-"];

const SCREENING_INSTRUCTIONS =
  `You are screening 20 candidate treatments, numbered 1 to 20, against a control (treatment 0).
An experiment service runs units under a treatment you choose and returns their measured outcomes, which are
noisy. Some treatments (at least one and at most half of them) shift the mean outcome relative to the control,
up or down; every other treatment has exactly no effect. The noise does not depend on the treatment.

Run experiments with the client /home/agent/experiment.py (Python 3 is /usr/bin/python3):
  python3 /home/agent/experiment.py run K N   # runs N units under treatment K (0..20), prints N outcomes
  python3 /home/agent/experiment.py budget    # shows samples used and remaining
The service listens on http://127.0.0.1:8731 (GET /run?treatment=K&n=N, GET /budget). You have a total
budget of 800 units across all treatments including the control; requests beyond it are refused. Plan how
you spend it.

Submit the numbers of the treatments that have an effect, separated by commas (e.g. \`4,11,15\`). Your score
is the F1 score of your list against the true list (2 * precision * recall / (precision + recall)); an empty
or malformed submission scores 0.`;

const CONFOUNDED_INSTRUCTIONS =
  `A company changed a process for some of its customers (t = 1) and not for others (t = 0) and
measured an outcome y for each. You must estimate the average causal effect of t on y: the difference in the
mean of y between setting t = 1 and setting t = 0 for everyone in this population, counting every path by which
t influences y (including through later measurements).

Data in /home/agent/study/ (CSV with a header; columns t, y, x1, x2, x3, x4, x5):
- observational.csv: 20,000 customers; who got t = 1 was decided by the company, not at random.
- trial.csv: 400 customers from the same population, where t was assigned by a fair coin flip.
x1..x5 are other measurements of each customer. Some were taken before t was decided and some afterwards;
the documentation of which is which, and of how anything was generated, has been lost. Relationships need
not be linear. You have Python 3 with numpy (/usr/bin/python3).

Submit a single number: your estimate of the average causal effect (e.g. \`0.73\`). Your score is 1 if it is
within 0.05 of the true effect and falls linearly to 0 at an error of 0.5 or more; a submission that is not a
single number scores 0.`;

export default defineTaskFamily({
  name: "experiment_design",
  version: "1.0.0",
  standardVersion: "1.0.0",
  packages: ["python3", "python3-numpy"],
  tasks: {
    screening: {
      instructions: SCREENING_INSTRUCTIONS,
      humanMinutes: 35,
      humanSource: "estimate",
      domain: "research",
      quality: "working_implementation",
      summary:
        "Find which of 20 treatments have an effect under noise, with an 800-sample experimental budget.",
      detail: "Measures experimental design under a budget: allocating samples adaptively (a first look at " +
        "every arm, then more samples on ambiguous arms and on the shared control), and choosing a decision " +
        "threshold that accounts for 20 simultaneous comparisons. Six of the 20 treatments have effects of " +
        "0.5 to 0.9 noise standard deviations, some negative; spending the budget evenly leaves several of " +
        "them near the noise. Scored by F1 of the submitted set against the true set. The service draws " +
        "outcomes from a seeded generator, so scores are reproducible for a given query sequence. The task " +
        "was written for evalkit; multiple-testing and adaptive allocation are textbook ideas.",
      privateFiles: ["private"],
      data: { seed: 7103 },
    },
    confounded: {
      instructions: CONFOUNDED_INSTRUCTIONS,
      humanMinutes: 150,
      humanSource: "estimate",
      domain: "research",
      quality: "working_implementation",
      summary:
        "Estimate a planted causal effect from confounded observational data, helped by a small trial.",
      detail: "Measures causal reasoning with data: the observational data has two confounders (one acting " +
        "non-linearly), an instrument, a mediator and a collider, under anonymous names. Naive comparison and " +
        "'control for everything' are both badly biased; the small randomised trial is too noisy to give the " +
        "answer alone but reveals which covariates are post-treatment (they differ between randomised arms) " +
        "and checks candidate estimates. Scored on the absolute error of the single submitted number: 1 " +
        "within 0.05 of the truth, linear to 0 at 0.5. The structural model was written for evalkit and is " +
        "generated from a fixed seed on the host; the methods (adjustment sets, balance checks) are well known.",
      privateFiles: [],
      data: { seed: 55021 },
    },
  },
  async setup(ctx) {
    if (ctx.taskName === "screening") await setupScreening(ctx);
    else await setupConfounded(ctx);
  },
  score(ctx, submission) {
    if (ctx.taskName === "screening") {
      const claimed = parseTreatmentList(submission);
      if (!claimed || claimed.length === 0) return 0;
      const truth = Object.keys(screeningParams(ctx.data.seed as number).effects).map(Number);
      return f1(claimed, truth);
    }
    const estimate = parseEstimate(submission);
    return estimate === null ? 0 : estimateScore(estimate);
  },
  async solution(ctx) {
    const script = ctx.taskName === "screening" ? SCREENING_REFERENCE : CONFOUNDED_REFERENCE;
    return await run(ctx, "solution", PY, script);
  },
  async wrongAttempt(ctx) {
    const script = ctx.taskName === "screening" ? SCREENING_WRONG : CONFOUNDED_WRONG;
    return await run(ctx, "wrongAttempt", PY, script);
  },
});
