import threading
import time
import unittest

from cache import LRUCache


class FakeClock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


class TestCache(unittest.TestCase):
    def test_put_get(self):
        c = LRUCache(2)
        c.put("a", 1)
        self.assertEqual(c.get("a"), 1)
        self.assertIsNone(c.get("zz"))

    def test_evicts_least_recently_used(self):
        c = LRUCache(2)
        c.put("a", 1)
        c.put("b", 2)
        c.get("a")
        c.put("c", 3)
        self.assertEqual(c.get("a"), 1)
        self.assertIsNone(c.get("b"))

    def test_ttl_expiry(self):
        clock = FakeClock()
        c = LRUCache(4, default_ttl=10, clock=clock)
        c.put("a", 1)
        clock.t = 5
        self.assertEqual(c.get("a"), 1)
        clock.t = 11
        self.assertIsNone(c.get("a"))

    def test_stats(self):
        c = LRUCache(2)
        c.put("a", 1)
        c.get("a")
        c.get("b")
        self.assertEqual(c.stats()["hits"], 1)
        self.assertEqual(c.stats()["misses"], 1)

    def test_get_or_compute(self):
        c = LRUCache(2)
        self.assertEqual(c.get_or_compute("k", lambda: 42), 42)
        self.assertEqual(c.get("k"), 42)


if __name__ == "__main__":
    unittest.main()
