"""Alert composition and delivery through the Airflow notifiers (real SMTP and webhook)."""

import sys
from types import SimpleNamespace

from tests.conftest import PII_KEY
from tests.feedfiles import resident_id, settlement_row, write_feed
from yigongti.alerts import batch_alerts
from yigongti.pipeline import LandingFile, process_file
from yigongti.settings import PLUGINS_DIR


def _notifiers():
    if str(PLUGINS_DIR) not in sys.path:
        sys.path.append(str(PLUGINS_DIR))
    import yigongti_notifiers

    return yigongti_notifiers


def test_alert_names_feed_period_district_file_rules_and_hashes_identifiers(fresh_db, tmp_path):
    person = resident_id("50010119600101123")
    rows = [
        settlement_row(
            "A",
            person_id_hash=person,
            discharged_on=settlement_row("A")["admitted_on"].replace(day=1),
        )
    ]
    path = write_feed(tmp_path, "mi_inpatient_settlements", "2025-01", rows, encoding="gbk")
    result = process_file(
        fresh_db, LandingFile("mi_inpatient_settlements", "2025-01", str(path)), PII_KEY
    )
    (alert,) = batch_alerts(fresh_db, [result["batch_id"]])
    assert alert.level == "failure"
    assert "住院结算明细" in alert.title and "2025-01" in alert.title and path.name in alert.title
    for expected in ("区县：500101", "discharge.not_before_admission", "1 行", "示例行"):
        assert expected in alert.body, expected
    assert person not in alert.body  # the resident ID appears only as its keyed hash


def test_pipeline_failure_notifier_sends_mail_and_webhook(alert_receivers):
    notifier = _notifiers().PipelineFailureNotifier()
    ti = SimpleNamespace(
        dag_id="yigongti_ingest_mi", task_id="process_stage_0", run_id="manual__2026-11-01"
    )
    notifier.notify({"ti": ti, "exception": RuntimeError("warehouse unreachable")})
    ((subject, body),) = alert_receivers.texts()
    assert subject == "【医共体监测】流水线失败：yigongti_ingest_mi"
    assert "process_stage_0" in body and "warehouse unreachable" in body
    assert alert_receivers.posts[0]["type"] == "failure"


def test_without_a_configured_channel_nothing_is_sent(monkeypatch):
    monkeypatch.delenv("AIRFLOW_CONN_YIGONGTI_ALERTS", raising=False)
    from yigongti.alerts import Alert

    assert _notifiers().deliver(Alert("warning", "t", "b")) is False
