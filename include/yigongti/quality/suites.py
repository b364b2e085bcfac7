"""GX expectation suites per feed: derived from the contract plus ``expectations/<feed>.yml``.

Every expectation carries a stable rule name (stored in ops.batch_log.rules_failed)
and a Chinese description for the people on duty, in its ``meta``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from dataclasses import dataclass, replace
from functools import cache

import yaml

from yigongti.contracts import Feed, normalize_name
from yigongti.identifiers import VALID_OUTCOMES
from yigongti.reference import core_targets, districts_on, ws218_classes
from yigongti.registry import indicators
from yigongti.settings import EXPECTATIONS_DIR

REFERENCE_SETS = {
    "ws218": lambda: set(ws218_classes()),
    "level_indicators": lambda: {
        normalize_name(i["name_zh"]) for i in indicators() if i["unit"] == "level"
    },
    "plan_indicators": lambda: {normalize_name(t["indicator_name"]) for t in core_targets()},
}


@dataclass(frozen=True)
class Rule:
    name: str
    severity: str  # failure | warning
    description_zh: str
    expectation_type: str
    kwargs: dict
    column: str | None = None  # the column a row-set rule is about, for messages
    # A rule about each row on its own: the SQL condition of a broken row ``b``
    # (all such rules of a batch are counted in one scan: quality/validate.py).
    row_condition: str | None = None


def period_end(feed: Feed, period: str) -> dt.date:
    if feed.periodicity == "year":
        return dt.date(int(period), 12, 31)
    year, month = map(int, period.split("-"))
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def contract_rules(feed: Feed, period: str) -> list[Rule]:
    rules: list[Rule] = []

    def add(name, description, etype, **kwargs):
        rules.append(Rule(name, "failure", description, etype, kwargs))

    for col in feed.stored_columns:
        if col.is_required:
            add(
                f"{col.name}.not_null",
                f"“{col.header}”不能为空",
                "expect_column_values_to_not_be_null",
                column=col.name,
            )
        if col.pattern:
            add(
                f"{col.name}.format",
                f"“{col.header}”格式不符（应匹配 {col.pattern}）",
                "expect_column_values_to_match_regex",
                column=col.name,
                regex=col.pattern,
            )
        if col.values:
            add(
                f"{col.name}.in_set",
                f"“{col.header}”取值不在允许范围（{'/'.join(col.values)}）",
                "expect_column_values_to_be_in_set",
                column=col.name,
                value_set=list(col.values),
            )
        if col.values_from:
            add(
                f"{col.name}.in_set",
                f"“{col.header}”不是已知代码（{col.values_from}）",
                "expect_column_values_to_be_in_set",
                column=col.name,
                value_set=sorted(REFERENCE_SETS[col.values_from]()),
            )
        # Types (dates, numbers) are read and counted by the reader as rows stream
        # through it (yigongti/readers/values.py), as rule <column>.type.
        if col.check_column:
            what = (
                "校验码错误或格式错误"
                if col.check == "uscc"
                else "身份证号校验码、格式或出生日期错误"
            )
            add(
                f"{col.name}.check_character",
                f"“{col.header}”{what}",
                "expect_column_values_to_be_in_set",
                column=col.check_column,
                value_set=list(VALID_OUTCOMES),
            )
    keys = [c.name for c in feed.key_columns]
    if len(keys) == 1:
        add(
            "key.unique",
            f"主键“{feed.key_columns[0].header}”重复",
            "expect_column_values_to_be_unique",
            column=keys[0],
        )
    elif keys:
        add(
            "key.unique",
            f"主键（{'、'.join(c.header for c in feed.key_columns)}）重复",
            "expect_compound_columns_to_be_unique",
            column_list=keys,
            ignore_row_if="any_value_is_missing",
        )
    kind, column = feed.district_rule
    source = {
        "institution": "机构不在机构名录中（未知机构）",
        "column": "区划代码缺失",
        "region": "区划代码缺失",
        "file": "文件名未以区县代码开头",
    }[kind]
    add("district.known", source, "expect_column_values_to_not_be_null", column="_district_code")
    valid = sorted(d.code for d in districts_on(period_end(feed, period)))
    add(
        "district.valid_for_period",
        f"区县代码在 {period} 不存在（未知或已撤销的区县）",
        "expect_column_values_to_be_in_set",
        column="_district_code",
        value_set=valid,
    )
    return rules


@cache
def extra_rules(feed_name: str) -> tuple[Rule, ...]:
    """Feed-specific rules from expectations/<feed>.yml (versioned with the code)."""
    path = EXPECTATIONS_DIR / f"{feed_name}.yml"
    if not path.exists():
        return ()
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rules = []
    for e in spec.get("expectations", []):
        condition = e.get("row_condition")
        kwargs = e.get("kwargs", {})
        if condition:  # recorded in GX as the query for its rows
            query = f"select b.* from {{batch}} as b where {condition}"
            kwargs = {"unexpected_rows_query": query}
        rules.append(
            Rule(
                name=e["rule"],
                severity=e.get("severity", "failure"),
                description_zh=e["description_zh"],
                expectation_type=e.get("type", "unexpected_rows_expectation"),
                kwargs=kwargs,
                row_condition=condition,
            )
        )
    return tuple(rules)


def reader_rules(found: list[tuple[str, str, str | None]]) -> list[Rule]:
    """The rules the reader decided as the rows streamed through it (rule,
    description, column), reported through GX like any other: each row carries
    the rules it broke in ``_issues`` (yigongti/readers/issues.py)."""
    return [
        Rule(
            name=rule,
            severity="failure",
            description_zh=description,
            expectation_type="unexpected_rows_expectation",
            kwargs={
                "unexpected_rows_query": "select * from {batch} as batch_rows "
                f"where ';' || batch_rows._issues || ';' like '%;{rule};%'"
            },
            column=column,
        )
        for rule, description, column in found
    ]


def _for_period(rule: Rule, period: str) -> Rule:
    """``{period}`` in a feed-specific rule: the period of the batch's folder."""
    if "{period}" not in str(rule.kwargs) + str(rule.row_condition):
        return rule
    return replace(
        rule,
        kwargs={k: v.replace("{period}", period) for k, v in rule.kwargs.items()},
        row_condition=rule.row_condition and rule.row_condition.replace("{period}", period),
    )


