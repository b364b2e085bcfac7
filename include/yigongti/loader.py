"""Land one feed file as one batch in ``raw`` via COPY, with lineage.

A batch either fully lands (batch record and every row, one transaction) or
not at all; a file that cannot be read is still recorded, as a rejected batch
with the reader's rule and message, and kept in the archive.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import logging
import os
import queue
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import psycopg
from psycopg.copy import QueuedLibpqWriter

from yigongti import batches
from yigongti.contracts import LINEAGE_COLUMNS, Feed, registry_feed
from yigongti.periods import feed_period, registry_period
from yigongti.quality.streamed import StreamedRules
from yigongti.readers import FeedFileError, open_feed_file
from yigongti.reference import districts
from yigongti.warehouse import BATCH_LINEAGE

log = logging.getLogger(__name__)

FILE_DISTRICT = re.compile(r"^(50[0-9]{4})")


@dataclass(frozen=True)
class Landed:
    batch_id: int
    status: str
    row_count: int
    duplicate: bool = False


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def institution_districts(db: psycopg.Connection, period: str) -> dict[str, str]:
    """credit code -> district, from the accepted registry snapshot nearest to ``period``.

    The newest snapshot at or before the period; for data older than the first
    snapshot, the earliest one after it.
    """
    registry = registry_feed()
    code = registry.key_columns[0].name
    district = registry.district_rule[1]
    rows = db.execute(
        f"""
        select distinct on (r.{code}) r.{code}, r.{district}
        from {registry.raw_table} as r
        inner join ops.active_batch as a
            on a.batch_id = r._batch_id and a.district_code = r._district_code
        where a.feed = %(feed)s
        order by r.{code},
                 a.period <= %(period)s desc,
                 case when a.period <= %(period)s then a.period end desc,
                 a.period
        """,
        {"period": period, "feed": registry.name},
    ).fetchall()
    return dict(rows)


def district_resolver(db: psycopg.Connection, feed: Feed, period: str, name: str) -> pl.Expr:
    """The district code of each raw row (null when none), per the feed's
    contract rule, as an expression over a block's frame."""
    kind, column = feed.district_rule
    if kind == "file":
        match = FILE_DISTRICT.match(name)
        return pl.lit(match.group(1) if match else None, dtype=pl.Utf8)
    if kind == "column":
        return pl.col(column)
    if kind == "region":
        return pl.col(column).str.slice(0, 6)
    if kind == "institution":
        lookup = institution_districts(db, registry_period(feed.periodicity, period))
        return pl.col(column).replace_strict(lookup, default=None, return_dtype=pl.Utf8)
    raise ValueError(f"{feed.name}: unknown district rule {feed.district!r}")


def archive(path: Path, archive_dir: Path, feed: Feed, period: str, sha: str) -> Path:
    """Keep the delivered bytes, whatever happens to the batch.

    Delivered files hold resident IDs and names in clear: the archive is
    readable by the pipeline's user only (folders 0700, files 0600).
    """
    target = archive_dir / feed.name / period / f"{sha[:16]}_{path.name}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        for folder in (archive_dir, archive_dir / feed.name, target.parent):
            folder.chmod(0o700)
        partial = target.with_name(f".{target.name}.partial")
        shutil.copyfile(path, partial)
        partial.chmod(0o600)
        partial.replace(target)  # a crash never leaves half a file under the real name
    return target


def display_name(name: str) -> str:
    """The file name as a person reads it: names from Windows machines come in GBK
    bytes, which Python keeps as surrogate escapes."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = os.fsencode(name)
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")


def period_start(feed: Feed, period: str) -> dt.date | None:
    """First day of a landing folder's period, or None when the folder is not a period."""
    found = feed_period(feed.periodicity, period)
    return found.start if found else None


def _record_rejection(db, batch_id: int, error: FeedFileError) -> None:
    batches.reject(db, batch_id, [error.rule], error.message, row_count=0)
    db.execute(
        """
        insert into ops.batch_rule_result
            (batch_id, rule, severity, unexpected_count, sample)
        values (%s, %s, 'failure', null, %s::jsonb)
        """,
        (batch_id, error.rule, psycopg.types.json.Jsonb(error.sample)),
    )


def record_failure(conn, batch_id: int, step: str, error: BaseException) -> None:
    """An internal error is no verdict on the data: the batch is ``failed`` (to be
    landed and validated again by the next run) and the error goes to the task log."""
    with conn.connect() as db:
        batches.fail(
            db, batch_id, f"{step}失败（内部错误，下次运行将重试）：{type(error).__name__}: {error}"
        )
        db.commit()


def _forget_attempt(db, feed: Feed, batch_id: int) -> None:
    """Clear what an interrupted attempt left, so the batch lands exactly once."""
    db.execute(f"delete from {feed.raw_table} where _batch_id = %s", (batch_id,))
    for table in ("ops.batch_district", "ops.batch_rule_result"):
        db.execute(f"delete from {table} where batch_id = %s", (batch_id,))
    batches.restart(db, batch_id)


