# Reference solution (evalkit QA convention): runs as the agent; the last stdout line is the submission.
# Drops the flag (its relation to the label differs between the two training sites: not invariant), expands
# the sensor features to degree 2, weights training rows by a domain classifier's estimate of the density
# ratio test/train (covariate shift), and fits a weighted L2 logistic regression.
set -e
/usr/bin/python3 - <<'PY'
import numpy as np
d = "/home/agent/shift/"
train = np.loadtxt(d + "train.csv", delimiter=",", skiprows=1, usecols=range(1, 11))
test = np.loadtxt(d + "test.csv", delimiter=",", skiprows=1)
x, y, xt = train[:, :8], train[:, 9], test[:, :8]

def quad(x):
    i, j = np.triu_indices(x.shape[1])
    return np.c_[x, x[:, i] * x[:, j]]

def logistic(X, y, w, l2=1e-3, steps=400, lr=0.5):
    mu, sd = X.mean(0), X.std(0) + 1e-9
    Z = np.c_[(X - mu) / sd, np.ones(len(X))]
    beta = np.zeros(Z.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-Z @ beta))
        beta -= lr * (Z.T @ (w * (p - y)) / w.sum() + l2 * np.r_[beta[:-1], 0])
    return lambda X: np.c_[(X - mu) / sd, np.ones(len(X))] @ beta

# density ratio from a train-vs-test classifier on the raw features
dom = logistic(np.r_[x, xt], np.r_[np.zeros(len(x)), np.ones(len(xt))], np.ones(len(x) + len(xt)))
ratio = np.exp(np.clip(dom(x), -6, 6)) * len(x) / len(xt)
ratio = np.minimum(ratio / ratio.mean(), 20)
f = logistic(quad(x), y, ratio, steps=800)
np.savetxt(d + "predictions.txt", (f(quad(xt)) > 0).astype(int), fmt="%d")
PY
echo /home/agent/shift/predictions.txt
