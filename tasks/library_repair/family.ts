/**
 * library_repair: a small Python library with planted bugs and a few visible unit tests. Hidden tests run
 * at scoring; the score is the fraction of the hidden tests that the planted bugs break and that the
 * agent's library now passes (minus regressions), so an untouched library scores 0 and a full repair 1.
 *
 * The buggy library is generated at setup from the reference by applying each planted bug (an exact
 * text replacement), so the reference and the bugs cannot drift apart.
 *
 * Integrity: the reference and planted-bug observations are made by root through `ctx.root.python`
 * (`python3 -I -B`, cwd root-only), so a `json.py` or `sitecustomize.py` the agent plants in `/tmp`, its
 * home or its library directory is never imported by root (before, root ran `python3 -` in `/tmp` and
 * imported it: a planted module could leak the reference observations to the agent's own run, which then
 * replayed them for a score of 1 without any fix). The agent's library is exercised as the agent, also
 * isolated; what it reports can only match the reference by computing the same values.
 *
 * @module
 */
import { defineTaskFamily, type TaskContext } from "../../lib/task/define.ts";
import { type Bug, plantBugs } from "../_shared/plant_bugs.ts";

/**
 * Score from observation maps of the reference, the planted-bug version and the agent's version:
 * (tests passing now - tests the buggy version passes) / (tests - tests the buggy version passes), at least 0.
 */
export function repairScore(
  reference: Record<string, unknown>,
  buggy: Record<string, unknown>,
  agent: Record<string, unknown>,
): number {
  const names = Object.keys(reference);
  const same = (m: Record<string, unknown>, k: string) =>
    JSON.stringify(m[k]) === JSON.stringify(reference[k]);
  const base = names.filter((k) => same(buggy, k)).length;
  const now = names.filter((k) => same(agent, k)).length;
  if (names.length === base) throw new Error("library_repair: the planted bugs break no hidden test");
  return Math.max(0, (now - base) / (names.length - base));
}

interface LrData {
  module: string;
  bugs: Bug[];
  /** Bugs a weak attempt fixes (those the visible tests reveal); the rest stay. */
  weakFixes: string[];
}
const lrData = (ctx: TaskContext) => ctx.data as unknown as LrData;
const dir = (ctx: TaskContext) => `/home/agent/${ctx.taskName}`;

