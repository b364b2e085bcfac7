"""Approve DAG: the health commission signs off a month's indicators.

Trigger it with ``month`` (YYYY-MM). Corrections held for that month
(``pending_approval``) take effect; the transform DAG rebuilds the marts (the
approval asset schedules it) and the publish DAG republishes. The logic is
include/yigongti/approval.py, also run by ``yigongti approve --month``.
"""

from __future__ import annotations

import pendulum
from airflow.sdk import Param, dag, task
from yigongti_assets import APPROVAL
from yigongti_notifiers import PipelineFailureNotifier


@dag(
    dag_id="yigongti_approve",
    description="Approve a month's indicators (release held corrections, lock what is published)",
    schedule=None,
    start_date=pendulum.datetime(2024, 1, 1, tz="Asia/Shanghai"),
    catchup=False,
    max_active_runs=1,
    default_args={
        "retries": 1,  # approving twice is harmless: a second approval row, nothing held
        "retry_delay": pendulum.duration(minutes=1),
        "on_failure_callback": PipelineFailureNotifier(),
    },
    params={
        "month": Param(type="string", pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM"),
        "approved_by": Param(None, type=["null", "string"], description="审核人"),
    },
    tags=["yigongti", "approve"],
)
def approve():
    @task(outlets=[APPROVAL])
    def record_approval(params=None) -> dict:
        from yigongti import approval, warehouse

        return approval.approve(warehouse.current(), params["month"], params.get("approved_by"))

    record_approval()


approve()
