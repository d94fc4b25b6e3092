"""Execute a notebook cell by cell with jupyter_client and write it back in nbformat.

Used by lib/report/execute.ts instead of `python3 -m nbconvert --execute` because nbclient 0.7 (Debian 12)
with the Deno kernel drops display outputs now and then when the machine is busy (measured: 2 of 8 runs
of a 3-figure notebook lost a figure under CPU load, against none of 10 runs of this loop). Per cell: send
`execute_request`, wait for the shell reply, then read IOPub until the kernel reports idle for that request,
and keep reading for a short grace period so an output published just after idle is still kept.

usage: python3 execute_notebook.py IN.ipynb OUT.ipynb [--timeout SECONDS] [--grace SECONDS]
Exit status 0 when every cell ran (error outputs are kept in the notebook for the caller to report),
2 on bad usage, 3 when the kernel died or a cell timed out.
"""
import json
import os
import queue
import sys
import time

import nbformat
from jupyter_client.manager import start_new_kernel


def output_from(msg):
    """The nbformat output for an IOPub message, or None."""
    t = msg["msg_type"]
    c = msg["content"]
    if t == "stream":
        return {"output_type": "stream", "name": c["name"], "text": c["text"]}
    if t == "display_data":
        return {"output_type": "display_data", "data": c["data"], "metadata": c.get("metadata", {})}
    if t == "execute_result":
        return {
            "output_type": "execute_result",
            "data": c["data"],
            "metadata": c.get("metadata", {}),
            "execution_count": c.get("execution_count"),
        }
    if t == "error":
        return {"output_type": "error", "ename": c["ename"], "evalue": c["evalue"], "traceback": c["traceback"]}
    return None


def add_output(outputs, out):
    # Merge consecutive stream chunks of the same stream, as Jupyter does.
    if out["output_type"] == "stream" and outputs and outputs[-1]["output_type"] == "stream" \
            and outputs[-1]["name"] == out["name"]:
        outputs[-1]["text"] += out["text"]
    else:
        outputs.append(out)


def main(argv):
    args = [a for a in argv[1:]]
    timeout = 300.0
    grace = 0.3
    if "--timeout" in args:
        i = args.index("--timeout")
        timeout = float(args[i + 1])
        del args[i:i + 2]
    if "--grace" in args:
        i = args.index("--grace")
        grace = float(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    src, dst = args
    with open(src, encoding="utf-8") as f:
        nb = json.load(f)
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name", "deno")
    km, kc = start_new_kernel(kernel_name=kernel, cwd=os.path.dirname(os.path.abspath(src)), startup_timeout=120)
    count = 0
    try:
        for index, cell in enumerate(nb["cells"]):
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            cell["outputs"] = []
            cell["execution_count"] = None
            if not source.strip():
                continue
            msg_id = kc.execute(source, store_history=True, stop_on_error=False)
            deadline = time.monotonic() + timeout
            reply = None
            while reply is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    print(f"cell {index} ({cell.get('id')}): timed out after {timeout} s", file=sys.stderr)
                    return 3
                try:
                    m = kc.get_shell_msg(timeout=min(left, 5))
                except queue.Empty:
                    if not km.is_alive():
                        print(f"cell {index} ({cell.get('id')}): the kernel died", file=sys.stderr)
                        return 3
                    continue
                if m["parent_header"].get("msg_id") == msg_id:
                    reply = m
            idle_at = None
            while True:
                wait = (idle_at + grace - time.monotonic()) if idle_at is not None else max(0.1, deadline - time.monotonic())
                if wait <= 0:
                    break
                try:
                    m = kc.get_iopub_msg(timeout=wait)
                except queue.Empty:
                    if idle_at is not None:
                        break
                    print(f"cell {index} ({cell.get('id')}): no idle status after {timeout} s", file=sys.stderr)
                    return 3
                if m["parent_header"].get("msg_id") != msg_id:
                    continue
                if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                    idle_at = time.monotonic()
                    continue
                out = output_from(m)
                if out is not None:
                    add_output(cell["outputs"], out)
            count += 1
            cell["execution_count"] = reply["content"].get("execution_count", count)
            if reply["content"].get("status") == "error" and not any(
                    o["output_type"] == "error" for o in cell["outputs"]):
                c = reply["content"]
                cell["outputs"].append({
                    "output_type": "error",
                    "ename": c.get("ename", "Error"),
                    "evalue": c.get("evalue", ""),
                    "traceback": c.get("traceback", []),
                })
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    # nbformat writes the way nbconvert does (sorted keys, multiline strings as lists of lines).
    nbformat.write(nbformat.from_dict(nb), dst, version=4)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
