"""Land one feed file as one batch in ``raw`` via COPY, with lineage.

A batch either fully lands (batch record and every row, one transaction) or
not at all; a file that cannot be read is still recorded, as a rejected batch
with the reader's rule and message, and kept in the archive.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import psycopg

from yigongti.contracts import LINEAGE_COLUMNS, Feed, registry_feed
from yigongti.readers import FeedFileError, open_feed_file

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


def registry_period(feed: Feed, period: str) -> str:
    """The registry snapshot that places an annual feed's institutions: its December."""
    return f"{period}-12" if feed.periodicity == "year" else period


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


def district_resolver(db: psycopg.Connection, feed: Feed, period: str, path: Path):
    """Return f(values) -> district code of a raw row, per the feed's contract rule."""
    kind, column = feed.district_rule
    if kind == "file":
        match = FILE_DISTRICT.match(path.name)
        code = match.group(1) if match else None
        return lambda values: code
    index = feed.raw_columns.index(column)
    if kind == "column":
        return lambda values: values[index]
    if kind == "region":
        return lambda values: values[index][:6] if values[index] else None
    if kind == "institution":
        lookup = institution_districts(db, registry_period(feed, period))
        return lambda values: lookup.get(values[index])
    raise ValueError(f"{feed.name}: unknown district rule {feed.district!r}")


def archive(path: Path, archive_dir: Path, feed: Feed, period: str, sha: str) -> Path:
    """Keep the delivered bytes, whatever happens to the batch."""
    target = archive_dir / feed.name / period / f"{sha[:16]}_{path.name}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return target


def _record_rejection(db, batch_id: int, error: FeedFileError) -> None:
    db.execute(
        """
        update ops.batch_log
        set status = 'rejected', rules_failed = array[%(rule)s], message = %(message)s,
            row_count = 0, validated_at = now(), decided_at = now()
        where batch_id = %(batch_id)s
        """,
        {"rule": error.rule, "message": error.message, "batch_id": batch_id},
    )
    db.execute(
        """
        insert into ops.batch_rule_result
            (batch_id, rule, severity, unexpected_count, sample)
        values (%s, %s, 'failure', null, %s::jsonb)
        """,
        (batch_id, error.rule, psycopg.types.json.Jsonb(error.sample)),
    )


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
    a local copy of it.
    """
    path = Path(path)
    sha = sha256_of(path)
    with conn.connect() as db:
        existing = db.execute(
            "select batch_id, status, coalesce(row_count, 0) from ops.batch_log "
            "where feed = %s and period = %s and sha256 = %s",
            (feed.name, period, sha),
        ).fetchone()
        if existing:
            log.info("%s already received as batch %s; skipped", path.name, existing[0])
            return Landed(existing[0], existing[1], existing[2], duplicate=True)
        kept = archive(path, archive_dir, feed, period, sha)
        batch_id, received_at = db.execute(
            """
            insert into ops.batch_log (feed, provider, period, file_name, file_path,
                                       archive_path, sha256)
            values (%s, %s, %s, %s, %s, %s, %s)
            returning batch_id, received_at
            """,
            (feed.name, feed.provider, period, path.name, source or str(path), str(kept), sha),
        ).fetchone()
        db.commit()  # the arrival is on record even if reading fails below

        try:
            if not re.match(feed.period_pattern(), period):
                raise FeedFileError(
                    "period.format",
                    f"期间目录“{period}”格式错误：{feed.name} 为"
                    f"{'年度（YYYY）' if feed.periodicity == 'year' else '月度（YYYY-MM）'}报送",
                )
            count, unit_factor = _copy_rows(
                db, feed, period, path, hasher, batch_id, received_at, sha
            )
        except FeedFileError as error:
            db.rollback()
            _record_rejection(db, batch_id, error)
            db.commit()
            log.warning("batch %s (%s) rejected: %s", batch_id, path.name, error.message)
            return Landed(batch_id, "rejected", 0)
        db.commit()
        return Landed(batch_id, "received", count)


def _copy_rows(db, feed, period, path, hasher, batch_id, received_at, sha) -> tuple[int, int]:
    opened = open_feed_file(feed, path, hasher)
    district_of = district_resolver(db, feed, period, path)
    columns = ", ".join((*feed.raw_columns, *LINEAGE_COLUMNS))
    count = 0
    with db.cursor() as cur, cur.copy(f"copy {feed.raw_table} ({columns}) from stdin") as copy:
        for row_number, values in opened.rows():
            copy.write_row(
                (*values, batch_id, path.name, sha, row_number, received_at, district_of(values))
            )
            count += 1
    if count == 0:
        raise FeedFileError("file.no_rows", "文件只有表头，没有数据行")
    # Fresh statistics: without them the planner takes a new batch for one row and
    # picks nested loops for the validation queries that follow.
    db.execute(f"analyze {feed.raw_table}")
    db.execute(
        """
        insert into ops.batch_district (batch_id, district_code, row_count)
        select _batch_id, _district_code, count(*)
        from {table} where _batch_id = %(b)s and _district_code is not null
        group by 1, 2
        """.replace("{table}", feed.raw_table),
        {"b": batch_id},
    )
    db.execute(
        """
        update ops.batch_log
        set row_count = %(n)s, money_unit_factor = %(f)s,
            district_codes = coalesce(
                (select array_agg(district_code order by district_code)
                 from ops.batch_district where batch_id = %(b)s), '{}')
        where batch_id = %(b)s
        """,
        {"n": count, "f": opened.unit_factor, "b": batch_id},
    )
    return count, opened.unit_factor
