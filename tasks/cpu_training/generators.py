"""Deterministic synthetic data for the cpu_training family (root-only: holds the hidden generators)."""

import numpy as np

# ----------------------------------------------------------------------------------------- tabular

def tabular(seed=7341, n_train=3000, n_test=2000, d=12):
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    x = rng.normal(size=(n, d))
    x[:, 6] = x[:, 0] + 0.3 * rng.normal(size=n)        # a correlated distractor
    x[:, 7] = rng.uniform(-2, 2, size=n)
    z = 1.6 * x[:, 0] * x[:, 1] + 2.0 * np.sin(2.0 * x[:, 2]) + (x[:, 3] ** 2 - 1.0) + 0.8 * x[:, 4] \
        - 1.2 * (np.abs(x[:, 5]) - 0.8) + 0.3 * rng.normal(size=n)
    y = (z > 0).astype(int)
    flip = rng.random(n) < 0.03
    y[flip] = 1 - y[flip]
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]


# ----------------------------------------------------------------------------------------- tiny_lm

SYLLABLES = ["ka", "ro", "mi", "tu", "sel", "van", "dor", "li", "ne", "qua", "zi", "pom", "rek", "sha",
             "to", "bi", "lun", "fa", "gor", "ve", "nis", "ul", "tra", "em", "ip", "os", "yel", "chu"]
FUNCTION_WORDS = ["the", "a", "of", "and", "to", "with", "near", "under", "every", "no"]


def _word(rng, syllables):
    return "".join(rng.choice(syllables, size=int(rng.integers(1, 4))))


def _lexicon(rng):
    topics = []
    for _ in range(5):
        syl = list(rng.choice(SYLLABLES, size=10, replace=False))
        nouns = sorted({_word(rng, syl) for _ in range(40)})
        verbs = sorted({_word(rng, syl) for _ in range(20)})
        adjs = sorted({_word(rng, syl) for _ in range(15)})
        topics.append((nouns, verbs, adjs))
    names = sorted({_word(rng, SYLLABLES).capitalize() for _ in range(60)})
    return topics, names


def _zipf_choice(rng, items, s=1.1):
    ranks = np.arange(1, len(items) + 1)
    p = ranks ** -s
    return items[int(rng.choice(len(items), p=p / p.sum()))]


def _sentence(rng, topics, names):
    nouns, verbs, adjs = topics[int(rng.integers(len(topics)))]
    name = _zipf_choice(rng, names)

    def noun_phrase():
        words = [str(rng.choice(["the", "a", "every", "no"]))]
        if rng.random() < 0.4:
            words.append(_zipf_choice(rng, adjs))
        words.append(_zipf_choice(rng, nouns))
        if rng.random() < 0.2:
            words += [str(rng.choice(["of", "near", "under", "with"]))] + ["the", _zipf_choice(rng, nouns)]
        return words

    plural = rng.random() < 0.5
    subject = [name] if rng.random() < 0.5 else noun_phrase()
    if plural and subject[0] != name:
        subject[-1] += "s"
    else:
        plural = False
    clauses = [subject + [_zipf_choice(rng, verbs) + ("" if plural else "s")] + noun_phrase()]
    while rng.random() < 0.45:
        link = str(rng.choice(["and", "so", "but"]))
        pronoun = "they" if plural else ("it" if subject[0] != name else name)
        clauses.append([link, pronoun, _zipf_choice(rng, verbs) + ("" if plural else "s")] + noun_phrase())
    text = " ".join(" ".join(c) for c in clauses)
    if rng.random() < 0.3:
        count = int(rng.integers(2, 10))
        text += f", {count} times"
    return text + "."


def tiny_lm(seed=9177, n_train=24000, n_held=3000):
    rng = np.random.default_rng(seed)
    topics, names = _lexicon(rng)
    train = [_sentence(rng, topics, names) for _ in range(n_train)]
    held = [_sentence(rng, topics, names) for _ in range(n_held)]
    vocab = sorted(set("".join(train + held)) | {"\n"})
    queries, targets = [], []
    for line in held:
        full = line + "\n"
        cut = int(rng.integers(0, len(full)))
        queries.append(full[:cut])
        targets.append(full[cut])
    return train, vocab, queries, targets


