"""Publish DAG: after the marts are rebuilt, the monthly bulletin, the analyst exports
and the dbt docs that Cosmos serves in the Airflow UI (Browse > dbt 文档).

The month defaults to the latest complete one; pass ``month`` (YYYY-MM) to
republish an earlier month after a restatement.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task
from cosmos.operators.local import DbtDocsLocalOperator
from yigongti_assets import BULLETIN, MARTS
from yigongti_dbt import execution_config, profile_config, publish_docs
from yigongti_notifiers import PipelineFailureNotifier

from yigongti.settings import DBT_PROJECT_DIR


@dag(
    dag_id="yigongti_publish",
    description="Monthly bulletin, exports and dbt docs from the marts",
    schedule=[MARTS],
    start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,  # one publication at a time; a rerun overwrites the month's files
    default_args={
        "retries": 2,
        "retry_delay": pendulum.duration(minutes=1),
        "retry_exponential_backoff": True,
        "on_failure_callback": PipelineFailureNotifier(),
    },
    params={
        "month": Param(None, type=["null", "string"], description="YYYY-MM (default: latest)"),
    },
    tags=["yigongti", "publish"],
)
def publish():
    @task(outlets=[BULLETIN])
    def bulletin(params=None) -> dict | None:
        import datetime as dt

        from yigongti import warehouse
        from yigongti.bulletin import publish as write

        month = params.get("month")
        chosen = dt.datetime.strptime(month, "%Y-%m").date() if month else None
        return write(warehouse.current(), chosen)

    docs = DbtDocsLocalOperator(
        task_id="dbt_docs",
        project_dir=str(DBT_PROJECT_DIR),
        profile_config=profile_config(),
        dbt_executable_path=str(execution_config().dbt_executable_path),
        install_deps=False,
        callback=publish_docs,
    )

    bulletin() >> docs


publish()
