"""Approval and locking (include/yigongti/approval.py, batches.py): an approved and
published month keeps its published values when corrections arrive, until it
is approved again; every publication's values stay queryable.

One district, 万州区 500101: H1 (A100, a hospital) and C1 (C210, a township
health centre, primary level). Indicator M07 is the primary-level share of all
visits (C1 / (H1 + C1)):

  visits H1 / C1      delivered        corrected
  2025-01             1000 / 600       1000 / 1000   (January: never approved)
  2025-02              800 / 700        800 / 1200   (February: approved)

  M07 January          600 / 1600 = 37.5 %      → 1000 / 2000 = 50 %
  M07 February         700 / 1500 = 46.6667 %   → 1200 / 2000 = 60 %
  M07 Jan–Feb (ytd)   1300 / 3100 = 41.9355 %   → 2200 / 4000 = 55 %
  with only January corrected: ytd (1000 + 700) / (2000 + 1500) = 48.5714 %
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PII_KEY, dbt_build, new_database
from tests.feedfiles import credit_code, registry_row, services_row, write_feed

H1, C1 = credit_code("500101", 1), credit_code("500101", 2)
FEB = dt.date(2025, 2, 1)
FOUR = decimal.Decimal("0.0001")


def _sweep(conn, landing: Path) -> dict[str, str]:
    from yigongti.orchestrate import ingest_order
    from yigongti.pipeline import discover_folders, process_folder

    decided = {}
    for provider in ingest_order():
        for folder in discover_folders(landing, provider=provider):
            for d in process_folder(conn, folder, PII_KEY):
                decided[Path(d["path"]).name] = (d["status"], d["batch_id"])
    return decided


def _build(conn, target: Path) -> None:
    """The models and seeds only: the project's tests run elsewhere."""
    dbt_build(
        conn, target, "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"
    )


def _m07(url: str) -> dict[tuple[str, dt.date], tuple]:
    """(period type, period end) -> (value, approved, published_in, pending_value)."""
    with psycopg.connect(url) as db:
        rows = db.execute(
            "select period_type, period_end, value, approved, published_in, pending_value "
            "from marts.fct_indicator_values where indicator_code = 'M07' and area_code = '500101'"
        ).fetchall()
    return {
        (t, end): (
            v.quantize(FOUR),
            approved,
            published,
            None if pending is None else pending.quantize(FOUR),
        )
        for t, end, v, approved, published, pending in rows
    }


@pytest.fixture(scope="module")
def story(pg_server, tmp_path_factory):
    from yigongti import alerts, approval, warehouse
    from yigongti.bulletin import publish

    url = new_database(pg_server)
    landing = tmp_path_factory.mktemp("landing")
    target = tmp_path_factory.mktemp("dbt-target")
    saved = dict(os.environ)
    os.environ["WAREHOUSE_URL"] = url
    chapters = {}
    feb_end, jan_end = dt.date(2025, 2, 28), dt.date(2025, 1, 31)
    try:
        with warehouse.session() as conn:
            registry = [
                registry_row(H1, "500101", "A100", "万州甲医院", grade="二级"),
                registry_row(C1, "500101", "C210", "万州乙中心卫生院"),
            ]
            for period, (h1, c1) in {"2025-01": (1000, 600), "2025-02": (800, 700)}.items():
                write_feed(landing, "hs_institutions", period, registry)
                write_feed(
                    landing,
                    "hs_monthly_services",
                    period,
                    [services_row(H1, h1, 0), services_row(C1, c1, 0)],
                )
            _sweep(conn, landing)
            _build(conn, target)
            chapters["delivered"] = _m07(url)

            approval.approve(conn, "2025-02", "审核员甲")
            _build(conn, target)
            first = publish(conn, FEB, tmp_path_factory.mktemp("publish"))
            chapters["approved and published"] = _m07(url)

            for period, (h1, c1) in {"2025-01": (1000, 1000), "2025-02": (800, 1200)}.items():
                write_feed(
                    landing,
                    "hs_monthly_services",
                    period,
                    [services_row(H1, h1, 0), services_row(C1, c1, 0)],
                    file_name=f"500000_hs_monthly_services_{period}_更正.xlsx",
                )
            corrections = {
                name: decided for name, decided in _sweep(conn, landing).items() if "更正" in name
            }
            held = [b for name, (s, b) in corrections.items() if "2025-02" in name]
            chapters["alerts"] = alerts.batch_alerts(conn, held)
            _build(conn, target)
            chapters["corrections"] = corrections
            chapters["corrected, not approved"] = _m07(url)

            released = approval.approve(conn, "2025-02", "审核员甲")
            _build(conn, target)
            chapters["released"] = released
            chapters["approved again"] = _m07(url)
            second = publish(conn, FEB, tmp_path_factory.mktemp("publish"))
            with psycopg.connect(url) as db:
                # What the marts will serve from their next build on.
                chapters["locked"] = db.execute(
                    "select publication_id, value from ops.locked_value "
                    "where indicator_code = 'M07' and area_code = '500101' "
                    "and period_type = 'month'"
                ).fetchall()
                chapters["publications"] = dict(
                    db.execute(
                        "select l.publication_id, v.value from ops.publication_log as l "
                        "inner join ops.published_value as v using (publication_id) "
                        "where v.indicator_code = 'M07' and v.area_code = '500101' "
                        "and v.period_type = 'month' and v.period_end = %s",
                        (feb_end,),
                    ).fetchall()
                )
                chapters["statuses"] = dict(
                    db.execute("select file_name, status from ops.batch_log").fetchall()
                )
        chapters["ends"] = jan_end, feb_end
        chapters["published"] = first, second
        return chapters
    finally:
        os.environ.clear()
        os.environ.update(saved)


