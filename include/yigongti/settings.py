"""Where the project's files and local state live."""

from __future__ import annotations

import os
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
