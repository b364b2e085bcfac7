"""The indicator registry (dbt_project/seeds/indicator_registry.csv) for Python readers.

One row per indicator code: names, unit, ``factor`` (applied in dbt by
dbt_project/macros/indicators/factor.sql), periodicity and published period
types, ``headline_period_type`` (the period the bulletin and the console summary
headline), ``source_feeds`` (what its completeness is judged by) and
``computed_in`` (the dbt model that emits the code). tests/test_indicator_registry.py
checks the rows against the dbt project.
"""

from __future__ import annotations

import csv
from functools import cache

from yigongti.reference import SEEDS


@cache
def indicators() -> list[dict[str, str]]:
    with (SEEDS / "indicator_registry.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def indicator(code: str) -> dict[str, str]:
    for row in indicators():
        if row["indicator_code"] == code:
            return row
    raise KeyError(code)


def headline_period_type(code: str) -> str:
    """The period type the bulletin and the console summary headline for ``code``
    (month, quarter or year)."""
    return indicator(code)["headline_period_type"]


def headline_period_types() -> dict[str, str]:
    """Indicator code -> headline period type, for every indicator."""
    return {r["indicator_code"]: r["headline_period_type"] for r in indicators()}
