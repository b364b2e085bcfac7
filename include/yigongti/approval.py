"""The health commission's sign-off of a month's indicators, and what it locks.

- ``approve`` records that a month is approved (ops.approval) and lets the
  corrections held for it take effect.
- A batch that arrives for an approved month is validated but held
  (``pending_approval``, include/yigongti/batches.py) until the month is
  approved again.
- ``snapshot`` records exactly the values a publication published
  (ops.published_value); for an approved month published after its newest
  approval, those values are locked: ``marts.fct_indicator_values`` serves them
  (``approved``) until the month is approved again, whatever was rebuilt since.
"""

from __future__ import annotations

import datetime as dt
import getpass
import logging

from yigongti import batches
from yigongti.periods import Period

log = logging.getLogger("yigongti")


def approved_month_holding(db, period: str) -> dt.date | None:
    """The newest approved month a batch of ``period`` (a landing folder's
    YYYY-MM or YYYY) would change, or None: the month itself, or for an annual
    feed any month of its year."""
    try:
        span = Period.parse(period)
    except ValueError:
        return None  # rejected for its folder name anyway
    return db.execute(
        "select max(month) from ops.approval where month between %s and %s",
        (span.start, span.end),
    ).fetchone()[0]


def approve(conn, month: str, approved_by: str | None = None) -> dict:
    """Approve ``month`` (YYYY-MM); the batches held for it take effect. The marts
    show the change after the next build (the transform DAG, ``yigongti approve``)."""
    period = Period.parse(month)
    if period.kind != "month":
        raise ValueError(f"{month!r} is not a month (YYYY-MM)")
    who = approved_by or getpass.getuser()
    with conn.connect() as db:
        released: list[int] = []
        for feed, held_period in db.execute(
            "select distinct feed, period from ops.batch_log "
            "where status = 'pending_approval' and period in (%s, %s)",
            (period.text, f"{period.start:%Y}"),
        ).fetchall():
            released += batches.release(db, feed, held_period)
        approval_id = db.execute(
            "insert into ops.approval (month, approved_by, released_batches) "
            "values (%s, %s, %s) returning approval_id",
            (period.start, who, released),
        ).fetchone()[0]
        db.commit()
    log.info("%s approved by %s; batches released: %s", month, who, released or "none")
    return {"approval_id": approval_id, "month": month, "released_batches": released}


def approval_of(db, month: dt.date) -> int | None:
    """The newest approval of ``month``, or None when it was never approved."""
    row = db.execute(
        "select approval_id from ops.approval where month = %s "
        "order by approved_at desc, approval_id desc limit 1",
        (month,),
    ).fetchone()
    return row[0] if row else None


def snapshot(db, publication_id: int, month: dt.date) -> int:
    """Record the values the publication of ``month`` published: every value of
    the marts for a period ending by the month's end (the bulletin's tables,
    trends and comparisons, and the exports). Returns the number of rows."""
    return db.execute(
        """
        insert into ops.published_value
            (publication_id, indicator_code, area_code, period_type, period_start,
             period_end, numerator, denominator, value, unit, status)
        select %s, indicator_code, area_code, period_type, period_start, period_end,
               numerator, denominator, value, unit, status
        from marts.fct_indicator_values
        where period_end <= %s
        """,
        (publication_id, Period.month_of(month).end),
    ).rowcount
