"""Read by every Airflow process at start (airflow.settings.import_local_settings;
the plugins folder is on its import path).

Task processes are forked from the scheduler's LocalExecutor workers or from the
Celery worker. Importing there, once, the libraries every ingest task (GX) and
every dbt task (dbt-core and its PostgreSQL adapter) imports saves each task about
ten seconds of imports on a small machine. Other processes import nothing more.
"""

from __future__ import annotations

import os
import sys

if {"scheduler", "worker"} & set(sys.argv[1:3]):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import dbt.adapters.postgres  # noqa: F401
    import dbt.cli.main  # noqa: F401
    import great_expectations  # noqa: F401
    import great_expectations.datasource.fluent  # noqa: F401
