"""Physical row sources: xlsx (first sheet) and CSV (UTF-8 or GBK/GB18030).

Each yields ``(row_number, cells)`` with cells as text (or None for blanks),
row numbers as a person opening the file would count them (1-based).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from yigongti.readers.errors import FeedFileError

SNIFF_BYTES = 1 << 20


def cell_text(value) -> str | None:
    """Excel stores codes typed as numbers (500113.0) and dates as date cells."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def xlsx_rows(path: Path) -> Iterator[tuple[int, list[str | None]]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        # Calamine trims leading empty rows; keep row numbers as Excel shows them.
        first = sheet.start[0] if sheet.start else 0
        for index, row in enumerate(sheet.iter_rows(), start=first + 1):
            yield index, [cell_text(v) for v in row]
    except FeedFileError:
        raise
    except Exception as exc:  # calamine raises its own types for corrupt archives
        raise FeedFileError(
            "file.unreadable", f"无法读取 Excel 文件（文件损坏或不是 xlsx）：{exc}"
        ) from exc


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when the first megabyte decodes as UTF-8, else GB18030.

    GB18030 is a superset of GBK, so GBK files read correctly with it.
    """
    with path.open("rb") as fh:
        head = fh.read(SNIFF_BYTES)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # A multi-byte character may be cut at the sniff boundary.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError as exc:
        raise FeedFileError(
            "file.encoding", f"文件编码无法识别（应为 UTF-8 或 GBK/GB18030）：{exc}"
        ) from exc


def csv_rows(path: Path) -> Iterator[tuple[int, list[str | None]]]:
    encoding = detect_encoding(path)
    line = 0
    try:
        with path.open(encoding=encoding, newline="") as fh:
            for line, row in enumerate(csv.reader(fh), start=1):
                yield line, [v or None for v in map(str.strip, row)]
    except UnicodeDecodeError as exc:
        raise FeedFileError(
            "file.encoding", f"第 {line + 1} 行附近编码错误（按 {encoding} 读取）：{exc}"
        ) from exc
    except csv.Error as exc:
        raise FeedFileError("file.unreadable", f"CSV 第 {line + 1} 行格式错误：{exc}") from exc


ROW_SOURCES = {"xlsx": xlsx_rows, "csv": csv_rows}
