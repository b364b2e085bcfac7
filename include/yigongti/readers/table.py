"""Contract-driven reading of one feed file into raw rows.

Handles the providers' format quirks once for every feed: title and unit lines
above the header, two-row headers with merged group cells, the ``栏次`` row,
``合计``/``总计`` rows, and personal identifiers (checked, then hashed or dropped)
before anything leaves this process.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import polars as pl

from yigongti.contracts import MONEY_UNITS, Column, Feed, normalize_header
from yigongti.identifiers import BATCH_CHECKS, Hasher
from yigongti.readers.columns import (
    NEEDS_STRIP,
    fast_typed,
    normalised_names,
    one_by_one,
    type_key,
)
from yigongti.readers.errors import FeedFileError
from yigongti.readers.issues import Issues
from yigongti.readers.sources import ROW_SOURCES, Lines, xlsx_formula_rows_without_value
from yigongti.readers.values import NORMALISERS

HEADER_SEARCH_ROWS = 15
# A unit line names the money unit: `金额单位：万元`, `单位：千元`, alone in its cell or
# after other text; `编制单位：…`/`填报单位：…` name an organisation, never a unit.
UNIT_LINE = re.compile(r"(?:^|[\s,;、(])(?:金额|货币)?单位\s*:\s*([^\s,;)]+)")
TOTAL_LABELS = {"合计", "总计", "小计"}
COLUMN_NUMBER_LABELS = {"栏次", "甲", "乙", "丙"}
# A cell that may be one of those labels, or holds a compatibility ideograph
# that NFKC could turn into one: the block's rows are then looked at one by one
# (_label_row decides).
LABEL_CELL = (
    r"^\s*(?:合\s*计|总\s*计|小\s*计|栏\s*次|甲|乙|丙)\s*$"
    r"|[\x{2E80}-\x{2FDF}\x{F900}-\x{FAFF}]"
)
# Excel 97-2003 workbooks are still exported by older reporting systems (feeds.md).
SUFFIXES = {"xlsx": ("xlsx", "xls"), "csv": ("csv",)}


@dataclass
class Block:
    """Consecutive data rows of a file: their row numbers and their values, one
    text column per raw column (``feed.raw_columns``), null for blank."""

    numbers: Sequence[int]
    frame: pl.DataFrame

    def __len__(self) -> int:
        return self.frame.height


def _file_columns(width: int) -> list[str]:
    return [f"c{i}" for i in range(width)]


def _frame_of_rows(rows: list[list[str]], width: int) -> pl.DataFrame:
    """Rows of equal width as a frame of text, blanks as null."""
    names = _file_columns(width)
    columns = [[v or None for v in column] for column in zip(*rows, strict=True)]
    if not rows:
        columns = [[] for _ in names]
    schema = dict.fromkeys(names, pl.Utf8)
    return pl.DataFrame(dict(zip(names, columns, strict=True)), schema=schema)


@dataclass
class FeedFile:
    """A file whose header matched its contract; ``blocks()`` streams its data."""

    feed: Feed
    path: Path
    header_row: int
    header_width: int
    unit_factor: int
    unit_label: str
    positions: dict[str, int]
    _rest: Iterator[tuple[Sequence[int], list[list[str]] | Lines]]
    hasher: Hasher | None = None
    formula_rows: list[int] = field(default_factory=list)
    dropped_total_rows: list[int] = field(default_factory=list)
    issues: Issues = field(default_factory=Issues)

    def rows(self) -> Iterator[tuple[int, list[str | None]]]:
        """Yield (row_number, values in ``feed.raw_columns`` order, None for blank)."""
        for block in self.blocks():
            for number, values in zip(block.numbers, block.frame.iter_rows(), strict=True):
                yield number, list(values)

    def blocks(self) -> Iterator[Block]:
        """Yield the data rows block by block, read, checked and hashed.

        Rows that do not fit the file (field count, unreadable values, formula
        cells without a value) are still yielded, as delivered, and counted in
        ``issues``: the batch is then rejected with its rows kept for inspection.
        """
        columns = self.feed.stored_columns
        positions = [self.positions[c.header] for c in columns]
        needed = max(max(positions) + 1, self.header_width)
        transforms = [
            (col, f"c{position}", type_key(col), _checked_hashed(col, self.hasher, self.positions))
            for col, position in zip(columns, positions, strict=True)
        ]
        typed = [(name, key) for _, name, key, _ in transforms]
        for numbers, rows in self._rest:
            frame, fast = self._fast_frame(rows, typed)
            if frame is None:  # the block holds rows to look at one by one
                if isinstance(rows, Lines):
                    rows = rows.rows()
                numbers, rows = self._shaped(numbers, rows, needed)
                if not rows:
                    continue
                frame, fast = fast_typed(_frame_of_rows(rows, needed), typed)
            out: dict[str, pl.Series] = {}
            for col, name, key, special in transforms:
                values = frame.get_column(name)
                if name not in fast:
                    values = self._typed(col, key, values, numbers)
                if special is not None:
                    out.update(special(values, frame, numbers))
                else:
                    out[col.name] = values
            yield Block(numbers, pl.DataFrame([out[c].alias(c) for c in self.feed.raw_columns]))

    def _fast_frame(self, rows, typed) -> tuple[pl.DataFrame | None, set[str]]:
        """(frame, columns normalised) of a block none of whose rows needs a look
        of its own: read by polars' CSV parser, every row as wide as the header or
        wider with blanks, no blank first cell (blank rows), no white space to
        strip (a column all in a fast form has none), no 合计/栏次 label and no
        formula without a value; (None, empty) for any other block."""
        if self.formula_rows or not isinstance(rows, Lines) or rows.width < self.header_width:
            return None, set()
        if not rows.text:
            return None, set()
        try:
            frame = pl.read_csv(
                rows.text.encode("utf-8"),
                has_header=False,
                new_columns=_file_columns(rows.width),
                infer_schema=False,
                quote_char=None,
            )
        except pl.exceptions.PolarsError:  # a row wider than the first
            return None, set()
        extra = frame.columns[self.header_width :]
        doubts = [pl.col("c0").is_null().any(), *(pl.col(c).is_not_null().any() for c in extra)]
        if any(frame.select(d.alias(str(i)) for i, d in enumerate(doubts)).row(0)):
            return None, set()
        frame, fast = fast_typed(frame, typed)
        rest = [c for c in frame.columns[: self.header_width] if c not in fast]
        lead = [c for c in frame.columns[: min(3, frame.width)] if c not in fast]
        doubts = [pl.col(c).str.contains(NEEDS_STRIP).any() for c in rest]
        doubts += [pl.col(c).str.contains(LABEL_CELL).any() for c in lead]
        if doubts and any(frame.select(d.alias(str(i)) for i, d in enumerate(doubts)).row(0)):
            return None, set()
        return frame, fast

    def _shaped(self, numbers, rows, needed: int) -> tuple[list[int], list[list[str]]]:
        """Rows one by one: strip cells, drop blank and label rows, count field-count
        and formula problems, pad short rows."""
        width = self.header_width
        strict_width = self.feed.format == "csv"
        formula_rows = set(self.formula_rows)
        issues = self.issues
        kept_numbers: list[int] = []
        kept: list[list[str]] = []
        for row_number, raw in zip(numbers, rows, strict=True):
            cells = [c.strip() for c in raw]
            if not any(cells):
                continue
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
                cells += [""] * (needed - count)
            elif count > needed:
                del cells[needed:]
            kept_numbers.append(row_number)
            kept.append(cells)
        return kept_numbers, kept

    def _typed(self, col: Column, key: str | None, values: pl.Series, numbers) -> pl.Series:
        """A column's values normalised to their one text form; values that cannot
        be read are kept as delivered and counted as ``<column>.type``."""
        if key == "name":
            out, bad = normalised_names(values.to_list())
        elif key in NORMALISERS:
            out, bad = one_by_one(values.to_list(), NORMALISERS[key][0])
        else:
            return values
        if bad:
            expected = "名称" if key == "name" else NORMALISERS[key][1]
            for i in bad:
                self.issues.add(
                    f"{col.name}.type",
                    f"“{col.header}”应为{expected}",
                    numbers[i],
                    col.name,
                    None if col.pii else values[i],
                )
        return pl.Series(values.name, out, dtype=pl.Utf8)


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


def _checked_hashed(column: Column, hasher: Hasher | None, positions: dict[str, int]):
    """``f(values, block frame, numbers) -> {raw column: values}`` for a column
    with a check character or a hash; None for a column stored as delivered.

    The check runs on the clear value (and its outcome is stored beside it);
    the hash replaces it, so a clear identifier never leaves this process.
    """
    check = BATCH_CHECKS.get(column.check) if column.check else None
    hashed = column.pii == "hash"
    if hashed and hasher is None:
        raise ValueError(f"column {column.name} holds personal identifiers: a PII key is needed")
    if check is None and not hashed:
        return None
    # A check that applies only to some rows (a resident ID where 证件类别 is 1).
    when_column, when_values = None, ()
    if column.check_if:
        when_header, when_values = column.check_if
        when_column = f"c{positions[when_header]}"

    def run(series: pl.Series, frame: pl.DataFrame, numbers) -> dict[str, pl.Series]:
        values = series.to_list()
        out: dict[str, pl.Series] = {}
        if check is not None:
            present = series.is_not_null()
            if when_column is not None:
                present &= frame.get_column(when_column).is_in(list(when_values))
            outcomes: list[str | None] = [None] * len(values)
            if present.all():
                values, outcomes = check(values)
            elif present.any():
                chosen = present.arg_true().to_list()
                checked, found = check([values[i] for i in chosen])
                for i, value, outcome in zip(chosen, checked, found, strict=True):
                    values[i], outcomes[i] = value, outcome
            out[column.check_column] = pl.Series(outcomes, dtype=pl.Utf8)
        out[column.name] = pl.Series(hasher.many(values) if hashed else values, dtype=pl.Utf8)
        return out

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
    head: list[tuple[int, list[str]]] = []
    rest_of_block: tuple[Sequence[int], list[list[str]] | Lines] = ((), [])
    for numbers, block in source:
        rows = block.rows() if isinstance(block, Lines) else block
        take = search_rows - len(head)
        head.extend(zip(numbers[:take], rows[:take], strict=True))
        if len(head) >= search_rows:
            # The rest of a block of lines stays one, for the fast path.
            rest = block.after(take) if isinstance(block, Lines) else rows[take:]
            rest_of_block = (numbers[take:], rest)
            break
    if not any(any(c.strip() for c in cells) for _, cells in head):
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
    # Rows read while searching for the header come first.
    after = head[header_index + 1 :]
    rest = chain(
        [([n for n, _ in after], [r for _, r in after]), rest_of_block],
        source,
    )
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
