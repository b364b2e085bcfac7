"""Alert delivery through Airflow notifiers (the Apprise provider).

The channels are configuration, not code: the Airflow connection
``yigongti_alerts`` (conn type ``apprise``) lists Apprise URLs in its extra
``config``, for example::

    AIRFLOW_CONN_YIGONGTI_ALERTS='{"conn_type": "apprise", "extra": {"config": [
        {"path": "mailtos://user:pass@smtp.example.org?to=duty@example.org"},
        {"path": "wecombot://BOT_KEY"},
        {"path": "dingtalk://TOKEN/"}]}}'

Without that connection, alerts are logged and nothing is sent.
"""

from __future__ import annotations

import logging

from airflow.providers.apprise.notifications.apprise import AppriseNotifier
from airflow.providers.common.compat.notifier import BaseNotifier
from apprise import NotifyType

log = logging.getLogger(__name__)

ALERT_CONN_ID = "yigongti_alerts"


def alerts_configured() -> bool:
    from airflow.sdk import BaseHook

    try:
        BaseHook.get_connection(ALERT_CONN_ID)
    except Exception:  # not found, from whichever secrets backend answered
        return False
    return True


def deliver(alert, context: dict | None = None) -> bool:
    """Send one yigongti.alerts.Alert to every configured channel."""
    if not alerts_configured():
        log.warning("alert not sent (no connection %s): %s", ALERT_CONN_ID, alert.title)
        return False
    AppriseNotifier(
        title=alert.title,
        body=alert.body,
        notify_type=NotifyType(alert.level),
        apprise_conn_id=ALERT_CONN_ID,
    ).notify(context or {})
    return True


def alert_batches(conn, results: list[dict], context: dict | None = None) -> int:
    """Alert on every rejected or warned batch among a run's results."""
    from yigongti.alerts import batch_alerts
    from yigongti.batches import ALERTED

    ids = [r["batch_id"] for r in results if r["status"] in ALERTED and not r.get("duplicate")]
    return sum(deliver(a, context) for a in batch_alerts(conn, ids))


class PipelineFailureNotifier(BaseNotifier):
    """on_failure_callback: a task of the pipeline itself failed (not a bad batch)."""

    def notify(self, context):
        from yigongti.alerts import pipeline_failure

        ti = context.get("ti") or context.get("task_instance")
        deliver(
            pipeline_failure(
                getattr(ti, "dag_id", "?"),
                getattr(ti, "task_id", "?"),
                getattr(ti, "run_id", "?"),
                str(context.get("exception", "")),
            ),
            context,
        )
