# Plausible wrong attempt: the same smoothing with only two characters of context.
set -e
/usr/bin/python3 - <<'PY'
import json
from collections import defaultdict
ORDER, D = 3, 0.75
text = open("/home/agent/lm/train.txt").read()
vocab = json.load(open("/home/agent/lm/vocab.json"))
idx = {c: i for i, c in enumerate(vocab)}
text = "\n" * ORDER + text
counts = [defaultdict(lambda: defaultdict(int)) for _ in range(ORDER)]
for k in range(ORDER):
    table = counts[k]
    for i in range(ORDER, len(text)):
        table[text[i - k:i]][text[i]] += 1
def dist(ctx):
    # interpolated absolute discounting, from the empty context up to ORDER-1 characters
    p = [1.0 / len(vocab)] * len(vocab)
    for k in range(ORDER):
        table = counts[k].get(ctx[len(ctx) - k:] if k else "")
        if not table:
            break
        n = sum(table.values())
        lam = D * len(table) / n
        p = [lam * v for v in p]
        for ch, cnt in table.items():
            p[idx[ch]] += max(cnt - D, 0) / n
    return p
with open("/home/agent/lm/predictions.txt", "w") as out:
    for line in open("/home/agent/lm/queries.jsonl"):
        out.write(" ".join("%.6g" % v for v in dist("\n" * ORDER + json.loads(line))) + "\n")
PY
echo /home/agent/lm/predictions.txt
