"""Runs hidden test functions and prints their observations as JSON. Fed on stdin with two variables
prepended: LIBDIR (directory of the library under test) and TESTS (the hidden tests' source)."""
import json
import signal
import sys

sys.path.insert(0, LIBDIR)  # noqa: F821 (prepended by the scorer)
sys.dont_write_bytecode = True


def _timeout(signum, frame):
    raise TimeoutError("test took too long")


signal.signal(signal.SIGALRM, _timeout)
ns = {"__name__": "hidden_tests"}
results = {}
try:
    exec(compile(TESTS, "hidden_tests.py", "exec"), ns)  # noqa: F821
except BaseException as e:  # the library does not even import
    print("@@RESULTS@@" + json.dumps({"__import__": repr(e)}))
    sys.exit(0)
for name in sorted(k for k in ns if k.startswith("test_")):
    signal.alarm(10)
    try:
        results[name] = json.loads(json.dumps(ns[name](), default=repr))
    except BaseException as e:
        results[name] = {"__error__": type(e).__name__}
    finally:
        signal.alarm(0)
sys.stdout.flush()
print("@@RESULTS@@" + json.dumps(results, sort_keys=True))