def rules_for(feed: Feed, period: str, found=()) -> list[Rule]:
    extra = [_for_period(r, period) for r in extra_rules(feed.name)]
    return contract_rules(feed, period) + extra + reader_rules(found)


def batch_rows(feed: Feed, batch_id: int, readable_only: bool = False) -> str:
    """The batch's rows as a subquery, for ``{batch}`` in an unexpected-rows query.

    Substituted here rather than by GX: PostgreSQL before 16 rejects a subquery
    in FROM without an alias (the queries give it one: ``{batch} as batch_rows``).
    ``readable_only``: the rows that broke no rule of the reader or the stream
    (a query that casts still guards its casts: the planner may evaluate them
    before this filter).
    """
    where = f"_batch_id = {int(batch_id)}"
    if readable_only:
        where += " and _issues is null"
    return f"(select * from {feed.raw_table} where {where})"


def _literals(values) -> str:
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)


def unexpected_rows_query(rule: Rule) -> str:
    """The rule as a query for the rows that break it (``{batch}``: the batch's rows):
    how the validator runs in SQL a rule the stream did not decide."""
    kwargs = rule.kwargs
    if rule.expectation_type == "unexpected_rows_expectation":
        return kwargs["unexpected_rows_query"]
    where = {
        "expect_column_values_to_not_be_null": lambda c: f"{c} is null",
        "expect_column_values_to_match_regex": lambda c: (
            f"{c} !~ '{kwargs['regex'].replace(chr(39), chr(39) * 2)}'"
        ),
        "expect_column_values_to_be_in_set": lambda c: (
            f"{c} not in ({_literals(kwargs['value_set'])})"
        ),
    }
    if rule.expectation_type in where:
        column = f"batch_rows.{kwargs['column']}"
        return f"select * from {{batch}} as batch_rows where {where[rule.expectation_type](column)}"
    # Uniqueness (GX's count): every row of a key that occurs more than once.
    keys = ", ".join(kwargs.get("column_list") or [kwargs["column"]])
    present = " and ".join(f"{k} is not null" for k in keys.split(", "))
    return (
        f"select * from (select *, count(*) over (partition by {keys}) as _copies "
        f"from {{batch}} as batch_rows where {present}) as keyed where _copies > 1"
    )


_suites: dict[tuple, object] = {}


def build_suite(feed: Feed, period: str, rules: list[Rule]):
    """The GX suite of the rules: what every batch's result is recorded against
    (built once per feed, period and set of rules)."""
    import great_expectations as gx
    from great_expectations.expectations.registry import get_expectation_impl

    key = (feed.name, period, tuple((r.name, r.description_zh) for r in rules))
    if key in _suites:
        return _suites[key]
    expectations = []
    for rule in rules:
        impl = get_expectation_impl(rule.expectation_type)
        # GX prints a reminder for a query without {batch}.
        with contextlib.redirect_stdout(io.StringIO()):
            expectation = impl(
                **rule.kwargs,
                meta={"rule": rule.name, "severity": rule.severity, "column": rule.column},
                description=rule.description_zh,
            )
        expectations.append(expectation)
    suite = _suites[key] = gx.ExpectationSuite(
        name=f"{feed.name}.{period}", expectations=expectations
    )
    return suite
