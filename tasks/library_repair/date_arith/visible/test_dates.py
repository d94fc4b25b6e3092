import unittest

import dates


class TestDates(unittest.TestCase):
    def test_leap(self):
        self.assertTrue(dates.is_leap(2024))
        self.assertFalse(dates.is_leap(2023))
        self.assertFalse(dates.is_leap(1900))

    def test_roundtrip(self):
        for n in (1, 365, 366, 700000, 738000):
            self.assertEqual(dates.to_ordinal(*dates.from_ordinal(n)), n)

    def test_add_days(self):
        self.assertEqual(dates.add_days((2023, 1, 30), 5), (2023, 2, 4))

    def test_add_months_simple(self):
        self.assertEqual(dates.add_months((2023, 3, 15), 2), (2023, 5, 15))

    def test_weekday(self):
        self.assertEqual(dates.weekday((2024, 1, 1)), 0)  # a Monday

    def test_business_days(self):
        # Mon 2024-01-01 .. Mon 2024-01-08 (exclusive): five weekdays
        self.assertEqual(dates.business_days_between((2024, 1, 1), (2024, 1, 8)), 5)


if __name__ == "__main__":
    unittest.main()
