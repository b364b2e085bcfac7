"""When the marts need a rebuild: a batch decided since the last finished build.

Several ingest DAGs end within minutes of each other and each updates its asset;
the transform DAG waits until none is running and then builds once. A later run
queued by those same assets finds nothing decided since that build started and
is skipped, so a sweep rebuilds the marts once, and a day without deliveries not
at all.
"""

from __future__ import annotations

from yigongti.batches import CHANGING


def pending_changes(conn) -> bool:
    """Whether a batch was accepted or superseded, or a month approved, after the
    last finished build began."""
    with conn.connect() as db:
        return db.execute(
            """
            with last_build as (
                select coalesce(max(started_at), '-infinity') as started_at
                from ops.build_log where finished_at is not null
            )
            select exists (
                select 1 from ops.batch_log, last_build
                where status = any(%s) and decided_at >= last_build.started_at
            ) or exists (
                select 1 from ops.approval, last_build
                where approved_at >= last_build.started_at
            )
            """,
            (list(CHANGING),),
        ).fetchone()[0]


def start(conn, run_id: str) -> int:
    with conn.connect() as db:
        return db.execute(
            "insert into ops.build_log (run_id) values (%s) returning build_id", (run_id,)
        ).fetchone()[0]


def finish(conn, build_id: int) -> None:
    with conn.connect() as db:
        db.execute("update ops.build_log set finished_at = now() where build_id = %s", (build_id,))
