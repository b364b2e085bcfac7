"""Contract-driven reading of one feed file into raw rows.

Handles the providers' format quirks once for every feed: title and unit lines
above the header, two-row headers with merged group cells, the ``栏次`` row,
``合计``/``总计`` rows, and personal identifiers (checked, then hashed or dropped)
before anything leaves this process.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from pathlib import Path

from yigongti.contracts import MONEY_UNITS, Column, Feed, normalize_header
from yigongti.identifiers import CHECKS
from yigongti.readers.errors import FeedFileError
from yigongti.readers.issues import Issues
from yigongti.readers.sources import ROW_SOURCES, xlsx_formula_rows_without_value
from yigongti.readers.values import normaliser_of

HEADER_SEARCH_ROWS = 15
# A unit line names the money unit: `金额单位：万元`, `单位：千元`, alone in its cell or
# after other text; `编制单位：…`/`填报单位：…` name an organisation, never a unit.
UNIT_LINE = re.compile(r"(?:^|[\s,;、(])(?:金额|货币)?单位\s*:\s*([^\s,;)]+)")
TOTAL_LABELS = {"合计", "总计", "小计"}
COLUMN_NUMBER_LABELS = {"栏次", "甲", "乙", "丙"}
# Excel 97-2003 workbooks are still exported by older reporting systems (feeds.md).
SUFFIXES = {"xlsx": ("xlsx", "xls"), "csv": ("csv",)}


@dataclass
class FeedFile:
    """A file whose header matched its contract; ``rows()`` streams its data."""

    feed: Feed
    path: Path
    header_row: int
    header_width: int
    unit_factor: int
    unit_label: str
    positions: dict[str, int]
    _rest: Iterator[tuple[int, list[str | None]]]
    hasher: Callable[[str], str] | None = None
    formula_rows: list[int] = field(default_factory=list)
    dropped_total_rows: list[int] = field(default_factory=list)
    issues: Issues = field(default_factory=Issues)

    def rows(self) -> Iterator[tuple[int, list[str | None]]]:
        """Yield (row_number, values in ``feed.raw_columns`` order)."""
        for row_number, values, _ in self.checked_rows():
            yield row_number, values

    def checked_rows(self) -> Iterator[tuple[int, list[str | None], list[str]]]:
        """Yield (row_number, values, rules the row broke).

        Rows that do not fit the file (field count, unreadable values, formula
        cells without a value) are still yielded, as delivered, and counted in
        ``issues``: the batch is then rejected with its rows kept for inspection.
        """
        columns = self.feed.stored_columns
        positions = [self.positions[c.header] for c in columns]
        width = self.header_width
        needed = max(max(positions) + 1, width)
        strict_width = self.feed.format == "csv"
        pick = (
            itemgetter(*positions) if len(positions) > 1 else lambda cells: (cells[positions[0]],)
        )
        typed = [(i, col, *found) for i, col in enumerate(columns) if (found := normaliser_of(col))]
        # Columns with a check or a hash, right to left: each may widen into
        # (value, check outcome), so later output offsets stay valid.
        special = [
            (i, t)
            for i, col in enumerate(columns)
            if (t := _transform(col, self.hasher, self.positions)) is not None
        ][::-1]
        formula_rows = set(self.formula_rows)
        issues = self.issues
        for row_number, cells in self._rest:
            if not any(cells):
                continue
            broken: list[str] = []
            issues.row_rules = broken
            label = _label_row(cells)
            if label == "total":
                self.dropped_total_rows.append(row_number)
                continue
            if label == "column_numbers":
                continue
            count = len(cells)
            if count > width and any(cells[width:]):
                issues.add(
                    "row.field_count",
                    f"行的字段数多于表头（表头 {width} 列）：可能是未加引号的逗号或错位",
                    row_number,
                    value=f"{count} 列",
                )
            elif strict_width and count < width:
                issues.add(
                    "row.field_count",
                    f"行的字段数少于表头（表头 {width} 列）：缺少字段",
                    row_number,
                    value=f"{count} 列",
                )
            if row_number in formula_rows:
                issues.add(
                    "cell.formula_without_value",
                    "单元格是没有计算结果的公式（请在 Excel 中重新计算并保存，或提交数值）",
                    row_number,
                )
            if count < needed:
                cells = cells + [None] * (needed - count)
            out = list(pick(cells))
            for i, col, normalise, expected in typed:
                value = out[i]
                if value is not None:
                    normalised = normalise(value)
                    if normalised is None:
                        issues.add(
                            f"{col.name}.type",
                            f"“{col.header}”应为{expected}",
                            row_number,
                            col.name,
                            None if col.pii else value,
                        )
                    else:
                        out[i] = normalised
            for i, transform in special:
                out[i : i + 1] = transform(out[i], cells)
            yield row_number, out, broken


def _label_row(cells: list[str | None]) -> str | None:
    """'total' for 合计/小计 rows, 'column_numbers' for 栏次 rows, else None.

    Labels are Chinese: a row whose leading cells are ASCII (codes, IDs,
    numbers) is data, and is not normalised at all (the hot path).
    """
    lead = [c for c in cells[:3] if c and not c.isascii()]
    if lead and any(normalize_header(c) in TOTAL_LABELS for c in lead):
        return "total"
    first = next((c for c in cells if c), None)
    if first and not first.isascii() and normalize_header(first) in COLUMN_NUMBER_LABELS:
        return "column_numbers"
    return None


def _transform(column: Column, hasher, positions: dict[str, int]) -> Callable | None:
    """Per-column cell transform ``(value, row cells) -> (value[, check outcome])``;
    None for a column delivered as is."""
    check = CHECKS.get(column.check) if column.check else None
    hashed = column.pii == "hash"
    if hashed and hasher is None:
        raise ValueError(f"column {column.name} holds personal identifiers: a PII key is needed")
    if check is None and not hashed:
        return None
    # A check that applies only to some rows (a resident ID where 证件类别 is 1).
    when_position, when_values = None, ()
    if column.check_if:
        when_header, when_values = column.check_if
        when_position = positions[when_header]

    def run(value: str | None, cells) -> tuple:
        outcome = None
        if (
            value is not None
            and check is not None
            and (when_position is None or cells[when_position] in when_values)
        ):
            value, outcome = check(value)
        if value is not None and hashed:
            value = hasher(value)
        return (value, outcome) if check is not None else (value,)

    return run


def _candidate_headers(head: list[tuple[int, list[str | None]]]):
    """Yield (index of last header row, normalised header cells) for one- and two-row headers."""
    for i, (_, cells) in enumerate(head):
        single = [normalize_header(c) for c in cells]
        yield i, single
        if i + 1 < len(head):
            below = [normalize_header(c) for c in head[i + 1][1]]
            width = max(len(single), len(below))
            single += [""] * (width - len(single))
            below += [""] * (width - len(below))
            # A merged group cell sits over item cells; an unmerged column keeps its
            # name in the upper row with a blank (vertically merged) cell below.
            yield i + 1, [lo or up for up, lo in zip(single, below, strict=True)]


def _find_header(feed: Feed, head: list[tuple[int, list[str | None]]]):
    wanted = {c.normalized_header for c in feed.columns}
    best: tuple[int, int, list[str]] | None = None
    for index, cells in _candidate_headers(head):
        found = wanted & set(cells)
        if found == wanted:
            return index, cells
        if best is None or len(found) > best[0]:
            best = (len(found), index, cells)
    if best is None or best[0] == 0:
        raise FeedFileError(
            "header.not_found",
            f"未找到表头：前 {len(head)} 行中没有 {feed.name} 的任何列名"
            f"（应有：{'、'.join(c.header for c in feed.columns)}）",
        )
    missing = [c.header for c in feed.columns if c.normalized_header not in best[2]]
    raise FeedFileError(
        "header.missing_columns",
        f"缺少必需列：{'、'.join(missing)}（表头在第 {head[best[1]][0]} 行）",
    )


def _unit(feed: Feed, title_rows: list[tuple[int, list[str | None]]]) -> tuple[int, str]:
    """The money unit of the file's unit line; 元 without one, or without money columns."""
    if not any(c.type == "money" and not c.unit for c in feed.columns):
        return 1, "元"
    for row_number, cells in title_rows:
        for cell in cells:
            if cell and (match := UNIT_LINE.search(unicodedata.normalize("NFKC", cell))):
                label = match.group(1)
                if label not in MONEY_UNITS:
                    raise FeedFileError(
                        "unit.unknown",
                        f"第 {row_number} 行：无法识别的金额单位“{label}”"
                        f"（应为 元、千元 或 万元）：{cell}",
                        [{"_row_number": row_number, "value": cell}],
                    )
                return MONEY_UNITS[label], label
    return 1, "元"


