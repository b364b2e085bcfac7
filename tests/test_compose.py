"""The production stack (docker-compose.yml): services, mounts, and no inline secrets.

Docker is not available on the development machines, so the file is checked
as data.
"""

import re

import yaml

from yigongti.settings import ROOT

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|_KEY|TOKEN", re.I)


def _environment(service: dict) -> dict:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return env


def test_airflow_3_celery_stack_with_a_separate_warehouse():
    expected = {
        "airflow-db",
        "warehouse",
        "redis",
        "airflow-init",
        "airflow-api-server",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "airflow-worker",
    }
    assert expected <= set(SERVICES)
    commands = {name: s.get("command") for name, s in SERVICES.items()}
    assert commands["airflow-worker"] == "celery worker"
    assert commands["airflow-dag-processor"] == "dag-processor"
    env = _environment(SERVICES["airflow-scheduler"])
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    # The warehouse is its own PostgreSQL, not Airflow's metadata database.
    assert "@warehouse:" in env["WAREHOUSE_URL"] and "@airflow-db" not in env["WAREHOUSE_URL"]


def test_project_folders_are_mounted_into_every_airflow_service():
    for name, service in SERVICES.items():
        if not name.startswith("airflow-") or name == "airflow-db":
            continue
        targets = {v.split(":")[1] for v in service["volumes"]}
        for folder in ("dags", "include", "plugins", "dbt_project", "expectations"):
            assert f"/opt/yigongti/{folder}" in targets, (name, folder)


def test_no_secret_is_inline_and_none_has_a_default():
    for name, service in SERVICES.items():
        for key, value in _environment(service).items():
            if SECRET_NAME.search(key) or "://" in str(value) and "@" in str(value):
                # Only references to the .env file, and required ones (:?), no defaults.
                refs = re.findall(r"\$\{([^}]*)\}", str(value))
                if SECRET_NAME.search(key):
                    assert refs, (name, key)
                for ref in refs:
                    assert ":?" in ref or ":" not in ref, (name, key, ref)
                    assert ":-" not in ref, (name, key, ref)
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert all(
        line.endswith("=")
        or "=" not in line
        or line.startswith(("#", "AIRFLOW_UID", "LANDING_DIR"))
        for line in example.splitlines()
        if line.strip()
    )
    assert ".env" in (ROOT / ".gitignore").read_text(encoding="utf-8").split()


def test_compose_and_serve_read_the_shared_settings_from_one_file(tmp_path):
    from yigongti import stack

    shared = stack.shared()
    # Telemetry off and DAGs unpaused for every deployment, from airflow.env alone.
    assert shared["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] == "False"
    assert shared["DO_NOT_TRACK"] == "1"
    assert shared["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "False"
    assert shared["AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION"] == "False"
    anchor = COMPOSE["x-airflow"]
    assert anchor["env_file"][0] == "airflow.env"  # .env (secrets) may override it
    redefined = set(shared) & set(_environment(anchor))
    assert not redefined, f"set in both airflow.env and docker-compose.yml: {redefined}"
    served = stack.served(tmp_path, "postgresql+psycopg://u@/m?host=/tmp", 8080)
    assert {k: served[k] for k in shared} == shared
    # What differs per deployment is set by serve itself.
    assert served["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
    assert served["AIRFLOW__API__HOST"] == "127.0.0.1"
    passwords = tmp_path / "simple_auth_manager_passwords.json"
    assert passwords.stat().st_mode & 0o077 == 0  # the admin password: owner only
