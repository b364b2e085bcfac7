"""The DAGs under Airflow's real scheduler, as `yigongti serve` runs them.

`yigongti serve` is started as a data engineer starts it (a subprocess of the
CLI) on a landing folder made by someone else (tests/fixtures/world), with the
warehouse and Airflow's metadata on Debian's PostgreSQL: scheduler,
dag-processor, triggerer and api-server; LocalExecutor, then CeleryExecutor with
Debian's redis-server and a Celery worker. The four ingest DAGs fire at once on
their schedule; assets trigger transform and publish. The marts must equal those
of `yigongti run` on the same files (tests/test_world.py), the dbt docs must be
behind the UI's login, and `yigongti stop` must leave no process behind.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager, nullcontext
from pathlib import Path

import psutil
import psycopg
import pytest

from tests.conftest import WORLD, new_database
from tests.servers import free_port
from tests.test_world import marts

YIGONGTI = str(Path(sys.executable).with_name("yigongti"))


@contextmanager
def redis_server():
    """Debian's redis-server on a free loopback port, no persistence; its URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("Debian's redis-server is needed (make test installs it)")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                import redis

                redis.Redis(port=port).ping()
                break
            except Exception:
                time.sleep(0.2)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


def _runs(metadata_url: str) -> dict[str, list[str]]:
    with psycopg.connect(metadata_url) as db:
        rows = db.execute("select dag_id, state from dag_run order by id").fetchall()
    runs: dict[str, list[str]] = {}
    for dag_id, state in rows:
        runs.setdefault(dag_id, []).append(state)
    return runs


def _wait_for_publication(serve, metadata_url: str, timeout: float) -> dict[str, list[str]]:
    deadline = time.monotonic() + timeout
    runs: dict[str, list[str]] = {}
    while time.monotonic() < deadline:
        assert serve.poll() is None, "yigongti serve exited"
        try:
            runs = _runs(metadata_url)
        except psycopg.Error:
            runs = {}
        failed = {d: s for d, s in runs.items() if "failed" in s}
        assert not failed, failed
        done = runs.get("yigongti_publish", [])
        busy = any(s in ("queued", "running") for states in runs.values() for s in states)
        if "success" in done and not busy:
            return runs
        time.sleep(3)
    raise AssertionError(f"no publication within {timeout:.0f} s: {runs}")


@pytest.mark.parametrize("executor", ["local", "celery"])
def test_serve_runs_the_chain_under_the_real_scheduler(executor, world_by_cli, debian_pg, tmp_path):
    reference = marts(world_by_cli)
    url = new_database(debian_pg)
    port = free_port()
    state = tmp_path / "state"
    env = {
        **os.environ,
        "WAREHOUSE_URL": url,
        "YIGONGTI_STATE_DIR": str(state),
        "YIGONGTI_WAIT_POKE_SECONDS": "5",
    }
    for key in list(env):  # the test process's own Airflow settings are not serve's
        if key.startswith("AIRFLOW__") or key == "AIRFLOW_HOME":
            del env[key]
    with nullcontext() if executor == "local" else redis_server() as broker:
        args = [YIGONGTI, "serve", "--landing", str(WORLD / "landing"), "--port", str(port)]
        if broker:
            args += ["--executor", "celery", "--broker-url", broker]
        log = (tmp_path / "serve.out").open("wb")
        serve = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            metadata = psycopg.conninfo.make_conninfo(
                url, dbname=psycopg.conninfo.conninfo_to_dict(url)["dbname"] + "_airflow"
            )
            runs = _wait_for_publication(serve, metadata, timeout=600)
            _check_docs_need_login(port, state)
        finally:
            subprocess.run([YIGONGTI, "stop"], env=env, timeout=120)
            serve.wait(60)
            log.close()
        print((tmp_path / "serve.out").read_text(errors="replace"))
    assert serve.returncode == 0
    # Every ingest ran once, on its schedule; one build and one publication for the sweep.
    for provider in ("hc", "fin", "mi", "stat"):
        assert runs[f"yigongti_ingest_{provider}"] == ["success"], runs
    assert runs["yigongti_publish"] == ["success"], runs
    assert runs["yigongti_transform"].count("success") >= 1
    with psycopg.connect(url) as db:
        builds = db.execute("select count(*) from ops.build_log where finished_at is not null")
        assert builds.fetchone()[0] == 1, "the sweep's marts were built more than once"
        (month, bulletin), *_ = db.execute(
            "select month, bulletin_path from ops.publication_log order by published_at desc"
        ).fetchall()
    # The latest month's bulletin, written by the publish DAG into serve's state folder.
    assert Path(bulletin).is_file() and Path(bulletin).is_relative_to(state)
    assert f"{month:%Y}年{month.month}月" in Path(bulletin).read_text(encoding="utf-8")
    # The same marts as `yigongti run` on the same files.
    got = marts(url)
    assert got.keys() == reference.keys()
    differ = [k for k in got if not _same(got[k], reference[k])]
    assert not differ, differ[:20]
    # Nothing of the stack is left running.
    leftovers = [
        p.info["cmdline"]
        for p in psutil.process_iter(["cmdline"])
        if p.info["cmdline"] and str(state) in " ".join(p.info["cmdline"])
    ]
    assert not leftovers, leftovers
    assert not [p for p in psutil.process_iter(["environ"]) if _in_state(p, state)], (
        "a component outlived yigongti stop"
    )


def _in_state(proc, state: Path) -> bool:
    try:
        return (proc.info.get("environ") or {}).get("YIGONGTI_STATE_DIR") == str(state)
    except (psutil.Error, AttributeError):
        return False


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(b))
    return a == b


def _check_docs_need_login(port: int, state: Path) -> None:
    """The dbt docs Cosmos serves answer only with the UI's login."""
    base = f"http://127.0.0.1:{port}"
    page = f"{base}/cosmos/yigongti/dbt_docs_index.html"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(page, timeout=30)
    assert refused.value.code in (401, 403)
    password = (state / "secrets" / "admin_password").read_text().strip()
    request = urllib.request.Request(
        f"{base}/auth/token",
        data=json.dumps({"username": "admin", "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        token = json.loads(response.read())["access_token"]
    authorised = urllib.request.Request(page, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(authorised, timeout=30) as response:
        assert response.status == 200
        assert "dbt" in response.read().decode("utf-8", errors="replace").lower()