const BUGS: Record<string, Bug[]> = {
  interval_set: [
    { id: "touching", fixed: "self._iv[i][1] < start:", buggy: "self._iv[i][1] <= start:" },
    { id: "touching2", fixed: "self._iv[i][0] <= end:", buggy: "self._iv[i][0] < end:" },
    { id: "remove_end", fixed: "out.append([end, b])", buggy: "out.append([end + 1, b])" },
    { id: "contains_end", fixed: "elif x >= b:", buggy: "elif x > b:" },
    { id: "len", fixed: "sum(b - a for a, b in self._iv)", buggy: "sum(b - a + 1 for a, b in self._iv)" },
    { id: "intersect", fixed: "if x[i][1] < y[j][1]:", buggy: "if x[i][0] < y[j][0]:" },
  ],
  date_arith: [
    {
      id: "leap400",
      fixed: "return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)",
      buggy: "return year % 4 == 0 and year % 100 != 0",
    },
    {
      id: "month_walk",
      fixed: "while rest >= days_in_month(y, m):",
      buggy: "while rest > days_in_month(y, m):",
    },
    {
      id: "add_months",
      fixed:
        "idx = y * 12 + (m - 1) + k\n    ny, nm = idx // 12, idx % 12 + 1\n    return (ny, nm, min(d, days_in_month(ny, nm)))",
      buggy: "nm = m + k\n    ny = y + (nm - 1) // 12\n    nm = nm % 12\n    return (ny, nm, d)",
    },
    { id: "weekday", fixed: "return (to_ordinal(*date) - 1) % 7", buggy: "return to_ordinal(*date) % 7" },
    { id: "business_end", fixed: "for n in range(a, b):", buggy: "for n in range(a, b + 1):" },
    { id: "iso_prev_year", fixed: "    elif n < week1_monday(y):\n        y -= 1\n", buggy: "" },
  ],
  lru_ttl_cache: [
    {
      id: "deadline",
      fixed: "return expires_at is not None and now >= expires_at",
      buggy: "return expires_at is not None and now > expires_at",
    },
    {
      id: "recency",
      fixed: '        self._data.move_to_end(key)\n        self._stats["hits"] += 1',
      buggy: '        self._stats["hits"] += 1',
    },
    {
      id: "expiration_stat",
      fixed:
        '            del self._data[key]\n            self._stats["expirations"] += 1\n            item = None',
      buggy: "            del self._data[key]\n            item = None",
    },
    {
      id: "ttl_restart",
      fixed:
        "                self._data[key] = (value, expires_at)\n                self._data.move_to_end(key)",
      buggy: "                self._data[key] = (value, self._data[key][1])",
    },
    {
      id: "purge_first",
      fixed: "            if len(self._data) >= self.capacity:\n                for k in",
      buggy: "            if False:\n                for k in",
    },
    {
      id: "len_live",
      fixed: "            return sum(1 for _, e in self._data.values() if not self._expired(e, now))",
      buggy: "            return len(self._data)",
    },
    {
      id: "single_flight",
      fixed: "            flight = self._flights.get(key)\n            leader = flight is None\n",
      buggy:
        "            flight = None\n            leader = True\n            self._flights.pop(key, None)\n",
    },
  ],
};

const RUN_TESTS = (task: string) =>
  `cd /home/agent/${task} && /usr/bin/python3 -m unittest discover -s tests -v`;

const INSTR: Record<string, (m: string) => string> = {
  interval_set: (m) =>
    `/home/agent/interval_set/${m}.py is a small Python library for sets of integers stored as sorted, ` +
    `disjoint half-open intervals [start, end). Its docstrings describe the intended behaviour: touching ` +
    `intervals such as [1,3) and [3,5) are merged, end points are exclusive, len() counts the integers ` +
    `covered. The library has several bugs. Fix them in place (keep the file name and public API). Visible ` +
    `tests: \`${RUN_TESTS("interval_set")}\`; they do not cover every bug. Your score is computed with ` +
    `hidden tests of the documented behaviour: the fraction of the hidden tests broken by the bugs that pass ` +
    `after your fix (breaking tests that used to pass lowers it). Submit an empty string or a short ` +
    `summary of your fixes; only the library file is scored. Python is /usr/bin/python3; no network access.`,
  date_arith: (m) =>
    `/home/agent/date_arith/${m}.py implements proleptic Gregorian calendar arithmetic on (year, month, ` +
    `day) tuples without the datetime module: leap years, ordinals (0001-01-01 is day 1), adding days and ` +
    `months (a day past the end of the target month is clamped to its last day), weekday (0 = Monday), ` +
    `business days in [start, end) and ISO-8601 week numbers. It has several bugs; results must agree ` +
    `with Python's datetime module wherever both apply. Fix them in place (keep the file name and public ` +
    `API). Visible tests: \`${RUN_TESTS("date_arith")}\`; they do not cover every bug. Your score is ` +
    `computed with hidden tests: the fraction of the hidden tests broken by the bugs that pass after your ` +
    `fix (breaking tests that used to pass lowers it). Submit an empty string or a short summary; only the ` +
    `library file is scored. Python is /usr/bin/python3; no network access.`,
  lru_ttl_cache: (m) =>
    `/home/agent/lru_ttl_cache/${m}.py is a thread-safe LRU cache with per-entry time-to-live, statistics ` +
    `and single-flight computation (get_or_compute). The module docstring is the specification. The ` +
    `implementation has several bugs, some of which only show up with expiry edge cases or concurrent ` +
    `callers. Fix them in place (keep the file name and public API). Visible tests: ` +
    `\`${RUN_TESTS("lru_ttl_cache")}\`; they do not cover every bug. Your score is computed with hidden ` +
    `tests of the specification (they use an injected clock where timing matters and real threads for ` +
    `concurrency): the fraction of the hidden tests broken by the bugs that pass after your fix ` +
    `(breaking tests that used to pass lowers it). ` +
    `Submit an empty string or a short summary; only the library file is scored. Python is ` +
    `/usr/bin/python3; no network access.`,
};

