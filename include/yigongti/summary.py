"""Readable end-of-run summaries for the console (Chinese labels for users)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from yigongti.batches import NAMED, STATES
from yigongti.labels import status_zh, unit_zh
from yigongti.periods import Period


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    lines = ["  ".join(_pad(str(h), w) for h, w in zip(headers, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(str(c), w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def batches(conn, since) -> str:
    with conn.connect() as db:
        counts = db.execute(
            "select status, count(*) from ops.batch_log where received_at >= %s "
            "group by 1 order by 1",
            (since,),
        ).fetchall()
        # The files someone must act on: rejected, held for approval, and loads
        # an internal error or a killed run left undecided (they land again on
        # the next run).
        named = db.execute(
            "select status, feed, period, file_name, message from ops.batch_log "
            "where received_at >= %s and status = any(%s) "
            "order by status = 'rejected', batch_id limit 30",
            (since, list(NAMED)),
        ).fetchall()
    shown = "，".join(f"{STATES[s].label_zh} {n}" for s, n in counts)
    lines = ["本次接收批次：" + (shown or "无新文件")]
    for status, feed, period, name, message in named:
        lines.append(
            f"  {STATES[status].label_zh} {feed} {period} {name}：{message or '下次运行将重新处理'}"
        )
    return "\n".join(lines)


def latest_month(conn, codes: tuple[str, ...] = ("M07", "M12")) -> str:
    """M07/M12 (and any other codes) for the latest month, per district and the municipality."""
    with conn.connect() as db:
        latest = db.execute(
            "select max(period_start) from marts.fct_indicator_values "
            "where period_type = 'month' and indicator_code = any(%s)",
            (list(codes),),
        ).fetchone()[0]
        if latest is None:
            return "指标集市中还没有月度数据。"
        names = dict(
            db.execute(
                "select indicator_code, indicator_name_zh from marts.dim_indicators "
                "where indicator_code = any(%s)",
                (list(codes),),
            ).fetchall()
        )
        rows = db.execute(
            """
            select area_code, area_name_zh, indicator_code, value
            from marts.fct_indicator_values
            where period_type = 'month' and period_start = %s and indicator_code = any(%s)
            order by area_code = '500000', area_code
            """,
            (latest, list(codes)),
        ).fetchall()
    by_area: dict[tuple[str, str], dict[str, str]] = {}
    for area, name, code, value in rows:
        by_area.setdefault((area, name or ""), {})[code] = "" if value is None else f"{value:.2f}"
    headers = ["区县代码", "区县", *[f"{c} {names.get(c, '')}(%)" for c in codes]]
    body = [[a, n, *[v.get(c, "") for c in codes]] for (a, n), v in by_area.items()]
    return f"{latest:%Y年%m月} 监测指标（按区县，最后一行为全市）\n" + table(headers, body)


def municipal_overview(conn) -> str:
    """Every indicator's latest municipal value, of the period type that headlines it
    (the registry's ``headline_period_type``, as in the bulletin)."""
    with conn.connect() as db:
        rows = db.execute(
            """
            select distinct on (i.indicator_code)
                i.indicator_code, i.indicator_name_zh, v.period_type, v.period_start,
                v.period_end, v.value, i.unit, v.status
            from marts.dim_indicators as i
            left join marts.fct_indicator_values as v
                on v.indicator_code = i.indicator_code and v.area_code = '500000'
                and v.period_type = i.headline_period_type
            order by i.indicator_code, v.value is null, v.period_end desc nulls last
            """
        ).fetchall()
    body = []
    for code, name, ptype, start, end, value, unit, status in rows:
        period = "" if start is None else Period.of_mart(ptype, start, end).label_zh
        shown = "—" if value is None else f"{value:,.2f}"
        label = name if len(name) <= 24 else name[:23] + "…"
        body.append(
            [
                code,
                label,
                period,
                shown,
                unit_zh(unit),
                status_zh(status) if status else "",
            ]
        )
    return "全市监测指标（最新期）\n" + table(
        ["代码", "指标", "期间", "全市", "单位", "状态"], body
    )


def targets(conn) -> str:
    """Core performance targets per district with a plan."""
    with conn.connect() as db:
        rows = db.execute(
            """
            select district_name_zh, count(*) filter (where attained),
                   count(*) filter (where not attained), count(*) filter (where attained is null)
            from marts.fct_target_attainment group by district_name_zh order by 1
            """
        ).fetchall()
    if not rows:
        return "核心绩效指标：暂无区县方案。"
    return "核心绩效指标（按目标年）：" + "；".join(
        f"{name} 已达成 {met}、未达成 {missed}、待评 {pending}"
        for name, met, missed, pending in rows
    )


def publication(conn, since) -> str:
    """What the publish step wrote in this run (the bulletin HTML and PDF paths last:
    users open them)."""
    with conn.connect() as db:
        row = db.execute(
            "select month, bulletin_path, export_paths from ops.publication_log "
            "where published_at >= %s order by publication_id desc limit 1",
            (since,),
        ).fetchone()
    if row is None:
        return "本次运行未生成月度监测简报（指标集市中还没有月度数据）。"
    month, page, exports = row
    label = Period.month_of(month).label_zh
    lines = [f"数据导出（{label}）："] + [f"  {p}" for p in exports]
    lines.append(f"月度监测简报（{label}）：{page}")
    printed = Path(page).with_suffix(".pdf")  # written beside the HTML
    if printed.exists():
        lines.append(f"月度监测简报 PDF（{label}）：{printed}")
    else:
        lines.append(f"月度监测简报 PDF（{label}）：未生成（需要 chromium 与 fonts-noto-cjk）")
    return "\n".join(lines)
