"""Physical row sources: xlsx (first sheet) and CSV (UTF-8 or GBK/GB18030).

Each yields ``(row_number, cells)`` with cells as text (or None for blanks),
row numbers as a person opening the file would count them (1-based).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

from yigongti.readers.errors import FeedFileError

SNIFF_BYTES = 1 << 20


def cell_text(value) -> str | None:
    """Excel stores codes typed as numbers (500113.0) and dates as date cells."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = repr(value)
        # 1e-05 and 1.5e+16 are not what the person who typed the number saw.
        return format(Decimal(text), "f") if "e" in text else text
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


def _lines_without_nul(fh):
    """A NUL byte is no character of any text encoding a provider uses: reject the file."""
    for number, line in enumerate(fh, start=1):
        if "\x00" in line:
            raise FeedFileError(
                "file.nul_byte",
                f"第 {number} 行含有 NUL 字节（文件损坏或不是文本文件）",
                [{"_row_number": number}],
            )
        yield line


def csv_rows(path: Path) -> Iterator[tuple[int, list[str | None]]]:
    """Rows numbered by their last physical line, as a text editor shows them."""
    encoding = detect_encoding(path)
    reader = None
    try:
        with path.open(encoding=encoding, newline="") as fh:
            reader = csv.reader(_lines_without_nul(fh))
            for row in reader:
                yield reader.line_num, [v or None for v in map(str.strip, row)]
    except UnicodeDecodeError as exc:
        line = reader.line_num + 1 if reader else 1
        raise FeedFileError(
            "file.encoding", f"第 {line} 行附近编码错误（按 {encoding} 读取）：{exc}"
        ) from exc
    except csv.Error as exc:
        line = reader.line_num + 1 if reader else 1
        raise FeedFileError("file.unreadable", f"CSV 第 {line} 行格式错误：{exc}") from exc


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL_ROW = re.compile(r"[A-Z]+(\d+)")


def _first_sheet_member(book: zipfile.ZipFile) -> str:
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "p": "http://schemas.openxmlformats.org/package/2006/relationships",
    }
    workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
    sheet = workbook.find("m:sheets/m:sheet", ns)
    rel_id = sheet.get(f"{{{ns['r']}}}id")
    rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.findall("p:Relationship", ns):
        if rel.get("Id") == rel_id:
            target = rel.get("Target").lstrip("/")
            return target if target.startswith("xl/") else f"xl/{target}"
    raise KeyError(rel_id)


def _has_formula(fh) -> bool:
    tail = b""
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        if _FORMULA_TAG.search(tail + chunk):
            return True
        tail = chunk[-8:]  # a tag cut at the chunk boundary
    return False


def xlsx_formula_rows_without_value(path: Path) -> list[int]:
    """Rows of the first sheet holding a formula whose result was never computed.

    A workbook written by a program (not saved by Excel) may keep formulas
    without cached results; a reader sees such cells as blank, which for a count
    would silently mean 0.
    """
    try:
        with zipfile.ZipFile(path) as book:
            member = _first_sheet_member(book)
            with book.open(member) as fh:
                if not _has_formula(fh):
                    return []
            rows: set[int] = set()
            with book.open(member) as fh:
                for _, elem in ElementTree.iterparse(fh):
                    if elem.tag.endswith("}c"):
                        has_formula = value = False
                        for child in elem:
                            if child.tag.endswith("}f"):
                                has_formula = True
                            elif (
                                child.tag.endswith("}v")
                                and (child.text or "") != ""
                                or child.tag.endswith("}is")
                            ):
                                value = True
                        if has_formula and not value:
                            match = _CELL_ROW.match(elem.get("r") or "")
                            if match:
                                rows.add(int(match.group(1)))
                        elem.clear()
            return sorted(rows)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, AttributeError):
        return []  # not an xlsx package (an .xls, or corrupt: calamine says so)


ROW_SOURCES = {"xlsx": xlsx_rows, "xls": xlsx_rows, "csv": csv_rows}
