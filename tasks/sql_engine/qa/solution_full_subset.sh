# Reference solution: installs the reference SQL engine (tokeniser, recursive-descent parser, hash joins, evaluator).
# Runs as the agent (evalkit QA convention); the last stdout line is the submission.
# $EVALKIT_QA_LIB holds this family's qa/lib/ for the script's duration (docs/python-bridge.md).
set -e
mkdir -p /home/agent/sql
cp "$EVALKIT_QA_LIB/reference_engine.py" /home/agent/sql/engine.py
echo done
