"""Proleptic Gregorian calendar arithmetic on (year, month, day) tuples, without the datetime module."""

_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def is_leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year, month):
    if month == 2 and is_leap(year):
        return 29
    return _DAYS[month - 1]


def to_ordinal(y, m, d):
    """Day number with 0001-01-01 as 1."""
    yy = y - 1
    n = yy * 365 + yy // 4 - yy // 100 + yy // 400
    for mm in range(1, m):
        n += days_in_month(y, mm)
    return n + d


def from_ordinal(n):
    """Inverse of to_ordinal."""
    y = (n - 1) * 400 // 146097 + 1
    while to_ordinal(y + 1, 1, 1) <= n:
        y += 1
    while to_ordinal(y, 1, 1) > n:
        y -= 1
    rest = n - to_ordinal(y, 1, 1)
    m = 1
    while rest >= days_in_month(y, m):
        rest -= days_in_month(y, m)
        m += 1
    return (y, m, rest + 1)


def add_days(date, k):
    return from_ordinal(to_ordinal(*date) + k)


def add_months(date, k):
    """Add k calendar months (k may be negative); the day is clamped to the end of the target month."""
    y, m, d = date
    idx = y * 12 + (m - 1) + k
    ny, nm = idx // 12, idx % 12 + 1
    return (ny, nm, min(d, days_in_month(ny, nm)))


def weekday(date):
    """0 = Monday ... 6 = Sunday."""
    return (to_ordinal(*date) - 1) % 7


def business_days_between(start, end):
    """Number of Monday-Friday days in [start, end) (0 when end <= start)."""
    a, b = to_ordinal(*start), to_ordinal(*end)
    count = 0
    for n in range(a, b):
        if (n - 1) % 7 < 5:
            count += 1
    return count


def iso_week(date):
    """(ISO year, ISO week number) of a date."""
    n = to_ordinal(*date)
    y = date[0]
    def week1_monday(year):
        jan4 = to_ordinal(year, 1, 4)
        return jan4 - (jan4 - 1) % 7
    if n >= week1_monday(y + 1):
        y += 1
    elif n < week1_monday(y):
        y -= 1
    return (y, (n - week1_monday(y)) // 7 + 1)
