"""An incremental rebuild equals a full rebuild, row for row, in every mart.

The hand-made world (tests/fixtures/world) is built first without its last month
(2025-03, with the only chronic-registry snapshot), the 2025 population, the 2025
closeness assessment and February 2024 of the insurance feeds. Then, each time
followed by an incremental ``dbt build``:

1. the last month and the population arrive, with two corrections of earlier
   months (巴南区 corrects its part of the municipal files of January's remote
   diagnoses and of February's deaths), and a later completeness date makes more
   periods fall due; a copy of that warehouse is rebuilt with ``--full-refresh``
   and the three marts must hold the same rows;
2. the closeness assessment arrives alone (an annual indicator, nothing else of
   its year changes);
3. February 2024 arrives late, alone (its year's values change, and with them the
   growth M10B of February 2025, which compares with it); the marts must again
   equal a full rebuild.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from tests.conftest import PII_KEY, WORLD, dbt_build, new_database

LAST_MONTH = "2025-03"
# Delivered after the first build, sweep by sweep (the last month: in the first).
SWEEPS = (
    {("population", "2025")},
    {("hs_closeness_assessment", "2025")},
    {("mi_inpatient_settlements", "2024-02"), ("mi_fund_summary", "2024-02")},
)
FIRST_AS_OF = "2025-03-25"
SECOND_AS_OF = "2026-04-30"

KEYS = {
    "fct_indicator_values": (
        "indicator_code",
        "area_code",
        "period_type",
        "period_start",
        "period_end",
    ),
    "fct_reporting_completeness": ("feed", "district_code", "period"),
    "fct_target_attainment": ("district_code", "indicator_seq", "target_year"),
}


def _sweep_of(feed: str, period: str) -> int:
    """0 for the first build; else the sweep that delivers the folder."""
    if period == LAST_MONTH:
        return 1
    return next((n for n, held in enumerate(SWEEPS, 1) if (feed, period) in held), 0)


def _copy_world(landing: Path, sweep: int) -> None:
    for folder in sorted((WORLD / "landing").glob("*/*")):
        if _sweep_of(folder.parent.name, folder.name) == sweep:
            shutil.copytree(folder, landing / folder.parent.name / folder.name)


def _write_corrections(landing: Path) -> None:
    """巴南区 (500113) corrects its part of two municipal files: remote diagnoses of
    January (every imaging count + 5) and deaths of February (the first NCD death
    of the file becomes an injury, V89.2)."""
    source = WORLD / "landing" / "hs_remote_diagnoses" / "2025-01" / "远程诊断_202501.csv"
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="utf-8-sig"))))
    header, body = rows[0], [r for r in rows[1:] if r[1][2:8] == "500113"]
    body = [r[:3] + [str(int(r[3]) + 5) if r[2] == "影像" else r[3]] for r in body]
    target = source.parent.relative_to(WORLD / "landing")
    out = landing / target / "500113_远程诊断_202501_更正.csv"
    out.write_text(_csv([header, *body]), encoding="utf-8-sig")

    source = WORLD / "landing" / "death_registrations" / "2025-02" / "死亡登记_202502.csv"
    rows = list(csv.reader(io.StringIO(source.read_text(encoding="gbk"))))
    header, body = rows[0], [r for r in rows[1:] if r[6].startswith("500113")]
    ncd = next(i for i, r in enumerate(body) if r[7][0] in "ICE")
    body[ncd] = [*body[ncd][:7], "V89.2"]
    target = source.parent.relative_to(WORLD / "landing")
    out = landing / target / "500113_死亡登记_202502_更正.csv"
    out.write_bytes(_csv([header, *body]).encode("gbk"))


def _csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _sweep(conn, landing: Path) -> list[dict]:
    from yigongti.orchestrate import ingest_order
    from yigongti.pipeline import discover_folders, process_folder

    decided = []
    for provider in ingest_order():
        for folder in discover_folders(landing, provider=provider):
            decided += process_folder(conn, folder, PII_KEY)
    return decided


def _build(conn, target: Path, as_of: str, *args: str) -> None:
    dbt_build(conn, target, "--vars", f"{{completeness_as_of: \"'{as_of}'\"}}", *args)


def _marts(url: str) -> dict[str, dict[tuple, dict]]:
    """Every row of every mart, by its key, with all its columns."""
    found = {}
    with psycopg.connect(url) as db:
        for table, key in KEYS.items():
            cursor = db.execute(f"select * from marts.{table}")  # noqa: S608 - fixed names
            columns = [c.name for c in cursor.description]
            rows = [dict(zip(columns, r, strict=True)) for r in cursor.fetchall()]
            found[table] = {tuple(r[k] for k in key): r for r in rows}
            assert len(found[table]) == len(rows), f"{table}: duplicate keys"
    return found


def _full_rebuild(server, url: str, target: Path) -> dict:
    """The marts of a copy of the warehouse at ``url``, rebuilt in full."""
    from yigongti import warehouse

    copy = new_database(server, template=conninfo_to_dict(url)["dbname"])
    _build(warehouse.Connection(copy), target, SECOND_AS_OF, "--full-refresh")
    return _marts(copy)


@pytest.fixture(scope="module")
def rebuilt(pg_server, tmp_path_factory):
    """The marts after each build, the full rebuilds after the first and the last
    sweep, the files decided by the first sweep, and whether January's settlements
    kept the rows of the first build."""
    from yigongti import warehouse

    url = new_database(pg_server)
    landing = tmp_path_factory.mktemp("landing")
    target = tmp_path_factory.mktemp("dbt-target")
    saved = dict(os.environ)
    os.environ["WAREHOUSE_URL"] = url
    try:
        with warehouse.session() as conn:
            _copy_world(landing, 0)
            _sweep(conn, landing)
            _build(conn, target, FIRST_AS_OF)
            built = [_marts(url)]
            with psycopg.connect(url) as db:
                first_built = db.execute("select now()").fetchone()[0]
            decided = None
            for sweep in range(1, len(SWEEPS) + 1):
                _copy_world(landing, sweep)
                if sweep == 1:
                    _write_corrections(landing)
                result = _sweep(conn, landing)
                decided = decided or result
                _build(conn, target, SECOND_AS_OF)
                built.append(_marts(url))
                if sweep == 1:
                    full_first = _full_rebuild(pg_server, url, tmp_path_factory.mktemp("full"))
            with psycopg.connect(url) as db:
                kept = db.execute(
                    "select bool_and(built_at < %s), count(*) "
                    "from staging.int_settlements_classified where month_start = '2025-01-01'",
                    (first_built,),
                ).fetchone()
        full_last = _full_rebuild(pg_server, url, tmp_path_factory.mktemp("full"))
        return {
            "built": built,
            "full": {1: full_first, len(SWEEPS): full_last},
            "decided": decided,
            "kept": kept,
        }
    finally:
        os.environ.clear()
        os.environ.update(saved)


def test_the_first_sweep_lands_the_corrections(rebuilt):
    statuses = {Path(d["path"]).name: d["status"] for d in rebuilt["decided"]}
    corrections = {n: s for n, s in statuses.items() if "更正" in n}
    assert len(corrections) == 2, statuses
    assert set(corrections.values()) <= {"accepted", "accepted_with_warnings"}, corrections


@pytest.mark.parametrize("sweep", [1, len(SWEEPS)])
def test_incremental_rebuild_equals_a_full_rebuild(rebuilt, sweep):
    incremental, full = rebuilt["built"][sweep], rebuilt["full"][sweep]
    for table in KEYS:
        got, want = incremental[table], full[table]
        missing = sorted(set(want) - set(got), key=repr)
        extra = sorted(set(got) - set(want), key=repr)
        differing = [k for k in want.keys() & got.keys() if got[k] != want[k]]
        assert not (missing or extra or differing), (
            f"{table}: {len(missing)} missing, {len(extra)} extra, "
            f"{len(differing)} differing, e.g. {missing[:3]} {extra[:3]} "
            f"{[(got[k], want[k]) for k in differing[:2]]}"
        )


def _value(marts: dict, code: str, area: str, period_type: str, start: str, end: str):
    row = marts["fct_indicator_values"].get((code, area, period_type, *_dates(start, end)))
    return None if row is None else row["value"]


def test_the_first_sweep_restates_old_periods(rebuilt):
    before, after = rebuilt["built"][0], rebuilt["built"][1]
    jan = ("500113", "month", "2025-01-01", "2025-01-31")
    assert _value(after, "M05A", *jan) != _value(before, "M05A", *jan)  # corrected
    values = after["fct_indicator_values"]
    assert (
        values[("M05A", "500113", "month", *_dates("2025-01-01", "2025-01-31"))]["status"]
        == "revised"
    )
    year = ("500113", "year", "2025-01-01", "2025-12-31")
    assert _value(after, "M14", *year) != _value(before, "M14", *year)
    march = ("500000", "ytd", "2025-01-01", "2025-03-31")
    assert _value(before, "M13", *march) is None  # the first registry snapshot
    assert _value(after, "M13", *march) is not None


def test_an_annual_indicator_delivered_alone_appears(rebuilt):
    before, after = rebuilt["built"][1], rebuilt["built"][2]
    year = ("500113", "year", "2025-01-01", "2025-12-31")
    assert _value(before, "M01", *year) is None
    assert _value(after, "M01", *year) is not None


def test_a_late_month_restates_the_next_years_growth(rebuilt):
    before, after = rebuilt["built"][2], rebuilt["built"][3]
    feb_2024 = ("500000", "month", "2024-02-01", "2024-02-29")
    assert _value(before, "M10A", *feb_2024) is None
    assert _value(after, "M10A", *feb_2024) is not None
    feb_2025 = ("500000", "month", "2025-02-01", "2025-02-28")
    assert _value(before, "M10B", *feb_2025) is None
    assert _value(after, "M10B", *feb_2025) is not None


def test_months_without_new_inputs_are_not_rebuilt(rebuilt):
    """January 2025's settlements had nothing new: their rows stayed as first built."""
    kept, count = rebuilt["kept"]
    assert count > 0 and kept


def _dates(start: str, end: str) -> tuple:
    import datetime as dt

    return dt.date.fromisoformat(start), dt.date.fromisoformat(end)
