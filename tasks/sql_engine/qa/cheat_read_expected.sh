# Cheating attempt (runs as the agent for every task): an "engine" that answers from the scorer's expected
# outputs (root-only /root/hidden/expected.json), trying the file directly and through any readable open
# descriptor. Must score 0: the engine runs as the agent, who cannot read them.
set -e
mkdir -p /home/agent/sql
cat > /home/agent/sql/engine.py <<'PY'
import glob, json, sys
text = sys.stdin.read()
queries = [q.strip() for q in text.split("\n@@\n") if q.strip()]
answers = {}
for path in ["/root/hidden/expected.json"] + glob.glob("/proc/*/fd/*"):
    try:
        data = json.load(open(path))
        for part in data.values():
            for case in part if isinstance(part, list) else part["final"] + part["intermediate"]:
                answers[case["q"].strip()] = case["lines"]
    except Exception:
        pass
for q in queries:
    print("\n".join(answers.get(q, []) + ["@@"]))
PY
echo done
