"""Oracle service for the mystery_function tasks. Runs as root from /root; the agent can only query it.

Usage: python3 oracle.py CONFIG.json   (config: mode, port, parameters, query budget)
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

CFG = json.load(open(sys.argv[1]))
LOCK = threading.Lock()
STATE = {"used": 0, "since_reset": 0, "acc": 7, "t": 0}


def affine(x):
    return CFG["a"] * x + CFG["b"]


def piecewise(x):
    b1, b2 = CFG["b1"], CFG["b2"]
    if x < b1:
        return CFG["m1"] * x + CFG["c1"]
    if x < b2:
        return CFG["q2"] * x * x + CFG["m2"] * x + CFG["c2"]
    return CFG["m3"] * x + CFG["c3"]


def stateful_step(x):
    acc = STATE["acc"]
    if x % 3 == 0:
        acc = (acc + x * CFG["k"]) % 1000
    elif x % 3 == 1:
        acc = (acc * 2 + 1) % 1000
    else:
        acc = (acc ^ x) % 1000
    STATE["acc"] = acc
    STATE["t"] += 1
    return (acc + CFG["step"] * STATE["t"]) % 1000


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, code, body):
        data = (json.dumps(body) + "\n").encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        q = parse_qs(url.query)
        mode = CFG["mode"]
        with LOCK:
            if url.path == "/reset" and mode == "stateful":
                STATE.update(since_reset=0, acc=7, t=0)
                return self.reply(200, {"ok": True})
            if url.path == "/status":
                return self.reply(200, {"queries_used": STATE["used"], "budget": CFG.get("budget"),
                                        "since_reset": STATE["since_reset"], "per_reset": CFG.get("per_reset")})
            if url.path != "/query" or "x" not in q:
                return self.reply(404, {"error": "use /query?x=NUMBER" + (" or /reset" if mode == "stateful" else "")})
            try:
                x = float(q["x"][0]) if mode == "piecewise" else int(q["x"][0])
            except ValueError:
                return self.reply(400, {"error": "x must be " + ("a number" if mode == "piecewise" else "an integer")})
            lo, hi = CFG["domain"]
            if not (lo <= x <= hi):
                return self.reply(400, {"error": f"x must lie in [{lo}, {hi}]"})
            if CFG.get("budget") is not None and STATE["used"] >= CFG["budget"]:
                return self.reply(429, {"error": "query budget exhausted"})
            if CFG.get("per_reset") is not None and STATE["since_reset"] >= CFG["per_reset"]:
                return self.reply(429, {"error": f"at most {CFG['per_reset']} queries per reset; call /reset"})
            STATE["used"] += 1
            STATE["since_reset"] += 1
            if mode == "affine":
                y = affine(x)
            elif mode == "piecewise":
                y = piecewise(x)
            else:
                y = stateful_step(x)
            return self.reply(200, {"x": x, "y": y})


ThreadingHTTPServer(("127.0.0.1", CFG["port"]), Handler).serve_forever()
