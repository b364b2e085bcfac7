"""An internal error is no verdict on the data: the batch is ``failed``, the step
raises (the task fails, retries and alerts), and the next run lands the same
file again, exactly once."""

import pytest

from tests.conftest import PII_KEY
from tests.feedfiles import settlement_row, write_feed
from yigongti.pipeline import LandingFile, process_file
from yigongti.quality import suites

JAN = "2025-01"


def _settlements(landing):
    rows = [settlement_row("A"), settlement_row("B"), settlement_row("C")]
    return write_feed(landing, "mi_inpatient_settlements", JAN, rows, encoding="gbk")


def _status(conn, batch_id):
    with conn.connect() as db:
        return db.execute(
            "select status, message, (select count(*) from raw.mi_inpatient_settlements "
            "where _batch_id = %s) from ops.batch_log where batch_id = %s",
            (batch_id, batch_id),
        ).fetchone()


def test_a_broken_validator_fails_the_batch_and_the_next_run_decides_it(
    fresh_db, tmp_path, monkeypatch
):
    path = _settlements(tmp_path)
    item = LandingFile("mi_inpatient_settlements", JAN, str(path))
    broken = suites.Rule(
        "broken.rule",
        "failure",
        "查询出错的规则",
        "unexpected_rows_expectation",
        {"unexpected_rows_query": "select * from {batch} as batch_rows where no_such_column"},
    )
    real = suites.extra_rules("mi_inpatient_settlements")
    monkeypatch.setattr(suites, "extra_rules", lambda name: (*real, broken))
    with pytest.raises(Exception, match="no_such_column"):
        process_file(fresh_db, item, PII_KEY)
    with fresh_db.connect() as db:
        (batch_id,) = db.execute("select batch_id from ops.batch_log").fetchone()
    status, message, rows = _status(fresh_db, batch_id)
    assert status == "failed", message  # not rejected: the data was never judged
    assert "校验失败" in message

    monkeypatch.setattr(suites, "extra_rules", lambda name: real)  # the fault is repaired
    result = process_file(fresh_db, item, PII_KEY)
    assert (result["batch_id"], result["status"]) == (batch_id, "accepted"), result["message"]
    assert _status(fresh_db, batch_id)[2] == 3


def test_a_load_that_breaks_halfway_lands_exactly_once_on_the_next_run(
    fresh_db, tmp_path, monkeypatch
):
    from yigongti.quality.streamed import StreamedRules
    from yigongti.readers import sources

    path = _settlements(tmp_path)
    item = LandingFile("mi_inpatient_settlements", JAN, str(path))
    real = StreamedRules.check
    monkeypatch.setattr(sources, "BLOCK_CHARS", 64)  # a block per line
    seen = []

    def breaking(self, *args):
        seen.append(args)
        if len(seen) == 2:  # the connection drops after the COPY's first block
            raise ConnectionError("server closed the connection unexpectedly")
        return real(self, *args)

    monkeypatch.setattr(StreamedRules, "check", breaking)
    with pytest.raises(ConnectionError):
        process_file(fresh_db, item, PII_KEY)
    with fresh_db.connect() as db:
        (batch_id,) = db.execute("select batch_id from ops.batch_log").fetchone()
    status, message, rows = _status(fresh_db, batch_id)
    assert (status, rows) == ("failed", 0), message

    monkeypatch.setattr(StreamedRules, "check", real)
    result = process_file(fresh_db, item, PII_KEY)
    assert (result["batch_id"], result["status"]) == (batch_id, "accepted"), result["message"]
    assert _status(fresh_db, batch_id)[2] == 3  # every row once


def test_a_broken_anomaly_check_after_the_verdict_fails_the_batch(fresh_db, tmp_path, monkeypatch):
    """The batch was accepted, then the anomaly check broke: the batch is failed
    (landed and decided again next run) and the check's own error is raised."""
    import yigongti.pipeline

    path = _settlements(tmp_path)
    item = LandingFile("mi_inpatient_settlements", JAN, str(path))

    def broken(*args, **kwargs):
        raise RuntimeError("anomaly check broke")

    monkeypatch.setattr(yigongti.pipeline, "flag_batch", broken)
    with pytest.raises(RuntimeError, match="anomaly check broke"):
        process_file(fresh_db, item, PII_KEY)
    with fresh_db.connect() as db:
        (batch_id,) = db.execute("select batch_id from ops.batch_log").fetchone()
    assert _status(fresh_db, batch_id)[0] == "failed"
    monkeypatch.undo()
    decided = process_file(fresh_db, item, PII_KEY)
    assert (decided["batch_id"], decided["status"]) == (batch_id, "accepted")
