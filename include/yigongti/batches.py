"""A batch's life, in one place: its states, the moves between them, and the
only writes of ``ops.batch_log.status``.

    received ──► accepted / accepted_with_warnings ──► superseded
       │   ╲──► pending_approval (its period is approved: held) ──► accepted …
       │   ╲──► rejected
       └──────► failed (an internal error, no verdict) ──► received (landed again)

The loader, the validator and the anomaly flagger return what they found; the
functions here turn it into a state. SQL reads the states from
``ops.batch_state`` (written from ``STATES`` by ``sync``), never from literals.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg


@dataclass(frozen=True)
class State:
    name: str
    label_zh: str
    active: bool = False  # its rows feed the marts (ops.active_batch)
    undecided: bool = False  # the next run lands it again
    changes_marts: bool = False  # reaching it calls for a rebuild
    alerted: bool = False  # the people on duty are told (include/yigongti/alerts.py)


STATES = {
    s.name: s
    for s in (
        State("received", "已接收待校验", undecided=True),
        State("validated", "已校验", undecided=True),
        State("failed", "处理失败（将重试）", undecided=True),
        State("accepted", "已采用", active=True, changes_marts=True),
        State(
            "accepted_with_warnings",
            "已采用（有预警）",
            active=True,
            changes_marts=True,
            alerted=True,
        ),
        State("pending_approval", "待审核（所属月份已审核）", alerted=True),
        State("rejected", "已拒收", alerted=True),
        State("superseded", "已被取代", changes_marts=True),
    )
}
MOVES = {
    "received": {"accepted", "accepted_with_warnings", "pending_approval", "rejected", "failed"},
    "validated": {"accepted", "accepted_with_warnings", "pending_approval", "rejected", "failed"},
    "failed": {"received", "rejected", "failed"},
    # failed from a verdict: a step after it (the anomaly check) broke; the batch
    # is landed and decided again by the next run.
    "accepted": {"accepted_with_warnings", "superseded", "failed"},
    "accepted_with_warnings": {"superseded", "failed"},
    "pending_approval": {"accepted", "accepted_with_warnings", "superseded", "failed"},
    "rejected": set(),
    "superseded": set(),
}
ACTIVE = tuple(n for n, s in STATES.items() if s.active)
UNDECIDED = tuple(n for n, s in STATES.items() if s.undecided)
CHANGING = tuple(n for n, s in STATES.items() if s.changes_marts)
ALERTED = tuple(n for n, s in STATES.items() if s.alerted)
# What a run's summary names file by file: a person must act on them.
NAMED = ("rejected", "pending_approval", *UNDECIDED)


NOW = object()  # a field set to the transaction's now()


class IllegalMove(RuntimeError):
    """A step tried a move the life of a batch does not have: a bug, not data."""


def sync(db: psycopg.Connection) -> None:
    """Write ``STATES`` to ops.batch_state, which ops.batch_log.status references."""
    with db.cursor() as cur:
        cur.executemany(
            """
            insert into ops.batch_state (state, label_zh, active, undecided)
            values (%s, %s, %s, %s)
            on conflict (state) do update set
                label_zh = excluded.label_zh, active = excluded.active,
                undecided = excluded.undecided
            """,
            [(s.name, s.label_zh, s.active, s.undecided) for s in STATES.values()],
        )
    db.execute("alter table ops.batch_log drop constraint if exists batch_log_status_check")
    db.execute(
        """
        do $$ begin
            if not exists (select 1 from pg_catalog.pg_constraint
                           where conname = 'batch_log_status_state') then
                alter table ops.batch_log add constraint batch_log_status_state
                    foreign key (status) references ops.batch_state (state);
            end if;
        end $$
        """
    )


def move(db, batch_id: int, to: str, **fields) -> None:
    """Move one batch to ``to`` (with ``fields`` of ops.batch_log set alongside);
    raises IllegalMove when its current state has no such move."""
    if to not in STATES:
        raise IllegalMove(f"no state {to!r}")
    sources = [s for s, targets in MOVES.items() if to in targets]
    sets = "".join(
        f", {column} = now()" if value is NOW else f", {column} = %({column})s"
        for column, value in fields.items()
    )
    values = {c: v for c, v in fields.items() if v is not NOW}
    cur = db.execute(
        f"update ops.batch_log set status = %(to)s{sets} "
        "where batch_id = %(batch_id)s and status = any(%(sources)s)",
        {"to": to, "batch_id": batch_id, "sources": sources, **values},
    )
    if cur.rowcount != 1:
        now = db.execute(
            "select status from ops.batch_log where batch_id = %s", (batch_id,)
        ).fetchone()
        raise IllegalMove(f"batch {batch_id}: {now[0] if now else 'unknown'} → {to}")


def _decide(db, batch_id: int, to: str, rules: list[str], message: str, **fields) -> None:
    """A verdict: the state, the rules that broke and why, decided now."""
    move(
        db,
        batch_id,
        to,
        rules_failed=rules,
        message=message,
        validated_at=NOW,
        decided_at=NOW,
        **fields,
    )


def reject(db, batch_id: int, rules: list[str], message: str, **fields) -> None:
    _decide(db, batch_id, "rejected", rules, message, **fields)


def fail(db, batch_id: int, message: str) -> None:
    """An internal error stopped a step: no verdict on the data."""
    move(db, batch_id, "failed", message=message[:2000])


def restart(db, batch_id: int) -> None:
    """An undecided batch is landed again from scratch."""
    db.execute(
        "update ops.batch_log set status = 'received', rules_failed = '{}', message = null, "
        "row_count = null, district_codes = '{}', report_path = null, validated_at = null, "
        "decided_at = null, rules_streamed = null where batch_id = %s and status = any(%s)",
        (batch_id, list(UNDECIDED)),
    )


def accept(db, batch_id: int, warned: bool, rules: list[str], message: str, **fields) -> str:
    """The verdict of a batch that passed: accepted (with warnings), or held as
    ``pending_approval`` when a month it could change is approved
    (include/yigongti/approval.py); older batches it replaces are superseded.
    Returns the state reached."""
    from yigongti.approval import approved_month_holding

    feed, period = db.execute(
        "select feed, period from ops.batch_log where batch_id = %s", (batch_id,)
    ).fetchone()
    held = approved_month_holding(db, period)
    to = "pending_approval" if held else ("accepted_with_warnings" if warned else "accepted")
    if held:
        message = f"{message}（{held:%Y年%-m月}已审核：更正待审核后生效）"
    _decide(db, batch_id, to, rules, message, **fields)
    if not held:
        supersede_older(db, feed, period)
    return to


def warn(db, batch_id: int, rules: list[str], text: str) -> None:
    """Warnings found after the verdict (anomalies): an accepted batch becomes
    accepted with warnings; a held one stays held, its warnings kept."""
    status = db.execute(
        "select status from ops.batch_log where batch_id = %s", (batch_id,)
    ).fetchone()[0]
    if status == "accepted":
        move(db, batch_id, "accepted_with_warnings")
    db.execute(
        "update ops.batch_log set rules_failed = rules_failed || %s, "
        "message = message || '；预警：' || %s where batch_id = %s",
        (rules, text, batch_id),
    )


def release(db, feed: str, period: str) -> list[int]:
    """The held batches of a feed's period take effect (their month was approved
    again): accepted, or accepted with warnings when a warning rule broke."""
    held = db.execute(
        """
        select b.batch_id, exists (
            select 1 from ops.batch_rule_result as r
            where r.batch_id = b.batch_id and r.severity = 'warning')
        from ops.batch_log as b
        where b.feed = %s and b.period = %s and b.status = 'pending_approval'
        order by b.received_at, b.batch_id
        """,
        (feed, period),
    ).fetchall()
    for batch_id, warned in held:
        move(
            db,
            batch_id,
            "accepted_with_warnings" if warned else "accepted",
            decided_at=NOW,
        )
    if held:
        supersede_older(db, feed, period)
    return [b for b, _ in held]


def supersede_older(db, feed: str, period: str) -> None:
    """An active batch none of whose districts is active any more is superseded."""
    db.execute(
        """
        update ops.batch_log as b
        set status = 'superseded', decided_at = now(),
            message = coalesce(b.message, '') || '（已被更正后的批次取代）'
        where b.feed = %(feed)s and b.period = %(period)s
          and b.status = any(%(active)s)
          and not exists (
              select 1 from ops.active_batch as a
              where a.batch_id = b.batch_id
          )
        """,
        {"feed": feed, "period": period, "active": list(ACTIVE)},
    )
