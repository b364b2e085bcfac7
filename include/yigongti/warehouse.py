"""The PostgreSQL warehouse: ``WAREHOUSE_URL`` when set, else an embedded server.

The embedded server (pgserver, PostgreSQL 16) lives in the project's state
folder and listens on a Unix socket only. dbt, GX and the loaders all derive
their connection settings from the one URL exposed here.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

from yigongti import batches
from yigongti.access import ensure_roles
from yigongti.contracts import LINEAGE_COLUMNS, feeds
from yigongti.settings import state_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Connection:
    """Connection settings parsed once from a libpq URL."""

    url: str

    @property
    def params(self) -> dict[str, str]:
        params = {k: str(v) for k, v in conninfo_to_dict(self.url).items() if v is not None}
        params.setdefault("host", "localhost")
        params.setdefault("port", "5432")
        params.setdefault("user", "postgres")
        params.setdefault("dbname", params["user"])
        return params

    @property
    def sqlalchemy_url(self) -> str:
        return self.sqlalchemy_url_for("postgresql+psycopg2")

    def sqlalchemy_url_for(self, driver: str, dbname: str | None = None) -> str:
        """A SQLAlchemy URL of this server (another database on it with ``dbname``);
        a Unix-socket host goes in the query, where libpq-based drivers read it."""
        from sqlalchemy.engine import URL

        p = self.params
        socket = p["host"].startswith("/")
        return URL.create(
            driver,
            username=p["user"],
            password=p.get("password") or None,
            host=None if socket else p["host"],
            port=None if socket else int(p["port"]),
            database=dbname or p["dbname"],
            query={"host": p["host"], "port": p["port"]} if socket else {},
        ).render_as_string(hide_password=False)

    def env(self) -> dict[str, str]:
        """Variables read by dbt_project/profiles.yml."""
        p = self.params
        return {
            "WAREHOUSE_URL": self.url,
            "WAREHOUSE_HOST": p["host"],
            "WAREHOUSE_PORT": p["port"],
            "WAREHOUSE_USER": p["user"],
            "WAREHOUSE_PASSWORD": p.get("password", ""),
            "WAREHOUSE_DBNAME": p["dbname"],
        }

    def connect(self, **kwargs) -> psycopg.Connection:
        return psycopg.connect(self.url, **kwargs)


def current() -> Connection:
    """The warehouse the running process was pointed at.

    Also exports the variables dbt's profile reads (WAREHOUSE_HOST, ...), so
    that dbt, GX and the loaders inside any task reach the same server as the
    CLI does.
    """
    url = os.environ.get("WAREHOUSE_URL")
    if not url:
        raise RuntimeError("WAREHOUSE_URL is not set; start the warehouse with warehouse.session()")
    conn = Connection(url)
    os.environ.update(conn.env())
    return conn


@contextmanager
def session(pgdata: Path | None = None):
    """Yield a Connection; start (and finally stop) the embedded server if needed.

    Sets WAREHOUSE_URL and the dbt variables in the environment so that every
    part of the pipeline in this process (and its children) sees the same server.
    """
    server = None
    url = os.environ.get("WAREHOUSE_URL")
    if not url:
        import pgserver

        pgdata = pgdata or state_dir() / "pgdata"
        pgdata.mkdir(parents=True, exist_ok=True)
        _forget_dead_handles(pgdata)
        server = pgserver.get_server(pgdata, cleanup_mode="stop")
        url = server.get_uri()
        log.info("embedded PostgreSQL started in %s", pgdata)
    conn = Connection(url)
    saved = {k: os.environ.get(k) for k in conn.env()}
    os.environ.update(conn.env())
    try:
        ensure_schema(conn)
        yield conn
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if server is not None:
            server.cleanup()
            log.info("embedded PostgreSQL stopped")


def _forget_dead_handles(pgdata: Path) -> None:
    """pgserver stops the embedded server when its last user process exits, counting
    users in pgdata/.handle_pids.json. A killed run never removes itself, so the
    server would outlive it forever: this run takes over its handle instead, and
    stops the server when it ends."""
    import json

    import psutil

    handles = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(handles.read_text())
    except (FileNotFoundError, ValueError):
        return
    alive = [pid for pid in pids if psutil.pid_exists(pid)]
    if alive != pids:
        handles.write_text(json.dumps(alive))
        log.info("forgot embedded-server handles of ended processes %s", set(pids) - set(alive))


class WarehouseBusy(RuntimeError):
    pass


RUN_LOCK = 871002  # pg advisory lock key: one pipeline run per warehouse


@contextmanager
def exclusive(conn: Connection, what: str):
    """Hold the warehouse's run lock while the block runs; a second run (another
    `yigongti run` or `serve` on the same warehouse) stops at once, naming the first."""
    label = f"yigongti {what} (pid {os.getpid()})"
    db = conn.connect(autocommit=True, application_name=label)
    try:
        if not db.execute("select pg_try_advisory_lock(%s)", (RUN_LOCK,)).fetchone()[0]:
            holder = db.execute(
                """
                select a.application_name from pg_locks l
                join pg_stat_activity a using (pid)
                where l.locktype = 'advisory' and l.objid = %s and l.granted
                """,
                (RUN_LOCK,),
            ).fetchone()
            raise WarehouseBusy(
                f"仓库正被另一个运行占用 / the warehouse is in use by "
                f"{holder[0] if holder else 'another run'}; try again when it has finished"
            )
        yield
    finally:
        db.close()  # the session lock goes with the connection


def raw_table_ddl() -> str:
    """One text-typed raw table per feed: values exactly as delivered (PII hashed)."""
    statements = []
    for feed in feeds().values():
        cols = [f"{name} text" for name in feed.raw_columns]
        lineage = [
            "_batch_id bigint not null",
            "_file_name text not null",
            "_file_sha256 text not null",
            "_row_number integer not null",
            "_received_at timestamptz not null",
            "_district_code text",
            "_issues text",
        ]
        assert [c.split()[0] for c in lineage] == list(LINEAGE_COLUMNS)
        statements.append(
            f"create table if not exists {feed.raw_table} (\n    "
            + ",\n    ".join(cols + lineage)
            + "\n);\n"
            # Batches are appended whole, so a block-range index finds a batch's
            # rows at a fraction of a btree's cost to keep up during COPY.
            f"drop index if exists raw.{feed.name}_batch;\n"
            f"create index if not exists {feed.name}_batch_range on {feed.raw_table} "
            "using brin (_batch_id) with (pages_per_range = 32);"
        )
        # Columns a contract gained after the table was created (old rows: null).
        statements.extend(
            f"alter table {feed.raw_table} add column if not exists {name} text;"
            for name in (*feed.raw_columns, "_issues")
        )
        # The lineage a whole batch shares comes from the loading transaction's
        # settings (loader._copy_rows), not from every line of the COPY; a write
        # without them fails ("unrecognized configuration parameter").
        statements.extend(
            f"alter table {feed.raw_table} alter column {column} "
            f"set default current_setting('{setting}')::{kind};"
            for column, (setting, kind) in BATCH_LINEAGE.items()
        )
    return "\n".join(statements)


# Lineage columns constant over a batch -> (transaction setting, type).
BATCH_LINEAGE = {
    "_batch_id": ("yigongti.batch_id", "bigint"),
    "_file_name": ("yigongti.file_name", "text"),
    "_file_sha256": ("yigongti.file_sha256", "text"),
    "_received_at": ("yigongti.received_at", "timestamptz"),
}


def ensure_schema(conn: Connection) -> None:
    ops_sql = resources.files("yigongti").joinpath("sql/ops.sql").read_text(encoding="utf-8")
    with conn.connect(autocommit=True) as db:
        # Serialise concurrent first runs (several workers starting at once).
        db.execute("select pg_advisory_lock(871001)")
        try:
            db.execute(ops_sql)
            batches.sync(db)
            db.execute(raw_table_ddl())
            ensure_roles(db)
        finally:
            db.execute("select pg_advisory_unlock(871001)")
