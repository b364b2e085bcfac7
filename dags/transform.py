"""Transform DAG: one `dbt build` of the whole project (models and their tests) after ingest.

Any provider's new batches schedule it (AssetAny). It first waits until no ingest
run is still going, so the marts are built once per sweep on complete inputs; a
run scheduled by assets whose batches an earlier build already included is
skipped (include/yigongti/builds.py). A manual run always builds.

One dbt invocation with dbt's own threads, not an Airflow task per model: on a
small machine a per-model task spends three quarters of its time starting dbt
and loading the project (README, "Operating the DAGs"). The task log lists every
model's and test's result; a failure fails the task and names the node.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import AssetAny, dag, task
from cosmos.operators.local import DbtBuildLocalOperator
from yigongti_assets import APPROVAL, MARTS, raw
from yigongti_dbt import build_cache_dir, execution_config, profile_config
from yigongti_notifiers import PipelineFailureNotifier
from yigongti_waits import wait_for_runs

from yigongti.contracts import providers
from yigongti.settings import DBT_PROJECT_DIR


@dag(
    dag_id="yigongti_transform",
    description="Build staging, intermediate and marts with dbt",
    # Any provider's new batches trigger a rebuild (AssetAny, not all of them).
    schedule=AssetAny(*(raw(p) for p in providers()), APPROVAL),
    start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,  # one dbt build at a time on the warehouse
    default_args={
        "retries": 1,
        "retry_delay": pendulum.duration(minutes=1),
        "on_failure_callback": PipelineFailureNotifier(),
    },
    tags=["yigongti", "dbt"],
)
def transform():
    dbt = DbtBuildLocalOperator(
        task_id="dbt_build",
        project_dir=str(DBT_PROJECT_DIR),
        profile_config=profile_config(),
        dbt_executable_path=str(execution_config().dbt_executable_path),
        invocation_mode=execution_config().invocation_mode,
        install_deps=False,
        # Socket hosts cannot form dataset URIs; marts_built's outlet signals completion.
        emit_datasets=False,
        # dbt's partial parse, kept between runs (the first build parses in full).
        cache_dir=build_cache_dir(),
    )
    settled = wait_for_runs(
        "wait_for_ingest",
        [f"yigongti_ingest_{p}" for p in providers()],
        "Waits while any ingest DAG is running: one build per sweep.",
    )

    @task
    def prepare_warehouse(dag_run=None) -> int:
        """The schemas dbt's sources live in, created or migrated idempotently; the
        build recorded, or the run skipped when an earlier build has its batches."""
        from airflow.sdk.exceptions import AirflowSkipException

        from yigongti import builds, warehouse

        conn = warehouse.current()
        warehouse.ensure_schema(conn)
        scheduled = dag_run.run_type == "asset_triggered"  # a str enum
        if scheduled and not builds.pending_changes(conn):
            raise AirflowSkipException("no batch decided since the last build")
        return builds.start(conn, dag_run.run_id)

    @task(outlets=[MARTS])
    def marts_built(build_id: int) -> None:
        """Records the build and marks the marts as refreshed for the DAGs that read them."""
        from yigongti import builds, warehouse

        builds.finish(warehouse.current(), build_id)

    build = prepare_warehouse()
    settled >> build >> dbt >> marts_built(build)


transform()
