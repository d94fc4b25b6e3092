/**
 * mystery_function: characterise a function that only a root-owned HTTP oracle on 127.0.0.1 can compute,
 * then predict its value on inputs the oracle will not answer (out of range, over budget, or too long a
 * history). The oracle's code and parameters live in root-only /root.
 *
 * @module
 */
import { defineTaskFamily, type TaskContext } from "../../lib/task/define.ts";
import { mulberry32 } from "../_shared/random.ts";
import { waitForPort } from "../_shared/wait_for_port.ts";

/** Oracle configuration (written to /root/oracle.json). */
export interface OracleConfig {
  mode: "affine" | "piecewise" | "stateful";
  port: number;
  domain: [number, number];
  budget?: number;
  per_reset?: number;
  [param: string]: unknown;
}

interface MfData {
  seed: number;
  oracle: OracleConfig;
}
const mfData = (ctx: TaskContext) => ctx.data as unknown as MfData;

/** The piecewise function, computed exactly as the oracle does. */
export function piecewise(c: Record<string, number>, x: number): number {
  if (x < c.b1) return c.m1 * x + c.c1;
  if (x < c.b2) return c.q2 * x * x + c.m2 * x + c.c2;
  return c.m3 * x + c.c3;
}

/** The stateful function's outputs for one input sequence started from a fresh reset. */
export function statefulRun(c: Record<string, number>, xs: number[]): number[] {
  let acc = 7;
  return xs.map((x, i) => {
    if (x % 3 === 0) acc = (acc + x * c.k) % 1000;
    else if (x % 3 === 1) acc = (acc * 2 + 1) % 1000;
    else acc = (acc ^ x) % 1000;
    return (acc + c.step * (i + 1)) % 1000;
  });
}

/** The hidden test inputs of a task (also shown to the agent), drawn from its seed. */
export function testInputs(d: MfData): number[] | number[][] {
  const rnd = mulberry32(d.seed);
  const c = d.oracle as unknown as Record<string, number>;
  if (d.oracle.mode === "affine") {
    return Array.from({ length: 20 }, () => Math.floor(rnd() * 2_000_001) - 1_000_000);
  }
  if (d.oracle.mode === "piecewise") {
    const xs: number[] = [];
    for (let i = 0; i < 60; i++) xs.push(Math.round((rnd() * 40 - 20) * 1000) / 1000);
    for (let i = 0; i < 20; i++) {
      const b = i % 2 === 0 ? c.b1 : c.b2;
      const off = (0.02 + rnd() * 0.28) * (rnd() < 0.5 ? -1 : 1);
      xs.push(Math.round((b + off) * 1000) / 1000);
    }
    return xs;
  }
  return Array.from({ length: 5 }, () => Array.from({ length: 40 }, () => Math.floor(rnd() * 1000)));
}

/** Expected outputs for the test inputs. */
export function expectedOutputs(d: MfData): number[] {
  const c = d.oracle as unknown as Record<string, number>;
  const xs = testInputs(d);
  if (d.oracle.mode === "affine") return (xs as number[]).map((x) => c.a * x + c.b);
  if (d.oracle.mode === "piecewise") return (xs as number[]).map((x) => piecewise(c, x));
  return (xs as number[][]).flatMap((seq) => statefulRun(c, seq));
}

/** Fraction of predictions within tolerance (relative 1e-6, absolute near 0). Bad JSON scores 0. */
export function scorePredictions(expected: number[], submission: string, nested: boolean): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(submission);
  } catch {
    return 0;
  }
  if (!Array.isArray(parsed)) return 0;
  const flat: unknown[] = nested ? parsed.flatMap((s) => (Array.isArray(s) ? s : [])) : parsed;
  let ok = 0;
  expected.forEach((want, i) => {
    const got = Number(flat[i]);
    if (
      flat[i] !== null && flat[i] !== "" && Number.isFinite(got) &&
      Math.abs(got - want) <= 1e-6 * Math.max(1, Math.abs(want))
    ) ok++;
  });
  return ok / expected.length;
}

