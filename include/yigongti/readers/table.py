"""Contract-driven reading of one feed file into raw rows.

Handles the providers' format quirks once for every feed: title and unit lines
above the header, two-row headers with merged group cells, the ``栏次`` row,
``合计``/``总计`` rows, and personal identifiers (checked, then hashed or dropped)
before anything leaves this process.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter
from pathlib import Path

from yigongti.contracts import MONEY_UNITS, Column, Feed, normalize_header
from yigongti.identifiers import CHECKS
from yigongti.readers.errors import FeedFileError
from yigongti.readers.sources import ROW_SOURCES

HEADER_SEARCH_ROWS = 15
UNIT_LINE = re.compile(r"(?<!填报)单位[:：]\s*([^\s,，;；)）]+)")
TOTAL_LABELS = {"合计", "总计", "小计"}
COLUMN_NUMBER_LABELS = {"栏次", "甲", "乙", "丙"}


@dataclass
class FeedFile:
    """A file whose header matched its contract; ``rows()`` streams its data."""

    feed: Feed
    path: Path
    header_row: int
    unit_factor: int
    unit_label: str
    positions: dict[str, int]
    _rest: Iterator[tuple[int, list[str | None]]]
    _transforms: list[Callable] = field(default_factory=list)
    dropped_total_rows: list[int] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, list[str | None]]]:
        """Yield (row_number, values in ``feed.raw_columns`` order)."""
        positions = [self.positions[c.header] for c in self.feed.stored_columns]
        needed = max(positions) + 1
        pick = (
            itemgetter(*positions) if len(positions) > 1 else lambda cells: (cells[positions[0]],)
        )
        # Columns with a check or a hash, right to left: each may widen into
        # (value, check outcome), so later output offsets stay valid.
        special = [(i, t) for i, t in enumerate(self._transforms) if t is not None][::-1]
        for row_number, cells in self._rest:
            if not any(cells):
                continue
            label = _label_row(cells)
            if label == "total":
                self.dropped_total_rows.append(row_number)
                continue
            if label == "column_numbers":
                continue
            if len(cells) < needed:
                cells = cells + [None] * (needed - len(cells))
            out = list(pick(cells))
            for i, transform in special:
                out[i : i + 1] = transform(out[i])
            yield row_number, out


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


def _transform(column: Column, hasher) -> Callable[[str | None], tuple] | None:
    """Per-column cell transform, returning one value or (value, check outcome);
    None for a column delivered as is."""
    check = CHECKS.get(column.check) if column.check else None
    hashed = column.pii == "hash"
    if hashed and hasher is None:
        raise ValueError(f"column {column.name} holds personal identifiers: a PII key is needed")
    if check is None and not hashed:
        return None

    def run(value: str | None) -> tuple:
        outcome = None
        if value is not None and check is not None:
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


def _unit(feed: Feed, title_rows: list[list[str | None]]) -> tuple[int, str]:
    for cells in title_rows:
        for cell in cells:
            if cell and (match := UNIT_LINE.search(normalize_header(cell))):
                label = match.group(1)
                if label not in MONEY_UNITS:
                    raise FeedFileError(
                        "unit.unknown",
                        f"无法识别的金额单位“{label}”（应为 元、千元 或 万元）：{cell}",
                    )
                return MONEY_UNITS[label], label
    return 1, "元"


def open_feed_file(feed: Feed, path: Path, hasher=None) -> FeedFile:
    """Locate the header and unit line; fail fast on anything the contract forbids."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix != feed.format:
        raise FeedFileError(
            "file.format", f"文件格式应为 .{feed.format}，收到 .{suffix or '(无扩展名)'}"
        )
    source = ROW_SOURCES[feed.format](path)
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
    unit_factor, unit_label = _unit(feed, [cells for _, cells in head[:header_index]])
    # Rows buffered while searching for the header come first.
    rest = chain(head[header_index + 1 :], source)
    return FeedFile(
        feed=feed,
        path=path,
        header_row=head[header_index][0],
        unit_factor=unit_factor,
        unit_label=unit_label,
        positions=positions,
        _rest=rest,
        _transforms=[_transform(c, hasher) for c in feed.stored_columns],
    )
