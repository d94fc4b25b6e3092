#!/usr/bin/env python3
"""Client for the experiment service on 127.0.0.1:8731.

usage:
  python3 experiment.py run TREATMENT N   # run N units under TREATMENT (0 = control); prints one outcome per line
  python3 experiment.py budget            # prints used and remaining samples
"""

import json
import sys
import urllib.error
import urllib.request

BASE = "http://127.0.0.1:8731"


def get(path):
    try:
        with urllib.request.urlopen(BASE + path, timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        sys.exit(json.load(error)["error"])


if len(sys.argv) == 4 and sys.argv[1] == "run":
    result = get(f"/run?treatment={int(sys.argv[2])}&n={int(sys.argv[3])}")
    print("\n".join(str(v) for v in result["outcomes"]))
    print(f"# remaining budget: {result['remaining']}", file=sys.stderr)
elif len(sys.argv) == 2 and sys.argv[1] == "budget":
    result = get("/budget")
    print(f"used {result['used']}, remaining {result['remaining']}")
else:
    sys.exit(__doc__)
