# Reference solution (evalkit QA convention): runs as the agent; the last stdout line is the submission.
# Finds the interactions by inspection (here: the known ones) and fits logistic regression on them.
set -e
/usr/bin/python3 - <<'PY'
import numpy as np
train = np.loadtxt("/home/agent/data/train.csv", delimiter=",", skiprows=1)
test = np.loadtxt("/home/agent/data/test.csv", delimiter=",", skiprows=1)
x, y = train[:, :12], train[:, 12]
def feats(x):
    return np.c_[x, x[:, 0] * x[:, 1], np.sin(2 * x[:, 2]), x[:, 3] ** 2, np.abs(x[:, 5])]
X, T = feats(x), feats(test)
mu, sd = X.mean(0), X.std(0)
X = np.c_[(X - mu) / sd, np.ones(len(X))]
T = np.c_[(T - mu) / sd, np.ones(len(T))]
w = np.zeros(X.shape[1])
for _ in range(3000):
    p = 1 / (1 + np.exp(-X @ w))
    w -= 0.5 * X.T @ (p - y) / len(y)
np.savetxt("/home/agent/predictions.csv", (T @ w > 0).astype(int), fmt="%d")
PY
echo /home/agent/predictions.csv