REFUSALS = {
    "file.outside_landing": "文件是指向着陆区之外的符号链接，未读取（请直接提交文件）",
}


def _on_record(db, feed: Feed, period: str, sha: str):
    """(batch_id, status, row_count, received_at) of the file already received, or None."""
    return db.execute(
        "select batch_id, status, coalesce(row_count, 0), received_at from ops.batch_log "
        "where feed = %s and period = %s and sha256 = %s",
        (feed.name, period, sha),
    ).fetchone()


def refuse(conn, feed: Feed, period: str, path: str, rule: str) -> Landed:
    """A file that is not read at all is still on record, as a rejected batch."""
    name = display_name(Path(path).name)
    # Nothing of the file is read: it is known by its path.
    sha = hashlib.sha256(f"{rule}:{display_name(path)}".encode()).hexdigest()
    with conn.connect() as db:
        existing = _on_record(db, feed, period, sha)
        if existing:
            return Landed(existing[0], existing[1], 0, duplicate=True)
        (batch_id,) = db.execute(
            """
            insert into ops.batch_log (feed, provider, period, period_start, file_name,
                                       file_path, sha256)
            values (%s, %s, %s, %s, %s, %s, %s)
            returning batch_id
            """,
            (
                feed.name,
                feed.provider,
                period,
                period_start(feed, period),
                name,
                display_name(path),
                sha,
            ),
        ).fetchone()
        _record_rejection(db, batch_id, FeedFileError(rule, f"{name}：{REFUSALS[rule]}"))
        db.commit()
    log.warning("%s refused (%s)", path, rule)
    return Landed(batch_id, "rejected", 0)


def land_file(
    conn,
    feed: Feed,
    period: str,
    path: Path,
    *,
    hasher,
    archive_dir: Path,
    source: str | None = None,
) -> Landed:
    """Record and COPY one file; idempotent on (feed, period, sha256).

    ``source`` is where the file was delivered (a landing URL) when ``path`` is
    a local copy of it. A batch left undecided by an earlier attempt is landed
    again under its own batch id.
    """
    path = Path(path)
    name = display_name(path.name)
    sha = sha256_of(path)
    with conn.connect() as db:
        existing = _on_record(db, feed, period, sha)
        if existing and existing[1] not in batches.UNDECIDED:
            log.info("%s already received as batch %s; skipped", name, existing[0])
            return Landed(existing[0], existing[1], existing[2], duplicate=True)
        if existing:
            batch_id, received_at = existing[0], existing[3]
            log.warning("batch %s (%s) was left %s; landing it again", batch_id, name, existing[1])
            _forget_attempt(db, feed, batch_id)
        else:
            kept = archive(path, archive_dir, feed, period, sha)
            batch_id, received_at = db.execute(
                """
                insert into ops.batch_log (feed, provider, period, period_start, file_name,
                                           file_path, archive_path, sha256)
                values (%s, %s, %s, %s, %s, %s, %s, %s)
                returning batch_id, received_at
                """,
                (
                    feed.name,
                    feed.provider,
                    period,
                    period_start(feed, period),
                    name,
                    display_name(source or str(path)),
                    display_name(str(kept)),
                    sha,
                ),
            ).fetchone()
        db.commit()  # the arrival is on record even if reading fails below

        try:
            if period_start(feed, period) is None:
                raise FeedFileError(
                    "period.format",
                    f"期间目录“{period}”格式错误：{feed.name} 为"
                    f"{'年度（YYYY）' if feed.periodicity == 'year' else '月度（YYYY-MM）'}报送",
                )
            count = _copy_rows(db, feed, period, path, name, hasher, batch_id, received_at, sha)
        except FeedFileError as error:
            db.rollback()
            _record_rejection(db, batch_id, error)
            db.commit()
            log.warning("batch %s (%s) rejected: %s", batch_id, name, error.message)
            return Landed(batch_id, "rejected", 0)
        except Exception as error:
            db.rollback()
            record_failure(conn, batch_id, "装载", error)
            raise
        db.commit()
        return Landed(batch_id, "received", count)


def _file_district(feed: Feed, name: str) -> str | None:
    """The district a file's name says it holds (``500113_….csv``), for feeds whose
    rows carry their own district; None for municipal files and other names."""
    if feed.district_rule[0] == "file":
        return None
    match = FILE_DISTRICT.match(name)
    code = match.group(1) if match else None
    return code if code in districts() else None


def prefetched(items, depth: int = 2):
    """Yield from ``items``, produced by a thread up to ``depth`` ahead; an error
    of the producer is raised here, where the items are used."""
    ahead: queue.Queue = queue.Queue(maxsize=depth)
    done = object()
    stop = threading.Event()

    def produce():
        try:
            for item in items:
                if stop.is_set():
                    return
                ahead.put((item, None))
            ahead.put((done, None))
        except BaseException as error:  # handed to the consumer
            ahead.put((done, error))

    worker = threading.Thread(target=produce, name="feed-reader", daemon=True)
    worker.start()
    try:
        while True:
            item, error = ahead.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                ahead.get(timeout=0.1)
        worker.join()