/** The line the harness prints before its JSON observations. */
const RESULTS_MARK = "@@RESULTS@@";

/** The last observation line of a harness run; `{}` when there is none or it is not JSON. */
export function parseObservations(stdout: string): Record<string, unknown> {
  const line = stdout.split("\n").findLast((l) => l.startsWith(RESULTS_MARK));
  if (!line) return {};
  try {
    const parsed = JSON.parse(line.slice(RESULTS_MARK.length));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : {};
  } catch {
    return {};
  }
}

/**
 * Run the hidden tests against a library directory; returns the observation map. Root's runs (the
 * root-only reference and planted-bug copies) go through `ctx.root.python`; the agent's library runs as
 * the agent with `python3 -I -B`, so only the library directory itself is added to `sys.path`.
 */
async function observe(
  ctx: TaskContext,
  libDir: string,
  user: "root" | "agent",
): Promise<Record<string, unknown>> {
  const tests = await Deno.readTextFile(ctx.asset(`${ctx.taskName}/hidden/tests.py`));
  const harness = await Deno.readTextFile(ctx.asset("harness.py"));
  const program = `LIBDIR = ${JSON.stringify(libDir)}\nTESTS = ${JSON.stringify(tests)}\n${harness}`;
  const r = user === "root"
    ? await ctx.root.python(program, { timeoutMs: 240_000 })
    : await ctx.sandbox.exec(["/usr/bin/python3", "-I", "-B", "-"], {
      user: "agent",
      cwd: libDir,
      stdin: program,
      timeoutMs: 240_000,
    });
  return parseObservations(r.stdout);
}

async function writeLibrary(ctx: TaskContext, source: string): Promise<void> {
  const r = await ctx.sandbox.exec(["bash", "-c", `cat > ${dir(ctx)}/${lrData(ctx).module}.py`], {
    user: "agent",
    stdin: source,
  });
  if (r.exitCode !== 0) throw new Error(`${ctx.taskId}: could not write the library: ${r.stderr}`);
}

const task = (
  name: string,
  module: string,
  minutes: number,
  summary: string,
  detail: string,
  weakFixes: string[],
) => ({
  instructions: INSTR[name](module),
  humanMinutes: minutes,
  humanSource: "estimate" as const,
  domain: "software_engineering" as const,
  quality: "working_implementation" as const,
  summary,
  detail,
  privateFiles: [`${name}/solution`, `${name}/hidden`],
  data: { module, bugs: BUGS[name], weakFixes },
});

