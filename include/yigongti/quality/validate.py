"""Validate one landed batch with GX, in the database, and decide its fate."""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from functools import cache

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from yigongti import batches
from yigongti.contracts import Feed
from yigongti.quality.suites import (
    batch_rows,
    build_suite,
    extra_rules,
    rules_for,
    unexpected_rows_query,
)
from yigongti.settings import state_dir

log = logging.getLogger(__name__)

SAMPLE_ROWS = 5


@dataclass
class RuleOutcome:
    rule: str
    severity: str
    description_zh: str
    column: str | None
    unexpected_count: int | None
    sample: list[dict] = field(default_factory=list)


@dataclass
class Verdict:
    batch_id: int
    status: str
    failures: list[RuleOutcome]
    warnings: list[RuleOutcome]
    message: str

    @property
    def rules_failed(self) -> list[str]:
        return [o.rule for o in self.failures + self.warnings]


DOCS_SITE = "yigongti"


@cache
def _context(docs_root: str):
    """An ephemeral GX context that records results and renders Data Docs under
    ``docs_root``; it queries nothing (the rules are counted by the loader and
    by one SQL statement, ``validate_batch``)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        site_name=DOCS_SITE,
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": docs_root,
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    return context


def warm_up() -> None:
    """Import GX and build the context now: the fixed cost of a process's first
    validation (a worker pays it once per task process)."""
    _context(str(state_dir() / "quality" / "data_docs"))


def _suite_result(feed: Feed, period: str, batch_id: int, rules, counts, rows: int):
    """The batch's GX validation result: one ExpectationValidationResult per rule of
    the suite, from the counts the loader streamed and the SQL statement found."""
    from great_expectations.core import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )

    suite = build_suite(feed, period, rules)
    results = []
    for rule, expectation in zip(rules, suite.expectations, strict=True):
        count, numbers = counts.get(rule.name, (0, []))
        results.append(
            ExpectationValidationResult(
                success=count == 0,
                expectation_config=expectation.configuration,
                result={
                    "element_count": rows,
                    "unexpected_count": count,
                    "unexpected_percent": 100.0 * count / rows if rows else 0.0,
                    "observed_value": count,
                    "partial_unexpected_list": numbers,
                    "partial_unexpected_index_list": [{"_row_number": n} for n in numbers],
                },
            )
        )
    failed = sum(not r.success for r in results)
    return ExpectationSuiteValidationResult(
        success=failed == 0,
        results=results,
        suite_name=suite.name,
        statistics={
            "evaluated_expectations": len(results),
            "successful_expectations": len(results) - failed,
            "unsuccessful_expectations": failed,
            "success_percent": 100.0 * (len(results) - failed) / len(results) if results else 100,
        },
        meta={"batch_id": batch_id, "feed": feed.name, "period": period},
        batch_id=f"{feed.name}_batch_{batch_id}",
    )


def _record(conn, feed: Feed, batch_id: int, result, render: bool) -> str:
    """Keep the GX result of every batch (JSON in the state folder); render its
    Data Docs page when a rule failed or warned. Returns the page's URL, or the
    JSON file's path."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    folder = state_dir() / "quality" / "results" / feed.name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{batch_id}.json"
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(result.to_json_dict(), ensure_ascii=False, default=str))
    partial.replace(path)
    if not render:
        return str(path)
    context = _context(str(state_dir() / "quality" / "data_docs"))
    identifier = ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
        run_id=RunIdentifier(run_name=f"batch_{batch_id}", run_time=dt.datetime.now(dt.UTC)),
        batch_identifier=result.batch_id,
    )
    context.validation_results_store.set(identifier, result)
    context.build_data_docs(site_names=[DOCS_SITE], resource_identifiers=[identifier])
    urls = context.get_docs_sites_urls(resource_identifier=identifier, site_name=DOCS_SITE)
    return urls[0]["site_url"] if urls else str(path)


