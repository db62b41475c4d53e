"""SQL pieces of the analytics that differ by database (SQLite for development, PostgreSQL in production):
month of a timestamp, days between two timestamps, exact sums of amounts; and the median of a histogram.

Reports aggregate in the database (GROUP BY) and bring back a few rows, never one row per deal.
"""

from decimal import Decimal

from sqlalchemy import BigInteger, Float, case, cast, func

from ..extensions import db


def _dialect():
    return db.session.get_bind().dialect.name


def month_of(column):
    """'YYYY-MM' of a date or timestamp column."""
    if _dialect() == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.substr(column, 1, 7)  # SQLite keeps dates and timestamps as ISO text; strftime costs 3x more


def days_between(start, end):
    """(end - start) in days, as a float expression."""
    if _dialect() == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return cast(func.julianday(end) - func.julianday(start), Float)


def tenth_days(start, end):
    """(end - start) in tenths of a day, rounded: the bucket of a median histogram (exact to 0.1 day)."""
    return cast(func.round(days_between(start, end) * 10), BigInteger)


def cents(column):
    """An amount in 万元 as whole hundredths: summed exactly on both databases (SQLite has no decimal type)."""
    return cast(func.round(column * 100), BigInteger)


def from_cents(total):
    return (Decimal(int(total or 0)) / 100).quantize(Decimal("0.01"))


def count_if(condition):
    return func.sum(case((condition, 1), else_=0))


def median_of_histogram(buckets):
    """Median of values given as [(value, count)] (statistics.median semantics: the mean of the middle two)."""
    buckets = sorted((v, n) for v, n in buckets if v is not None and n)
    total = sum(n for _v, n in buckets)
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]
    found, seen = [], 0
    for value, n in buckets:
        while middle and middle[0] < seen + n:
            found.append(value)
            middle.pop(0)
        seen += n
    return sum(found) / len(found)
