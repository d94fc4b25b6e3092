"""Root-only experiment oracle for experiment_design/screening. Never readable by the agent.

Serves GET /run?treatment=K&n=N (N outcomes of treatment K, 0 = control) and GET /budget on 127.0.0.1.
Outcomes are drawn from a seeded generator, so a given sequence of requests always gets the same answers.
"""

import json
import random
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlparse

with open(sys.argv[1]) as handle:
    PARAMS = json.load(handle)
LOG = sys.argv[2]
RNG = random.Random(PARAMS["noiseSeed"])
STATE = {"used": 0}
EFFECTS = {int(k): v for k, v in PARAMS["effects"].items()}


class Handler(BaseHTTPRequestHandler):
    def reply(self, code, payload):
        body = json.dumps(payload).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        remaining = PARAMS["budget"] - STATE["used"]
        if url.path == "/budget":
            return self.reply(200, {"used": STATE["used"], "remaining": remaining})
        if url.path != "/run":
            return self.reply(404, {"error": "unknown endpoint; use /run?treatment=K&n=N or /budget"})
        try:
            k = int(query["treatment"][0])
            n = int(query["n"][0])
        except (KeyError, ValueError):
            return self.reply(400, {"error": "treatment and n must be integers"})
        if not 0 <= k <= PARAMS["treatments"]:
            return self.reply(400, {"error": f"treatment must be between 0 and {PARAMS['treatments']}"})
        if n < 1:
            return self.reply(400, {"error": "n must be at least 1"})
        if n > remaining:
            return self.reply(403, {"error": f"budget exhausted: {remaining} samples remain"})
        STATE["used"] += n
        mean = PARAMS["baseline"] + EFFECTS.get(k, 0.0)
        outcomes = [round(RNG.gauss(mean, PARAMS["sigma"]), 4) for _ in range(n)]
        with open(LOG, "a") as log:
            log.write(json.dumps({"treatment": k, "n": n}) + "\n")
        return self.reply(200, {"treatment": k, "outcomes": outcomes, "remaining": PARAMS["budget"] - STATE["used"]})

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", PARAMS["port"]), Handler).serve_forever()
