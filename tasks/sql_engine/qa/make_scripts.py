"""Regenerate qa/solution_*.sh and qa/wrong_*.sh from qa/reference_engine.py: python3 qa/make_scripts.py.

The QA scripts run as the agent through stdin and cannot read any file of the family, so each embeds the
reference engine verbatim (tests/tasks/sql_engine_test.ts checks that the copies match); each wrong attempt
then patches in one realistic bug.
"""

import os

HERE = os.path.dirname(os.path.abspath(__file__))
ENGINE = open(os.path.join(HERE, "reference_engine.py")).read()
assert "SQL_ENGINE_EOF" not in ENGINE

BUGS = {
    "select_filter": (
        "Plausible wrong attempt: the reference engine with comparisons that forget three-valued logic (NULL\n"
        "# compares as the smallest value instead of making the comparison NULL).",
        "                if a is None or b is None:\n                    return None\n"
        "                return int(test(compare(a, b)))",
        "                return int(test(compare(a, b)))",
    ),
    "joins_aggregates": (
        "Plausible wrong attempt: the reference engine with LEFT JOIN parsed as an INNER JOIN.",
        'joins.append(("left" if kind == "left" else "inner", ref, on))',
        'joins.append(("inner", ref, on))',
    ),
    "full_subset": (
        "Plausible wrong attempt: the reference engine caching every subquery's result, correlated or not.",
        'if not plan["correlated"]:',
        "if True:",
    ),
}


def install(comment):
    return (
        "# %s\n# Runs as the agent (evalkit QA convention); the last stdout line is the submission. The heredoc is a"
        " verbatim\n# copy of qa/reference_engine.py (regenerate with qa/make_scripts.py).\n"
        "set -e\nmkdir -p /home/agent/sql\ncat > /home/agent/sql/engine.py <<'SQL_ENGINE_EOF'\n" % comment
    ) + ENGINE + "SQL_ENGINE_EOF\n"


def patch(old, new):
    return (
        "/usr/bin/python3 - <<'PY'\npath = \"/home/agent/sql/engine.py\"\ntext = open(path).read()\n"
        "old = %r\nassert old in text, \"the wrong attempt's patch no longer applies\"\n"
        "open(path, \"w\").write(text.replace(old, %r))\nPY\n" % (old, new)
    )


for task, (comment, old, new) in BUGS.items():
    assert old in ENGINE, task
    with open(os.path.join(HERE, "solution_%s.sh" % task), "w") as handle:
        handle.write(install("Reference solution: installs the reference SQL engine (tokeniser, recursive-descent"
                             " parser, hash joins, evaluator).") + "echo done\n")
    with open(os.path.join(HERE, "wrong_%s.sh" % task), "w") as handle:
        handle.write(install(comment) + patch(old, new) + "echo done\n")