def _sql_counts(db, feed: Feed, batch_id: int, rules) -> dict[str, tuple[int, list[int]]]:
    """The rules not decided while the rows streamed, in one statement: rule ->
    (rows, first row numbers). Rules about each row on their own
    (``row_condition``) are counted in one scan of the batch; rules about sets
    of rows (reversals, reconciliation, a key whose hashes repeated) run their
    queries beside it. Feed-specific rules see only the rows the reader and the
    stream found readable: a row that broke a rule there is already reported,
    and its values may not cast."""
    if not rules:
        return {}
    literal = {r.name: sql.Literal(r.name).as_string(db) for r in rules}
    parts = []
    scanned = [r for r in rules if r.row_condition]
    if scanned:
        conditions = [f"case when b._issues is null then ({r.row_condition}) end" for r in scanned]
        # Unordered aggregates: an ordered one would sort the whole batch first.
        columns = ", ".join(
            f"count(*) filter (where {c}) as n{i}, "
            f"array_agg(b._row_number) filter (where {c}) as r{i}"
            for i, c in enumerate(conditions)
        )
        first = (
            "(select array_agg(n order by n) from (select n from unnest(s.r{i}) as n "
            f"order by n limit {SAMPLE_ROWS}) as f)"
        )
        values = ", ".join(
            f"({literal[r.name]}, s.n{i}, {first.format(i=i)})" for i, r in enumerate(scanned)
        )
        parts.append(
            f"select v.rule, v.n, v.numbers from (select {columns} from {feed.raw_table} as b "
            f"where b._batch_id = {int(batch_id)}) as s "
            f"cross join lateral (values {values}) as v (rule, n, numbers) where v.n > 0"
        )
    queried = [r for r in rules if not r.row_condition]
    if queried:
        specific = {r.name for r in extra_rules(feed.name)}
        rows = " union all ".join(
            f"select {literal[r.name]} as rule, u._row_number from "
            + "({}) as u".format(
                unexpected_rows_query(r).replace(
                    "{batch}", batch_rows(feed, batch_id, readable_only=r.name in specific)
                )
            )
            for r in queried
        )
        parts.append(
            "select rule, count(*), "
            f"(array_agg(_row_number order by _row_number))[1:{SAMPLE_ROWS}] "
            f"from ({rows}) as unexpected group by rule"
        )
    found = db.execute(" union all ".join(parts)).fetchall()
    return {rule: (count, list(numbers)) for rule, count, numbers in found}


