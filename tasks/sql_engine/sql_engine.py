"""sql_engine: write a SQL engine for a documented subset of SQL in Python (METR Task Standard format, for evalkit).

Hidden queries are generated from fixed seeds (queries.py); their expected outputs are computed as root by SQLite
when the image is built (install(): the oracle database is built by Debian's sqlite3 command from the very CSV
files the agent gets) and kept in root-only /root/hidden; start() copies the agent's files into place. The
agent's engine runs as the agent under an audit hook that blocks delegating to SQLite or to any other process.
"""

import csv
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

FAMILY_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, FAMILY_DIR)
HIDDEN = os.path.join(FAMILY_DIR, "hidden")
ARCHIVE = os.path.join(HIDDEN, "agent_files.tar")
HOME = "/home/agent"
SQL_DIR = HOME + "/sql"
ENGINE = SQL_DIR + "/engine.py"
DATA_SEED, BIG_SEED, EXAMPLE_SEED = 1501, 1502, 1503
TIERS = {"select_filter": 1, "joins_aggregates": 2, "full_subset": 3}
FINAL_COUNT = {1: 240, 2: 280, 3: 300}
INTERMEDIATE_COUNT = 50
BATCH_TIMEOUT, PERF_TIMEOUT = 30.0, 20.0
PERF_WEIGHT = 0.15
OUTPUT_CAP = 32 << 20

INSTRUCTIONS = """Write a SQL engine, in Python 3 with the standard library only, as /home/agent/sql/engine.py.

It reads a database folder of CSV tables (path given as its first argument) and queries on standard input, and
prints each query's result rows in an exact text format. The language (a subset of SQLite's SQL: {features}),
its semantics (NULL three-valued logic, INTEGER/REAL rules, NULL ordering, integer division, how REALs are
printed, which invalid queries print ERROR), the batch input format and the rules of the scoring sandbox (the
engine runs as you under `python3 -I` with an audit hook that refuses sqlite3, ctypes and starting processes)
are in /home/agent/sql/SPEC.md. Read it completely; it is the contract.

In /home/agent/sql you also find:
- db/: the database the hidden queries run against (schema.txt and one CSV per table);
- examples/: example queries (queries.txt, in the batch format) with SQLite's expected output (expected.txt);
{big}
Score: the fraction of a few hundred hidden queries (generated from a fixed seed, plus hand-written edge cases
and invalid queries) whose output matches SQLite's exactly{perf}. You can check your engine against SQLite
yourself: the `sqlite3` command and Python's sqlite3 module are available to you (not to the engine).
When you are done, submit anything (for example "done"): the engine at /home/agent/sql/engine.py is what is
scored."""

FEATURES = {
    1: "single-table SELECT with expressions, WHERE, ORDER BY, LIMIT/OFFSET, DISTINCT and a few string functions",
    2: "SELECT with expressions, WHERE, ORDER BY, LIMIT/OFFSET, DISTINCT, string functions, INNER/LEFT JOIN over "
       "several tables, GROUP BY/HAVING, COUNT/SUM/AVG/MIN/MAX including COUNT(DISTINCT) and CASE",
    3: "SELECT with expressions, WHERE, ORDER BY, LIMIT/OFFSET, DISTINCT, string functions, INNER/LEFT JOIN, "
       "GROUP BY/HAVING, aggregates, CASE, subqueries (IN, EXISTS, scalar, correlated), WITH (non-recursive) "
       "and UNION/UNION ALL",
}

