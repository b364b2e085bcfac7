"""Transform DAG: dbt (through Cosmos, a task per model with its tests) after any ingest."""

from __future__ import annotations

import pendulum
from airflow.sdk import AssetAny, dag, task
from cosmos import DbtTaskGroup, RenderConfig
from cosmos.constants import LoadMode, TestBehavior
from yigongti_assets import MARTS, raw
from yigongti_dbt import execution_config, profile_config, project_config
from yigongti_notifiers import PipelineFailureNotifier

from yigongti.contracts import providers


@dag(
    dag_id="yigongti_transform",
    description="Build staging, intermediate and marts with dbt",
    # Any provider's new batches trigger a rebuild (AssetAny, not all of them).
    schedule=AssetAny(*(raw(p) for p in providers())),
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
    dbt = DbtTaskGroup(
        group_id="dbt",
        project_config=project_config(),
        profile_config=profile_config(),
        execution_config=execution_config(),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            # dbt build per model: the model and its tests in one task (one dbt
            # invocation instead of two; each costs more than a small model).
            test_behavior=TestBehavior.BUILD,
            # Socket hosts cannot form dataset URIs; the DAG's own outlet signals completion.
            emit_datasets=False,
        ),
        operator_args={"install_deps": False},
    )

    @task
    def prepare_warehouse() -> None:
        """The schemas dbt's sources live in, created or migrated idempotently."""
        from yigongti import warehouse

        warehouse.ensure_schema(warehouse.current())

    @task(outlets=[MARTS])
    def marts_built() -> None:
        """Marks the marts as refreshed for the DAGs that read them."""

    prepare_warehouse() >> dbt >> marts_built()


transform()