def _copy_rows(db, feed, period, path, name, hasher, batch_id, received_at, sha) -> int:
    """COPY the file block by block as CSV text written by polars (no adaptation
    per value), with the streamed rules (quality/streamed.py) counted on the way."""
    opened = open_feed_file(feed, path, hasher)
    district = district_resolver(db, feed, period, name).alias("_district_code")
    named = _file_district(feed, name)
    streamed = StreamedRules(feed, period)
    issues = opened.issues
    # The batch's own lineage is set once for the transaction (column defaults,
    # warehouse.BATCH_LINEAGE); only what differs per row travels with the rows.
    values = {"_batch_id": batch_id, "_file_name": name, "_file_sha256": sha}
    values["_received_at"] = received_at.isoformat()
    db.execute(
        "select " + ", ".join("set_config(%s, %s, true)" for _ in BATCH_LINEAGE),
        [v for c, (setting, _) in BATCH_LINEAGE.items() for v in (setting, str(values[c]))],
    )
    per_row = [c for c in LINEAGE_COLUMNS if c not in BATCH_LINEAGE]
    columns = ", ".join((*feed.raw_columns, *per_row))
    count, per_district = 0, {}
    with (
        db.cursor() as cur,
        cur.copy(
            f"copy {feed.raw_table} ({columns}) from stdin (format csv)",
            # A writer thread sends while this one reads the next block: the
            # server parses one block while the next is prepared.
            writer=QueuedLibpqWriter(cur),
        ) as copy,
    ):
        # Blocks are read, checked and hashed in a thread while this one counts
        # the previous block's rules and sends it (polars and libpq release the GIL).
        for block in prefetched(opened.blocks()):
            frame = block.frame.with_columns(district)
            if named:
                districts = frame.get_column("_district_code")
                other = districts.is_not_null() & (districts != named)
                for i in other.arg_true().to_list():
                    issues.add(
                        "district.matches_file_name",
                        f"文件名标明区县 {named}，但该行属于其他区县",
                        block.numbers[i],
                        value=districts[i],
                    )
            streamed.check(block.numbers, frame, issues)
            for code, n in frame.get_column("_district_code").value_counts().iter_rows():
                if code is not None:
                    per_district[code] = per_district.get(code, 0) + n
            broken = issues.take_broken(block.numbers)
            rules = (
                pl.Series("_issues", [";".join(broken.get(n, ())) or None for n in block.numbers])
                if broken
                else pl.lit(None, dtype=pl.Utf8).alias("_issues")
            )
            out = frame.select(
                *feed.raw_columns,
                pl.Series("_row_number", block.numbers).cast(pl.Utf8),
                "_district_code",
                rules,
            )
            text = io.BytesIO()
            out.write_csv(text, include_header=False)
            copy.write(text.getvalue())
            count += len(block)
    if count == 0:
        raise FeedFileError("file.no_rows", "文件只有表头，没有数据行")
    # What the reader and the stream decided, for the validator to report through
    # GX (quality/validate.py) and for the people on duty: every failing rule's
    # count and first rows, and which rules were decided here at all.
    for issue in opened.issues:
        db.execute(
            """
            insert into ops.batch_rule_result
                (batch_id, rule, severity, column_name, unexpected_count, sample)
            values (%s, %s, 'failure', %s, %s, %s)
            """,
            (
                batch_id,
                issue.rule,
                issue.column,
                issue.count,
                psycopg.types.json.Jsonb(
                    [{**s, "description_zh": issue.description_zh} for s in issue.sample]
                ),
            ),
        )
    # Fresh statistics: without them the planner takes a new batch for one row and
    # picks nested loops for the validation queries that follow. The columns those
    # queries select and join on; the other columns' statistics change little
    # from batch to batch (and cost most of a full ANALYZE).
    keys = ", ".join(
        dict.fromkeys(["_batch_id", "_district_code", *(c.name for c in feed.key_columns)])
    )
    db.execute(f"analyze {feed.raw_table} ({keys})")
    db.cursor().executemany(
        "insert into ops.batch_district (batch_id, district_code, row_count) values (%s, %s, %s)",
        [(batch_id, code, n) for code, n in sorted(per_district.items())],
    )
    db.execute(
        """
        update ops.batch_log
        set row_count = %(n)s, money_unit_factor = %(f)s, rules_streamed = %(streamed)s,
            district_codes = coalesce(
                (select array_agg(district_code order by district_code)
                 from ops.batch_district where batch_id = %(b)s), '{}')
        where batch_id = %(b)s
        """,
        {
            "n": count,
            "f": opened.unit_factor,
            "b": batch_id,
            "streamed": list(dict.fromkeys([*streamed.decided(), *(i.rule for i in issues)])),
        },
    )
    return count
