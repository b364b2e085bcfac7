"""Real crashes in the middle of a load: a `yigongti run` killed with SIGKILL during
its COPY, and the PostgreSQL server restarted during another process's COPY.

Whatever was in flight is rolled back by the server; the batch is left undecided
and the next run lands the same file under the same batch id, every row exactly
once. The embedded server of the killed run does not outlive the next one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.conftest import PII_KEY
from tests.feedfiles import settlement_row, write_feed

JAN = "2025-01"
ROWS = 120_000  # a COPY of a few seconds: long enough to be caught in the middle
COPYING = (
    "select count(*) from pg_stat_activity "
    "where state = 'active' and query ilike 'copy raw.mi_inpatient_settlements%%'"
)


@pytest.fixture(scope="module")
def big_landing(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("landing")
    rows = [settlement_row(f"S{i:07d}") for i in range(ROWS)]
    write_feed(landing, "mi_inpatient_settlements", JAN, rows, encoding="gbk")
    return landing


def _wait_for_copy(url_of, proc: subprocess.Popen, timeout: float = 240) -> str:
    """Poll until ``proc`` is in the middle of the COPY; the server URL then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the run ended before its COPY ({proc.returncode})"
        url = url_of()
        if url:
            try:
                with psycopg.connect(url, connect_timeout=2) as db:
                    if db.execute(COPYING).fetchone()[0]:
                        return url
            except psycopg.OperationalError:
                pass
        time.sleep(0.1)
    raise AssertionError("the COPY was never seen running")


def _settle(url: str) -> None:
    """Wait until the server has rolled back the dead client's COPY."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with psycopg.connect(url) as db:
            if not db.execute(COPYING).fetchone()[0]:
                return
        time.sleep(0.2)


def _ledger(url: str) -> tuple[list[tuple], int]:
    with psycopg.connect(url) as db:
        batches = db.execute("select batch_id, status from ops.batch_log order by 1").fetchall()
        rows = db.execute("select count(*) from raw.mi_inpatient_settlements").fetchone()[0]
    return batches, rows


def _land_again(url: str, landing: Path) -> None:
    """The next run's ingest: what the DAG's discover and process tasks call."""
    from yigongti import warehouse
    from yigongti.pipeline import discover_folders, process_folder

    conn = warehouse.Connection(url)
    for folder in discover_folders(landing, provider="mi"):
        process_folder(conn, folder, PII_KEY)


def _embedded_url(pgdata: Path) -> str | None:
    from pgserver.utils import PostmasterInfo

    try:
        info = PostmasterInfo.read_from_pgdata(pgdata)
    except AssertionError:  # postmaster.pid half written: the server is starting
        return None
    return info.get_uri() if info is not None and info.is_running() else None


def test_a_run_killed_mid_copy_lands_every_row_exactly_once_next_time(
    big_landing, tmp_path, monkeypatch
):
    from yigongti import warehouse

    state = tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "WAREHOUSE"))}
    env.update(YIGONGTI_STATE_DIR=str(state), AIRFLOW_VAR_YIGONGTI_PII_KEY=PII_KEY)
    run = subprocess.Popen(
        [str(Path(sys.executable).with_name("yigongti")), "run", "--landing", str(big_landing)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    pgdata = state / "pgdata"
    url = _wait_for_copy(lambda: _embedded_url(pgdata), run)
    time.sleep(0.5)
    run.send_signal(signal.SIGKILL)  # the whole CLI: dag.test runs the tasks in-process
    run.wait()
    _settle(url)
    batches, rows = _ledger(url)
    assert rows == 0  # the COPY died with its transaction
    assert [status for _, status in batches] in ([], ["received"]), batches

    # The next run: the same embedded server, taken over from the dead run.
    monkeypatch.delenv("WAREHOUSE_URL", raising=False)  # the embedded server, not another
    with warehouse.session(pgdata=pgdata) as conn:
        _land_again(conn.url, big_landing)
        batches_after, rows_after = _ledger(conn.url)
    assert [status for _, status in batches_after] == ["accepted"]
    assert [b for b, _ in batches] in ([], [batches_after[0][0]])  # under its own batch id
    assert rows_after == ROWS
    # The killed run's server ended with the run that took it over.
    assert _embedded_url(pgdata) is None


def test_a_server_restart_mid_copy_lands_every_row_exactly_once_next_time(big_landing):
    from tests.conftest import new_database
    from tests.servers import debian_postgres

    with debian_postgres() as server:
        from yigongti import warehouse

        url = new_database(warehouse.Connection(server.url))
        warehouse.ensure_schema(warehouse.Connection(url))
        code = (
            "import sys; from tests.test_crashes import _land_again; from pathlib import Path; "
            "_land_again(sys.argv[1], Path(sys.argv[2]))"
        )
        ingest = subprocess.Popen(
            [sys.executable, "-c", code, url, str(big_landing)],
            cwd=Path(__file__).parents[1],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        _wait_for_copy(lambda: url, ingest)
        server.restart()
        _, err = ingest.communicate(timeout=120)
        assert ingest.returncode != 0  # the task fails (and is retried by Airflow)
        batches, rows = _ledger(url)
        assert [status for _, status in batches] in (["received"], ["failed"]), err[-2000:]
        assert rows == 0

        _land_again(url, big_landing)  # the retry
        batches_after, rows_after = _ledger(url)
        assert batches_after == [(batches[0][0], "accepted")]
        assert rows_after == ROWS
