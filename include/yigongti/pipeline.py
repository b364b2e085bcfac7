"""The ingest step as plain functions: discover the landing zone, process one file.

DAG tasks call these; tests call them without a scheduler.
"""

from __future__ import annotations

import logging
import os
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote_from_bytes, unquote_to_bytes

from yigongti import batches
from yigongti.contracts import feed as feed_contract
from yigongti.contracts import feeds
from yigongti.contracts import stage as feed_stage
from yigongti.identifiers import Hasher
from yigongti.loader import land_file, record_failure, refuse
from yigongti.periods import Period
from yigongti.quality.anomalies import flag_batch
from yigongti.quality.validate import validate_batch
from yigongti.settings import state_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LandingFile:
    feed: str
    period: str
    path: str
    # why the file is not read at all (a link out of the landing zone), else None
    refused: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def in_range(period: str, start: str | None, end: str | None) -> bool:
    """Whether a landing period (YYYY-MM, or YYYY spanning its months) overlaps
    the months ``start``..``end`` (YYYY-MM, either open). A folder named as no
    period is in every range: landing it rejects it with the reason."""
    try:
        span = Period.parse(period)
    except ValueError:
        return True
    first, last = span.start, Period.month_of(span.end).start
    return (start is None or last >= Period.parse(start).start) and (
        end is None or first <= Period.parse(end).start
    )


def _local(path) -> Path | None:
    """The local path behind a landing path (a Path, or a file:// object-storage path)."""
    if isinstance(path, Path):
        return path
    if getattr(path, "protocol", None) in ("file", "local"):
        return Path(path.path)
    return None


def _outside(path, root: Path | None) -> bool:
    """A symbolic link that leads out of the landing zone is never followed."""
    local = _local(path)
    return bool(root and local and local.is_symlink() and not local.resolve().is_relative_to(root))


# Paths travel between tasks as JSON: a file name in GBK bytes (not UTF-8) is
# carried as its percent-encoded bytes.
_RAW = "fs-bytes:"


def portable_path(path: str) -> str:
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return _RAW + quote_from_bytes(os.fsencode(path))


def native_path(path: str) -> str:
    return os.fsdecode(unquote_to_bytes(path[len(_RAW) :])) if path.startswith(_RAW) else path


def discover(
    landing, start: str | None = None, end: str | None = None, provider: str | None = None
) -> list[LandingFile]:
    """Files laid out as <landing>/<feed>/<period>/<file>, dependencies first.

    ``landing`` is a local folder or any pathlib-like object (the ingest DAGs pass
    Airflow object-storage paths, so the landing zone may be S3, SFTP, ...).
    """
    landing = Path(landing) if isinstance(landing, str) else landing
    root = _local(landing).resolve() if _local(landing) else None
    known = feeds()
    found = []

    def folders(parent):
        for p in sorted(parent.iterdir(), key=_name):
            if _outside(p, root):
                log.warning("%s links out of the landing zone; not followed", p)
            elif p.is_dir():
                yield p

    for feed_dir in folders(landing):
        contract = known.get(feed_dir.name)
        if contract is None:
            log.warning("folder %s is not a known feed; ignored", feed_dir)
            continue
        if provider and contract.provider != provider:
            continue
        for period_dir in folders(feed_dir):
            if not in_range(period_dir.name, start, end):
                continue
            for path in period_dir.iterdir():
                if path.name.startswith("."):
                    continue
                if _outside(path, root):
                    item = LandingFile(
                        feed_dir.name, period_dir.name, str(path), refused="file.outside_landing"
                    )
                    found.append((0, item))
                elif path.is_file():
                    # Arrival order within a folder: modification time, then name.
                    found.append(
                        (_mtime(path), LandingFile(feed_dir.name, period_dir.name, str(path)))
                    )
    found.sort(key=lambda x: (feed_stage(x[1].feed), x[1].period, x[1].feed, x[0], x[1].path))
    return [item for _, item in found]


