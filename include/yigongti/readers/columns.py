"""Column-at-a-time normalisation of a block of rows.

Each column of a block is joined into one string, its values separated by NUL
(no accepted file holds one: ``sources.reject_nul``), so that a column in one
of the usual forms is recognised by one regex match in C. A column that does
not match goes value by value through the normalisers of ``values.py``, which
decide exactly as before and name the rows; the fast forms below are only
forms those normalisers return unchanged (or with ``/`` written as ``-``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from yigongti.contracts import Column, normalize_name

SEP = "\x00"


def joined_pattern(pattern: str) -> re.Pattern:
    """Full match of a joined column whose every value is blank or matches ``pattern``."""
    return re.compile(f"(?:{pattern})?(?:{SEP}(?:{pattern})?)*", re.ASCII)


# White space after a separator; searched from both ends (a literal first
# character lets the regex engine skip ahead).
_SPACE_AFTER_SEP = re.compile(rf"{SEP}\s")


def needs_strip(joined: str) -> bool:
    """Whether a value of the joined column has white space to strip at either end."""
    if not joined:
        return False
    if joined[0].isspace() or joined[-1].isspace():
        return True
    return bool(_SPACE_AFTER_SEP.search(joined) or _SPACE_AFTER_SEP.search(joined[::-1]))


_TIME = r" (?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d"
# type -> joined patterns of values the normaliser keeps as they are, except
# that the date separator ``/`` becomes ``-`` (values.date_text, datetime_text).
_FAST_FORMS: dict[str, tuple[str, ...]] = {
    "date": (r"\d{4}-\d\d-\d\d", r"\d{4}/\d\d/\d\d"),
    "datetime": (r"\d{4}-\d\d-\d\d" + _TIME, r"\d{4}/\d\d/\d\d" + _TIME),
    "count": (r"\d+",),
    "int": (r"-?\d+",),
    "numeric": (r"-?\d+(?:\.\d+)?",),
    "money": (r"\d+(?:\.\d+)?",),
    "signed_money": (r"-?\d+(?:\.\d+)?",),
}
FAST_FORMS = {k: tuple(map(joined_pattern, v)) for k, v in _FAST_FORMS.items()}
_real_dates: set[str] = set()


def _all_real_dates(values: Sequence[str], width: int) -> bool:
    """Whether every distinct ``YYYY-MM-DD`` prefix is a day of the calendar (not 02-30)."""
    days = {v[:width] for v in values} if width else set(values)
    days.discard("")
    for day in days - _real_dates:
        try:
            dt.date.fromisoformat(day)
        except ValueError:
            return False
        _real_dates.add(day)
    return True


def type_key(column: Column) -> str | None:
    """The key of ``FAST_FORMS`` and ``values.NORMALISERS`` for a contract column."""
    if column.normalize == "name":
        return "name"
    return "signed_money" if column.type == "money" and column.signed else column.type


def fast_normalised(key: str, values: Sequence[str], joined: str) -> Sequence[str] | None:
    """The normalised column when all its values are in a fast form (``values``
    itself when nothing changes), else None."""
    for pattern in FAST_FORMS.get(key, ()):
        if pattern.fullmatch(joined) is None:
            continue
        if key in ("date", "datetime"):
            out = joined.replace("/", "-").split(SEP) if "/" in joined else values
            return out if _all_real_dates(out, 10 if key == "datetime" else 0) else None
        return values
    return None


_names: dict[str, str | None] = {}


def normalised_names(values: Sequence[str]) -> list[str | None]:
    """``normalize_name`` once per distinct name."""
    out = []
    for value in values:
        if value not in _names:
            _names[value] = normalize_name(value) if value else ""
        out.append(_names[value])
    return out


def one_by_one(
    values: Sequence[str], normalise: Callable[[str], str | None]
) -> tuple[list[str], list[int]]:
    """Normalise value by value: (values, indices of those that cannot be read)."""
    out, bad = list(values), []
    for i, value in enumerate(values):
        if value:
            normalised = normalise(value)
            if normalised is None:
                bad.append(i)
            else:
                out[i] = normalised
    return out, bad