D = decimal.Decimal


def test_before_approval_nothing_is_approved(story):
    jan, feb = story["ends"]
    assert story["delivered"][("month", feb)] == (D("46.6667"), False, None, None)
    assert story["delivered"][("month", jan)] == (D("37.5000"), False, None, None)


def test_approved_and_published_rows_are_locked_to_the_publication(story):
    jan, feb = story["ends"]
    month, ytd, january = (
        story["approved and published"][k] for k in (("month", feb), ("ytd", feb), ("month", jan))
    )
    # Approval is not yet publication: the flags are rebuilt, values unlocked.
    assert month[:2] == (D("46.6667"), True) and ytd[:2] == (D("41.9355"), True)
    assert january[1] is False  # a period ending in January is not February's


def test_a_correction_for_an_approved_month_is_held_and_alerted(story):
    statuses = {name: status for name, (status, _) in story["corrections"].items()}
    assert statuses == {
        "500000_hs_monthly_services_2025-01_更正.xlsx": "accepted",
        "500000_hs_monthly_services_2025-02_更正.xlsx": "pending_approval",
    }
    (alert,) = story["alerts"]
    assert alert.level == "warning" and "更正待审核" in alert.title
    assert "yigongti approve --month" in alert.body


def test_published_values_do_not_change_until_approved(story):
    jan, feb = story["ends"]
    now = story["corrected, not approved"]
    first_publication = now[("month", feb)][2]
    assert first_publication is not None
    # February's correction is held: the computed value did not move either.
    assert now[("month", feb)] == (D("46.6667"), True, first_publication, None)
    # January's correction (an unapproved month) took effect for January ...
    assert now[("month", jan)][:2] == (D("50.0000"), False)
    # ... and reached Jan–Feb, which is locked: the new value waits beside it.
    assert now[("ytd", feb)] == (D("41.9355"), True, first_publication, D("48.5714"))


def test_approving_again_releases_the_correction(story):
    jan, feb = story["ends"]
    assert len(story["released"]["released_batches"]) == 1
    again = story["approved again"]
    # Approved after the last publication: the lock is gone, values as computed.
    assert again[("month", feb)] == (D("60.0000"), True, None, None)
    assert again[("ytd", feb)] == (D("55.0000"), True, None, None)
    assert story["statuses"]["500000_hs_monthly_services_2025-02_更正.xlsx"] == "accepted"
    assert story["statuses"]["500000_hs_monthly_services_2025-02.xlsx"] == "superseded"


def test_every_publication_keeps_what_it_published(story):
    publications = story["publications"]
    assert sorted(v.quantize(FOUR) for v in publications.values()) == [
        D("46.6667"),
        D("60.0000"),
    ]
    # The newest publication after the newest approval is the one locked.
    ((locked_by, value),) = story["locked"]
    assert locked_by == max(publications) and value.quantize(FOUR) == D("60.0000")
