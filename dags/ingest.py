"""Ingest DAGs, one per provider family: land, validate and decide every file that arrived.

Each landing folder (feed x period) is one mapped task instance, deciding its
files one after the other in arrival order (a correction after its original).
The institution registry goes first because other feeds are placed in districts
through it. A finished run updates the provider's asset, which schedules the
transform DAG.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Asset, Param, Variable, dag, task

from yigongti.contracts import feeds_of, providers

DEFAULT_ARGS = {
    "retries": 2,
    "retry_delay": pendulum.duration(minutes=2),
    "retry_exponential_backoff": True,
}


def raw_asset(provider: str) -> Asset:
    return Asset(f"yigongti://raw/{provider}")


def build(provider: str):
    @dag(
        dag_id=f"yigongti_ingest_{provider}",
        description=f"Ingest {providers()[provider]['name_en']} feeds into raw",
        schedule=None,
        start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Shanghai"),
        catchup=False,
        max_active_runs=1,  # batches of one provider arrive and supersede in order
        default_args=DEFAULT_ARGS,
        params={
            "landing": Param("", type="string", description="Landing folder"),
            "period_from": Param(None, type=["null", "string"], description="YYYY-MM"),
            "period_to": Param(None, type=["null", "string"], description="YYYY-MM"),
        },
        tags=["yigongti", "ingest", provider],
    )
    def ingest():
        @task
        def discover(registry: bool, params=None) -> list[dict]:
            from pathlib import Path

            from yigongti.pipeline import discover_folders

            return discover_folders(
                Path(params["landing"]),
                params["period_from"],
                params["period_to"],
                provider=provider,
                registry=registry,
            )

        @task(
            map_index_template="{{ task.op_kwargs['folder']['feed'] }}/"
            "{{ task.op_kwargs['folder']['period'] }}"
        )
        def process(folder: dict) -> list[dict]:
            from yigongti import warehouse
            from yigongti.pipeline import process_folder

            return process_folder(warehouse.current(), folder, Variable.get("yigongti_pii_key"))

        @task(outlets=[raw_asset(provider)], trigger_rule="all_done")
        def report(registry_results: list, results: list) -> dict:
            from collections import Counter

            done = [r for group in [*(registry_results or []), *(results or [])] for r in group]
            return dict(Counter(r["status"] for r in done))

        # A registry stage only where the provider has one; an empty mapping is
        # "skipped", so the files stage runs unless something upstream failed.
        folders = discover.override(task_id="discover_files", trigger_rule="none_failed")(
            registry=False
        )
        registry_done = []
        if any(f.registry for f in feeds_of(provider)):
            registry_done = process.override(task_id="process_registry").expand(
                folder=discover.override(task_id="discover_registry")(registry=True)
            )
            registry_done >> folders
        report(registry_done, process.override(task_id="process_files").expand(folder=folders))

    return ingest()


for _provider in providers():
    globals()[f"yigongti_ingest_{_provider}"] = build(_provider)
