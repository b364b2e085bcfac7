"""`yigongti serve`: the production stack on one machine, without Docker.

The Airflow components of docker-compose.yml (api-server, scheduler, dag-processor,
triggerer; a Celery worker with ``--executor celery``) as child processes, with
their metadata in a database of the warehouse's PostgreSQL (the embedded server
unless WAREHOUSE_URL names another). The ingest DAGs sweep the landing folder on
their schedule, the first sweep at once; assets then trigger transform and publish.
`yigongti stop` (or Ctrl-C) stops every component and the embedded server.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

from yigongti import stack, warehouse
from yigongti.settings import state_dir

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")


def home() -> Path:
    return state_dir() / "serve"


def pid_file() -> Path:
    return home() / "serve.pid"


def _airflow() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def metadata_url(conn: warehouse.Connection) -> str:
    """Airflow's metadata database: `<warehouse database>_airflow` on the warehouse's
    server, created when missing; psycopg 3 serves the sync and the async engine."""
    name = f"{conn.params['dbname']}_airflow"
    with conn.connect(autocommit=True) as db:
        if not db.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
            db.execute(f'create database "{name}"')
    return conn.sqlalchemy_url_for("postgresql+psycopg", name)


def environment(
    conn: warehouse.Connection, landing: Path, port: int, executor: str, broker_url: str | None
) -> dict[str, str]:
    from yigongti.orchestrate import ensure_pii_key

    ensure_pii_key()
    env = {
        **os.environ,
        **stack.served(
            home(),
            metadata_url(conn),
            port,
            executor="CeleryExecutor" if executor == "celery" else "LocalExecutor",
            broker_url=broker_url,
        ),
        **conn.env(),
        "YIGONGTI_STATE_DIR": str(state_dir()),
        "YIGONGTI_LANDING": Path(landing).resolve().as_uri(),
    }
    return env


class Stack:
    """The running components; stopped in reverse order of start."""

    def __init__(self, env: dict[str, str], executor: str):
        self.env = env
        self.names = list(COMPONENTS) + (["celery-worker"] if executor == "celery" else [])
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs = home() / "logs"

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [_airflow(), "db", "migrate"],
            env=self.env,
            check=True,
            stdout=(self.logs / "db-migrate.log").open("ab"),
            stderr=subprocess.STDOUT,
        )
        for name in self.names:
            args = ["celery", "worker"] if name == "celery-worker" else [name]
            self.procs[name] = subprocess.Popen(
                [_airflow(), *args],
                env=self.env,
                stdout=(self.logs / f"{name}.log").open("ab"),
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stopped with its children
            )

    def wait_ready(self, timeout: float = 180) -> None:
        url = self.env["AIRFLOW__API__BASE_URL"] + "/api/v2/monitor/health"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check()
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(1)
        raise TimeoutError(f"the api-server did not answer {url} within {timeout:.0f} s")

    def check(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                raise RuntimeError(
                    f"airflow {name} exited with {proc.returncode}; see {self.logs / name}.log"
                )

    def stop(self, grace: float = 15) -> None:
        for proc in reversed(self.procs.values()):
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
        for proc in self.procs.values():
            _signal_group(proc, signal.SIGKILL)  # stray children of a stopped group


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


@contextmanager
def running(landing: Path, port: int = 8080, executor: str = "local", broker_url=None):
    """Start the stack and yield it; stopped (with the embedded server) on exit."""
    with ExitStack() as stack_:
        conn = stack_.enter_context(warehouse.session())
        stack_.enter_context(warehouse.exclusive(conn, "serve"))
        env = environment(conn, landing, port, executor, broker_url)
        components = Stack(env, executor)
        stack_.callback(components.stop)
        components.start()
        components.wait_ready()
        yield components


def serve(landing: Path, port: int, executor: str, broker_url: str | None = None) -> int:
    stopping = []

    def on_signal(signum, _frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    pid_file().parent.mkdir(parents=True, exist_ok=True)
    pid_file().write_text(str(os.getpid()))
    try:
        with running(landing, port, executor, broker_url) as components:
            password = stack.admin_password()
            print(f"Airflow 界面 / UI: {components.env['AIRFLOW__API__BASE_URL']}")
            print(f"用户 admin，密码 {password}")
            print(f"落地目录 / landing: {landing}（每日 07:00 扫描，首次启动即扫描）")
            print(f"日志 / logs: {components.logs}")
            print("停止 / stop: yigongti stop（或 Ctrl-C）", flush=True)
            while not stopping:
                components.check()
                time.sleep(1)
            print("停止中 / stopping …", flush=True)
    finally:
        pid_file().unlink(missing_ok=True)
    return 0


def _alive(pid: int) -> bool:
    """Running, and not merely a zombie its parent has yet to reap."""
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def stop(timeout: float = 90) -> int:
    """Stop the `yigongti serve` of this state folder."""
    try:
        pid = int(pid_file().read_text())
    except (FileNotFoundError, ValueError):
        print("no yigongti serve is running for this state folder", file=sys.stderr)
        return 1
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file().unlink(missing_ok=True)
        return 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return 0
        time.sleep(0.5)
    print(f"yigongti serve (pid {pid}) did not stop within {timeout:.0f} s", file=sys.stderr)
    return 1
