"""Row-level problems found while a file streams through the reader.

A file can be read and still hold rows that do not fit it: a field too many or
too few, a value that is not a date or a number, a NUL byte, a formula cell with
no value. Each is counted per rule with the first row numbers, reported with the
batch's other failed rules (ops.batch_rule_result), and rejects the batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SAMPLE_ROWS = 5


@dataclass
class Issue:
    rule: str
    description_zh: str
    column: str | None = None
    count: int = 0
    sample: list[dict] = field(default_factory=list)


@dataclass
class Issues:
    found: dict[str, Issue] = field(default_factory=dict)
    # row number -> the rules it broke, for the rows not yet written (``take_broken``)
    broken: dict[int, list[str]] = field(default_factory=dict)

    def add(
        self,
        rule: str,
        description_zh: str,
        row_number: int,
        column: str | None = None,
        value: str | None = None,
    ) -> None:
        issue = self.found.get(rule)
        if issue is None:
            issue = self.found[rule] = Issue(rule, description_zh, column)
        issue.count += 1
        rules = self.broken.setdefault(row_number, [])
        if rule not in rules:
            rules.append(rule)
        if len(issue.sample) < SAMPLE_ROWS:
            entry: dict = {"_row_number": row_number}
            if value is not None:
                entry["value"] = value
            issue.sample.append(entry)

    def take_broken(self, numbers) -> dict[int, list[str]]:
        """The rules broken by the rows ``numbers`` (one block), no longer kept here.
        Rows of later blocks may be recorded meanwhile (read ahead by another thread)."""
        if not self.broken:
            return {}
        return {n: self.broken.pop(n) for n in numbers if n in self.broken}

    def __bool__(self) -> bool:
        return bool(self.found)

    def __iter__(self):
        return iter(self.found.values())
