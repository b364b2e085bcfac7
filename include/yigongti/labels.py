"""Chinese labels users read for the marts' codes: period types, statuses, units
and approval. One vocabulary, the seed dbt_project/seeds/ref_labels.csv, which
the analyst views join in SQL and the bulletin and run summary read here."""

from __future__ import annotations

import csv
from functools import cache

from yigongti.reference import SEEDS


@cache
def vocabulary(name: str) -> dict[str, str]:
    """code -> Chinese label of a vocabulary: period_type, status, unit or approval."""
    with (SEEDS / "ref_labels.csv").open(encoding="utf-8") as fh:
        found = {r["code"]: r["label_zh"] for r in csv.DictReader(fh) if r["vocabulary"] == name}
    if not found:
        raise KeyError(f"no label vocabulary {name!r} in ref_labels.csv")
    return found


def label(name: str, code: str | None, default: str = "—") -> str:
    return vocabulary(name).get(code, default) if code is not None else default


def unit_zh(unit: str) -> str:
    return vocabulary("unit").get(unit, unit)


def status_zh(status: str | None) -> str:
    return label("status", status)
