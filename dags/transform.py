"""Transform DAG: dbt (through Cosmos, a task per model with its tests) after any ingest."""

from __future__ import annotations

import sys
from pathlib import Path

import pendulum
from airflow.sdk import Asset, AssetAny, dag, task
from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
from cosmos.constants import LoadMode, TestBehavior
from yigongti_notifiers import PipelineFailureNotifier

from yigongti.contracts import providers
from yigongti.settings import DBT_PROJECT_DIR

MARTS = Asset("yigongti://marts/indicators")


@dag(
    dag_id="yigongti_transform",
    description="Build staging, intermediate and marts with dbt",
    # Any provider's new batches trigger a rebuild (AssetAny, not all of them).
    schedule=AssetAny(*(Asset(f"yigongti://raw/{p}") for p in providers())),
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
        project_config=ProjectConfig(
            dbt_project_path=DBT_PROJECT_DIR,
            manifest_path=DBT_PROJECT_DIR / "target" / "manifest.json",
            install_dbt_deps=False,
        ),
        profile_config=ProfileConfig(
            profile_name="yigongti",
            target_name="warehouse",
            profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml",
        ),
        execution_config=ExecutionConfig(dbt_executable_path=Path(sys.executable).with_name("dbt")),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.AFTER_EACH,
            # Socket hosts cannot form dataset URIs; the DAG's own outlet signals completion.
            emit_datasets=False,
        ),
        operator_args={"install_deps": False},
    )

    @task(outlets=[MARTS])
    def marts_built() -> None:
        """Marks the marts as refreshed for the DAGs that read them."""

    dbt >> marts_built()


transform()
