"""The Airflow settings of every deployment, from one place.

airflow.env (repository root) holds what every deployment shares: telemetry off,
parallelism for small machines, DAGs unpaused. docker-compose.yml reads it as an
env_file; `yigongti run` (in-process ``dag.test``) and `yigongti serve` (the real
scheduler on the embedded PostgreSQL) read it here and add what is theirs: paths,
executor, metadata database, auth manager and secrets.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

from dotenv import dotenv_values

from yigongti.settings import DAGS_DIR, PLUGINS_DIR, ROOT, state_dir

SHARED = ROOT / "airflow.env"
SIMPLE_AUTH = "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"


def shared() -> dict[str, str]:
    return {k: v for k, v in dotenv_values(SHARED).items() if v is not None}


def secret(name: str, generate=lambda: secrets.token_urlsafe(32)) -> str:
    """A local secret of this state folder, generated once, readable by its owner only."""
    path = state_dir() / "secrets" / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.parent.chmod(0o700)
        path.write_text(generate(), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def fernet_key() -> str:
    from cryptography.fernet import Fernet

    return secret("fernet_key", lambda: Fernet.generate_key().decode())


def admin_password() -> str:
    return secret("admin_password", lambda: secrets.token_urlsafe(12))


def docs_projects() -> str:
    """[cosmos] dbt_docs_projects: where the publish DAG puts the dbt docs."""
    return json.dumps(
        {
            "yigongti": {
                "dir": str(state_dir() / "dbt_docs"),
                "index": "index.html",
                "name": "dbt 文档（医共体监测）",
            }
        },
        ensure_ascii=False,
    )


def local(home: Path) -> dict[str, str]:
    """Settings of a deployment on this machine, whatever its executor."""
    return {
        **shared(),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(PLUGINS_DIR),
        # Cosmos keeps dbt's partial-parse cache per state folder: runs with other
        # state folders on the same machine never share (or corrupt) it.
        "AIRFLOW__COSMOS__CACHE_DIR": str(state_dir() / "cosmos_cache"),
        "AIRFLOW__COSMOS__DBT_DOCS_PROJECTS": docs_projects(),
    }


def served(
    home: Path,
    metadata_url: str,
    port: int,
    executor: str = "LocalExecutor",
    broker_url: str | None = None,
) -> dict[str, str]:
    """Settings of the scheduler, dag-processor, triggerer, api-server (and Celery
    worker) that `yigongti serve` starts: metadata in PostgreSQL, UI on 127.0.0.1,
    one admin whose password is generated here."""
    base = f"http://127.0.0.1:{port}"
    passwords = home / "simple_auth_manager_passwords.json"
    if not passwords.exists():
        home.mkdir(parents=True, exist_ok=True)
        passwords.write_text(json.dumps({"admin": admin_password()}))
        passwords.chmod(0o600)
    env = {
        **local(home),
        "AIRFLOW__CORE__EXECUTOR": executor,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        # psycopg 3 serves both the sync and the async engine (Unix sockets included).
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN_ASYNC": metadata_url,
        "AIRFLOW__CORE__FERNET_KEY": fernet_key(),
        "AIRFLOW__API__SECRET_KEY": secret("api_secret_key"),
        "AIRFLOW__API_AUTH__JWT_SECRET": secret("jwt_secret"),
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": base,
        "AIRFLOW__API__WORKERS": "1",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
        "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH,
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
        "AIRFLOW__TRIGGERER__CAPACITY": "50",
    }
    if broker_url:
        env["AIRFLOW__CELERY__BROKER_URL"] = broker_url
        # Celery 5.6's database result backend, in the metadata database.
        env["AIRFLOW__CELERY__RESULT_BACKEND"] = "db+" + metadata_url
    return env
