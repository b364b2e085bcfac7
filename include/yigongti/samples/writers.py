"""Write feed files in the providers' real shapes, streaming row by row."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from yigongti.contracts import MONEY_UNITS, Column, Feed

NUMERIC_TYPES = {"count", "int", "money", "numeric"}


def _money(value, column: Column, file_unit: str) -> Decimal | None:
    if value is None:
        return None
    factor = MONEY_UNITS[column.unit or file_unit]
    return (Decimal(str(value)) / factor).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# How providers' systems write dates (feeds.md): the separator between the parts.
DATE_STYLES = ("-", "/", "")


def _cell(value, column: Column, file_unit: str, date_style: str = "-"):
    if column.type == "money":
        return _money(value, column, file_unit)
    if isinstance(value, dt.datetime):
        return value.strftime(f"%Y{date_style}%m{date_style}%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime(f"%Y{date_style}%m{date_style}%d")
    return value


def write_csv(
    feed: Feed,
    path: Path,
    rows: Iterable[dict],
    *,
    encoding: str = "utf-8",
    date_style: str = "-",
) -> int:
    """CSV with the contract's Chinese header; money in 元 (CSV feeds carry no unit line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([c.header for c in feed.columns])
        for row in rows:
            writer.writerow([_cell(row.get(c.name), c, "元", date_style) for c in feed.columns])
            count += 1
    return count


def write_xlsx(
    feed: Feed,
    path: Path,
    rows: Iterable[dict],
    *,
    reporter: str,
    money_unit: str = "元",
    column_numbers: bool = False,
    total_row: bool = False,
    date_cells: bool = False,
    organisation_line: bool = False,
) -> int:
    """Title line, 填报单位 and unit lines, one- or two-row header, optional 栏次 and 合计 rows.

    ``date_cells``: dates as Excel date cells rather than text; ``organisation_line``:
    an `编制单位：…` line above the unit line (an organisation, never a unit).
    """
    import xlsxwriter

    path.parent.mkdir(parents=True, exist_ok=True)
    columns = feed.columns
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    # A fixed document date: the same content always gives the same bytes.
    book.set_properties({"created": dt.datetime(2000, 1, 1)})
    sheet = book.add_worksheet("Sheet1")
    bold = book.add_format({"bold": True, "align": "center", "valign": "vcenter"})
    r = 0
    sheet.write(r, 0, feed.title_zh, bold)
    r += 1
    if organisation_line:
        sheet.write(r, 0, f"编制单位：{reporter}")
        r += 1
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    unit_line = f"金额单位：{money_unit}" if any(c.type == "money" for c in columns) else ""
    sheet.write(r, 0, f"填报单位：{reporter}")
    if unit_line:
        sheet.write(r, max(len(columns) - 2, 1), unit_line)
    r += 1
    grouped = any(c.group_zh for c in columns)
    if grouped:
        # constant_memory flushes a row once the next is written, so the upper row
        # (group cells merged across their items, ungrouped names) goes out first.
        # An ungrouped name's blank cell below is how a vertical merge reads.
        spans: list[tuple[int, int, str]] = []
        for i, c in enumerate(columns):
            if c.group_zh and spans and spans[-1][2] == c.group_zh and spans[-1][1] == i - 1:
                spans[-1] = (spans[-1][0], i, c.group_zh)
            else:
                spans.append((i, i, c.group_zh or c.header))
        for first, last, label in spans:
            if last > first:
                sheet.merge_range(r, first, r, last, label, bold)
            else:
                sheet.write(r, first, label, bold)
        for i, c in enumerate(columns):
            if c.group_zh:
                sheet.write(r + 1, i, c.header, bold)
        r += 2
    else:
        for i, c in enumerate(columns):
            sheet.write(r, i, c.header, bold)
        r += 1
    if column_numbers:
        labels = iter("甲乙丙丁")
        n = 0
        for i, c in enumerate(columns):
            if c.type in NUMERIC_TYPES:
                n += 1
                sheet.write(r, i, n)
            else:
                sheet.write(r, i, next(labels, ""))
        r += 1
    totals = [Decimal(0)] * len(columns)
    count = 0
    for row in rows:
        for i, c in enumerate(columns):
            value = _cell(row.get(c.name), c, money_unit)
            if value is None:
                continue
            if isinstance(value, Decimal):
                sheet.write_number(r, i, float(value))
            elif date_cells and c.type in ("date", "datetime") and row.get(c.name):
                raw = row[c.name]
                if not isinstance(raw, dt.datetime):
                    raw = dt.datetime.combine(raw, dt.time(0))
                sheet.write_datetime(r, i, raw, date_format)
            else:
                sheet.write(r, i, value)
            if c.type in NUMERIC_TYPES and total_row:
                totals[i] += Decimal(str(value))
        r += 1
        count += 1
    if total_row:
        sheet.write(r, 0, "合计")
        for i, c in enumerate(columns):
            if c.type in NUMERIC_TYPES:
                sheet.write_number(r, i, float(totals[i]))
    book.close()
    return count
