"""Reporting periods, in one place: the calendar arithmetic and the rules that
tie feeds and indicators to periods (the dbt side: dbt_project/macros/)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

KINDS = ("month", "quarter", "ytd", "year")
_MONTHS = {"month": 1, "quarter": 3, "year": 12}
_TEXT = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(first: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after (or before) ``first``'s month."""
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def shift_period(period: str, months: int) -> str:
    """A YYYY-MM period ``months`` later (negative: earlier)."""
    return Period.parse(period).shifted(months).text


@dataclass(frozen=True, order=True)
class Period:
    """A month, quarter, year to date or calendar year, as the marts key it
    (``period_type``, ``period_start``, ``period_end``). A year to date runs from
    1 January ``through`` a month (the first day of its last month)."""

    start: dt.date
    kind: str = "month"
    through: dt.date | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown period type {self.kind!r}")
        if self.start.day != 1 or (self.kind in ("ytd", "year") and self.start.month != 1):
            raise ValueError(f"{self.start} does not start a {self.kind}")
        if self.kind == "quarter" and self.start.month % 3 != 1:
            raise ValueError(f"{self.start} does not start a quarter")
        if (self.kind == "ytd") != (self.through is not None):
            raise ValueError("a year to date, and only it, runs through a month")
        if self.through and (self.through.day != 1 or self.through.year != self.start.year):
            raise ValueError(f"{self.through} is no month of {self.start.year}")

    @classmethod
    def parse(cls, text: str) -> Period:
        """A landing folder's period: ``YYYY-MM`` (a month) or ``YYYY`` (a year)."""
        match = _TEXT.match(text)
        if not match:
            raise ValueError(f"period {text!r} is neither YYYY-MM nor YYYY")
        year, month = int(match.group(1)), match.group(2)
        if month is None:
            return cls(dt.date(year, 1, 1), "year")
        return cls(dt.date(year, int(month), 1), "month")

    @classmethod
    def of_mart(cls, period_type: str, start: dt.date, end: dt.date) -> Period:
        """The period of a mart row (``period_type``, ``period_start``, ``period_end``)."""
        return cls(start, period_type, end.replace(day=1) if period_type == "ytd" else None)

    @classmethod
    def month_of(cls, day: dt.date) -> Period:
        return cls(day.replace(day=1), "month")

    @classmethod
    def ending(cls, kind: str, month: Period | dt.date) -> Period:
        """The period of ``kind`` that the month ``month`` belongs to (its quarter,
        its year to date, its year)."""
        first = (month.start if isinstance(month, Period) else month).replace(day=1)
        if kind == "month":
            return cls(first, kind)
        if kind == "quarter":
            return cls(first.replace(month=(first.month - 1) // 3 * 3 + 1), kind)
        return cls(first.replace(month=1), kind, first if kind == "ytd" else None)

    @property
    def months(self) -> int:
        """How many months the period spans."""
        return self.through.month if self.through else _MONTHS[self.kind]

    @property
    def end(self) -> dt.date:
        last = add_months(self.start, self.months - 1)
        return month_end(last.year, last.month)

    @property
    def text(self) -> str:
        """As a landing folder names it: ``YYYY-MM`` for a month, ``YYYY`` for a year."""
        return f"{self.start:%Y}" if self.kind == "year" else f"{self.start:%Y-%m}"

    def shifted(self, steps: int) -> Period:
        """The period ``steps`` periods of its kind later (negative: earlier); a
        year to date moves by years, through the same month."""
        months = 12 * steps if self.through else self.months * steps
        through = add_months(self.through, months) if self.through else None
        return Period(add_months(self.start, months), self.kind, through)

    @property
    def previous(self) -> Period:
        return self.shifted(-1)

    @property
    def a_year_earlier(self) -> Period:
        """The same period of the year before (the comparison 同比 makes)."""
        through = add_months(self.through, -12) if self.through else None
        return Period(add_months(self.start, -12), self.kind, through)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def december(self) -> Period:
        """The month whose registry snapshot places an annual feed's institutions."""
        return Period(dt.date(self.start.year, 12, 1), "month")

    @property
    def label_zh(self) -> str:
        """How users read it: 2026年3月, 2026年第1季度, 2026年1—3月 (a year to date
        through March), 2026年."""
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{(self.start.month - 1) // 3 + 1}季度"
        if self.kind == "ytd":
            return f"{self.start.year}年1—{self.through.month}月"
        return f"{self.start.year}年"


def feed_period(periodicity: str, text: str) -> Period | None:
    """A feed's period as its landing folder names it, or None when the folder's
    name is not the form the feed is delivered in (YYYY for annual feeds,
    YYYY-MM for the others)."""
    try:
        period = Period.parse(text)
    except ValueError:
        return None
    return period if (period.kind == "year") == (periodicity == "year") else None


def registry_period(periodicity: str, text: str) -> str:
    """The registry snapshot that places a feed's institutions: the period's own
    month, or December of an annual feed's year."""
    return Period.parse(text).december.text if periodicity == "year" else text
