"""Typed cell values as providers write them, normalised to one text form each.

feeds.md: dates arrive as ``YYYY-MM-DD``, ``YYYY/MM/DD`` or ``YYYYMMDD`` text or as
Excel date cells (already ISO text from ``sources.cell_text``), date-times may carry
a time of day; numbers may carry thousands separators in text cells. A value
that cannot be read returns None, and the reader reports the row: nothing that
is not a real date or number reaches the raw table of an accepted batch, so the
typed casts in staging (dbt_project/macros/staging/stage_feed.sql) cannot fail.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

_DATE = re.compile(
    r"(\d{4})(?:([-/.])(\d{1,2})\2(\d{1,2})|(\d{2})(\d{2}))"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?",
    re.ASCII,  # digits the warehouse's casts read (not full-width ones)
)
_INTEGER = re.compile(r"\d+|\d{1,3}(?:,\d{3})+", re.ASCII)
_DECIMAL = re.compile(r"-?(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?", re.ASCII)


def _parts(text: str) -> tuple[dt.date, dt.time | None] | None:
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    year, _, month, day, month8, day8, hour, minute, second = match.groups()
    try:
        day_value = dt.date(int(year), int(month or month8), int(day or day8))
        time_value = dt.time(int(hour), int(minute), int(second or 0)) if hour is not None else None
    except ValueError:  # 2025-02-30, month 13, hour 25
        return None
    return day_value, time_value


def date_text(text: str) -> str | None:
    """ISO date, or None when ``text`` is not a real date."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-":  # the common case
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            return None
    parts = _parts(text)
    return parts[0].isoformat() if parts else None


def datetime_text(text: str) -> str | None:
    """``YYYY-MM-DD HH:MM:SS`` (midnight when only a date is given), or None."""
    parts = _parts(text)
    if parts is None:
        return None
    day, time = parts
    return f"{day.isoformat()} {(time or dt.time(0)).isoformat()}"


def count_text(text: str) -> str | None:
    """A non-negative integer (``1,234`` → ``1234``), or None."""
    if text.isdigit() and text.isascii():
        return text
    return text.replace(",", "") if _INTEGER.fullmatch(text) else None


def _decimal(text: str) -> str | None:
    return text.replace(",", "") if _DECIMAL.fullmatch(text) else None


def _non_negative(text: str) -> str | None:
    value = _decimal(text)
    return value if value is not None and not value.startswith("-") else None


def _integer(text: str) -> str | None:
    value = _decimal(text)
    return value if value is not None and "." not in value else None


# type -> (normaliser, what the people on duty are told the column should hold)
NORMALISERS: dict[str, tuple[Callable[[str], str | None], str]] = {
    "date": (date_text, "日期（YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD）"),
    "datetime": (datetime_text, "日期时间"),
    "count": (count_text, "非负整数"),
    "int": (_integer, "整数"),
    "numeric": (_decimal, "数值"),
    "money": (_non_negative, "非负金额"),
    "signed_money": (_decimal, "金额"),
}
