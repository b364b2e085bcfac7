"""Reference dimensions, read from the dbt seeds (their single home)."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache

from yigongti.settings import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"
MUNICIPALITY = "500000"


@dataclass(frozen=True)
class District:
    code: str
    name_zh: str
    name_en: str
    type: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    census2020_population: int | None
    streets: int
    towns: int
    townships: int

    def valid_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _int(text: str) -> int | None:
    return int(text) if text else None


@cache
def districts() -> dict[str, District]:
    with (SEEDS / "ref_districts.csv").open(encoding="utf-8") as fh:
        return {
            r["code"]: District(
                code=r["code"],
                name_zh=r["name_zh"],
                name_en=r["name_en"],
                type=r["type"],
                valid_from=_date(r["valid_from"]),
                valid_to=_date(r["valid_to"]),
                census2020_population=_int(r["census2020_population"]),
                streets=_int(r["streets_2023"]) or 0,
                towns=_int(r["towns_2023"]) or 0,
                townships=_int(r["townships_2023"]) or 0,
            )
            for r in csv.DictReader(fh)
        }


def districts_on(day: dt.date) -> list[District]:
    """Districts as they stood on ``day`` (monthly data: the period's last day)."""
    return [d for d in districts().values() if d.valid_on(day)]


@cache
def ws218_classes() -> dict[str, dict]:
    with (SEEDS / "ref_ws218_classes.csv").open(encoding="utf-8") as fh:
        return {
            r["ws218_code"]: {
                **r,
                "is_primary_level": r["is_primary_level"] == "true",
                "is_tcm_category": r["is_tcm_category"] == "true",
            }
            for r in csv.DictReader(fh)
        }


@cache
def core_targets() -> list[dict[str, str]]:
    """The districts' plan targets (附件1 of their 实施方案)."""
    with (SEEDS / "core_performance_targets.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))
