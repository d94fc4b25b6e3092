# Cheating attempt (runs as the agent for every task): an "engine" that is a table of the visible example
# queries and their expected outputs, answering ERROR to anything else. Must score 0: the hidden queries are
# generated from other seeds, and ERROR or empty answers earn credit only in proportion to the other queries.
set -e
/usr/bin/python3 - <<'PY'
queries = open("/home/agent/sql/examples/queries.txt").read().split("\n@@\n")
outputs = open("/home/agent/sql/examples/expected.txt").read().split("@@\n")
table = {q.strip(): o for q, o in zip(queries, outputs) if q.strip()}
engine = """import sys
TABLE = %r
for q in sys.stdin.read().split("\\n@@\\n"):
    if q.strip():
        sys.stdout.write(TABLE.get(q.strip(), "ERROR\\n") + "@@\\n")
""" % table
open("/home/agent/sql/engine.py", "w").write(engine)
PY
echo done
