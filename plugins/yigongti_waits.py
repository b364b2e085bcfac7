"""Waiting for other DAGs' runs under the scheduler (the CLI runs DAGs in order).

The four ingest DAGs fire together; fin places its rows through hc's institution
registry, and the marts should be built once all of a sweep's ingests are done.
Sensors in reschedule mode free their worker slot between pokes.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import get_current_context, task

ACTIVE = ["queued", "running"]


def active_runs(dag_ids: list[str]) -> list[str]:
    """The DAGs among ``dag_ids`` with a queued or running run (this run excluded)."""
    context = get_current_context()
    ti, own = context["ti"], context["dag_run"]
    busy = []
    for dag_id in dag_ids:
        count = ti.get_dr_count(dag_id=dag_id, states=ACTIVE)
        if dag_id == own.dag_id:
            count -= 1
        if count > 0:
            busy.append(dag_id)
    return busy


def wait_for_runs(task_id: str, dag_ids: list[str], doc: str):
    """A sensor task that succeeds once none of ``dag_ids`` has an active run."""

    @task.sensor(
        task_id=task_id,
        # Seconds between checks; a test stack checks more often than a daily sweep needs.
        poke_interval=int(os.environ.get("YIGONGTI_WAIT_POKE_SECONDS", "15")),
        timeout=pendulum.duration(hours=6).total_seconds(),
        mode="reschedule",
        # A reschedule can race the scheduler ("state changed externally"), which
        # fails the try: try again soon, not after the DAG's long backoff.
        retries=5,
        retry_delay=pendulum.duration(seconds=10),
        retry_exponential_backoff=False,
        doc_md=doc,
    )
    def wait() -> bool:
        busy = active_runs(dag_ids)
        if busy:
            print(f"waiting for {', '.join(busy)}")
        return not busy

    return wait()
