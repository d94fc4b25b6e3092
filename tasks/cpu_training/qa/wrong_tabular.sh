# Plausible wrong attempt: plain logistic regression on the raw features.
set -e
/usr/bin/python3 - <<'PY'
import numpy as np
train = np.loadtxt("/home/agent/data/train.csv", delimiter=",", skiprows=1)
test = np.loadtxt("/home/agent/data/test.csv", delimiter=",", skiprows=1)
X = np.c_[train[:, :12], np.ones(len(train))]
T = np.c_[test, np.ones(len(test))]
y = train[:, 12]
w = np.zeros(X.shape[1])
for _ in range(2000):
    w -= 0.1 * X.T @ (1 / (1 + np.exp(-X @ w)) - y) / len(y)
np.savetxt("/home/agent/predictions.csv", (T @ w > 0).astype(int), fmt="%d")
PY
echo /home/agent/predictions.csv