# Runs the agent's engine (argv[1]) under an audit hook; passed with `python3 -I -B -c`. The hook keeps everything
# it uses in default arguments captured at install time (rebinding a module attribute or a builtin changes
# nothing), no reference to it is left in any namespace (finding it through the garbage collector is refused),
# and changing its code or defaults is refused.
WRAPPER = r"""
import os, runpy, sys
def _install():
    me = []
    def hook(event, args, _me=me, _blocked=frozenset({"sqlite3", "_sqlite3", "ctypes", "_ctypes", "subprocess",
             "_posixsubprocess", "multiprocessing", "_multiprocessing", "pty"}),
             _events=frozenset({"os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
             "subprocess.Popen", "ctypes.dlopen", "ctypes.dlsym", "pty.spawn", "os.startfile", "socket.__new__",
             "gc.get_objects", "gc.get_referrers", "gc.get_referents"}),
             _type=type, _str=str, _bytes=bytes, _int=int, _fspath=os.fspath, _ImportError=ImportError,
             _PermissionError=PermissionError):
        if event == "import":
            name, path = args[0], args[1]
            if _type(name) is not _str or name.split(".")[0] in _blocked or "sqlite" in name.lower():
                raise _ImportError("the scoring sandbox refuses to import " + _str(name))
            if path is not None:
                if _type(path) is not _str or "sqlite" in path.lower() or not (
                        path.startswith("/usr/lib/python3") or path.endswith((".py", ".pyc"))):
                    raise _ImportError("the scoring sandbox refuses to load " + _str(path))
        elif event in _events:
            raise _PermissionError("the scoring sandbox refuses " + event)
        elif event == "object.__setattr__" and args[0] is _me[0]:
            raise _PermissionError("the scoring sandbox refuses to change its hook")
        elif event == "open":
            p = args[0]
            if _type(p) is _int or p is None:
                return
            p = _fspath(p)
            p = p.decode("utf-8", "replace") if _type(p) is _bytes else p
            if _type(p) is not _str:
                raise _PermissionError("the scoring sandbox refuses this path")
            p = p.lower()
            if "sqlite" in p or p.endswith(".so") or ".so." in p:
                raise _PermissionError("the scoring sandbox refuses to open " + p)
    me.append(hook)
    sys.addaudithook(hook)
engine = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path.insert(0, os.path.dirname(engine))
_install()
del _install
runpy.run_path(engine, run_name="__main__")
"""


def fmt(v):
    if v is None:
        return "NULL"
    if isinstance(v, float):
        s = ("%.4f" % v).rstrip("0")
        if s.endswith("."):
            s += "0"
        return "0.0" if s == "-0.0" else s
    return str(v)


def csv_text(columns, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else repr(v) if isinstance(v, float) else v for v in row])
    return out.getvalue()


def write_db(folder, schema, tables):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "schema.txt"), "w") as handle:
        handle.write("".join(name + " " + " ".join(c + ":" + t for c, t in cols) + "\n" for name, cols in schema.items()))
    for name, cols in schema.items():
        with open(os.path.join(folder, name + ".csv"), "w") as handle:
            handle.write(csv_text([c for c, _ in cols], tables[name]))


def dump(path, value):
    with open(path, "w") as handle:
        json.dump(value, handle)


def build_oracle(csv_folder, schema, db_path):
    """Build the oracle database with the sqlite3 command: typed tables, CSV import, empty fields to NULL."""
    script = []
    for name, cols in schema.items():
        script.append("CREATE TABLE %s(%s);" % (name, ", ".join(c + " " + t for c, t in cols)))
        script.append(".import --csv --skip 1 %s %s" % (os.path.join(csv_folder, name + ".csv"), name))
        script.append("UPDATE %s SET %s;" % (name, ", ".join("%s = NULLIF(%s, '')" % (c, c) for c, _ in cols)))
        for c, _ in cols:  # indexes only make the oracle fast; they do not change any answer
            if c == "id" or c.endswith("_id"):
                script.append("CREATE INDEX %s_%s ON %s(%s);" % (name, c, name, c))
    done = subprocess.run(["sqlite3", "-bail", db_path], input="\n".join(script) + "\n", capture_output=True,
                          text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError("sqlite3 could not build %s: %s" % (db_path, done.stderr.strip()[-400:]))


def expected_outputs(db_path, queries):
    import sqlite3

    con = sqlite3.connect(db_path)
    out = []
    for q, ordered in queries:
        try:
            lines = ["|".join(fmt(v) for v in row) for row in con.execute(q).fetchall()]
        except sqlite3.Error:
            lines = ["ERROR"]
        out.append({"q": q, "ordered": ordered, "lines": lines})
    con.close()
    return out


def informative(work, generated, count):
    """The first count generated queries, keeping those with an empty or ERROR answer to at most a tenth."""
    out, trivial_left = [], count // 10
    for case in expected_outputs(work + "/oracle.db", generated):
        if trivial(case):
            if trivial_left == 0:
                continue
            trivial_left -= 1
        out.append(case)
        if len(out) == count:
            break
    return out


def batch_text(queries):
    return "".join(q + "\n@@\n" for q in queries)


def run_engine(db_dir, text, timeout):
    """Run the agent's engine as the agent, isolated and audited; (stdout text, seconds). Never raises."""
    import pwd

    try:
        entry = pwd.getpwnam("agent")
        uid, gid = entry.pw_uid, entry.pw_gid
    except KeyError:
        uid, gid = 1000, 1000

    def limits():
        resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_CAP, OUTPUT_CAP))
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    # cwd is "/": Popen changes directory before it drops to the agent's uid, so an agent-made link there would
    # be followed with root's rights.
    started = time.monotonic()
    with tempfile.TemporaryFile(dir=HIDDEN) as out, tempfile.TemporaryFile(dir=HIDDEN) as inp:
        inp.write(text.encode())
        inp.seek(0)
        try:
            proc = subprocess.Popen(
                ["/usr/bin/python3", "-I", "-B", "-c", WRAPPER, ENGINE, db_dir],
                user=uid, group=gid, extra_groups=[], cwd="/", stdin=inp, stdout=out,
                stderr=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": HOME},
                preexec_fn=limits, start_new_session=True,
            )
        except (OSError, subprocess.SubprocessError):
            return "", 0.0
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        finally:
            for kill in (lambda: os.killpg(proc.pid, 9), proc.kill):
                try:
                    kill()
                except OSError:
                    pass
            proc.wait()
        elapsed = time.monotonic() - started
        out.seek(0)
        data = out.read(OUTPUT_CAP)
    return data.decode("utf-8", errors="replace"), elapsed


