"""Query the oracle: /usr/bin/python3 ask.py X   (or: ask.py reset | ask.py status)"""
import sys
import urllib.error
import urllib.request

PORT = int(open("/home/agent/oracle_port").read())
arg = sys.argv[1]
path = "/reset" if arg == "reset" else "/status" if arg == "status" else f"/query?x={arg}"
try:
    print(urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=10).read().decode().strip())
except urllib.error.HTTPError as e:
    print(e.read().decode().strip())
    sys.exit(1)
