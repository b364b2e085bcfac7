"""Where the project's files and local state live."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = ROOT / "dbt_project"
DAGS_DIR = ROOT / "dags"
PLUGINS_DIR = ROOT / "plugins"
EXPECTATIONS_DIR = ROOT / "expectations"


def state_dir() -> Path:
    """Git-ignored working state: embedded PostgreSQL, Airflow home, archives, outputs."""
    path = Path(os.environ.get("YIGONGTI_STATE_DIR", ROOT / ".yigongti")).resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def dbt_target_dir() -> Path:
    """Where this state folder's ``dbt parse`` writes the manifest Cosmos renders the
    transform DAG from: never the project tree, which runs with other state folders
    share."""
    return state_dir() / "dbt_target"


def dbt_command(*args: str, target: Path, logs: Path) -> list[str]:
    """A dbt CLI call on this project whose target and logs go to the given folders,
    never into the project tree."""
    return [
        str(Path(sys.executable).with_name("dbt")),
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(logs),
    ]
