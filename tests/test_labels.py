"""One label vocabulary (dbt_project/seeds/ref_labels.csv) for SQL and Python."""

import csv

from yigongti import labels
from yigongti.periods import KINDS
from yigongti.reference import SEEDS


def test_every_code_the_marts_use_has_its_chinese_label():
    assert set(labels.vocabulary("period_type")) == set(KINDS)
    assert set(labels.vocabulary("status")) == {"provisional", "final", "revised"}
    with (SEEDS / "indicator_registry.csv").open(encoding="utf-8") as fh:
        units = {r["unit"] for r in csv.DictReader(fh)}
    assert units <= set(labels.vocabulary("unit"))


def test_units_read_in_chinese():
    assert labels.unit_zh("yuan") == "元"
    assert labels.unit_zh("per 10k") == "每万人"
    assert labels.status_zh("provisional") == "暂定"
    assert labels.status_zh(None) == "—"
