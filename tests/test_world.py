"""The whole pipeline on a landing folder made by someone else: every indicator cell
that an independent computation from indicators.md gives is filled, to 1e-6.

tests/fixtures/world was written from the specification alone (its build.py
computes expected.csv from its own in-memory data, not by reading the files back;
the arithmetic is written out in expected_arithmetic.md). It mixes the variants
of feeds.md: GBK and UTF-8 CSVs, title and unit lines, two-row headers, 栏次 and
合计 rows, .xls workbooks, three date forms, 6/9/12-digit residence codes.

On Debian's PostgreSQL (the production kind) it runs exactly what `yigongti run`
runs: every DAG. On the embedded server, whose DAG path test_end_to_end.py runs,
it runs the same steps without Airflow (the ingest functions the DAG tasks call,
in the same provider order, then `dbt build`): the same arithmetic on the other
server in a fraction of the time.
"""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PII_KEY, WORLD, dbt_command, new_database


def _ingest_and_build(conn, target: Path) -> None:
    from yigongti.orchestrate import ingest_order
    from yigongti.pipeline import discover_folders, process_folder

    for provider in ingest_order():
        for folder in discover_folders(WORLD / "landing", provider=provider):
            process_folder(conn, folder, PII_KEY)
    build = subprocess.run(
        dbt_command("build", target=target, logs=target / "logs"),
        env={**os.environ, **conn.env()},
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout[-4000:]


def marts(url: str) -> dict[tuple, tuple]:
    """Every indicator cell and attainment row of a warehouse, by key."""
    with psycopg.connect(url) as db:
        cells = {
            ("value", *r[:5]): (None if r[5] is None else float(r[5]), r[6], r[7])
            for r in db.execute(
                "select indicator_code, area_code, period_type, period_start::text, "
                "period_end::text, value, status, input_complete from marts.fct_indicator_values"
            )
        }
        attainment = {
            ("target", *r[:3]): tuple(r[3:])
            for r in db.execute(
                "select district_code, indicator_seq, target_year, "
                "latest_actual::text, meets_target, attained from marts.fct_target_attainment"
            )
        }
    return {**cells, **attainment}


@pytest.fixture(scope="module")
def world(any_pg, request, tmp_path_factory):
    from yigongti import warehouse

    if any_pg is request.getfixturevalue("pg_server"):
        url = new_database(any_pg)
        saved = dict(os.environ)
        os.environ["WAREHOUSE_URL"] = url
        try:
            with warehouse.session() as conn:
                _ingest_and_build(conn, tmp_path_factory.mktemp("dbt-target"))
        finally:
            os.environ.clear()
            os.environ.update(saved)
    else:
        url = request.getfixturevalue("world_by_cli")
    with psycopg.connect(url) as db:
        values = {
            (r[0], r[1], r[2], r[3].isoformat(), r[4].isoformat()): r[5]
            for r in db.execute(
                "select indicator_code, area_code, period_type, period_start, "
                "period_end, value from marts.fct_indicator_values"
            )
        }
        batches = db.execute(
            "select file_name, status, message from ops.batch_log order by batch_id"
        ).fetchall()
    return values, batches


def test_every_delivery_is_accepted(world):
    _, batches = world
    refused = [b for b in batches if b[1] not in ("accepted", "accepted_with_warnings")]
    assert not refused, refused


def test_every_independently_computed_cell_is_filled(world):
    values, _ = world
    with (WORLD / "expected.csv").open(encoding="utf-8") as fh:
        expected = list(csv.DictReader(fh))
    assert len(expected) > 300
    wrong = []
    for row in expected:
        key = (
            row["indicator_code"],
            row["area_code"],
            row["period_type"],
            row["period_start"],
            row["period_end"],
        )
        got = values.get(key)
        want = float(row["value"])
        if got is None or abs(float(got) - want) > 1e-6:
            wrong.append((key, want, got))
    assert not wrong, f"{len(wrong)} of {len(expected)} cells differ: {wrong[:20]}"