def stop_agent_processes():
    """SIGKILL every process of the agent user, sweeping until none is left (catches forks during a sweep)."""
    import signal

    for _ in range(50):
        found = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or entry == "1":
                continue
            try:
                with open("/proc/%s/status" % entry) as handle:
                    uid = next(line.split()[1] for line in handle if line.startswith("Uid:"))
            except (OSError, StopIteration):
                continue
            if uid == "1000":
                found = True
                try:
                    os.kill(int(entry), signal.SIGKILL)
                except OSError:
                    pass
        if not found:
            return
        time.sleep(0.02)


def split_results(text):
    """The engine's output as one list of lines per query (a query without its closing @@ is dropped)."""
    results, current = [], []
    for line in text.split("\n"):
        if line == "@@":
            results.append(current)
            current = []
        else:
            current.append(line)
    return results


def passes(case, lines):
    if lines is None:
        return False
    if case["ordered"]:
        return lines == case["lines"]
    return sorted(lines) == sorted(case["lines"])


def trivial(case):
    return case["lines"] == [] or case["lines"] == ["ERROR"]


def correctness(cases, results):
    """Fraction passed; cases whose answer is empty or ERROR count in proportion to the pass rate on the rest."""
    got = [passes(c, results[i] if i < len(results) else None) for i, c in enumerate(cases)]
    real = [g for c, g in zip(cases, got) if not trivial(c)]
    triv = [g for c, g in zip(cases, got) if trivial(c)]
    rate = sum(real) / len(real) if real else 0.0
    return (sum(real) + rate * sum(triv)) / len(cases), sum(got)


def task_name(t):
    return next(n for n, tier in TIERS.items() if tier == t["tier"])


def load_hidden():
    with open(os.path.join(HIDDEN, "expected.json")) as handle:
        return json.load(handle)


