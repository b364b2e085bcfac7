"""Physical row sources: xlsx (first sheet) and CSV (UTF-8 or GBK/GB18030).

Each yields blocks ``(row_numbers, rows)``: rows of cells as text ('' for
blanks, not yet stripped), row numbers as a person opening the file would count
them (1-based). Blocks keep the per-row Python work out of the hot path: a CSV
block without quotes is split by ``str.split`` (in C), one with quotes goes
through the ``csv`` module.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice
from operator import methodcaller
from pathlib import Path
from xml.etree import ElementTree

from yigongti.readers.errors import FeedFileError

SNIFF_BYTES = 1 << 20
BLOCK_CHARS = 1 << 20  # CSV text decoded and split per block
BLOCK_ROWS = 4096  # xlsx rows per block

Block = tuple[Sequence[int], "list[list[str]] | Lines"]


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


def xlsx_blocks(path: Path) -> Iterator[Block]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        # Calamine trims leading empty rows; keep row numbers as Excel shows them.
        first = sheet.start[0] if sheet.start else 0
        rows = ([cell_text(v) or "" for v in row] for row in sheet.iter_rows())
        number = first + 1
        while block := list(islice(rows, BLOCK_ROWS)):
            yield range(number, number + len(block)), block
            number += len(block)
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


def reject_nul(path: Path) -> None:
    """A NUL byte is no character of any text encoding a provider uses: reject the file.

    Scanned in bytes (memchr speed): in UTF-8 and GB18030 a zero byte is only ever NUL.
    """
    lines = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 22), b""):
            at = chunk.find(b"\x00")
            if at >= 0:
                number = lines + chunk.count(b"\n", 0, at) + 1
                raise FeedFileError(
                    "file.nul_byte",
                    f"第 {number} 行含有 NUL 字节（文件损坏或不是文本文件）",
                    [{"_row_number": number}],
                )
            lines += chunk.count(b"\n")


_SPLIT = methodcaller("split", ",")


@dataclass(frozen=True)
class Lines:
    """Whole CSV lines without quotes or lone CRs, as many commas as lines times
    ``width - 1``: a block a CSV parser in C reads (``table.FeedFile``); a row
    wider than the others makes that parser fail, and the rows are read one by one."""

    text: str  # ends with a line break
    width: int

    def rows(self) -> list[list[str]]:
        return list(map(_SPLIT, self.text[:-1].split("\n"))) if self.text else []

    def after(self, count: int) -> Lines:
        """The lines after the first ``count``."""
        at = 0
        for _ in range(count):
            at = self.text.index("\n", at) + 1
        return Lines(self.text[at:], self.width)


def _split_block(text: str, first: int) -> Block:
    """Rows of a block of whole lines; ``first``: the number of the line before it."""
    returns = text.count("\r")
    # Quotes or lone CRs go through the csv module; CRLF line ends do not.
    if '"' not in text and (not returns or returns == text.count("\r\n")):
        count = text.count("\n")
        numbers = range(first + 1, first + 1 + count)
        width = text.count(",", 0, text.find("\n")) + 1
        if text.count(",") == count * (width - 1):
            return numbers, Lines(text, width)
        return numbers, Lines(text, 0).rows()
    # Quoted fields (commas, line breaks, quotes inside) or CR line ends: the csv module.
    reader = csv.reader(io.StringIO(text, newline=""))
    numbers: list[int] = []
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            numbers.append(first + reader.line_num)
    except csv.Error as exc:
        raise FeedFileError(
            "file.unreadable", f"CSV 第 {first + reader.line_num + 1} 行格式错误：{exc}"
        ) from exc
    return numbers, rows


def csv_blocks(path: Path) -> Iterator[Block]:
    """Blocks of whole lines; a block never ends inside a quoted field."""
    encoding = detect_encoding(path)
    reject_nul(path)
    line, pending = 0, ""
    with path.open(encoding=encoding, newline="") as fh:
        while True:
            try:
                chunk = fh.read(BLOCK_CHARS)
            except UnicodeDecodeError as exc:
                raise FeedFileError(
                    "file.encoding",
                    f"第 {line + pending.count(chr(10)) + 1} 行附近编码错误"
                    f"（按 {encoding} 读取）：{exc}",
                ) from exc
            text = pending + chunk
            if not chunk:
                if text:  # a last line without a line break
                    yield _split_block(text + "\n", line)
                return
            cut = text.rfind("\n") + 1
            # An odd number of quotes: the cut is inside a quoted field; read on.
            if cut == 0 or ('"' in text and text.count('"', 0, cut) % 2):
                pending = text
                continue
            pending = text[cut:]
            block = _split_block(text[:cut], line)
            line += text.count("\n", 0, cut)
            yield block


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


ROW_SOURCES = {"xlsx": xlsx_blocks, "xls": xlsx_blocks, "csv": csv_blocks}
