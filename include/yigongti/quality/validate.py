"""Validate one landed batch with GX, in the database, and decide its fate."""

from __future__ import annotations

import json
import logging
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache

from psycopg.types.json import Jsonb

from yigongti.contracts import Feed
from yigongti.quality.suites import build_suite
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
def _context(sqlalchemy_url: str):
    """An ephemeral GX context over the warehouse, rendering Data Docs into the state folder."""
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
                "base_directory": str(state_dir() / "quality" / "data_docs"),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    context.data_sources.add_sql("warehouse", connection_string=sqlalchemy_url)
    return context


def warm_up(conn) -> None:
    """Import GX and build the context now: the fixed cost of a process's first
    validation (a worker pays it once per task process)."""
    _context(conn.sqlalchemy_url)


def _run_suite(conn, feed: Feed, period: str, batch_id: int, found=(), detailed: bool = True):
    """Validate the batch through a checkpoint; return (result, Data Docs page URL or None).

    ``detailed``: counts, sample rows and a rendered Data Docs page. Rendering
    costs more than validating a small batch, and sample queries scan the batch
    once per rule, so details are asked for only when a rule failed or warned.
    """
    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    context = _context(conn.sqlalchemy_url)
    datasource = context.data_sources.get("warehouse")
    name = f"{feed.name}_batch_{batch_id}"
    asset = datasource.add_query_asset(
        name, query=f"select * from {feed.raw_table} where _batch_id = {int(batch_id)}"
    )
    suite = build_suite(feed, period, batch_id, found)
    suite.name = name
    try:
        suite = context.suites.add(suite)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(
                name=name, data=asset.add_batch_definition_whole_table("batch"), suite=suite
            )
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=name,
                validation_definitions=[definition],
                actions=(
                    [UpdateDataDocsAction(name="data_docs", site_names=[DOCS_SITE])]
                    if detailed
                    else []
                ),
                result_format=(
                    {
                        "result_format": "SUMMARY",
                        "unexpected_index_column_names": ["_row_number"],
                        "partial_unexpected_count": SAMPLE_ROWS,
                    }
                    if detailed
                    else {"result_format": "BOOLEAN_ONLY"}
                ),
            )
        )
        run = checkpoint.run()
        identifier, result = next(iter(run.run_results.items()))
        if not detailed:
            return result, None
        urls = context.get_docs_sites_urls(resource_identifier=identifier, site_name=DOCS_SITE)
        return result, (urls[0]["site_url"] if urls else None)
    finally:
        for store in (context.checkpoints, context.validation_definitions, context.suites):
            with suppress(Exception):  # not created when an earlier step failed
                store.delete(name=name)
        datasource.delete_asset(name)
        # Hold no idle connections between batches (a server has a fixed number
        # of client slots, and a worker may validate for many warehouses).
        with suppress(Exception):
            datasource.get_engine().dispose()


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


def _row_numbers(db, feed: Feed, batch_id: int, result) -> list[int]:
    """Offending row numbers, from a column expectation or an unexpected-rows query."""
    query = result.expectation_config.kwargs.get("unexpected_rows_query")
    if query:  # SUMMARY results carry no rows for these; ask the database directly
        rows = db.execute(
            f"select _row_number from ({query}) as unexpected "
            f"order by _row_number limit {SAMPLE_ROWS}"
        ).fetchall()
        return [r[0] for r in rows]
    indices = result.result.get("partial_unexpected_index_list") or []
    numbers = []
    for item in indices:
        value = item.get("_row_number") if isinstance(item, dict) else item
        if value is not None:
            numbers.append(int(value))
    return numbers[:SAMPLE_ROWS]


