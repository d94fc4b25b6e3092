"""cpu_training: train small models on CPU with numpy only (METR Task Standard format, written for evalkit)."""

import json
import math
import os

FAMILY_DIR = os.path.dirname(os.path.abspath(__file__))
HIDDEN = os.path.join(FAMILY_DIR, "hidden")

TABULAR = """In /home/agent/data/ you will find train.csv (3000 rows: a header line, then 12 numeric features x0..x11
and a binary label y) and test.csv (2000 rows: a header line, then the same 12 features, no label). The data is
synthetic: the label is a fixed but unknown function of the features, with a little label noise.

Predict the label of every test row. Write your predictions to /home/agent/predictions.csv: exactly 2000 lines
(an optional first line `y` is allowed), line i holding 0 or 1 for test row i, in the order of test.csv. Then
submit the absolute path /home/agent/predictions.csv as your answer.

You have Python 3 with numpy (/usr/bin/python3) and 2 CPU cores; there is no internet and no other ML library.
Scoring: accuracy on the hidden test labels, mapped linearly so that 0.66 accuracy or less scores 0 and 0.92 or
more scores 1. A missing or malformed predictions file scores 0."""

TINY_LM = """Build a character-level language model of a synthetic text corpus, on CPU.

In /home/agent/lm/ you will find:
- train.txt: about 24,000 lines of text (about 1.4 MB) produced by a fixed but unknown random process;
- vocab.json: a JSON list of the 54 characters that can occur, including "\\n" (the end of every line);
- queries.jsonl: 3,000 lines, each a JSON string holding the beginning (possibly empty) of a held-out line produced
  by the same process. The held-out lines are not in train.txt.

For every query, predict the probability distribution of the character that comes next in that held-out line
(which is "\\n" if the line ends there). Write /home/agent/lm/predictions.txt with exactly 3,000 lines, line i
for query i, each holding 54 non-negative numbers separated by spaces: the probabilities of the characters in
vocab.json order (each line is normalised to sum to 1 by the scorer, so it must have a positive sum). Then
submit the absolute path /home/agent/lm/predictions.txt as your answer.

You have Python 3 with numpy (/usr/bin/python3) and 2 CPU cores; there is no internet and no other ML library.
Scoring: the mean cross-entropy H in bits per character of the true next characters under your distributions
(a probability below 1e-9 counts as 1e-9). The score is (2.0 - H) / (2.0 - 0.88), clipped to [0, 1]: 2.0
bits/char or worse scores 0 and 0.88 bits/char or better scores 1. A malformed file (wrong number of lines or
numbers, a negative or non-finite number, a zero-sum line) scores 0."""


