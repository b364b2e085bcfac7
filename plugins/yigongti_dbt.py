"""How Cosmos runs this project's dbt: one profile and executable for every DAG,
and the publication of dbt docs where Cosmos's docs hosting reads them."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from cosmos import ExecutionConfig, ProfileConfig
from cosmos.constants import InvocationMode

from yigongti.settings import DBT_PROJECT_DIR, state_dir

DOCS_SLUG = "yigongti"  # key of [cosmos] dbt_docs_projects


def profile_config() -> ProfileConfig:
    # profiles.yml reads the warehouse from the environment (WAREHOUSE_HOST, ...),
    # derived here from WAREHOUSE_URL in whichever process parses the DAG (the
    # scheduler's, a worker's, the CLI's).
    if os.environ.get("WAREHOUSE_URL"):
        from yigongti import warehouse

        warehouse.current()
    return ProfileConfig(
        profile_name="yigongti",
        target_name="warehouse",
        profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml",
    )


BUILD_CACHE_ID = "yigongti_transform__dbt_build"


def build_cache_dir() -> Path:
    """Where the transform's dbt build keeps dbt's partial parse between runs."""
    from airflow.configuration import conf

    root = conf.get("cosmos", "cache_dir", fallback=None) or str(state_dir() / "cosmos_cache")
    return Path(root) / BUILD_CACHE_ID


def execution_config() -> ExecutionConfig:
    # dbt runs in the task's own process (dbtRunner): no interpreter start and dbt
    # import per model, which would dominate a build of small models.
    return ExecutionConfig(
        dbt_executable_path=Path(sys.executable).with_name("dbt"),
        invocation_mode=InvocationMode.DBT_RUNNER,
    )


def docs_location() -> tuple[str, str | None]:
    """(dir, conn_id) of this project's docs in [cosmos] dbt_docs_projects."""
    from airflow.configuration import conf

    projects = json.loads(conf.get("cosmos", "dbt_docs_projects", fallback=None) or "{}")
    entry = projects.get(DOCS_SLUG) or {"dir": str(state_dir() / "dbt_docs")}
    return entry["dir"], entry.get("conn_id")


def publish_docs(project_dir: str, **_) -> None:
    """DbtDocsLocalOperator callback: copy the generated site to the hosted location
    (a local folder, S3, ... through Airflow's object storage)."""
    from airflow.sdk import ObjectStoragePath

    folder, conn_id = docs_location()
    target = ObjectStoragePath(folder if "://" in folder else f"file://{folder}", conn_id=conn_id)
    target.mkdir(parents=True, exist_ok=True)
    for name in ("index.html", "manifest.json", "catalog.json"):
        src = Path(project_dir) / "target" / name
        (target / name).write_bytes(src.read_bytes())