def open_feed_file(feed: Feed, path: Path, hasher=None) -> FeedFile:
    """Locate the header and unit line; fail fast on anything the contract forbids."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in SUFFIXES[feed.format]:
        allowed = " 或 ".join(f".{s}" for s in SUFFIXES[feed.format])
        raise FeedFileError(
            "file.format", f"文件格式应为 {allowed}，收到 .{suffix or '(无扩展名)'}"
        )
    source = ROW_SOURCES[suffix](path)
    # A CSV's header is its first line; a sheet may have title lines above it.
    search_rows = 1 if feed.format == "csv" else HEADER_SEARCH_ROWS
    head: list[tuple[int, list[str | None]]] = []
    for item in source:
        head.append(item)
        if len(head) >= search_rows:
            break
    if not any(any(cells) for _, cells in head):
        raise FeedFileError("file.empty", "文件为空（没有任何内容）")
    header_index, header = _find_header(feed, head)
    positions = {c.header: header.index(c.normalized_header) for c in feed.columns}
    known = {c.normalized_header for c in feed.columns}
    unknown = [h for h in header if h and h not in known]
    if unknown:
        raise FeedFileError(
            "header.unknown_columns",
            f"存在合同之外的列：{'、'.join(unknown)}（请按接口规范提交）",
        )
    unit_factor, unit_label = _unit(feed, head[:header_index])
    # Rows buffered while searching for the header come first.
    rest = chain(head[header_index + 1 :], source)
    header_width = max(i for i, h in enumerate(header) if h) + 1
    return FeedFile(
        feed=feed,
        path=path,
        header_row=head[header_index][0],
        header_width=header_width,
        unit_factor=unit_factor,
        unit_label=unit_label,
        positions=positions,
        _rest=rest,
        hasher=hasher,
        formula_rows=xlsx_formula_rows_without_value(path) if suffix == "xlsx" else [],
    )
