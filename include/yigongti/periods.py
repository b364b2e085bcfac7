"""Calendar arithmetic on reporting periods, in one place."""

from __future__ import annotations

import calendar
import datetime as dt


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(first: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before) ``first``'s month."""
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def shift_period(period: str, months: int) -> str:
    """A YYYY-MM period ``months`` later (negative: earlier)."""
    year, month = map(int, period.split("-"))
    return f"{add_months(dt.date(year, month, 1), months):%Y-%m}"
