"""Shared fixtures: an isolated state folder and one embedded PostgreSQL per session.

Environment is set at import time, before anything imports Airflow (which reads
its configuration once).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

_STATE = Path(tempfile.mkdtemp(prefix="yigongti-test-"))
os.environ["YIGONGTI_STATE_DIR"] = str(_STATE)
os.environ["AIRFLOW_HOME"] = str(_STATE / "airflow")
os.environ["AIRFLOW_VAR_YIGONGTI_PII_KEY"] = "test-only-pii-key"
os.environ.pop("WAREHOUSE_URL", None)

# Airflow reads its configuration once, at its first import (which any test may
# trigger, e.g. through the plugins): configure it before that.
from yigongti.orchestrate import configure_airflow  # noqa: E402
from yigongti.settings import DBT_PROJECT_DIR  # noqa: E402

configure_airflow()

PII_KEY = os.environ["AIRFLOW_VAR_YIGONGTI_PII_KEY"]


def dbt_command(*args: str, target: Path, logs: Path) -> list[str]:
    """A dbt CLI call on the project whose target and logs go to the given folders,
    never into the project tree."""
    return [
        str(Path(sys.executable).with_name("dbt")),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(logs),
    ]


def dbt_build(conn, target: Path, *args: str) -> None:
    """``dbt build`` of the project on the warehouse ``conn`` names; fails the
    test with dbt's output when dbt fails."""
    result = subprocess.run(
        dbt_command("build", *args, target=target, logs=target / "logs"),
        env={**os.environ, **conn.env()},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:]


@pytest.fixture(scope="session")
def pg_server():
    """The embedded server, started once; yields its admin Connection."""
    from yigongti import warehouse

    with warehouse.session(pgdata=_STATE / "pgdata") as conn:
        yield conn


@pytest.fixture(scope="session")
def debian_pg():
    """Debian's PostgreSQL server (tests/servers.py), started once; its admin Connection."""
    from tests.servers import debian_postgres
    from yigongti import warehouse

    with debian_postgres() as server:
        yield warehouse.Connection(server.url)


@pytest.fixture(scope="session", params=["embedded", "debian"])
def any_pg(request):
    """Each server kind in turn: the embedded PostgreSQL 16 and Debian's packaged one."""
    return request.getfixturevalue("pg_server" if request.param == "embedded" else "debian_pg")


def new_database(server, template: str | None = None) -> str:
    """A new database on ``server`` (optionally a copy of ``template``); its URL."""
    from psycopg.conninfo import make_conninfo

    name = f"t_{uuid.uuid4().hex[:12]}"
    with server.connect(autocommit=True) as db:
        if template:  # pooled connections (GX's engine) would block the copy
            db.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                "where datname = %s and pid <> pg_backend_pid()",
                (template,),
            )
        db.execute(f"create database {name}" + (f" template {template}" if template else ""))
    return make_conninfo(server.url, dbname=name)


@pytest.fixture
def fresh_db(any_pg, monkeypatch):
    """A new, empty database on each server kind, set as WAREHOUSE_URL."""
    from yigongti import warehouse

    url = new_database(any_pg)
    conn = warehouse.Connection(url)
    monkeypatch.setenv("WAREHOUSE_URL", url)
    for key, value in conn.env().items():
        monkeypatch.setenv(key, value)
    warehouse.ensure_schema(conn)
    return conn


@pytest.fixture
def hasher():
    from yigongti.identifiers import Hasher

    return Hasher(PII_KEY)


@pytest.fixture
def alert_receivers(monkeypatch):
    """A real SMTP server and a webhook receiver, configured as the alert channels."""
    from tests.receivers import Receivers

    with Receivers() as receivers:
        monkeypatch.setenv("AIRFLOW_CONN_YIGONGTI_ALERTS", receivers.connection)
        yield receivers


WORLD = Path(__file__).parent / "fixtures" / "world"


@pytest.fixture(scope="session")
def world_by_cli(debian_pg):
    """The world run on Debian's PostgreSQL exactly as `yigongti run` runs it (every
    DAG, in-process); the URL of its warehouse."""
    from tests.receivers import Receivers
    from yigongti import warehouse
    from yigongti.orchestrate import run_pipeline

    url = new_database(debian_pg)
    saved = dict(os.environ)
    os.environ["WAREHOUSE_URL"] = url
    try:
        with Receivers() as alerts, warehouse.session():
            os.environ["AIRFLOW_CONN_YIGONGTI_ALERTS"] = alerts.connection
            run_pipeline(WORLD / "landing", None, None)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return url
