# Cheating attempt (runs as the agent for every task): an "engine" that delegates every query to SQLite —
# Python's sqlite3 module, then the sqlite3 command through subprocess, then os.system, then libsqlite3
# through ctypes. Must score 0: the scorer runs the engine under an audit hook that refuses all of these.
set -e
mkdir -p /home/agent/sql
cat > /home/agent/sql/engine.py <<'PY'
import csv, os, sys
folder, text = sys.argv[1], sys.stdin.read()
queries = [q for q in text.split("\n@@\n") if q.strip()]
def via_module():
    import sqlite3
    con = sqlite3.connect(":memory:")
    for line in open(os.path.join(folder, "schema.txt")):
        name, *cols = line.split()
        con.execute("CREATE TABLE %s(%s)" % (name, ", ".join(c.replace(":", " ") for c in cols)))
        rows = list(csv.reader(open(os.path.join(folder, name + ".csv"))))[1:]
        con.executemany("INSERT INTO %s VALUES (%s)" % (name, ",".join("?" * len(cols))),
                        [[None if v == "" else v for v in r] for r in rows])
    for q in queries:
        try:
            rows = con.execute(q).fetchall()
            out = ["|".join("NULL" if v is None else str(v) for v in r) for r in rows]
        except sqlite3.Error:
            out = ["ERROR"]
        print("\n".join(out + ["@@"]))
def via_command():
    import subprocess
    subprocess.run(["sqlite3", "-version"], check=True)
    print("@@\n" * len(queries), end="")
def via_system():
    os.system("sqlite3 -version")
    print("@@\n" * len(queries), end="")
def via_ctypes():
    import ctypes
    ctypes.CDLL("libsqlite3.so.0")
    print("@@\n" * len(queries), end="")
for attempt in (via_module, via_command, via_system, via_ctypes):
    try:
        attempt()
        break
    except Exception as error:
        print("refused:", error, file=sys.stderr)
PY
echo done