def _sample_rows(db, feed: Feed, batch_id: int, row_numbers: list[int]) -> list[dict]:
    if not row_numbers:
        return []
    cur = db.execute(
        f"select _row_number, {', '.join(feed.raw_columns)} from {feed.raw_table} "
        "where _batch_id = %s and _row_number = any(%s) order by _row_number limit %s",
        (batch_id, row_numbers, SAMPLE_ROWS),
    )
    names = [d.name for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _shown(sample: dict, column: str | None) -> str | None:
    """The value a sample row is about: its column's (hashed where personal), or
    what the reader saw."""
    value = sample.get(column) if column else None
    return str(value) if value is not None else sample.get("value")


def describe(
    feed: Feed, period: str, file_name: str, outcomes: list[RuleOutcome], kind: str
) -> str:
    head = f"{file_name}（{feed.title_zh} {feed.name}，期间 {period}）{kind}："
    parts = []
    for o in outcomes:
        # The offending value beside its row, where the rule is about one column
        # (a name that matches nothing is named in the message).
        rows = "、".join(
            f"第 {s['_row_number']} 行" + (f"（{value}）" if (value := _shown(s, o.column)) else "")
            for s in o.sample
            if "_row_number" in s
        )
        count = f"{o.unexpected_count} 行" if o.unexpected_count is not None else ""
        parts.append(
            f"[{o.rule}] {o.description_zh}"
            + (f"，{count}" if count else "")
            + (f"，例如{rows}" if rows else "")
        )
    return head + "；".join(parts)


class ValidatorBroke(RuntimeError):
    """A rule could not be evaluated (SQL error, lost connection): no verdict on the data."""


def validate_batch(conn, feed: Feed, period: str, batch_id: int) -> Verdict:
    """Decide the batch from every rule of its suite; record every failed rule;
    accept or reject.

    The loader counted the column rules as the rows streamed through it
    (``ops.batch_log.rules_streamed``, failures in ``ops.batch_rule_result``);
    the rest run here as SQL, in one statement. GX records the result of every
    rule (``_suite_result``) and renders it for a batch that failed or warned.

    Raises ``ValidatorBroke`` when a rule could not be evaluated: the caller
    records the batch as failed, and it is landed and validated again by the
    next run.
    """
    with conn.connect() as db:
        file_name, rows, streamed = db.execute(
            "select file_name, coalesce(row_count, 0), rules_streamed "
            "from ops.batch_log where batch_id = %s",
            (batch_id,),
        ).fetchone()
        if streamed is None:
            raise ValidatorBroke(f"batch {batch_id}: not landed by the streaming loader")
        found = {
            rule: (count, sample or [], column)
            for rule, count, sample, column in db.execute(
                "select rule, unexpected_count, sample, column_name from ops.batch_rule_result "
                "where batch_id = %s",
                (batch_id,),
            )
        }
        suite = {r.name for r in rules_for(feed, period)}
        # Rules only the reader knows (a value that is not a date, a row too wide…).
        reader_only = [
            (rule, next((s.get("description_zh") for s in found[rule][1]), rule), found[rule][2])
            for rule in dict.fromkeys(streamed)
            if rule in found and rule not in suite
        ]
        rules = rules_for(feed, period, reader_only)
        counts = {
            rule: (count or 0, [s["_row_number"] for s in sample if "_row_number" in s])
            for rule, (count, sample, _) in found.items()
            if rule in streamed
        }
        try:
            counts |= _sql_counts(db, feed, batch_id, [r for r in rules if r.name not in streamed])
        except psycopg.Error as error:
            raise ValidatorBroke(f"batch {batch_id}: rules not evaluated: {error}") from error
        db.rollback()

        failures: list[RuleOutcome] = []
        warnings: list[RuleOutcome] = []
        for rule in rules:
            count, numbers = counts.get(rule.name, (0, []))
            if not count:
                continue
            outcome = RuleOutcome(
                rule=rule.name,
                severity=rule.severity,
                description_zh=rule.description_zh,
                column=rule.kwargs.get("column") or rule.column,
                unexpected_count=count,
                sample=_sample_rows(db, feed, batch_id, numbers),
            )
            (warnings if outcome.severity == "warning" else failures).append(outcome)
        result = _suite_result(feed, period, batch_id, rules, counts, rows)
        report = _record(conn, feed, batch_id, result, render=bool(failures or warnings))
        if failures:
            message = describe(feed, period, file_name, failures, "被拒收")
        elif warnings:
            message = describe(feed, period, file_name, warnings, "已接收，但有预警")
        else:
            message = f"{file_name}：全部 {len(rules)} 条规则通过"
        for o in failures + warnings:
            db.execute(
                """
                insert into ops.batch_rule_result
                    (batch_id, rule, severity, column_name, unexpected_count, sample)
                values (%s, %s, %s, %s, %s, %s)
                on conflict (batch_id, rule) do update set
                    severity = excluded.severity, unexpected_count = excluded.unexpected_count,
                    sample = excluded.sample
                """,
                (
                    batch_id,
                    o.rule,
                    o.severity,
                    o.column,
                    o.unexpected_count,
                    Jsonb(json.loads(json.dumps(o.sample, default=str))),
                ),
            )
        broken = [o.rule for o in failures + warnings]
        if failures:
            batches.reject(db, batch_id, broken, message, report_path=report)
            status = "rejected"
        else:
            status = batches.accept(
                db, batch_id, bool(warnings), broken, message, report_path=report
            )
        db.commit()
    log.info("batch %s: %s", batch_id, message)
    return Verdict(batch_id, status, failures, warnings, message)
