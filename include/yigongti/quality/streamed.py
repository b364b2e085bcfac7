"""The contract rules decided while a file's rows stream through the loader.

The rows pass through the loader anyway (checks before hashing, the hash, the
lineage), so the column rules of the suite (``suites.contract_rules``) are
counted there, as vectorised expressions over each block (polars), instead of
by a scan of the landed batch per rule: not null, format, value set, check
character, the district's rules and the key's uniqueness. Each keeps its name,
description and expectation from the suite, and ``validate`` reports its count
and rows through GX as that expectation's result.

The key is checked with 64-bit hashes of its values: a repeated hash may be a
collision, so a batch with one leaves ``key.unique`` to the validator's SQL,
which decides it exactly.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import polars as pl

from yigongti.contracts import Feed
from yigongti.quality.suites import Rule, contract_rules
from yigongti.readers.columns import ascii_regex
from yigongti.readers.issues import Issues


def _not_null(rule: Rule) -> pl.Expr:
    return pl.col(rule.kwargs["column"]).is_null()


def _in_set(rule: Rule) -> pl.Expr:
    column = pl.col(rule.kwargs["column"])
    return column.is_not_null() & ~column.is_in(list(rule.kwargs["value_set"]))


def _matches(rule: Rule) -> pl.Expr:
    # PostgreSQL's `~`, as GX runs the rule: a search, anchored by the pattern.
    column = pl.col(rule.kwargs["column"])
    return column.is_not_null() & ~column.str.contains(ascii_regex(rule.kwargs["regex"]))


_BROKEN: dict[str, Callable[[Rule], pl.Expr]] = {
    "expect_column_values_to_not_be_null": _not_null,
    "expect_column_values_to_be_in_set": _in_set,
    "expect_column_values_to_match_regex": _matches,
}
_UNIQUE = ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")


class StreamedRules:
    """Evaluate the suite's column rules on each block of a file."""

    def __init__(self, feed: Feed, period: str):
        rules = [
            r
            for r in contract_rules(feed, period)
            if r.expectation_type in _BROKEN or r.expectation_type in _UNIQUE
        ]
        self._row_rules = [r for r in rules if r.expectation_type in _BROKEN]
        self._broken = [_BROKEN[r.expectation_type](r).alias(r.name) for r in self._row_rules]
        self._key = next((r for r in rules if r.expectation_type in _UNIQUE), None)
        self._hashes: list[np.ndarray] = []
        self._pii = {c.name for c in feed.columns if c.pii}

    def check(self, numbers, frame: pl.DataFrame, issues: Issues) -> None:
        """Count the block's rows that break a rule (``frame`` holds the raw
        columns and ``_district_code``)."""
        broken = frame.select(self._broken)
        for rule, count in zip(self._row_rules, broken.sum().row(0), strict=True):
            if not count:
                continue
            column = rule.kwargs.get("column")
            values = frame.get_column(column)
            for i in broken.get_column(rule.name).arg_true().to_list():
                issues.add(
                    rule.name,
                    rule.description_zh,
                    numbers[i],
                    column,
                    None if column in self._pii else values[i],
                )
        if self._key is not None:
            keys = self._key.kwargs.get("column_list") or [self._key.kwargs["column"]]
            present = frame.select(keys).drop_nulls()  # a key with a blank part is not checked
            self._hashes.append(present.hash_rows().to_numpy())

    def decided(self) -> list[str]:
        """The rules whose result the stream decided: all of them, but a key with a
        repeated hash (decided exactly in SQL, quality/validate.py)."""
        names = [r.name for r in self._row_rules]
        if self._key is not None:
            hashes = np.sort(
                np.concatenate(self._hashes) if self._hashes else np.empty(0, np.uint64)
            )
            if not (hashes[1:] == hashes[:-1]).any():  # sorted: a repeat is a neighbour
                names.append(self._key.name)
        return names
