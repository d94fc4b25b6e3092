import unittest

from intervals import IntervalSet


class TestIntervalSet(unittest.TestCase):
    def test_add_disjoint(self):
        s = IntervalSet([(5, 8), (1, 3)])
        self.assertEqual(s.intervals(), [(1, 3), (5, 8)])

    def test_add_overlapping_merges(self):
        s = IntervalSet([(1, 5), (4, 9)])
        self.assertEqual(s.intervals(), [(1, 9)])

    def test_contains(self):
        s = IntervalSet([(10, 20)])
        self.assertIn(10, s)
        self.assertIn(15, s)
        self.assertNotIn(9, s)

    def test_len(self):
        self.assertEqual(len(IntervalSet([(0, 10), (20, 25)])), 15)

    def test_remove_middle(self):
        s = IntervalSet([(0, 10)])
        s.remove(3, 6)
        self.assertEqual(s.intervals(), [(0, 3), (6, 10)])


if __name__ == "__main__":
    unittest.main()
