"""Alert messages for the people on duty (Chinese), composed from ops tables.

Delivery is Airflow's job (plugins/yigongti_notifiers.py, Apprise); this module
only decides what a rejection or warning says, so it is testable on its own.
Sample rows come from raw, where personal identifiers are already hashed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from yigongti.batches import ALERTED
from yigongti.contracts import feed as feed_contract

SAMPLE_ROWS = 3
SAMPLE_COLUMNS = 8
# What each alerted state (include/yigongti/batches.py) tells the people on duty.
VERDICTS = {
    "rejected": ("批次拒收", "拒收，未进入指标计算，原有有效批次继续生效"),
    "accepted_with_warnings": ("数据预警", "已接收，请核实"),
    "pending_approval": (
        "更正待审核",
        "已校验通过，但所属月份已审核发布：更正暂不生效，已发布数值保持不变；"
        "请审核后运行 yigongti approve --month 该月份",
    ),
}


@dataclass(frozen=True)
class Alert:
    level: str  # failure | warning (Apprise notify types)
    title: str
    body: str


def _sample(rows: list[dict]) -> str:
    lines = []
    for row in rows[:SAMPLE_ROWS]:
        shown = {k: v for k, v in row.items() if not k.endswith("_check")}
        cells = list(shown.items())[:SAMPLE_COLUMNS]
        lines.append("    " + json.dumps(dict(cells), ensure_ascii=False, default=str))
    return "\n".join(lines)


def batch_alerts(conn, batch_ids: list[int]) -> list[Alert]:
    """One alert per rejected or warned batch."""
    if not batch_ids:
        return []
    with conn.connect() as db:
        batches = db.execute(
            """
            select batch_id, feed, period, file_name, district_codes, status, message,
                   report_path, archive_path
            from ops.batch_log
            where batch_id = any(%s) and status = any(%s)
            order by batch_id
            """,
            (batch_ids, list(ALERTED)),
        ).fetchall()
        results = db.execute(
            """
            select batch_id, rule, severity, unexpected_count, sample
            from ops.batch_rule_result where batch_id = any(%s) order by batch_id, rule
            """,
            (batch_ids,),
        ).fetchall()
    by_batch: dict[int, list] = {}
    for row in results:
        by_batch.setdefault(row[0], []).append(row[1:])
    alerts = []
    for batch_id, name, period, file_name, districts, status, message, report, archive in batches:
        contract = feed_contract(name)
        rejected = status == "rejected"
        headline, verdict = VERDICTS[status]
        title = f"【医共体监测】{headline}：{contract.title_zh} {period} {file_name}"
        lines = [
            f"数据源：{contract.title_zh}（{name}）",
            f"期间：{period}",
            f"区县：{'、'.join(districts) if districts else '（未能识别）'}",
            f"文件：{file_name}（批次 {batch_id}）",
            "结论：" + verdict,
            "规则：",
        ]
        for rule, severity, count, sample in by_batch.get(batch_id, []):
            label = "失败" if severity == "failure" else "预警"
            lines.append(f"  - [{label}] {rule}" + (f"：{count} 行" if count is not None else ""))
            if sample:
                lines.append("    示例行（标识已散列）：")
                lines.append(_sample(sample))
        lines.append(f"说明：{message}")
        if report:
            lines.append(f"校验报告（GX Data Docs）：{report}")
        if archive:
            lines.append(f"原始文件存档：{archive}")
        alerts.append(Alert("failure" if rejected else "warning", title, "\n".join(lines)))
    return alerts


def pipeline_failure(dag_id: str, task_id: str, run_id: str, error: str) -> Alert:
    return Alert(
        "failure",
        f"【医共体监测】流水线失败：{dag_id}",
        f"DAG：{dag_id}\n任务：{task_id}\n运行：{run_id}\n错误：{error}\n"
        "请查看 Airflow 任务日志；已接收的批次不受影响，修复后重跑该 DAG 即可。",
    )
