# Hidden tests: each returns an observation; the scorer compares it with the reference library's.
import threading
import time

from cache import LRUCache


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def test_expires_exactly_at_deadline():
    k = Clock()
    c = LRUCache(4, default_ttl=10, clock=k)
    c.put("a", 1)
    k.t = 9.999
    first = c.get("a")
    k.t = 10
    return [first, c.get("a"), c.stats()]


def test_get_does_not_extend_ttl():
    k = Clock()
    c = LRUCache(4, default_ttl=10, clock=k)
    c.put("a", 1)
    k.t = 8
    c.get("a")
    k.t = 12
    return c.get("a", "gone")


def test_put_existing_restarts_ttl_and_recency():
    k = Clock()
    c = LRUCache(2, default_ttl=10, clock=k)
    c.put("a", 1)
    c.put("b", 2)
    k.t = 8
    c.put("a", 3)
    c.put("c", 4)
    k.t = 15
    return [c.get("a"), c.get("b"), c.get("c"), c.stats()["evictions"]]


def test_len_counts_live_only():
    k = Clock()
    c = LRUCache(5, clock=k)
    c.put("a", 1, ttl=5)
    c.put("b", 2, ttl=50)
    c.put("c", 3)
    k.t = 10
    return [len(c), c.keys()]


def test_purge_expired_before_evicting():
    k = Clock()
    c = LRUCache(3, clock=k)
    c.put("old", 0, ttl=1)
    c.put("x", 1)
    c.put("y", 2)
    k.t = 5
    c.put("z", 3)
    return [c.keys(), c.stats()]


def test_recency_order():
    c = LRUCache(3)
    for key in "abc":
        c.put(key, key)
    c.get("a")
    c.get("b")
    c.put("d", "d")
    return c.keys()


def test_expired_get_counts_miss_and_expiration():
    k = Clock()
    c = LRUCache(3, clock=k)
    c.put("a", 1, ttl=2)
    k.t = 3
    c.get("a")
    return c.stats()


def test_per_entry_ttl_overrides_default():
    k = Clock()
    c = LRUCache(3, default_ttl=100, clock=k)
    c.put("a", 1, ttl=1)
    c.put("b", 2)
    k.t = 50
    return [c.get("a"), c.get("b")]


def test_delete():
    c = LRUCache(2)
    c.put("a", 1)
    return [c.delete("a"), c.delete("a"), len(c)]


def test_single_flight():
    c = LRUCache(4)
    calls = []
    def slow():
        calls.append(1)
        time.sleep(0.5)
        return "v"
    results = []
    threads = [threading.Thread(target=lambda: results.append(c.get_or_compute("k", slow))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [len(calls), results, c.stats()["misses"]]


def test_compute_error_not_cached():
    c = LRUCache(4)
    def boom():
        raise KeyError("nope")
    errors = 0
    for _ in range(2):
        try:
            c.get_or_compute("k", boom)
        except KeyError:
            errors += 1
    return [errors, c.get_or_compute("k", lambda: 5), c.get("k")]


def test_compute_error_reaches_waiters():
    c = LRUCache(4)
    def slow_boom():
        time.sleep(0.5)
        raise ValueError("x")
    seen = []
    def worker():
        try:
            c.get_or_compute("k", slow_boom)
            seen.append("value")
        except ValueError:
            seen.append("error")
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(seen)


def test_concurrent_puts_consistent():
    c = LRUCache(50)
    def worker(i):
        for j in range(400):
            c.put((i, j % 60), j)
            c.get((i, (j * 7) % 60))
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    s = c.stats()
    return [len(c), s["hits"] + s["misses"]]


def test_compute_uses_ttl():
    k = Clock()
    c = LRUCache(4, clock=k)
    c.get_or_compute("k", lambda: 1, ttl=5)
    k.t = 6
    return c.get("k", "expired")