const COMMON =
  "A root-owned service on this machine computes a secret function f. You cannot read its code, " +
  "only query it over HTTP on 127.0.0.1 (the port is in /home/agent/oracle_port): " +
  'GET /query?x=VALUE returns JSON {"x": ..., "y": f(x)}, GET /status shows how many queries you have used. ' +
  "The helper `/usr/bin/python3 /home/agent/ask.py VALUE` does the same from the shell. There is no network " +
  "access beyond this machine.";

const INSTR = {
  affine: COMMON + " The oracle only accepts integers x in [-10, 10]. /home/agent/inputs.json holds a JSON " +
    "list of 20 integers far outside that range. Submit a JSON list of the 20 values f(x) for those inputs, " +
    "in the same order. Your score is the fraction of values that are exactly right.",
  piecewise: COMMON + " f is defined for real x; the oracle accepts any real x in [-20, 20] but answers at " +
    "most 40 queries in total (later queries are refused). /home/agent/inputs.json holds a JSON list of 80 " +
    "real inputs in [-20, 20]. Submit a JSON list of the 80 values f(x) for those inputs, in the same " +
    "order. A value counts as right when it is within a relative error of 1e-6 (absolute 1e-6 near 0). " +
    "Your score is the fraction of values that are right.",
  stateful: COMMON + " The oracle accepts integers x in [0, 999]. Its answers depend on the previous " +
    "queries: GET /reset (or `ask.py reset`) returns it to its initial state, and at most 8 queries are " +
    "answered between two resets (resets are unlimited). /home/agent/inputs.json holds a JSON list of 5 " +
    "sequences of 40 integers each. For each sequence, give the 40 answers the oracle would return if the " +
    "sequence were queried in order right after a reset. Submit a JSON list of 5 lists of 40 integers. " +
    "Your score is the fraction of the 200 answers that are exactly right.",
};

async function agentPython(ctx: TaskContext, script: string): Promise<string> {
  const r = await ctx.sandbox.exec(["/usr/bin/python3", "-"], {
    user: "agent",
    stdin: script,
    timeoutMs: 60_000,
  });
  if (r.exitCode !== 0) throw new Error(`${ctx.taskId}: agent script failed: ${r.stderr}`);
  return r.stdout.trim();
}

const PY_ASK = String.raw`
import json, urllib.request, urllib.error
PORT = int(open("/home/agent/oracle_port").read())
def get(path):
    try:
        return json.loads(urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=10).read())
    except urllib.error.HTTPError as e:
        return json.loads(e.read())
def f(x): return get(f"/query?x={x}")["y"]
xs = json.load(open("/home/agent/inputs.json"))
`;

const SOLUTIONS: Record<string, string> = {
  affine: PY_ASK + String.raw`
b = f(0); a = f(1) - b
print(json.dumps([a * x + b for x in xs]))
`,
  // Grid of 21 points, find the pieces by second differences, fit each, bisect both breakpoints.
  piecewise: PY_ASK + String.raw`
grid = list(range(-20, 21, 2))
ys = {x: f(x) for x in grid}
def fit(pts):
    (x0, y0), (x1, y1), (x2, y2) = pts
    # quadratic through three points (Lagrange), returned as coefficients q, m, c
    d0 = (x0 - x1) * (x0 - x2); d1 = (x1 - x0) * (x1 - x2); d2 = (x2 - x0) * (x2 - x1)
    q = y0 / d0 + y1 / d1 + y2 / d2
    m = -(y0 * (x1 + x2) / d0 + y1 * (x0 + x2) / d1 + y2 * (x0 + x1) / d2)
    c = y0 * x1 * x2 / d0 + y1 * x0 * x2 / d1 + y2 * x0 * x1 / d2
    return (q, m, c)
ev = lambda p, x: p[0] * x * x + p[1] * x + p[2]
close = lambda u, v: abs(u - v) <= 1e-7 * max(1, abs(v))
# grow segments greedily: a point joins the current segment when the segment's fit predicts it
segs = []; cur = [grid[0], grid[1], grid[2]]
i = 3
while i < len(grid):
    p = fit([(x, ys[x]) for x in cur[-3:]])
    if close(ev(p, grid[i]), ys[grid[i]]):
        cur.append(grid[i]); i += 1
    else:
        segs.append(cur); cur = grid[i:i + 3]; i += 3
        # make sure the new segment's first points are consistent (a break could sit inside them)
segs.append(cur)
fits = [fit([(x, ys[x]) for x in s[:3]]) for s in segs]
breaks = []
for k in range(len(segs) - 1):
    lo, hi = segs[k][-1], segs[k + 1][0]
    for _ in range(9):
        mid = (lo + hi) / 2
        if close(ev(fits[k], mid), f(mid)): lo = mid
        else: hi = mid
    breaks.append(hi)
def g(x):
    k = sum(1 for b in breaks if x >= b)
    return ev(fits[k], x)
print(json.dumps([g(x) for x in xs]))
`,
  stateful: PY_ASK + String.raw`
def model(seq, k=7, step=3):
    acc, out = 7, []
    for t, x in enumerate(seq, 1):
        if x % 3 == 0: acc = (acc + x * k) % 1000
        elif x % 3 == 1: acc = (acc * 2 + 1) % 1000
        else: acc = (acc ^ x) % 1000
        out.append((acc + step * t) % 1000)
    return out
# check the model against the oracle on the first 8 steps of each sequence
for seq in xs:
    get("/reset")
    assert [f(x) for x in seq[:8]] == model(seq)[:8]
print(json.dumps([model(seq) for seq in xs]))
`,
};

