# Hidden tests: each returns an observation; the scorer compares it with the reference library's.
from intervals import IntervalSet


def test_touching_merge():
    return IntervalSet([(1, 3), (3, 5)]).intervals()


def test_touching_merge_reverse():
    return IntervalSet([(3, 5), (1, 3)]).intervals()


def test_bridge_many():
    s = IntervalSet([(0, 2), (4, 6), (8, 10), (12, 14)])
    s.add(1, 9)
    return s.intervals()


def test_end_exclusive():
    s = IntervalSet([(10, 20)])
    return [19 in s, 20 in s, 9 in s, 10 in s]


def test_len_values():
    return [len(IntervalSet([(0, 1)])), len(IntervalSet()), len(IntervalSet([(0, 10), (10, 15)]))]


def test_remove_middle_endpoints():
    s = IntervalSet([(0, 10)])
    s.remove(3, 6)
    return [s.intervals(), 3 in s, 5 in s, 6 in s, 2 in s]


def test_remove_spanning():
    s = IntervalSet([(0, 5), (7, 9), (11, 20)])
    s.remove(3, 15)
    return s.intervals()


def test_remove_exact_and_empty():
    s = IntervalSet([(0, 5)])
    s.remove(0, 5)
    s.remove(3, 3)
    return s.intervals()


def test_intersection_containing():
    a = IntervalSet([(0, 100)])
    b = IntervalSet([(5, 10), (20, 30), (40, 50)])
    return [a.intersection(b).intervals(), b.intersection(a).intervals()]


def test_intersection_staggered():
    a = IntervalSet([(0, 10), (20, 30)])
    b = IntervalSet([(5, 25), (28, 40)])
    return a.intersection(b).intervals()


def test_union():
    a = IntervalSet([(0, 3), (10, 12)])
    b = IntervalSet([(3, 6), (11, 15), (20, 21)])
    return a.union(b).intervals()


def test_complement():
    return IntervalSet([(2, 4), (6, 8)]).complement(0, 10).intervals()


def test_complement_len():
    return len(IntervalSet([(2, 4), (6, 8)]).complement(0, 10))


def test_empty_add_ignored():
    s = IntervalSet([(5, 5), (7, 6)])
    return s.intervals()


def test_random_against_model():
    import random
    rnd = random.Random(7)
    s, model = IntervalSet(), set()
    for _ in range(300):
        a = rnd.randrange(0, 60)
        b = a + rnd.randrange(0, 8)
        if rnd.random() < 0.6:
            s.add(a, b)
            model |= set(range(a, b))
        else:
            s.remove(a, b)
            model -= set(range(a, b))
    return [len(s) == len(model), all((x in s) == (x in model) for x in range(-2, 75)), s.intervals()]
