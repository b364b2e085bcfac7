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
    # the rules broken by the row being read (the reader sets a new list per row)
    row_rules: list[str] = field(default_factory=list)

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
        if rule not in self.row_rules:
            self.row_rules.append(rule)
        if len(issue.sample) < SAMPLE_ROWS:
            entry: dict = {"_row_number": row_number}
            if value is not None:
                entry["value"] = value
            issue.sample.append(entry)

    def __bool__(self) -> bool:
        return bool(self.found)

    def __iter__(self):
        return iter(self.found.values())
