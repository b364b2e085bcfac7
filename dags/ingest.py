"""Ingest DAGs, one per provider family: land, validate and decide every file that arrived.

Each landing folder (feed x period) is one mapped task instance, deciding its
files one after the other in arrival order (a correction after its original).
Feeds run in stages from their contracts: the institution registry before the
feeds placed in districts through it, settlement lines before the summary that
reconciles with them. A run that decided new batches updates the provider's asset,
which schedules the transform DAG; a run whose loads failed is a failed run.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import Param, Variable, dag, task
from yigongti_assets import raw
from yigongti_notifiers import PipelineFailureNotifier
from yigongti_waits import wait_for_runs

from yigongti.contracts import feeds_of, providers, stage, upstream_providers

DEFAULT_ARGS = {
    "retries": 2,
    "retry_delay": pendulum.duration(minutes=2),
    "retry_exponential_backoff": True,
    "on_failure_callback": PipelineFailureNotifier(),
}


def build(provider: str):
    @dag(
        dag_id=f"yigongti_ingest_{provider}",
        description=f"Ingest {providers()[provider]['name_en']} feeds into raw",
        # Daily sweep of the landing zone: files already received are skipped by
        # their SHA-256, so only new deliveries are loaded.
        schedule="0 7 * * *",
        start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Shanghai"),
        catchup=False,
        max_active_runs=1,  # batches of one provider arrive and supersede in order
        default_args=DEFAULT_ARGS,
        params={
            # Deployment defaults: a folder, or a URL such as s3://bucket/landing.
            "landing": Param(
                os.environ.get("YIGONGTI_LANDING", ""),
                type="string",
                description="Landing folder or URL",
            ),
            "landing_conn_id": Param(
                os.environ.get("YIGONGTI_LANDING_CONN_ID") or None,
                type=["null", "string"],
                description="Airflow connection of the landing URL",
            ),
            "period_from": Param(None, type=["null", "string"], description="YYYY-MM"),
            "period_to": Param(None, type=["null", "string"], description="YYYY-MM"),
        },
        tags=["yigongti", "ingest", provider],
    )
    def ingest():
        @task(trigger_rule="none_failed")
        def discover(stage: int, params=None) -> list[dict]:
            from yigongti_landing import landing_path

            from yigongti import warehouse
            from yigongti.pipeline import discover_folders

            # Schemas, raw tables and roles, created or migrated idempotently:
            # a scheduler's first run needs no step outside Airflow.
            warehouse.ensure_schema(warehouse.current())
            return discover_folders(
                landing_path(params["landing"], params["landing_conn_id"]),
                params["period_from"],
                params["period_to"],
                provider=provider,
                stage=stage,
            )

        @task(
            map_index_template="{{ task.op_kwargs['folder']['feed'] }}/"
            "{{ task.op_kwargs['folder']['period'] }}"
        )
        def process(folder: dict, params=None) -> list[dict]:
            from functools import partial

            from yigongti_landing import local_copy

            from yigongti import warehouse
            from yigongti.pipeline import process_folder

            return process_folder(
                warehouse.current(),
                folder,
                Variable.get("yigongti_pii_key"),
                fetch=partial(local_copy, conn_id=params["landing_conn_id"]),
            )

        @task(trigger_rule="all_done")
        def report(*stages: list) -> dict:
            """Alert the people on duty about every rejected or warned batch (also
            when a load failed: what was decided is still reported)."""
            from collections import Counter

            from airflow.sdk import get_current_context
            from yigongti_notifiers import alert_batches

            from yigongti import warehouse

            done = [r for results in stages for folder in (results or []) for r in folder]
            alert_batches(warehouse.current(), done, get_current_context())
            return dict(Counter(r["status"] for r in done if not r["duplicate"]))

        # The run's verdict and the provider's asset. Failed loads fail this task
        # (upstream_failed), and with it the run; a sweep that changed nothing
        # (no batch accepted or superseded) is skipped and schedules no rebuild.
        @task(outlets=[raw(provider)], trigger_rule="none_failed")
        def announce(counts: dict) -> dict:
            from airflow.sdk.exceptions import AirflowSkipException

            from yigongti.pipeline import changes_data

            if not changes_data(counts):
                raise AirflowSkipException("no batch accepted or superseded in this sweep")
            return counts

        # One mapped stage after another: a feed's dependencies (the institution
        # registry, the lines a summary reconciles with) are decided first. An
        # empty mapping is "skipped", so the next stage still runs.
        # Another provider's feeds this one depends on (fin: hc's institution
        # registry) are decided first: wait while its sweep is still running.
        upstream = upstream_providers(provider)
        previous = (
            wait_for_runs(
                "wait_for_upstream",
                [f"yigongti_ingest_{p}" for p in upstream],
                f"Waits while the ingest of {', '.join(upstream)} is running.",
            )
            if upstream
            else None
        )
        results = []
        for n in sorted({stage(f.name) for f in feeds_of(provider)}):
            folders = discover.override(task_id=f"discover_stage_{n}")(stage=n)
            if previous is not None:
                previous >> folders
            previous = process.override(task_id=f"process_stage_{n}").expand(folder=folders)
            results.append(previous)
        counts = report(*results)
        verdict = announce(counts)
        for stage_results in results:
            stage_results >> verdict

    return ingest()


for _provider in providers():
    globals()[f"yigongti_ingest_{_provider}"] = build(_provider)