def _exception_message(info) -> str | None:
    """GX reports a failed metric query either flat or keyed by metric."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else list(info.values())
    for entry in entries:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            return str(entry.get("exception_message", ""))[:300]
    return None


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


def _reader_findings(db, batch_id: int) -> list[tuple[str, str, str | None]]:
    """Rules the reader decided while the rows streamed through it (yigongti/readers):
    (rule, description, column), recorded by the loader."""
    rows = db.execute(
        "select rule, column_name, sample from ops.batch_rule_result "
        "where batch_id = %s and severity = 'failure' order by rule",
        (batch_id,),
    ).fetchall()
    return [
        (rule, next((s.get("description_zh") for s in sample or []), None) or rule, column)
        for rule, column, sample in rows
    ]


def validate_batch(conn, feed: Feed, period: str, batch_id: int) -> Verdict:
    """Run the feed's suite on the batch; record every failed rule; accept or reject.

    Raises ``ValidatorBroke`` when a rule could not be evaluated: the caller
    records the batch as failed, and it is validated again by the next run.
    """
    # Pass/fail first: BOOLEAN_ONLY computes each rule's count in bundled queries,
    # without the extra scans for sample rows that a clean batch does not need.
    with conn.connect() as db:
        found = _reader_findings(db, batch_id)
    result, report = _run_suite(conn, feed, period, batch_id, found, detailed=False)
    if not result.success:  # details, samples and a rendered page for the people on duty
        result, report = _run_suite(conn, feed, period, batch_id, found, detailed=True)
    broken = [
        f"{(r.expectation_config.meta or {}).get('rule', r.expectation_config.type)}: {error}"
        for r in result.results
        if (error := _exception_message(r.exception_info))
    ]
    if broken:
        raise ValidatorBroke(f"batch {batch_id}: rules could not be evaluated: {broken}")
    failures: list[RuleOutcome] = []
    warnings: list[RuleOutcome] = []
    with conn.connect() as db:
        for r in result.results:
            if r.success:
                continue
            meta = r.expectation_config.meta or {}
            kwargs = r.expectation_config.kwargs
            outcome = RuleOutcome(
                rule=meta.get("rule", r.expectation_config.type),
                severity=meta.get("severity", "failure"),
                description_zh=r.expectation_config.description or r.expectation_config.type,
                column=kwargs.get("column") or meta.get("column"),
                unexpected_count=r.result.get("unexpected_count", r.result.get("observed_value")),
            )
            outcome.sample = _sample_rows(db, feed, batch_id, _row_numbers(db, feed, batch_id, r))
            (warnings if outcome.severity == "warning" else failures).append(outcome)
        file_name = db.execute(
            "select file_name from ops.batch_log where batch_id = %s", (batch_id,)
        ).fetchone()[0]
        if failures:
            status, message = "rejected", describe(feed, period, file_name, failures, "被拒收")
        elif warnings:
            status = "accepted_with_warnings"
            message = describe(feed, period, file_name, warnings, "已接收，但有预警")
        else:
            status, message = "accepted", f"{file_name}：全部 {len(result.results)} 条规则通过"
        for o in failures + warnings:
            db.execute(
                """
                insert into ops.batch_rule_result
                    (batch_id, rule, severity, column_name, unexpected_count, sample)
                values (%s, %s, %s, %s, %s, %s)
                on conflict (batch_id, rule) do update set
                    unexpected_count = excluded.unexpected_count, sample = excluded.sample
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
        db.execute(
            """
            update ops.batch_log
            set status = %s, rules_failed = %s, message = %s, report_path = %s,
                validated_at = now(), decided_at = now()
            where batch_id = %s
            """,
            (status, [o.rule for o in failures + warnings], message, report, batch_id),
        )
        if status != "rejected":
            supersede_older(db, feed.name, period)
        db.commit()
    log.info("batch %s: %s", batch_id, message)
    return Verdict(batch_id, status, failures, warnings, message)


def supersede_older(db, feed_name: str, period: str) -> None:
    """An accepted batch none of whose districts is active any more is superseded."""
    db.execute(
        """
        update ops.batch_log as b
        set status = 'superseded', decided_at = now(),
            message = coalesce(b.message, '') || '（已被更正后的批次取代）'
        where b.feed = %(feed)s and b.period = %(period)s
          and b.status in ('accepted', 'accepted_with_warnings')
          and not exists (
              select 1 from ops.active_batch as a
              where a.batch_id = b.batch_id
          )
        """,
        {"feed": feed_name, "period": period},
    )
