"""Analyst exports per period: CSV and Excel with Chinese headers, from the analyst views.

A month's exports hold every indicator row whose period ends in that month
(the month itself, the year to date, and the quarter or year when it ends), the
core performance targets and the month's reporting completeness.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from yigongti.periods import month_end

# (sheet name, view, filter on the period end / period, order)
PERIOD_END = "期间结束 = %(month_end)s"
SHEETS = (
    ("监测指标", "analyst_indicator_long", PERIOD_END, "指标代码, 区划代码, 期间类型"),
    ("监测指标（宽表）", "analyst_indicator_wide", PERIOD_END, "区划代码, 期间类型"),
    ("核心绩效指标", "analyst_target_attainment", None, "区划代码, 目标年, 序号"),
    ("数据完整性", "analyst_reporting_completeness", "报告期 = %(period)s", "数据代码, 区划代码"),
)


def _query(db, view: str, where: str | None, order: str, month: dt.date):
    sql = f"select * from marts.{view}"  # noqa: S608 - names come from SHEETS, not input
    if where:
        sql += f" where {where}"
    cur = db.execute(
        sql + f" order by {order}",
        {"month_end": month_end(month.year, month.month), "period": f"{month:%Y-%m}"},
    )
    return [c.name for c in cur.description], cur


def _cell(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


def write_exports(conn, month: dt.date, out_dir: Path) -> list[Path]:
    """监测指标_YYYY-MM.csv (the long table) and 监测数据_YYYY-MM.xlsx (every sheet)."""
    import xlsxwriter

    out_dir.mkdir(parents=True, exist_ok=True)
    csv_path = out_dir / f"监测指标_{month:%Y-%m}.csv"
    xlsx_path = out_dir / f"监测数据_{month:%Y-%m}.xlsx"
    with conn.connect() as db:
        # UTF-8 with BOM: Excel on Chinese Windows opens it without mojibake.
        tmp_csv = csv_path.with_suffix(".tmp")
        with tmp_csv.open("w", encoding="utf-8-sig", newline="") as fh:
            name, view, where, order = SHEETS[0]
            headers, cur = _query(db, view, where, order, month)
            writer = csv.writer(fh)
            writer.writerow(headers)
            for row in cur:
                writer.writerow([_cell(v) for v in row])
        tmp_csv.replace(csv_path)

        tmp_xlsx = xlsx_path.with_suffix(".tmp")
        book = xlsxwriter.Workbook(
            str(tmp_xlsx), {"constant_memory": True, "default_date_format": "yyyy-mm-dd"}
        )
        bold = book.add_format({"bold": True, "bg_color": "#EEF3F9", "border": 1})
        for name, view, where, order in SHEETS:
            sheet = book.add_worksheet(name)
            headers, cur = _query(db, view, where, order, month)
            sheet.write_row(0, 0, headers, bold)
            sheet.freeze_panes(1, 0)
            sheet.set_column(0, len(headers) - 1, 14)
            for r, row in enumerate(cur, start=1):
                for c, value in enumerate(row):
                    value = _cell(value)
                    if isinstance(value, dt.date):
                        sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()))
                    elif value is None:
                        sheet.write_blank(r, c, None)
                    elif hasattr(value, "is_finite"):  # Decimal
                        sheet.write_number(r, c, float(value))
                    else:
                        sheet.write(r, c, value)
        book.close()
        tmp_xlsx.replace(xlsx_path)
    return [csv_path, xlsx_path]