# ----------------------------------------------------------------------------------------- digits

# Ten invented glyphs, each a list of strokes ((x0, y0), (x1, y1)) in the unit square (y grows downwards).
GLYPHS = [
    [((0.2, 0.2), (0.8, 0.2)), ((0.5, 0.2), (0.5, 0.8))],                               # T-bar
    [((0.2, 0.8), (0.5, 0.2)), ((0.5, 0.2), (0.8, 0.8))],                               # caret
    [((0.2, 0.2), (0.8, 0.8)), ((0.2, 0.8), (0.8, 0.2))],                               # cross
    [((0.2, 0.2), (0.2, 0.8)), ((0.2, 0.8), (0.8, 0.8)), ((0.8, 0.8), (0.8, 0.2))],      # cup
    [((0.2, 0.5), (0.8, 0.5)), ((0.5, 0.2), (0.5, 0.8)), ((0.2, 0.2), (0.8, 0.2))],      # plus with roof
    [((0.2, 0.2), (0.8, 0.2)), ((0.8, 0.2), (0.2, 0.8)), ((0.2, 0.8), (0.8, 0.8))],      # zed
    [((0.5, 0.2), (0.2, 0.5)), ((0.2, 0.5), (0.5, 0.8)), ((0.5, 0.8), (0.8, 0.5)), ((0.8, 0.5), (0.5, 0.2))],
    [((0.2, 0.2), (0.2, 0.8)), ((0.2, 0.5), (0.8, 0.2)), ((0.2, 0.5), (0.8, 0.8))],      # kay
    [((0.3, 0.2), (0.3, 0.8)), ((0.7, 0.2), (0.7, 0.8)), ((0.3, 0.5), (0.7, 0.5))],      # ladder
    [((0.2, 0.8), (0.8, 0.8)), ((0.8, 0.8), (0.8, 0.2)), ((0.2, 0.2), (0.5, 0.5))],      # hook and tick
]


def _render(rng, strokes, size=16):
    angle = rng.uniform(-0.45, 0.45)
    scale = rng.uniform(0.7, 1.1)
    shear = rng.uniform(-0.25, 0.25)
    shift = rng.uniform(-0.22, 0.22, size=2)
    c, s = np.cos(angle), np.sin(angle)
    m = scale * np.array([[c, -s], [s, c]]) @ np.array([[1.0, shear], [0.0, 1.0]])
    centres = (np.stack(np.meshgrid(np.arange(size), np.arange(size)), -1).reshape(-1, 2) + 0.5) / size
    dist = np.full(len(centres), np.inf)
    for p0, p1 in strokes:
        a = (m @ (np.array(p0) - 0.5)) + 0.5 + shift
        b = (m @ (np.array(p1) - 0.5)) + 0.5 + shift
        ab = b - a
        u = np.clip(((centres - a) @ ab) / (ab @ ab), 0, 1)
        dist = np.minimum(dist, np.linalg.norm(centres - (a + u[:, None] * ab), axis=1))
    width = rng.uniform(0.035, 0.075)
    image = np.clip(1.0 - (dist - width) / 0.04, 0, 1)
    if rng.random() < 0.5:                       # a random blot
        cx, cy = rng.uniform(0.1, 0.9, size=2)
        blot = np.linalg.norm(centres - [cx, cy], axis=1) < rng.uniform(0.06, 0.14)
        image[blot] = rng.uniform(0.0, 1.0)
    image = image + rng.normal(0, 0.35, size=image.shape)
    return np.clip(image, 0, 1).reshape(size, size)


def digits(seed=4410, n_train=2500, n_test=2000):
    rng = np.random.default_rng(seed)
    n = n_train + n_test
    labels = rng.integers(0, 10, size=n)
    images = np.stack([_render(rng, GLYPHS[k]) for k in labels])
    return images[:n_train], labels[:n_train], images[n_train:], labels[n_train:]