export default defineTaskFamily({
  name: "library_repair",
  version: "1.0.0",
  standardVersion: "1.0.0",
  packages: ["python3"],
  tasks: {
    interval_set: task(
      "interval_set",
      "intervals",
      30,
      "Find and fix five planted bugs in a Python integer interval-set library; visible tests catch only two.",
      "Measures debugging beyond the given tests: the visible tests reveal the off-by-one in remove() and " +
        "len(), while merging of touching intervals, exclusive end points in membership, and an " +
        "intersection sweep that advances the wrong cursor only show up against the documented behaviour. " +
        "Scored by 15 hidden tests (including a randomised comparison with a set model): the fraction of " +
        "the tests broken by the bugs that pass after the fix, net of regressions. The library was written " +
        "for this task; interval sets are a common exercise, so the general algorithm is well known.",
      ["remove_end", "len"],
    ),
    date_arith: task(
      "date_arith",
      "dates",
      40,
      "Fix six planted bugs in a from-scratch Gregorian calendar library (leap rule, month walk, ISO weeks...).",
      "Measures careful reasoning about calendar edge cases: the 400-year leap rule, a month walk that " +
        "returns day 32 (which still round-trips through to_ordinal, so the visible round-trip test " +
        "passes), add_months wrapping at December and clamping to month ends, weekday offset, an inclusive " +
        "end in business-day counting, and ISO weeks of early-January days belonging to the previous ISO " +
        "year. Python's datetime is available as an oracle, which rewards testing against it. Scored by 14 " +
        "hidden tests (one sweeps 37 years against datetime): fraction of bug-broken tests passing, net of " +
        "regressions. The code was written for this task.",
      ["weekday", "business_end"],
    ),
    lru_ttl_cache: task(
      "lru_ttl_cache",
      "cache",
      100,
      "Fix seven planted bugs in a thread-safe LRU+TTL cache, including expiry edge cases and single-flight concurrency.",
      "Measures debugging against a written specification with concurrency: the visible tests only reveal " +
        "that get() does not refresh recency. The rest need reading the spec closely and writing tests: " +
        "an entry must expire exactly at its deadline, re-putting a key restarts its TTL, expired entries " +
        "are purged before a live entry is evicted, len() counts live entries only, expirations are " +
        "counted, and get_or_compute must call the function once for concurrent callers of the same key " +
        "(a condition-variable or event based single-flight), with errors reaching every waiter and not " +
        "being cached. Scored by 14 hidden tests (injected clock; real threads for concurrency): " +
        "fraction of bug-broken tests passing, net of regressions. The code was written for this task.",
      ["recency", "deadline"],
    ),
  },

  async setup(ctx) {
    const d = lrData(ctx);
    const reference = await Deno.readTextFile(ctx.asset(`${ctx.taskName}/solution/${d.module}.py`));
    await ctx.sandbox.writeFile(`${dir(ctx)}/${d.module}.py`, plantBugs(reference, d.bugs));
    await ctx.sandbox.copyIn(ctx.asset(`${ctx.taskName}/visible`), `${dir(ctx)}/tests`, { owner: "agent" });
    // Root-only copies for scoring: the reference and the planted-bug version.
    await ctx.sandbox.writeFile(`/root/score/ref/${d.module}.py`, reference, { owner: "root", mode: 0o600 });
    await ctx.sandbox.writeFile(`/root/score/buggy/${d.module}.py`, plantBugs(reference, d.bugs), {
      owner: "root",
      mode: 0o600,
    });
  },

  async score(ctx) {
    const reference = await observe(ctx, "/root/score/ref", "root");
    const buggy = await observe(ctx, "/root/score/buggy", "root");
    if (Object.keys(reference).length === 0 || "__import__" in reference) {
      throw new Error(`${ctx.taskId}: hidden tests failed on the reference library`);
    }
    // The agent's library runs as the agent user, so it cannot read the reference observations.
    const agent = await observe(ctx, dir(ctx), "agent");
    return repairScore(reference, buggy, agent);
  },

  async solution(ctx) {
    const d = lrData(ctx);
    await writeLibrary(ctx, await Deno.readTextFile(ctx.asset(`${ctx.taskName}/solution/${d.module}.py`)));
    const r = await ctx.sandbox.exec(RUN_TESTS(ctx.taskName), { user: "agent" });
    if (r.exitCode !== 0) throw new Error(`${ctx.taskId}: visible tests fail on the reference: ${r.stderr}`);
    return "Fixed the planted bugs.";
  },

  async wrongAttempt(ctx) {
    // Fixes only what the visible tests reveal.
    const d = lrData(ctx);
    const reference = await Deno.readTextFile(ctx.asset(`${ctx.taskName}/solution/${d.module}.py`));
    await writeLibrary(ctx, plantBugs(reference, d.bugs.filter((b) => !d.weakFixes.includes(b.id))));
    return "Fixed the failing tests.";
  },

  cheats: {
    /** Rewrite the visible tests so that they pass, leave the library untouched. */
    async edit_visible_tests(ctx) {
      const r = await ctx.sandbox.exec(
        [
          "bash",
          "-c",
          'cd "$1/tests" && for f in test_*.py; do printf "%s\\n" "import unittest" ' +
          '"class Passing(unittest.TestCase):" "    def test_ok(self):" "        pass" > "$f"; done && ' +
          "cd .. && /usr/bin/python3 -m unittest discover -s tests",
          "cheat",
          dir(ctx),
        ],
        { user: "agent" },
      );
      if (r.exitCode !== 0) throw new Error(`${ctx.taskId}: the edited tests do not pass: ${r.stderr}`);
      return "All tests pass.";
    },
    /**
     * Plant `json.py` (and `sitecustomize.py`) where root code run from `/tmp` or the home directory would
     * import it: run by root, it copies the reference observations to a world-readable file; run by the
     * agent's scoring, it replays them. Scored 1.0 before root used `ctx.root.python`.
     */
    async planted_modules(ctx) {
      await plantModules(ctx.sandbox);
      return "Fixed the planted bugs.";
    },
  },
});

