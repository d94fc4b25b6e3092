"""evalkit's helper for METR-format Python task families (written from scratch for evalkit).

Run by lib/task/python_bridge.ts, never by the agent:

    python3 -I -B taskhelper.py <family_dir> <family> <task|-> <op> [--score-log FILE] [--reply FILE]

ops:
  describe            load the family and report its interface (host, at load time, in a jail)
  install             TaskFamily.install()
  start               TaskFamily.start(t), then chown /home/agent unless skip_chown_after_start
  score               TaskFamily.score(t, submission); the submission is read from stdin
  intermediate_score  TaskFamily.intermediate_score(t)
  aggregate_scores    TaskFamily.aggregate_scores(t, score_log) with the JSON log in --score-log
  teardown            TaskFamily.teardown(t) (or teardown() when it takes no argument)

Protocol: the reply is exactly one JSON object,
{"ok": true, "result": ...} or {"ok": false, "error": {"kind", "message", "file", "line"}}.
With --reply FILE (every run inside a sandbox) it is written to FILE, created new (O_EXCL, no symlink
followed, mode 600) in root-only /root/.metr, so nothing else that shares the helper's stdout (a child the
family started, agent code it ran) can forge it. Without --reply (the host-side `describe`, in a jail) the
helper prints SEPARATOR on its own line, then the JSON line; anything the family printed before is ignored.

Inside a sandbox the bridge runs this file as root with `/usr/bin/python3 -I -B`, cwd /root and a clean
environment; the only directory added to sys.path is the root-only family directory.
"""

import importlib.util
import inspect
import json
import math
import os
import sys
import traceback

SEPARATOR = "SEP_evalkit_7Qm2xVb9"
REQUIRED = ("standard_version", "get_tasks", "get_instructions")
REPLY_PATH = None
_replied = False