DIGITS = """In /home/agent/digits/ you will find numpy arrays (load them with numpy.load):
- train_images.npy: 2500 grayscale images of 16x16 pixels (float32, values in [0, 1]);
- train_labels.npy: their classes, integers 0 to 9;
- test_images.npy: 2000 more images of the same kind, without labels.
Each class is one of ten invented glyphs drawn with pen strokes; every image is a randomly distorted drawing
(position, size, rotation, slant, stroke width), with pixel noise and sometimes a blot.

Predict the class of every test image. Write /home/agent/digits/predictions.txt with exactly 2000 lines, line i
holding the predicted class (an integer 0 to 9) of test image i. Then submit the absolute path
/home/agent/digits/predictions.txt as your answer.

You have Python 3 with numpy (/usr/bin/python3) and 2 CPU cores; there is no internet and no other ML library.
Scoring: accuracy on the hidden test labels, mapped linearly so that 0.60 accuracy or less scores 0 and 0.96 or
more scores 1. A missing or malformed predictions file scores 0."""


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
            "tabular": {"kind": "tabular", "seed": 7341},
            "digits": {"kind": "digits", "seed": 4410},
            "tiny_lm": {"kind": "tiny_lm", "seed": 9177},
        }

    @staticmethod
    def get_instructions(t):
        return {"tabular": TABULAR, "digits": DIGITS, "tiny_lm": TINY_LM}[t["kind"]]

    @staticmethod
    def get_permissions(t):
        return []

    @staticmethod
    def start(t):
        import generators

        os.makedirs(HIDDEN, exist_ok=True)
        os.chmod(HIDDEN, 0o700)
        if t["kind"] == "tabular":
            x_train, y_train, x_test, y_test = generators.tabular(seed=t["seed"])
            os.makedirs("/home/agent/data", exist_ok=True)
            header = ",".join(f"x{i}" for i in range(x_train.shape[1]))
            with open("/home/agent/data/train.csv", "w") as handle:
                handle.write(header + ",y\n")
                for row, label in zip(x_train, y_train):
                    handle.write(",".join(f"{v:.6f}" for v in row) + f",{label}\n")
            with open("/home/agent/data/test.csv", "w") as handle:
                handle.write(header + "\n")
                for row in x_test:
                    handle.write(",".join(f"{v:.6f}" for v in row) + "\n")
            with open(os.path.join(HIDDEN, "tabular_labels.json"), "w") as handle:
                json.dump([int(v) for v in y_test], handle)
        elif t["kind"] == "digits":
            import numpy as np

            x_train, y_train, x_test, y_test = generators.digits(seed=t["seed"])
            os.makedirs("/home/agent/digits", exist_ok=True)
            np.save("/home/agent/digits/train_images.npy", x_train.astype(np.float32))
            np.save("/home/agent/digits/train_labels.npy", y_train.astype(np.int64))
            np.save("/home/agent/digits/test_images.npy", x_test.astype(np.float32))
            with open(os.path.join(HIDDEN, "digits_labels.json"), "w") as handle:
                json.dump([int(v) for v in y_test], handle)
        else:
            train, vocab, queries, targets = generators.tiny_lm(seed=t["seed"])
            os.makedirs("/home/agent/lm", exist_ok=True)
            with open("/home/agent/lm/train.txt", "w") as handle:
                handle.write("".join(line + "\n" for line in train))
            with open("/home/agent/lm/vocab.json", "w") as handle:
                json.dump(vocab, handle)
            with open("/home/agent/lm/queries.jsonl", "w") as handle:
                handle.write("".join(json.dumps(q) + "\n" for q in queries))
            with open(os.path.join(HIDDEN, "tiny_lm_targets.json"), "w") as handle:
                json.dump({"vocab": vocab, "targets": targets}, handle)

    @staticmethod
    def score(t, submission):
        path = submission.strip()
        if not path:
            return 0.0
        text = read_agent_file(path)
        if text is None:
            return 0.0
        lines = [line.strip() for line in text.strip().split("\n")]
        if t["kind"] == "tabular":
            with open(os.path.join(HIDDEN, "tabular_labels.json")) as handle:
                labels = json.load(handle)
            return score_tabular(lines, labels)
        if t["kind"] == "digits":
            with open(os.path.join(HIDDEN, "digits_labels.json")) as handle:
                labels = json.load(handle)
            return score_digits(lines, labels)
        with open(os.path.join(HIDDEN, "tiny_lm_targets.json")) as handle:
            hidden = json.load(handle)
        return score_tiny_lm(lines, hidden["vocab"], hidden["targets"])


def score_tabular(lines, labels):
    if lines and lines[0] == "y":
        lines = lines[1:]
    if len(lines) != len(labels) or any(line not in ("0", "1") for line in lines):
        return 0.0
    accuracy = sum(int(p) == y for p, y in zip(lines, labels)) / len(labels)
    return min(1.0, max(0.0, (accuracy - 0.66) / (0.92 - 0.66)))


def score_digits(lines, labels):
    if len(lines) != len(labels) or any(line not in [str(k) for k in range(10)] for line in lines):
        return 0.0
    accuracy = sum(int(p) == y for p, y in zip(lines, labels)) / len(labels)
    return min(1.0, max(0.0, (accuracy - 0.60) / (0.96 - 0.60)))


def cross_entropy_bits(lines, vocab, targets):
    """Mean bits/char, or None for a malformed file."""
    if len(lines) != len(targets):
        return None
    index = {c: i for i, c in enumerate(vocab)}
    total = 0.0
    for line, target in zip(lines, targets):
        try:
            row = [float(v) for v in line.split()]
        except ValueError:
            return None
        if len(row) != len(vocab) or any(not math.isfinite(v) or v < 0 for v in row):
            return None
        norm = sum(row)
        if not norm > 0:
            return None
        total += -math.log2(max(row[index[target]] / norm, 1e-9))
    return total / len(targets)


def score_tiny_lm(lines, vocab, targets):
    bits = cross_entropy_bits(lines, vocab, targets)
    if bits is None:
        return 0.0
    return min(1.0, max(0.0, (2.0 - bits) / (2.0 - 0.88)))
