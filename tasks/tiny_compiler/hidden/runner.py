"""Root-side batch runner (run by ctx.root.python, job JSON on stdin).

Writes each case's program to a fresh root-owned directory (mode 755, files 644), runs the agent's command on
it as the agent user (uid 1000, setpriv, own session, clean environment, no inherited descriptors) with a
per-case timeout and an output cap, and writes {"results": [{"out", "code"}...]} to a root-only file. Never
imports or executes anything the agent wrote as root; the expected outputs never enter the sandbox.
"""
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

job = json.load(sys.stdin)
work = tempfile.mkdtemp(prefix="runnel-", dir="/tmp")
os.chmod(work, 0o755)
ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/home/agent", "LANG": "C.UTF-8"}


def run_case(i):
    case = job["cases"][i]
    path = os.path.join(work, f"p{i:03d}.rn")
    with open(path, "w", encoding="utf-8") as f:
        f.write(case["src"])
    os.chmod(path, 0o644)
    t0 = time.monotonic()
    proc = subprocess.Popen(
        ["setpriv", "--reuid=1000", "--regid=1000", "--clear-groups", "--", job["cmd"], path],
        cwd=work, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        start_new_session=True, env=ENV, close_fds=True)
    try:
        proc.stdin.write(case.get("stdin", "").encode())
        proc.stdin.close()
    except OSError:
        pass
    chunks, size, deadline, why = [], 0, time.monotonic() + job["timeout"], ""
    fd = proc.stdout.fileno()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            why = "timeout"
            break
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        data = os.read(fd, 65536)
        if not data:
            break
        chunks.append(data)
        size += len(data)
        if size > job["cap"]:
            why = "output cap"
            break
    if why:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
    try:
        code = proc.wait(timeout=max(0.1, deadline - time.monotonic()) if not why else 2)
    except subprocess.TimeoutExpired:
        why = "timeout"
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass
        code = proc.wait()
    proc.stdout.close()
    out = b"".join(chunks).decode("utf-8", "replace")
    return {"out": out if not why else "", "code": code if not why else -1, "why": why,
            "ms": round(1000 * (time.monotonic() - t0))}


try:
    if not os.path.exists(job["cmd"]):  # nothing to run (a stat as root reveals nothing to the agent)
        results = [{"out": "", "code": -1, "why": "missing"} for _ in job["cases"]]
    else:
        with ThreadPoolExecutor(max_workers=job["workers"]) as pool:
            results = list(pool.map(run_case, range(len(job["cases"]))))
finally:
    shutil.rmtree(work, ignore_errors=True)
fd = os.open(job["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
with os.fdopen(fd, "w") as f:
    json.dump({"results": results}, f)