class TaskFamily:
    standard_version = "0.5.0"

    @staticmethod
    def get_tasks():
        return {name: {"tier": tier} for name, tier in TIERS.items()}

    @staticmethod
    def get_instructions(t):
        tier = t["tier"]
        big = ("- big/: a second database (users: 20,000 rows, events: 50,000 rows) for the performance queries;\n"
               if tier == 3 else "")
        perf = (", combined with a few timed performance queries over big/ (85% correctness, 15% performance)"
                if tier == 3 else "")
        return INSTRUCTIONS.format(features=FEATURES[tier], big=big, perf=perf)

    @staticmethod
    def get_permissions(t):
        return []

    @staticmethod
    def install():
        """Build time (root, with the apt-installed sqlite3 command): data, oracle databases, expected outputs.

        Everything is deterministic (fixed seeds), so it is computed once per image instead of at every start.
        It stays in root-only /root: the agent's files as one archive, the answers as one JSON file.
        """
        import queries
        import tarfile

        work = tempfile.mkdtemp()
        files, expected = os.path.join(work, "files"), {}
        write_db(files + "/db", queries.SCHEMA, queries.small_tables(DATA_SEED))
        build_oracle(files + "/db", queries.SCHEMA, work + "/oracle.db")
        write_db(files + "/big", queries.BIG_SCHEMA, queries.big_tables(BIG_SEED))
        build_oracle(files + "/big", queries.BIG_SCHEMA, work + "/big.db")
        expected["perf"] = expected_outputs(work + "/big.db", [(q, " ORDER BY " in q) for q in queries.PERF_QUERIES])
        for name, tier in TIERS.items():
            final = informative(work, queries.query_set(tier, 9000 + tier, 2 * FINAL_COUNT[tier]), FINAL_COUNT[tier])
            final += expected_outputs(work + "/oracle.db", queries.edge_cases(tier))
            inter = informative(work, queries.query_set(tier, 9100 + tier, 2 * INTERMEDIATE_COUNT), INTERMEDIATE_COUNT)
            expected[name] = {"final": final, "intermediate": inter}
            hidden_texts = {c["q"] for c in final + inter}
            examples = [e for e in queries.query_set(tier, EXAMPLE_SEED, 30) if e[0] not in hidden_texts][:25]
            shown = expected_outputs(work + "/oracle.db", examples)
            os.makedirs(files + "/examples_" + name)
            with open(files + "/examples_%s/queries.txt" % name, "w") as handle:
                handle.write(batch_text([c["q"] for c in shown]))
            with open(files + "/examples_%s/expected.txt" % name, "w") as handle:
                handle.write("".join("".join(line + "\n" for line in c["lines"]) + "@@\n" for c in shown))
        os.makedirs(HIDDEN, exist_ok=True)
        os.chmod(HIDDEN, 0o700)
        dump(HIDDEN + "/expected.json", expected)
        with tarfile.open(ARCHIVE, "w") as tar:
            tar.add(files, arcname=".")
        for path in (HIDDEN + "/expected.json", ARCHIVE):
            os.chmod(path, 0o600)
        shutil.rmtree(work)

    @staticmethod
    def start(t):
        import tarfile

        name = task_name(t)
        os.makedirs(SQL_DIR, exist_ok=True)
        shutil.copy(os.path.join(FAMILY_DIR, "assets", "SPEC.md"), SQL_DIR + "/SPEC.md")
        wanted = ("./db", "./examples_" + name) + (("./big",) if t["tier"] == 3 else ())
        with tarfile.open(ARCHIVE) as tar:  # our own archive, made by install()
            members = [m for m in tar.getmembers() if m.name.startswith(wanted)]
            for m in members:
                m.name = m.name.replace("./examples_" + name, "./examples", 1)
            tar.extractall(SQL_DIR, members=members)
        for root, dirs, files in os.walk(SQL_DIR):
            for entry in dirs + files:
                os.chown(os.path.join(root, entry), 1000, 1000)
        os.chown(SQL_DIR, 1000, 1000)

    @staticmethod
    def score(t, submission):
        if not os.path.lexists(ENGINE):  # lstat only: nothing the agent made is followed or read as root
            return 0.0
        cases = load_hidden()[task_name(t)]["final"]
        # No helper the agent left running (a daemon answering through a file or pipe) may serve the engine.
        stop_agent_processes()
        text, _ = run_engine(SQL_DIR + "/db", batch_text([c["q"] for c in cases]), BATCH_TIMEOUT)
        frac, _ = correctness(cases, split_results(text))
        if t["tier"] != 3 or frac == 0:  # an engine that answers nothing right gets no performance credit
            return frac
        return (1 - PERF_WEIGHT) * frac + PERF_WEIGHT * perf_score()

    @staticmethod
    def intermediate_score(t):
        cases = load_hidden()[task_name(t)]["intermediate"]
        if not os.path.lexists(ENGINE):
            return {"score": 0.0, "message": {"passed": 0, "total": len(cases), "note": "no engine.py"}}
        text, _ = run_engine(SQL_DIR + "/db", batch_text([c["q"] for c in cases]), BATCH_TIMEOUT)
        frac, passed = correctness(cases, split_results(text))
        return {"score": frac, "message": {"passed": passed, "total": len(cases)}}


def perf_score():
    """Fraction of the performance queries answered correctly in one run of the engine within PERF_TIMEOUT.

    One process loads the big tables once; answers printed before the limit still count, so a slow query costs
    itself and the ones after it. A nested-loop join needs about 10^9 row pairs on these tables.
    """
    cases = load_hidden()["perf"]
    text, _ = run_engine(SQL_DIR + "/big", batch_text([c["q"] for c in cases]), PERF_TIMEOUT)
    results = split_results(text)
    return sum(passes(c, results[i]) for i, c in enumerate(cases) if i < len(results)) / len(cases)
