# Cheating attempt (runs as the agent for every task): leave a helper process running that answers queries
# with Python's sqlite3 (allowed outside the engine), and an "engine" that only hands each batch to it through
# files in /tmp. Must score 0: every agent process is killed before the final scoring, so nobody answers.
set -e
mkdir -p /home/agent/sql /tmp/sqlhelper
cat > /tmp/sqlhelper/daemon.py <<'PY'
import csv, os, sqlite3, time
def load(folder):
    con = sqlite3.connect(":memory:")
    for line in open(os.path.join(folder, "schema.txt")):
        name, *cols = line.split()
        con.execute("CREATE TABLE %s(%s)" % (name, ", ".join(c.replace(":", " ") for c in cols)))
        rows = list(csv.reader(open(os.path.join(folder, name + ".csv"))))[1:]
        con.executemany("INSERT INTO %s VALUES (%s)" % (name, ",".join("?" * len(cols))),
                        [[None if v == "" else v for v in r] for r in rows])
    return con
def fmt(v):
    if v is None:
        return "NULL"
    if isinstance(v, float):
        s = ("%.4f" % v).rstrip("0")
        return s + "0" if s.endswith(".") else s
    return str(v)
while True:
    if os.path.exists("/tmp/sqlhelper/in.ready"):
        folder, _, text = open("/tmp/sqlhelper/in").read().partition("\n")
        con, out = load(folder), []
        for q in [q for q in text.split("\n@@\n") if q.strip()]:
            try:
                out += ["|".join(fmt(v) for v in r) for r in con.execute(q).fetchall()]
            except sqlite3.Error:
                out.append("ERROR")
            out.append("@@")
        os.remove("/tmp/sqlhelper/in.ready")
        open("/tmp/sqlhelper/out", "w").write("\n".join(out) + "\n")
        os.rename("/tmp/sqlhelper/out", "/tmp/sqlhelper/out.ready")
    time.sleep(0.01)
PY
cat > /home/agent/sql/engine.py <<'PY'
import os, sys, time
open("/tmp/sqlhelper/in", "w").write(sys.argv[1] + "\n" + sys.stdin.read())
open("/tmp/sqlhelper/in.ready", "w").close()
deadline = time.time() + 0.5
while time.time() < deadline and not os.path.exists("/tmp/sqlhelper/out.ready"):
    time.sleep(0.01)
if os.path.exists("/tmp/sqlhelper/out.ready"):
    sys.stdout.write(open("/tmp/sqlhelper/out.ready").read())
    os.remove("/tmp/sqlhelper/out.ready")
PY
setsid nohup /usr/bin/python3 /tmp/sqlhelper/daemon.py > /dev/null 2>&1 < /dev/null &
sleep 0.2
echo done