const WRONG: Record<string, string> = {
  // Off by one: reads the slope from f(2) - f(1) but takes f(1) as the intercept.
  affine: PY_ASK + String.raw`
a = f(2) - f(1); b = f(1)
print(json.dumps([a * x + b for x in xs]))
`,
  // Probes integers only and puts each break halfway between the last and first integer of two pieces.
  piecewise: PY_ASK + String.raw`
grid = list(range(-20, 21))[:40]
ys = {x: f(x) for x in grid}
def lin(x0, x1): a = (ys[x1] - ys[x0]) / (x1 - x0); return lambda x: ys[x0] + a * (x - x0)
left = lin(-20, -19); right = lin(18, 19)
def quad(x0):
    x1, x2 = x0 + 1, x0 + 2
    y0, y1, y2 = ys[x0], ys[x1], ys[x2]
    q = (y2 - 2 * y1 + y0) / 2; m = y1 - y0 - q * (2 * x0 + 1); c = y0 - q * x0 * x0 - m * x0
    return lambda x: q * x * x + m * x + c
mid = quad(-2)
b1 = next(x for x in grid if abs(left(x) - ys[x]) > 1e-6) - 0.5
b2 = next(x for x in grid if x > b1 and abs(mid(x) - ys[x]) > 1e-6) - 0.5
print(json.dumps([left(x) if x < b1 else mid(x) if x < b2 else right(x) for x in xs]))
`,
  // Models the x % 3 == 1 branch as doubling (misses the +1) and forgets the step term.
  stateful: PY_ASK + String.raw`
def model(seq):
    acc, out = 7, []
    for t, x in enumerate(seq, 1):
        if x % 3 == 0: acc = (acc + x * 7) % 1000
        elif x % 3 == 1: acc = (acc * 2 + 1) % 1000
        else: acc = (acc ^ x) % 1000
        out.append((acc + 3 * t) % 1000 if t <= 8 else acc)
    return out
print(json.dumps([model(seq) for seq in xs]))
`,
};

