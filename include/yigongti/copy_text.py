"""Rows as ``COPY … (format csv)`` text, built a column at a time.

Pre-formatted text costs one ``join`` per row in C where adapting each value
through the driver costs a Python call per value. Blank values ('') are written
unquoted, which COPY reads as NULL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from yigongti.readers.columns import SEP

_QUOTED = re.compile(r'[,"\r\n]')


def csv_field(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if _QUOTED.search(value) else value


def csv_column(values: Sequence[str]) -> Sequence[str]:
    """The column's values, quoted where a value holds a comma, quote or line break."""
    if not _QUOTED.search(SEP.join(values)):
        return values
    return [csv_field(v) for v in values]


def csv_text(columns: Iterable[Iterable[str]]) -> str:
    """Lines of CSV from columns of CSV fields (the shortest sets the number of lines)."""
    return "\n".join(map(",".join, zip(*columns, strict=False))) + "\n"
