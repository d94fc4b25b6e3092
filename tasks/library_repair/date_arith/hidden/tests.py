# Hidden tests: each returns an observation; the scorer compares it with the reference library's.
import dates


def test_leap_400():
    return [dates.is_leap(y) for y in (1600, 1700, 1900, 2000, 2100, 2400, 2024, 2025)]


def test_feb_lengths():
    return [dates.days_in_month(y, 2) for y in (2000, 1900, 2024, 2023)]


def test_ordinal_known():
    return [dates.to_ordinal(2000, 3, 1), dates.to_ordinal(1, 1, 1), dates.to_ordinal(2024, 12, 31)]


def test_from_ordinal_year_ends():
    out = []
    for y in (1999, 2000, 2023, 2024, 2100):
        n = dates.to_ordinal(y, 12, 31)
        out.append([dates.from_ordinal(n), dates.from_ordinal(n + 1)])
    return out


def test_add_days_leap():
    return [dates.add_days((2024, 2, 28), 1), dates.add_days((2023, 2, 28), 1), dates.add_days((2000, 2, 28), 1)]


def test_add_days_negative():
    return [dates.add_days((2024, 1, 1), -1), dates.add_days((2024, 3, 1), -1)]


def test_add_months_clamp():
    return [dates.add_months((2023, 1, 31), 1), dates.add_months((2024, 1, 31), 1), dates.add_months((2023, 5, 31), 1)]


def test_add_months_year_wrap():
    return [dates.add_months((2023, 11, 15), 1), dates.add_months((2023, 11, 15), 2), dates.add_months((2023, 12, 1), 1),
            dates.add_months((2023, 12, 10), 13)]


def test_add_months_negative():
    return [dates.add_months((2024, 1, 15), -1), dates.add_months((2024, 3, 31), -1), dates.add_months((2024, 1, 1), -13)]


def test_weekday_various():
    return [dates.weekday(d) for d in ((2000, 1, 1), (2024, 2, 29), (1970, 1, 1), (2025, 12, 25))]


def test_business_days_edges():
    f = dates.business_days_between
    return [f((2024, 1, 6), (2024, 1, 8)), f((2024, 1, 5), (2024, 1, 6)), f((2024, 1, 8), (2024, 1, 8)),
            f((2024, 1, 10), (2024, 1, 3)), f((2024, 1, 1), (2024, 2, 1))]


def test_iso_week_early_january():
    return [dates.iso_week(d) for d in ((2021, 1, 1), (2021, 1, 3), (2021, 1, 4), (2016, 1, 1), (2027, 1, 1))]


def test_iso_week_late_december():
    return [dates.iso_week(d) for d in ((2024, 12, 30), (2020, 12, 31), (2025, 12, 29), (2026, 12, 31))]


def test_against_datetime():
    import datetime
    ok = True
    d = datetime.date(1995, 1, 1)
    while d.year < 2032:
        t = (d.year, d.month, d.day)
        ok = ok and dates.to_ordinal(*t) == d.toordinal() and dates.from_ordinal(d.toordinal()) == t
        ok = ok and dates.weekday(t) == d.weekday() and dates.iso_week(t) == tuple(d.isocalendar()[:2])
        d += datetime.timedelta(days=3)
    return ok
