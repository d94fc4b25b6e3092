# Plausible wrong attempt: the reference engine caching every subquery's result, correlated or not.
# Runs as the agent (evalkit QA convention); the last stdout line is the submission.
# $EVALKIT_QA_LIB holds this family's qa/lib/ for the script's duration (docs/python-bridge.md).
set -e
mkdir -p /home/agent/sql
cp "$EVALKIT_QA_LIB/reference_engine.py" /home/agent/sql/engine.py
/usr/bin/python3 - <<'PY'
path = "/home/agent/sql/engine.py"
text = open(path).read()
old = 'if not plan["correlated"]:'
assert old in text, "the wrong attempt's patch no longer applies to qa/lib/reference_engine.py"
open(path, "w").write(text.replace(old, 'if True:'))
PY
echo done
