"""The indicator registry (dbt_project/seeds/indicator_registry.csv) for Python readers."""

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