def emit(payload):
    global _replied
    if _replied:  # one reply per run: a second emit (e.g. from a family's exit handler) is ignored
        return
    _replied = True
    text = json.dumps(payload, default=str)
    if REPLY_PATH is not None:
        fd = os.open(REPLY_PATH, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    sys.stdout.flush()
    sys.stdout.write("\n" + SEPARATOR + "\n" + text + "\n")
    sys.stdout.flush()


def fail(kind, message, file=None, line=None):
    emit({"ok": False, "error": {"kind": kind, "message": message, "file": file, "line": line}})
    sys.exit(0)


def family_frame(tb, family_dir):
    """The innermost traceback frame that lies inside the family directory."""
    found = None
    for frame in traceback.extract_tb(tb):
        if os.path.abspath(frame.filename).startswith(os.path.abspath(family_dir) + os.sep):
            found = frame
    return found


def relative(path, family_dir):
    try:
        return os.path.relpath(os.path.abspath(path), os.path.abspath(family_dir))
    except ValueError:
        return path


def exception_error(kind, exc, family_dir):
    frame = family_frame(exc.__traceback__, family_dir)
    message = f"{type(exc).__name__}: {exc}"
    if frame is None:
        return kind, message, None, None
    return kind, message, relative(frame.filename, family_dir), frame.lineno


def load_family(family_dir, family):
    path = os.path.join(family_dir, family + ".py")
    if not os.path.isfile(path):
        fail("missing_file", f"{family}.py not found in the family directory", family + ".py")
    sys.path.insert(0, family_dir)
    spec = importlib.util.spec_from_file_location(family, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[family] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        file = relative(exc.filename or path, family_dir)
        fail("syntax_error", f"SyntaxError: {exc.msg}", file, exc.lineno)
    except BaseException as exc:  # noqa: BLE001 - any import failure is reported, not dumped
        fail(*exception_error("import_error", exc, family_dir))
    task_family = getattr(module, "TaskFamily", None)
    if not inspect.isclass(task_family):
        fail("missing_class", f"{family}.py does not define class TaskFamily", family + ".py")
    for member in REQUIRED:
        if not hasattr(task_family, member):
            fail("missing_member", f"TaskFamily has no required member '{member}'", family + ".py")
    if hasattr(task_family, "score") and hasattr(task_family, "intermediate_score"):
        fail("conflicting_members", "TaskFamily must not define both score and intermediate_score", family + ".py")
    if hasattr(task_family, "score") and hasattr(task_family, "aggregate_scores"):
        fail("conflicting_members", "TaskFamily must not define both score and aggregate_scores", family + ".py")
    return task_family


def call(family_dir, what, fn, *args):
    try:
        return fn(*args)
    except BaseException as exc:  # noqa: BLE001
        kind, message, file, line = exception_error("hook_error", exc, family_dir)
        fail(kind, f"{what} raised {message}", file, line)


def get_task(family_dir, task_family, name):
    tasks = call(family_dir, "get_tasks()", task_family.get_tasks)
    if not isinstance(tasks, dict):
        fail("bad_value", f"get_tasks() must return a dict, got {type(tasks).__name__}")
    if name not in tasks:
        fail("task_not_found", f"task '{name}' is not in get_tasks()")
    return tasks[name]


def describe(family_dir, task_family):
    tasks = call(family_dir, "get_tasks()", task_family.get_tasks)
    if not isinstance(tasks, dict):
        fail("bad_value", f"get_tasks() must return a dict, got {type(tasks).__name__}")
    described = {}
    for name, t in tasks.items():
        instructions = call(family_dir, f"get_instructions({name!r})", task_family.get_instructions, t)
        permissions = []
        if hasattr(task_family, "get_permissions"):
            permissions = call(family_dir, f"get_permissions({name!r})", task_family.get_permissions, t)
        described[str(name)] = {
            "instructions": instructions,
            "permissions": permissions,
            "data": json.loads(json.dumps(t, default=str)),
        }
    env = getattr(task_family, "required_environment_variables", [])
    return {
        "standardVersion": task_family.standard_version,
        "tasks": described,
        "requiredEnvironmentVariables": list(env) if isinstance(env, (list, tuple)) else env,
        "hooks": {
            name: hasattr(task_family, name)
            for name in ("install", "start", "score", "intermediate_score", "aggregate_scores", "teardown")
        },
        "skipChownAfterStart": bool(getattr(task_family, "skip_chown_after_start", False)),
    }


def chown_agent_home():
    try:
        import pwd

        entry = pwd.getpwnam("agent")
        uid, gid = entry.pw_uid, entry.pw_gid
    except (KeyError, ImportError):
        uid, gid = 1000, 1000
    home = "/home/agent"
    if not os.path.isdir(home):
        return
    for name in os.listdir(home):
        if name.startswith("."):
            continue
        top = os.path.join(home, name)
        os.lchown(top, uid, gid)
        if os.path.isdir(top) and not os.path.islink(top):
            for root, dirs, files in os.walk(top):
                for entry_name in dirs + files:
                    os.lchown(os.path.join(root, entry_name), uid, gid)


def number_or_none(value, what):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        fail("bad_score", f"{what} returned {value!r}, not a float or None")
    value = float(value)
    if math.isnan(value):
        fail("bad_score", f"{what} returned NaN")
    if not 0.0 <= value <= 1.0:
        fail("bad_score", f"{what} returned {value}, outside [0, 1]")
    return value


def option(argv, name):
    """The value after `name` in argv (removed from argv), or None."""
    if name not in argv:
        return None
    at = argv.index(name)
    if at + 1 >= len(argv):
        fail("usage", f"{name} needs a value")
    value = argv[at + 1]
    del argv[at:at + 2]
    return value


def main(argv):
    global REPLY_PATH
    argv = list(argv)
    REPLY_PATH = option(argv, "--reply")
    score_log_path = option(argv, "--score-log")
    if len(argv) < 4:
        fail("usage", "usage: taskhelper.py <family_dir> <family> <task|-> <op> [--score-log FILE]")
    family_dir, family, task_name, op = argv[0], argv[1], argv[2], argv[3]
    os.chdir(family_dir)
    task_family = load_family(family_dir, family)
    if op == "describe":
        emit({"ok": True, "result": describe(family_dir, task_family)})
        return
    if op == "install":
        if hasattr(task_family, "install"):
            call(family_dir, "install()", task_family.install)
        emit({"ok": True, "result": None})
        return
    t = get_task(family_dir, task_family, task_name)
    if op == "start":
        if hasattr(task_family, "start"):
            call(family_dir, "start()", task_family.start, t)
        if not getattr(task_family, "skip_chown_after_start", False):
            chown_agent_home()
        emit({"ok": True, "result": None})
    elif op == "score":
        submission = sys.stdin.read()
        if not hasattr(task_family, "score"):
            emit({"ok": True, "result": None})
            return
        value = call(family_dir, "score()", task_family.score, t, submission)
        emit({"ok": True, "result": number_or_none(value, "score()")})
    elif op == "intermediate_score":
        if not hasattr(task_family, "intermediate_score"):
            fail("missing_member", "TaskFamily has no intermediate_score")
        value = call(family_dir, "intermediate_score()", task_family.intermediate_score, t)
        if isinstance(value, dict):
            score = number_or_none(value.get("score"), "intermediate_score()")
            emit({"ok": True, "result": {"score": score, "message": value.get("message"),
                                         "details": value.get("details")}})
        else:
            emit({"ok": True, "result": {"score": number_or_none(value, "intermediate_score()"),
                                         "message": None, "details": None}})
    elif op == "aggregate_scores":
        score_log = []
        if score_log_path and os.path.exists(score_log_path):
            with open(score_log_path, encoding="utf-8") as handle:
                score_log = json.load(handle)
        value = call(family_dir, "aggregate_scores()", task_family.aggregate_scores, t, score_log)
        emit({"ok": True, "result": number_or_none(value, "aggregate_scores()")})
    elif op == "teardown":
        if hasattr(task_family, "teardown"):
            takes_task = len(inspect.signature(task_family.teardown).parameters) >= 1
            if takes_task:
                call(family_dir, "teardown()", task_family.teardown, t)
            else:
                call(family_dir, "teardown()", task_family.teardown)
        emit({"ok": True, "result": None})
    else:
        fail("usage", f"unknown op '{op}'")


if __name__ == "__main__":
    main(sys.argv[1:])
