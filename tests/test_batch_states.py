"""A batch's life has one owner (include/yigongti/batches.py): its states, their
moves, and every write of ops.batch_log.status."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from tests.conftest import new_database

ROOT = Path(__file__).parents[1]
# An SQL assignment of the status column, in any file of the code.
STATUS_WRITE = re.compile(r"\bset\s+status\s*=|,\s*status\s*=\s*(?:%|'|case)", re.IGNORECASE)


def test_no_module_but_batches_writes_a_status():
    writers = {
        str(path.relative_to(ROOT))
        for folder in ("include", "dags", "plugins")
        for path in (ROOT / folder).rglob("*.py")
        if STATUS_WRITE.search(path.read_text(encoding="utf-8"))
    }
    assert writers == {"include/yigongti/batches.py"}


def test_every_move_joins_known_states():
    from yigongti.batches import ACTIVE, MOVES, STATES

    assert set(MOVES) == set(STATES)
    assert all(targets <= set(STATES) for targets in MOVES.values())
    # Only an accepted batch feeds the marts; a held or rejected one never does.
    assert set(ACTIVE) == {"accepted", "accepted_with_warnings"}
    assert not MOVES["rejected"] and not MOVES["superseded"]


@pytest.fixture
def warehouse_db(any_pg):
    from yigongti import warehouse

    url = new_database(any_pg)
    warehouse.ensure_schema(warehouse.Connection(url))
    with psycopg.connect(url) as db:
        yield db


def _batch(db, status: str = "received") -> int:
    batch_id = db.execute(
        "insert into ops.batch_log (feed, provider, period, file_name, file_path, sha256) "
        "values ('hs_monthly_services', 'hc', '2025-02', 'f.xlsx', 'f.xlsx', md5(random()::text)) "
        "returning batch_id"
    ).fetchone()[0]
    db.execute(
        "insert into ops.batch_district (batch_id, district_code, row_count) "
        "values (%s, '500101', 1)",
        (batch_id,),
    )
    if status != "received":
        db.execute("update ops.batch_log set status = %s where batch_id = %s", (status, batch_id))
    return batch_id


def test_the_warehouse_knows_the_states_and_refuses_others(warehouse_db):
    from yigongti.batches import STATES

    db = warehouse_db
    rows = dict(db.execute("select state, active from ops.batch_state").fetchall())
    assert rows == {name: s.active for name, s in STATES.items()}
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        _batch(db, "approved")  # no such state


def test_an_impossible_move_is_a_bug_not_a_verdict(warehouse_db):
    from yigongti import batches

    db = warehouse_db
    rejected = _batch(db, "rejected")
    with pytest.raises(batches.IllegalMove, match="rejected → accepted"):
        batches.move(db, rejected, "accepted")
    db.rollback()


def test_a_held_batch_is_not_active_until_released(warehouse_db):
    from yigongti import batches

    db = warehouse_db
    first = _batch(db)
    assert batches.accept(db, first, False, [], "ok") == "accepted"
    db.execute("insert into ops.approval (month, approved_by) values ('2025-02-01', 'x')")
    correction = _batch(db)
    assert batches.accept(db, correction, False, [], "ok") == "pending_approval"
    active = db.execute("select batch_id from ops.active_batch").fetchall()
    assert active == [(first,)]  # the published batch stays in force
    assert batches.release(db, "hs_monthly_services", "2025-02") == [correction]
    statuses = dict(db.execute("select batch_id, status from ops.batch_log").fetchall())
    assert statuses == {first: "superseded", correction: "accepted"}
