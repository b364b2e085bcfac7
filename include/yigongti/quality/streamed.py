"""The contract rules decided while a file's rows stream through the loader.

The rows pass through Python anyway (checks before hashing, the hash, the
lineage), so the column rules of the suite (``suites.contract_rules``) are
counted there, column by column per block, instead of by a scan of the landed
batch per rule: not null, format, value set, check character, the district's
rules and the key's uniqueness. Each keeps its name, description and
expectation from the suite, and ``validate`` reports its count and rows through
GX as that expectation's result.

The key is checked with a set of 64-bit hashes: a repeated hash may be a
collision, so a batch with one leaves ``key.unique`` to the validator's SQL,
which decides it exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from yigongti.contracts import Feed
from yigongti.quality.suites import Rule, contract_rules
from yigongti.readers.columns import SEP, joined_pattern
from yigongti.readers.issues import Issues
from yigongti.readers.table import Block


def _blank_rows(block: Block, column: str) -> list[int]:
    joined = block.joined(column)
    if joined and not (joined.startswith(SEP) or joined.endswith(SEP) or SEP * 2 in joined):
        return []
    return [i for i, v in enumerate(block.columns[column]) if not v]


def _not_null(rule: Rule):
    return lambda block: _blank_rows(block, rule.kwargs["column"])


def _in_set(rule: Rule):
    allowed = set(rule.kwargs["value_set"]) | {""}

    def bad(block: Block) -> list[int]:
        values = block.columns[rule.kwargs["column"]]
        if set(values) <= allowed:
            return []
        return [i for i, v in enumerate(values) if v not in allowed]

    return bad


def _matches(rule: Rule):
    pattern = rule.kwargs["regex"]
    one = re.compile(pattern, re.ASCII)
    anchored = pattern.startswith("^") and pattern.endswith("$")
    whole = joined_pattern(pattern[1:-1]) if anchored else None

    def bad(block: Block) -> list[int]:
        column = rule.kwargs["column"]
        if whole is not None and whole.fullmatch(block.joined(column)):
            return []
        return [i for i, v in enumerate(block.columns[column]) if v and not one.search(v)]

    return bad


class _Unique:
    """Rows whose key (every part present) repeats one seen before in the file."""

    def __init__(self, rule: Rule):
        self.columns = rule.kwargs.get("column_list") or [rule.kwargs["column"]]
        self.seen: set[int] = set()
        self.repeated = False

    def __call__(self, block: Block) -> list[int]:
        parts = [block.columns[c] for c in self.columns]
        keys = parts[0] if len(parts) == 1 else list(zip(*parts, strict=True))
        if blank := set().union(*(_blank_rows(block, c) for c in self.columns)):  # not checked
            keys = [k for i, k in enumerate(keys) if i not in blank]
        before = len(self.seen)
        self.seen.update(map(hash, keys))
        if len(self.seen) - before < len(keys):
            self.repeated = True  # decided exactly in SQL (quality/validate.py)
        return []


_EVALUATORS: dict[str, Callable] = {
    "expect_column_values_to_not_be_null": _not_null,
    "expect_column_values_to_be_in_set": _in_set,
    "expect_column_values_to_match_regex": _matches,
    "expect_column_values_to_be_unique": _Unique,
    "expect_compound_columns_to_be_unique": _Unique,
}


class StreamedRules:
    """Evaluate the suite's column rules on each block of a file."""

    def __init__(self, feed: Feed, period: str):
        self.feed = feed
        self.rules = [
            (rule, _EVALUATORS[rule.expectation_type](rule))
            for rule in contract_rules(feed, period)
            if rule.expectation_type in _EVALUATORS
        ]
        self._pii = {c.name for c in feed.columns if c.pii}

    def check(self, block: Block, issues: Issues) -> None:
        """Count the block's rows that break a rule (``block.columns`` holds the
        raw columns and ``_district_code``)."""
        for rule, evaluate in self.rules:
            column = rule.kwargs.get("column")
            for i in evaluate(block):
                issues.add(
                    rule.name,
                    rule.description_zh,
                    block.numbers[i],
                    column,
                    None if column in self._pii else block.columns[column][i] or None,
                )

    def decided(self) -> list[str]:
        """The rules whose result the stream decided (all of them but a key with a
        repeated hash)."""
        return [
            rule.name
            for rule, evaluate in self.rules
            if not (isinstance(evaluate, _Unique) and evaluate.repeated)
        ]