def _name(path) -> str:
    return path.name


def _mtime(path) -> float:
    return getattr(path.stat(), "st_mtime", 0) or 0


def discover_folders(
    landing,
    start: str | None = None,
    end: str | None = None,
    provider: str | None = None,
    stage: int | None = None,
) -> list[dict]:
    """Landing folders (feed x period) with their files in arrival order.

    Files of one folder (a submission and its corrections) must be decided one
    after the other, so a folder is the unit of parallel work. Files first seen
    in the same run are ordered by modification time, then name.
    """
    folders: dict[tuple[str, str], dict] = {}
    for item in discover(landing, start, end, provider):
        if stage is None or feed_stage(item.feed) == stage:
            folder = folders.setdefault(
                (item.feed, item.period),
                {"feed": item.feed, "period": item.period, "paths": [], "refused": []},
            )
            path = portable_path(item.path)
            if item.refused:
                folder["refused"].append({"path": path, "rule": item.refused})
            else:
                folder["paths"].append(path)
    return list(folders.values())


def process_folder(conn, folder: dict, pii_key: str, fetch=None) -> list[dict]:
    """Decide a folder's files in order; ``fetch`` maps a landing path to a local file
    (a context manager; the DAGs copy object-storage files down with it)."""
    results = [
        refuse_file(conn, folder["feed"], folder["period"], native_path(r["path"]), r["rule"])
        for r in folder.get("refused", [])
    ]
    for portable in folder["paths"]:
        path = native_path(portable)
        with fetch(path) if fetch else nullcontext(Path(path)) as local:
            item = LandingFile(folder["feed"], folder["period"], str(local))
            results.append(process_file(conn, item, pii_key, source=path))
    return results


def refuse_file(conn, feed: str, period: str, path: str, rule: str) -> dict:
    """Record a file that is not read at all as a rejected batch (once)."""
    landed = refuse(conn, feed_contract(feed), period, path, rule)
    with conn.connect() as db:
        status, message, rules = db.execute(
            "select status, message, rules_failed from ops.batch_log where batch_id = %s",
            (landed.batch_id,),
        ).fetchone()
    return {
        "feed": feed,
        "period": period,
        "path": path,
        "batch_id": landed.batch_id,
        "rows": 0,
        "duplicate": landed.duplicate,
        "status": status,
        "message": message,
        "rules_failed": rules,
    }


def changes_data(counts: dict[str, int]) -> bool:
    """Whether a sweep's batch counts by status call for a rebuild."""
    return any(counts.get(status) for status in batches.CHANGING)


def process_file(conn, item: LandingFile, pii_key: str, source: str | None = None) -> dict:
    """Land, validate and decide one file; returns a summary for the run report."""
    contract = feed_contract(item.feed)
    landed = land_file(
        conn,
        contract,
        item.period,
        Path(item.path),
        hasher=Hasher(pii_key),
        archive_dir=state_dir() / "archive",
        source=source,
    )
    summary = {
        **item.as_dict(),
        "path": source or item.path,
        "batch_id": landed.batch_id,
        "rows": landed.row_count,
        "duplicate": landed.duplicate,
    }
    if not landed.duplicate and landed.status != "rejected":
        try:
            verdict = validate_batch(conn, contract, item.period, landed.batch_id)
            if verdict.status != "rejected":
                flag_batch(conn, contract, item.period, landed.batch_id)
        except Exception as error:  # the task fails and is retried; no data verdict
            record_failure(conn, landed.batch_id, "校验", error)
            raise
    with conn.connect() as db:  # the batch's final state, whichever step decided it
        status, message, rules = db.execute(
            "select status, message, rules_failed from ops.batch_log where batch_id = %s",
            (landed.batch_id,),
        ).fetchone()
    return {**summary, "status": status, "message": message, "rules_failed": rules}
