# Reference solution (evalkit QA convention): runs as the agent; the last stdout line is the submission.
# Blur away the pixel noise, centre each glyph on its ink centroid, then 5-nearest-neighbours.
set -e
/usr/bin/python3 - <<'PY'
import numpy as np
d = "/home/agent/digits/"
xtr, ytr, xte = np.load(d + "train_images.npy"), np.load(d + "train_labels.npy"), np.load(d + "test_images.npy")
def blur(x):
    k = np.array([0.25, 0.5, 0.25])
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)), mode="edge")
    x = k[0] * p[:, :-2, 1:-1] + k[1] * p[:, 1:-1, 1:-1] + k[2] * p[:, 2:, 1:-1]
    p = np.pad(x, ((0, 0), (1, 1), (1, 1)), mode="edge")
    return k[0] * p[:, 1:-1, :-2] + k[1] * p[:, 1:-1, 1:-1] + k[2] * p[:, 1:-1, 2:]
def centre(x):
    out = np.empty_like(x)
    n, h, w = x.shape
    yy, xx = np.mgrid[0:h, 0:w]
    for i in range(n):
        m = np.clip(x[i] - np.median(x[i]), 0, None)
        s = m.sum() + 1e-9
        cy, cx = (m * yy).sum() / s, (m * xx).sum() / s
        out[i] = np.roll(np.roll(x[i], int(round(h / 2 - 0.5 - cy)), 0), int(round(w / 2 - 0.5 - cx)), 1)
    return out.reshape(n, -1)
A, T = centre(blur(blur(xtr))), centre(blur(blur(xte)))
dist = (T ** 2).sum(1)[:, None] - 2 * T @ A.T + (A ** 2).sum(1)[None]
nearest = ytr[np.argsort(dist, 1)[:, :5]]
pred = [np.bincount(row, minlength=10).argmax() for row in nearest]
np.savetxt(d + "predictions.txt", pred, fmt="%d")
PY
echo /home/agent/digits/predictions.txt
