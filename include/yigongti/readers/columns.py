"""Column-at-a-time normalisation of a block of rows (a polars frame of text).

A column in one of the usual forms is recognised by one vectorised regex match
(polars, in Rust). A column that does not match goes value by value through
the normalisers of ``values.py``, which decide exactly as before and name the
rows; the fast forms below are only forms those normalisers return unchanged
(or with ``/`` written as ``-``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from yigongti.contracts import normalize_name


def ascii_regex(pattern: str) -> str:
    """A contract pattern for polars' regex engine, whose ``\\d`` and ``\\w`` also
    match non-ASCII digits and letters (Python's ``re.ASCII``, PostgreSQL's
    ``[[:digit:]]`` in a UTF-8 database: ASCII only)."""
    return pattern.replace(r"\d", "[0-9]").replace(r"\w", "[0-9A-Za-z_]")


# White space str.strip() removes: Unicode White_Space and the separators \x1c-\x1f.
_SPACE = r"[\s\x1c-\x1f]"
NEEDS_STRIP = f"^{_SPACE}|{_SPACE}$"

# Years 1000-9999 (Python's dates start at year 1, the calendar parser below at 0).
_DATE = r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}"
_SLASHED = r"[1-9][0-9]{3}/[0-9]{2}/[0-9]{2}"
_COMPACT = r"[1-9][0-9]{7}"
_TIME = r" (?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"


def _dashed(column: pl.Expr) -> pl.Expr:
    return column.str.replace_all("/", "-", literal=True)


def _iso(column: pl.Expr) -> pl.Expr:
    return pl.concat_str(
        column.str.slice(0, 4), column.str.slice(4, 2), column.str.slice(6, 2), separator="-"
    )


# type -> (pattern, rewrite): values of the form the normaliser reads into the
# rewritten text (values.date_text, datetime_text, count_text, ...); None: as they are.
FAST_FORMS: dict[str, tuple[tuple[str, Callable[[pl.Expr], pl.Expr] | None], ...]] = {
    "date": ((f"^{_DATE}$", None), (f"^{_SLASHED}$", _dashed), (f"^{_COMPACT}$", _iso)),
    "datetime": ((f"^{_DATE}{_TIME}$", None), (f"^{_SLASHED}{_TIME}$", _dashed)),
    "count": ((r"^[0-9]+$", None),),
    "int": ((r"^-?[0-9]+$", None),),
    "numeric": ((r"^-?[0-9]+(?:\.[0-9]+)?$", None),),
    "money": ((r"^[0-9]+(?:\.[0-9]+)?$", None),),
    "signed_money": ((r"^-?[0-9]+(?:\.[0-9]+)?$", None),),
}
_DATED = ("date", "datetime")


def _days_real(name: str, rewrite) -> pl.Expr:
    """Whether every distinct day of a date column is a day of the calendar (not 02-30)."""
    days = pl.col(name).drop_nulls()
    days = (rewrite(days) if rewrite else days).str.slice(0, 10).unique()
    return days.str.to_date("%Y-%m-%d", strict=False).is_not_null().all()


def fast_typed(frame: pl.DataFrame, columns: list[tuple[str, str | None]]):
    """(frame, names of the columns normalised here): each typed column all of
    whose values are blank or in one fast form, normalised. Two queries for the
    block: the forms, then the calendar days of the dates in a form."""
    checks = [
        (name, key, form) for name, key in columns if key in FAST_FORMS for form in FAST_FORMS[key]
    ]
    if not checks:
        return frame, set()
    flags = frame.select(
        pl.col(name).str.contains(pattern).fill_null(True).all().alias(str(k))
        for k, (name, _, (pattern, _)) in enumerate(checks)
    ).row(0)
    passed: dict[str, tuple[str, Callable | None]] = {}
    for (name, key, (_, rewrite)), ok in zip(checks, flags, strict=True):
        if ok and name not in passed:
            passed[name] = (key, rewrite)
    dated = [(name, rewrite) for name, (key, rewrite) in passed.items() if key in _DATED]
    if dated:
        real = frame.select(_days_real(n, rw).alias(n) for n, rw in dated).row(0)
        for (name, _), ok in zip(dated, real, strict=True):
            if not ok:
                del passed[name]
    rewrites = [rw(pl.col(n)).alias(n) for n, (_, rw) in passed.items() if rw is not None]
    return (frame.with_columns(rewrites) if rewrites else frame), set(passed)


def type_key(column) -> str | None:
    """The key of ``FAST_FORMS`` and ``values.NORMALISERS`` for a contract column."""
    if column.normalize == "name":
        return "name"
    return "signed_money" if column.type == "money" and column.signed else column.type


_names: dict[str, str | None] = {}


def normalised_names(values: Sequence[str | None]) -> tuple[list[str | None], list[int]]:
    """``normalize_name`` once per distinct name: (names, indices of values that
    are no name at all, kept as delivered)."""
    out, bad = list(values), []
    for i, value in enumerate(values):
        if value is None:
            continue
        if value not in _names:
            _names[value] = normalize_name(value)
        if _names[value] is None:
            bad.append(i)
        else:
            out[i] = _names[value]
    return out, bad


def one_by_one(
    values: Sequence[str | None], normalise: Callable[[str], str | None]
) -> tuple[list[str | None], list[int]]:
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
