# Plausible wrong attempt: a good degree-2 logistic regression, but trained on every column including the
# flag, which predicts the label at the training sites and not at the deployment site.
set -e
/usr/bin/python3 - <<'PY'
import numpy as np
d = "/home/agent/shift/"
train = np.loadtxt(d + "train.csv", delimiter=",", skiprows=1, usecols=range(1, 11))
test = np.loadtxt(d + "test.csv", delimiter=",", skiprows=1)
def feats(x):
    i, j = np.triu_indices(8)
    return np.c_[x[:, :8], x[:, i] * x[:, j], x[:, 8]]
X, T, y = feats(train[:, :9]), feats(test), train[:, 9]
mu, sd = X.mean(0), X.std(0) + 1e-9
Z, ZT = np.c_[(X - mu) / sd, np.ones(len(X))], np.c_[(T - mu) / sd, np.ones(len(T))]
beta = np.zeros(Z.shape[1])
for _ in range(800):
    beta -= 0.5 * (Z.T @ (1 / (1 + np.exp(-Z @ beta)) - y) / len(y) + 1e-3 * np.r_[beta[:-1], 0])
np.savetxt(d + "predictions.txt", (ZT @ beta > 0).astype(int), fmt="%d")
PY
echo /home/agent/shift/predictions.txt