export default defineTaskFamily({
  name: "mystery_function",
  version: "1.0.0",
  standardVersion: "1.0.0",
  packages: ["python3"],
  tasks: {
    affine: {
      instructions: INSTR.affine,
      humanMinutes: 3,
      humanSource: "estimate",
      domain: "research",
      quality: "working_implementation",
      summary: "Query a black-box integer function on a small range, recognise it is affine, extrapolate.",
      detail: "Measures the basic experiment loop: query, form a hypothesis (f(x) = a x + b), check it, " +
        "extrapolate to inputs the oracle refuses. The slope is negative and large, so guessing fails. " +
        "Scored as the fraction of 20 far-away inputs predicted exactly. The oracle is a root-owned HTTP " +
        "service whose code and parameters are in /root. Parameters are fixed per task, not public.",
      privateFiles: ["private"],
      data: {
        seed: 5501,
        oracle: { mode: "affine", port: 8301, domain: [-10, 10], a: -173, b: 40961 },
      },
    },
    piecewise: {
      instructions: INSTR.piecewise,
      humanMinutes: 12,
      successThreshold: 0.95, // the wrong attempt (one piece misidentified) scores 0.91
      humanSource: "estimate",
      domain: "research",
      quality: "working_implementation",
      summary:
        "Identify a discontinuous piecewise function (linear, quadratic, linear) under a 40-query budget.",
      detail: "Measures experiment design under a budget: 80 inputs but only 40 queries, so the agent must " +
        "model the function rather than look answers up. The pieces join at two non-integer breakpoints " +
        "(jump discontinuities), and a quarter of the test inputs lie within 0.3 of a breakpoint, so the " +
        "breakpoints must be located by bisection, not just bracketed between integers. Scored as the " +
        "fraction of predictions within 1e-6 relative error. Parameters are fixed per task, not public.",
      privateFiles: ["private"],
      data: {
        seed: 5502,
        oracle: {
          mode: "piecewise",
          port: 8302,
          domain: [-20, 20],
          budget: 40,
          b1: -6.35,
          b2: 3.7,
          m1: 2.5,
          c1: 4,
          q2: 0.5,
          m2: -1,
          c2: 1,
          m3: -1.5,
          c3: 11.3,
        },
      },
    },
    stateful: {
      instructions: INSTR.stateful,
      humanMinutes: 40,
      humanSource: "estimate",
      domain: "research",
      quality: "working_implementation",
      summary: "Reverse-engineer a black box with hidden state (a mod-1000 accumulator with three rules).",
      detail: "Measures hypothesis testing with hidden state: the answer depends on an accumulator updated " +
        "by one of three rules chosen by x mod 3 (add 7x, double plus one, xor with x) plus a term that " +
        "grows with the step index, all mod 1000. Only 8 queries are answered per reset, so the 40-step " +
        "test sequences cannot be replayed and the rules must be inferred by designed experiments " +
        "(repeated inputs, resets, varying one thing at a time). Scored as the fraction of the 200 " +
        "predicted answers that are exact; an early mistake propagates, which rewards a fully right model. " +
        "The function is new.",
      privateFiles: ["private"],
      data: {
        seed: 5503,
        oracle: { mode: "stateful", port: 8303, domain: [0, 999], per_reset: 8, k: 7, step: 3 },
      },
    },
  },

  async setup(ctx) {
    const d = mfData(ctx);
    await ctx.sandbox.copyIn(ctx.asset("private/oracle.py"), "/root/oracle.py", {
      owner: "root",
      mode: 0o600,
    });
    await ctx.sandbox.writeFile("/root/oracle.json", JSON.stringify(d.oracle), {
      owner: "root",
      mode: 0o600,
    });
    await ctx.sandbox.copyIn(ctx.asset("assets/ask.py"), "/home/agent/ask.py", { owner: "agent" });
    await ctx.sandbox.writeFile("/home/agent/oracle_port", String(d.oracle.port));
    await ctx.sandbox.writeFile("/home/agent/inputs.json", JSON.stringify(testInputs(d)));
    await ctx.sandbox.spawnBackground("exec /usr/bin/python3 -I -B /root/oracle.py /root/oracle.json", {
      user: "root",
      cwd: "/root",
    });
    const up = await waitForPort(ctx.sandbox, d.oracle.port, "oracle");
    if (up.exitCode !== 0) throw new Error(`${ctx.taskId}: oracle service did not start: ${up.stderr}`);
  },

  score(ctx, submission) {
    const d = mfData(ctx);
    return scorePredictions(expectedOutputs(d), submission, d.oracle.mode === "stateful");
  },

  solution: (ctx) => agentPython(ctx, SOLUTIONS[mfData(ctx).oracle.mode]),
  wrongAttempt: (ctx) => agentPython(ctx, WRONG[mfData(ctx).oracle.mode]),
});
