"""Drive the project's Airflow DAGs in-process (``dag.test``), as the CLI does.

The only module of the package that imports Airflow; everything it runs lives
in the DAG files, which call the Airflow-free domain code.
"""

from __future__ import annotations

import logging
import os
import secrets
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from yigongti.contracts import providers, registry_feed
from yigongti.periods import Period
from yigongti.settings import DAGS_DIR, state_dir

log = logging.getLogger(__name__)


def ingest_order() -> list[str]:
    """Providers in ingest order: the registry's provider first (it places other rows)."""
    return sorted(providers(), key=lambda p: p != registry_feed().provider)


class PipelineFailed(RuntimeError):
    pass


def configure_airflow() -> Path:
    """An embedded Airflow home in the state folder (SQLite metadata; no scheduler),
    with the settings every deployment shares (include/yigongti/stack.py)."""
    from yigongti import stack

    home = state_dir() / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    for key, value in stack.local(home).items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", f"sqlite:///{home / 'airflow.db'}")
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "WARNING")
    return home


def ensure_pii_key() -> None:
    """The demo's PII key: a local secret, exposed as the Airflow Variable yigongti_pii_key."""
    from yigongti import stack

    if not os.environ.get("AIRFLOW_VAR_YIGONGTI_PII_KEY"):
        key = stack.secret("pii_key", lambda: secrets.token_hex(32))
        os.environ["AIRFLOW_VAR_YIGONGTI_PII_KEY"] = key


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def prepare() -> None:
    """The metadata database and the PII key."""
    home = configure_airflow()
    ensure_pii_key()
    if not (home / "airflow.db").exists():
        subprocess.run([_bin("airflow"), "db", "migrate"], check=True, capture_output=True)


def end_abandoned_runs() -> None:
    """DAG runs of an earlier CLI run that was killed stay "running" in this state
    folder's metadata; the sensors that wait for active runs would wait for them.
    The caller holds the warehouse's run lock, so none of them is really running."""
    from airflow.models.dagrun import DagRun
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from sqlalchemy import update

    with create_session() as session:
        session.execute(
            update(DagRun)
            .where(DagRun.state.in_([DagRunState.QUEUED, DagRunState.RUNNING]))
            .values(state=DagRunState.FAILED)
        )


def load_dags() -> dict:
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(str(DAGS_DIR))
    if bag.import_errors:
        raise PipelineFailed(f"DAG import errors: {bag.import_errors}")
    return bag.dags


@contextmanager
def output_to(log_file: Path | None):
    """Send everything written to stdout/stderr (Airflow, dbt, GX) to a log file."""
    if log_file is None:
        yield
        return
    log_file.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_file.open("ab") as fh:
        os.dup2(fh.fileno(), 1)
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def run_dag(dag, conf: dict | None = None, log_file: Path | None = None, progress=None):
    started = time.monotonic()
    if progress:
        progress(f"运行 {dag.dag_id} …")
    with output_to(log_file):
        run = dag.test(run_conf=conf or {})
    state = str(getattr(run, "state", ""))
    if progress:
        progress(f"  {state}（{time.monotonic() - started:.0f} 秒）")
    if not state.endswith("success"):
        where = f"; see {log_file}" if log_file else ""
        raise PipelineFailed(f"DAG {dag.dag_id} ended in state {state}{where}")
    return run


def run_pipeline(
    landing: Path,
    period_from: str | None,
    period_to: str | None,
    log_file: Path | None = None,
    progress=None,
) -> None:
    """Ingest (HC first: its registry places other feeds' rows), transform, publish.

    The landing folder goes to the DAGs as a file:// URL, the same object-storage
    path the DAGs read S3 or SFTP landing zones through.
    """
    prepare()
    with output_to(log_file):
        dags = load_dags()
        end_abandoned_runs()
    conf = {
        "landing": Path(landing).resolve().as_uri(),
        "landing_conn_id": None,
        "period_from": period_from,
        "period_to": period_to,
    }
    for provider in ingest_order():
        run_dag(dags[f"yigongti_ingest_{provider}"], conf, log_file, progress)
    run_dag(dags["yigongti_transform"], None, log_file, progress)
    run_dag(dags["yigongti_publish"], {"month": None}, log_file, progress)


def rebuild_and_publish(month: str, log_file: Path | None = None, progress=None) -> dict | None:
    """After an approval: the transform DAG, then the publish DAG for ``month``;
    returns what the publication wrote."""
    prepare()
    with output_to(log_file):
        dags = load_dags()
        end_abandoned_runs()
    run_dag(dags["yigongti_transform"], None, log_file, progress)
    run_dag(dags["yigongti_publish"], {"month": month}, log_file, progress)
    from yigongti import warehouse

    with warehouse.current().connect() as db:
        row = db.execute(
            "select bulletin_path from ops.publication_log where month = %s "
            "order by publication_id desc limit 1",
            (Period.parse(month).start,),
        ).fetchone()
    return {"bulletin": row[0]} if row else None
