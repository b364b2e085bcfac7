"""The ingest step as plain functions: discover the landing zone, process one file.

DAG tasks call these; tests call them without a scheduler.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path

from yigongti.contracts import feed as feed_contract
from yigongti.contracts import feeds
from yigongti.contracts import stage as feed_stage
from yigongti.identifiers import Hasher
from yigongti.loader import land_file
from yigongti.quality.anomalies import flag_batch
from yigongti.quality.validate import validate_batch
from yigongti.settings import state_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LandingFile:
    feed: str
    period: str
    path: str

    def as_dict(self) -> dict:
        return asdict(self)


def in_range(period: str, start: str | None, end: str | None) -> bool:
    """Monthly periods compare as YYYY-MM; an annual period YYYY spans its months."""
    first, last = (f"{period}-01", f"{period}-12") if len(period) == 4 else (period, period)
    return (start is None or last >= start) and (end is None or first <= end)


def discover(
    landing, start: str | None = None, end: str | None = None, provider: str | None = None
) -> list[LandingFile]:
    """Files laid out as <landing>/<feed>/<period>/<file>, dependencies first.

    ``landing`` is a local folder or any pathlib-like object (the ingest DAGs pass
    Airflow object-storage paths, so the landing zone may be S3, SFTP, ...).
    """
    landing = Path(landing) if isinstance(landing, str) else landing
    known = feeds()
    found = []
    for feed_dir in sorted((p for p in landing.iterdir() if p.is_dir()), key=_name):
        contract = known.get(feed_dir.name)
        if contract is None:
            log.warning("folder %s is not a known feed; ignored", feed_dir)
            continue
        if provider and contract.provider != provider:
            continue
        for period_dir in sorted((p for p in feed_dir.iterdir() if p.is_dir()), key=_name):
            if not in_range(period_dir.name, start, end):
                continue
            for path in period_dir.iterdir():
                if path.is_file() and not path.name.startswith("."):
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
    folders: dict[tuple[str, str], list[str]] = {}
    for item in discover(landing, start, end, provider):
        if stage is None or feed_stage(item.feed) == stage:
            folders.setdefault((item.feed, item.period), []).append(item.path)
    return [{"feed": f, "period": p, "paths": paths} for (f, p), paths in folders.items()]


def process_folder(conn, folder: dict, pii_key: str, fetch=None) -> list[dict]:
    """Decide a folder's files in order; ``fetch`` maps a landing path to a local file
    (a context manager; the DAGs copy object-storage files down with it)."""
    results = []
    for path in folder["paths"]:
        with fetch(path) if fetch else nullcontext(Path(path)) as local:
            item = LandingFile(folder["feed"], folder["period"], str(local))
            results.append(process_file(conn, item, pii_key, source=path))
    return results


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
        verdict = validate_batch(conn, contract, item.period, landed.batch_id)
        if verdict.status != "rejected":
            flag_batch(conn, contract, item.period, landed.batch_id)
    with conn.connect() as db:  # the batch's final state, whichever step decided it
        status, message, rules = db.execute(
            "select status, message, rules_failed from ops.batch_log where batch_id = %s",
            (landed.batch_id,),
        ).fetchone()
    return {**summary, "status": status, "message": message, "rules_failed": rules}