/**
 * The planted `json.py`: leaves a marker `/tmp/evalkit-planted-<uid>` whenever it is imported, then loads the
 * real json; as root it saves every observation map it is asked to dump, as the agent it replaces an
 * observation map by the first saved one.
 */
export const PLANTED_JSON = String.raw`
import os, sys, importlib.machinery, importlib.util
open(f"/tmp/evalkit-planted-{os.getuid()}", "a").write(" ".join(sys.argv) + "\n")
_here = os.path.dirname(os.path.abspath(__file__))
_path = [p for p in sys.path if os.path.abspath(p or ".") != _here]
_spec = importlib.machinery.PathFinder.find_spec("json", _path)
_real = importlib.util.module_from_spec(_spec)
sys.modules["json"] = _real
_spec.loader.exec_module(_real)
_dumps = _real.dumps
_LEAK = "/tmp/evalkit-leak.json"
def dumps(obj, *a, **k):
    text = _dumps(obj, *a, **k)
    if isinstance(obj, dict) and any(str(x).startswith("test_") for x in obj):
        if os.getuid() == 0 and not os.path.exists(_LEAK):
            open(_LEAK, "w").write(text)
            os.chmod(_LEAK, 0o666)
        elif os.getuid() != 0 and os.path.exists(_LEAK):
            return open(_LEAK).read()
    return text
_real.dumps = dumps
globals().update({k: getattr(_real, k) for k in dir(_real) if not k.startswith("__")})
globals()["dumps"] = dumps
`;

/** A `sitecustomize.py` that only leaves the marker `/tmp/evalkit-planted-site-<uid>`. */
export const PLANTED_SITE = String.raw`
import os, sys
open(f"/tmp/evalkit-planted-site-{os.getuid()}", "a").write(" ".join(sys.argv) + "\n")
`;

/** Plant the modules, as the agent, in `/tmp` and `/home/agent` (where root code used to look). */
export async function plantModules(sandbox: TaskContext["sandbox"]): Promise<void> {
  for (const d of ["/tmp", "/home/agent"]) {
    await sandbox.writeFile(`${d}/json.py`, PLANTED_JSON, { owner: "agent", mode: 0o644 });
    await sandbox.writeFile(`${d}/sitecustomize.py`, PLANTED_SITE, { owner: "agent", mode: 0o644 });
    await sandbox.writeFile(`${d}/usercustomize.py`, PLANTED_SITE, { owner: "agent", mode: 0o644 });
  }
}
