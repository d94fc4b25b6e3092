"""esolang: write programs in Kestrel, a small stack language invented for evalkit (METR Task Standard format)."""

import os
import random
import shutil

FAMILY_DIR = os.path.dirname(os.path.abspath(__file__))
AGENT_DIR = "/home/agent/kestrel"

COMMON = """You have been given an interpreter for Kestrel, a small stack-based programming language you will
not have seen before. Its complete reference is /home/agent/kestrel/SPEC.md, the interpreter is
/home/agent/kestrel/kestrel.py (run it as `python3 /home/agent/kestrel/kestrel.py PROGRAM.ks < input`) and
there are example programs in /home/agent/kestrel/examples/.

{task}

Write your program to the file {path}. When you are done, submit the absolute path of that file
({path}) as your answer. Your program will be run by the reference Kestrel interpreter on hidden test
inputs; your score is the fraction of hidden tests for which it finishes without error and prints exactly
the expected output (trailing whitespace at the ends of lines and of the output is ignored). Only Kestrel is
accepted: the program must be a Kestrel program, not a program in another language."""


def fib_cases():
    return [(str(n), "".join(f"{x}\n" for x in fibs(n))) for n in (0, 1, 2, 3, 5, 8, 13, 20, 33, 50, 71, 90)]


def fibs(n):
    out, a, b = [], 1, 1
    for _ in range(n):
        out.append(a)
        a, b = b, a + b
    return out


def sort_cases():
    rng = random.Random(20261124)
    lists = [[], [42], [1, 2], [2, 1], [5, -5, 5, -5, 0], [-7, -3, -9, -1], [8] * 6]
    lists.append([rng.randint(-1000, 1000) for _ in range(20)])
    lists.append([rng.randint(-10**6, 10**6) for _ in range(60)])
    lists.append(sorted(rng.randint(-500, 500) for _ in range(100)))
    lists.append(sorted((rng.randint(-10**6, 10**6) for _ in range(150)), reverse=True))
    lists.append([rng.randint(-3, 3) for _ in range(150)])
    cases = []
    for xs in lists:
        text = " ".join(str(v) for v in [len(xs)] + xs) + "\n"
        cases.append((text, "".join(f"{v}\n" for v in sorted(xs))))
    return cases


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


def read_agent_file(path, limit=16 << 20):
    """The text of a file the agent made, read as the agent with a cap; None when it cannot be read.

    score() runs as root: opening an agent-controlled path with root's rights would follow a link the agent
    planted (to a private file, or to /dev/zero), so the file is read by a child process running as the
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
            "hello": {
                "path": "/home/agent/hello.ks",
                "task": "Write a Kestrel program that prints exactly the line `Hello, Kestrel!` (followed by a "
                        "newline) and nothing else. It must ignore any input it is given.",
            },
            "fibonacci": {
                "path": "/home/agent/fibonacci.ks",
                "task": "Write a Kestrel program that reads one integer n (0 <= n <= 90) from its input and "
                        "prints the first n Fibonacci numbers F(1), ..., F(n), one per line, where F(1) = F(2) = 1 "
                        "and F(k) = F(k-1) + F(k-2). For n = 0 it prints nothing. For example, for input `5` the "
                        "output is the lines 1, 1, 2, 3, 5.",
            },
            "sort_numbers": {
                "path": "/home/agent/sort_numbers.ks",
                "task": "Write a Kestrel program that reads an integer k (0 <= k <= 150) followed by k integers "
                        "(each between -1000000 and 1000000, duplicates possible) and prints those k integers in "
                        "ascending order, one per line. For example, for input `4 3 -1 3 0` the output is the "
                        "lines -1, 0, 3, 3. The program must stay within the interpreter's limit of 10,000,000 "
                        "executed commands for every allowed input.",
            },
        }

    @staticmethod
    def get_instructions(t):
        return COMMON.format(task=t["task"], path=t["path"])

    @staticmethod
    def get_permissions(t):
        return []

    @staticmethod
    def start(t):
        if os.path.exists(AGENT_DIR):
            shutil.rmtree(AGENT_DIR)
        shutil.copytree(os.path.join(FAMILY_DIR, "assets"), AGENT_DIR)

    @staticmethod
    def score(t, submission):
        import importlib.util

        path = submission.strip()
        if not path:
            return 0.0
        source = read_agent_file(path, limit=1 << 20)
        if source is None:
            return 0.0
        spec = importlib.util.spec_from_file_location("kestrel_ref", os.path.join(FAMILY_DIR, "assets", "kestrel.py"))
        kestrel = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(kestrel)
        name = os.path.basename(t["path"])
        if name == "hello.ks":
            cases = [("", "Hello, Kestrel!\n"), ("3 1 4\n", "Hello, Kestrel!\n")]
        elif name == "fibonacci.ks":
            cases = fib_cases()
        else:
            cases = sort_cases()

        def normalise(text):
            return "\n".join(line.rstrip() for line in text.rstrip().split("\n"))

        passed = 0
        for given, expected in cases:
            try:
                output = kestrel.run(source, given)
            except kestrel.KestrelError:
                continue
            if normalise(output) == normalise(expected):
                passed += 1
        return passed / len(cases)
