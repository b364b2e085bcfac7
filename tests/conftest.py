"""Shared fixtures: an isolated state folder and one embedded PostgreSQL per session.

Environment is set at import time, before anything imports Airflow (which reads
its configuration once).
"""

from __future__ import annotations

import os
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

configure_airflow()

PII_KEY = os.environ["AIRFLOW_VAR_YIGONGTI_PII_KEY"]


@pytest.fixture(scope="session")
def pg_server():
    """The embedded server, started once; yields its admin Connection."""
    from yigongti import warehouse

    with warehouse.session(pgdata=_STATE / "pgdata") as conn:
        yield conn


@pytest.fixture
def fresh_db(pg_server, monkeypatch):
    """A new, empty database on the embedded server, set as WAREHOUSE_URL."""
    from psycopg.conninfo import make_conninfo

    from yigongti import warehouse

    name = f"t_{uuid.uuid4().hex[:12]}"
    with pg_server.connect(autocommit=True) as db:
        db.execute(f"create database {name}")
    url = make_conninfo(pg_server.url, dbname=name)
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
