# Plausible wrong attempt: 5-nearest-neighbours on the raw pixels (no denoising, no alignment).
set -e
/usr/bin/python3 - <<'PY'
import numpy as np
d = "/home/agent/digits/"
A = np.load(d + "train_images.npy").reshape(2500, -1)
T = np.load(d + "test_images.npy").reshape(2000, -1)
y = np.load(d + "train_labels.npy")
dist = (T ** 2).sum(1)[:, None] - 2 * T @ A.T + (A ** 2).sum(1)[None]
np.savetxt(d + "predictions.txt", [np.bincount(r, minlength=10).argmax() for r in y[np.argsort(dist, 1)[:, :5]]], fmt="%d")
PY
echo /home/agent/digits/predictions.txt
